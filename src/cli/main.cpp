// attnscope-cli: tokenize, trace, explain (analyze) and describe Hugging Face model folders headlessly. The command names
// and options are a public interface (scripts depend on them): extend, never rename.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "cli/commands.h"

namespace {

const char* kUsage =
    "usage: attnscope-cli COMMAND [OPTIONS]\n"
    "  tokenize --tokenizer FILE [--no-special] (--text TEXT | --text-file FILE)\n"
    "  trace    --model DIR (--text TEXT | --text-file FILE | --ids 1,2,3)\n"
    "           [--decoder-text T | --decoder-text-file F | --decoder-ids 2,0,...] [--score-position P]\n"
    "           --out FILE.safetensors\n"
    "           encoders (BERT, ...): mask_logits at --score-position, default the first [MASK]/<mask> token\n"
    "           encoder-decoders (BART): the decoder reads --decoder-ids as given, or --decoder-text as\n"
    "           [decoder_start_token_id, bos_token_id] + its tokens without special tokens (teacher forcing,\n"
    "           as transformers shifts labels), or else [decoder_start_token_id] alone\n"
    "  info     --model DIR\n"
    "  generate --model DIR (--text TEXT | --text-file FILE) [--max-new N] [--temperature T] [--top-k K]\n"
    "           [--seed S] [--no-stop]   greedy unless --temperature > 0; for BART the text is the source\n"
    "           and new_ids the whole decoder output, start token included (as transformers returns it)\n"
    "  analyze  --model DIR (--text TEXT | --text-file FILE | --ids 1,2,3) [--ig-steps N] [--score-position P]\n"
    "           [--target TOKEN] [--foil TOKEN] [--permutation-samples K] [--seed S] [--lens-top-k K]\n"
    "           [--no-head-ablation] --out FILE.safetensors|FILE.npz\n"
    "           why the model predicts a token: saliency, integrated gradients (N steps, default 32), occlusion,\n"
    "           permutation (K random tokens per position, default 8, seeded), attention x gradient, head\n"
    "           importance and ablation, rollout, attention flow (up to 64 tokens), entropy, mean distance,\n"
    "           logit lens (top K, default 5) and activation norms. The scored position: decoders the last,\n"
    "           encoders the first [MASK]/<mask> (the text may contain it literally; with none, the last), or P.\n"
    "           TOKEN: a number is an id; text is tokenized as given, without special tokens, and must be one\n"
    "           token, so a leading space counts (GPT-2: \" animal\"); an exact vocabulary entry (\"\u0120animal\")\n"
    "           works too.\n"
    "           --foil B explains \"why TOKEN and not B\": score = logprob(TOKEN) - logprob(B)\n"
    "  render   --model DIR (--text TEXT | --text-file FILE) [--target TEXT] [--view heatmap|grid|lines|flow]\n"
    "           [--layer L] [--head H] [--kind self|decoder|cross] [--colormap NAME] [--auto-scale]\n"
    "           [--theme dark|light] [--size WxH] [--font-size N] [--scale 1|2|4] [--format png|svg]\n"
    "           [--checks SUITE]   (--view checks: a built-in suite's name or a suite file, run first)\n"
    "           --out FILE.png|FILE.svg\n"
    "           the explorer's view as a picture (default 1600x1000, 18 px; --scale 2: twice the pixels,\n"
    "           same layout), or as SVG when FILE ends in .svg; NAME: viridis, plasma, magma, inferno,\n"
    "           cividis or greys\n"
    "  probe    --model DIR --suite NAME|FILE.json [--out RESULTS.json] | --list\n"
    "           rule-based attention checks (README \"Checks\"): per case pass/fail, the best head and its\n"
    "           margin, then the heads that pass most cases; NAME a built-in suite (--list shows them)\n";

}  // namespace

int main(int argc, char** argv) {
    using namespace attn;
    std::string command = argc > 1 ? argv[1] : "";
    if (command == "--help" || command == "-h" || command == "help") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    try {
        if (command == "tokenize") return cmd_tokenize(argc, argv);
        if (command == "trace") return cmd_trace(argc, argv);
        if (command == "info") return cmd_info(argc, argv);
        if (command == "generate") return cmd_generate(argc, argv);
        if (command == "analyze") return cmd_analyze(argc, argv);
        if (command == "probe") return cmd_probe(argc, argv);
#if ATTN_CLI_RENDER
        if (command == "render") return cmd_render(argc, argv);
#else
        if (command == "render") throw UsageError{"this build has no UI to draw with (configure with ATTN_BUILD_APP=ON)"};
#endif
        std::fprintf(stderr, "attnscope-cli: %s (commands: tokenize, trace, info, generate, analyze, render, probe; see --help)\n",
                     command.empty() ? "missing command" : ("unknown command '" + command + "'").c_str());
        return 2;
    } catch (const UsageError& e) {
        std::fprintf(stderr, "attnscope-cli %s: %s\n", command.c_str(), e.message.c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "attnscope-cli %s: %s\n", command.c_str(), e.what());
        return 2;
    }
}
