// attnscope-cli: tokenize, trace, explain (analyze) and describe Hugging Face model folders headlessly. The command names
// and options are a public interface (scripts depend on them): extend, never rename.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "cli/commands.h"
#include "core/huge_pages.h"
#include "core/parallel.h"

namespace {

// The commands: one table the dispatch, `--help`, `COMMAND --help` and the unknown-command message read.
struct CliCommand {
    const char* name;
    int (*run)(int argc, char** argv);
    const char* usage;   // its lines of --help, starting with the name
};

int run_render(int argc, char** argv) {
#if ATTN_CLI_RENDER
    return attn::cmd_render(argc, argv);
#else
    (void)argc;
    (void)argv;
    throw attn::UsageError{"this build has no UI to draw with (configure with ATTN_BUILD_APP=ON)"};
#endif
}

using namespace attn;

const CliCommand kCommands[] = {
    {"tokenize", cmd_tokenize,
         "  tokenize --tokenizer FILE [--no-special] (--text TEXT | --text-file FILE)\n"},
    {"trace", cmd_trace,
         "  trace    --model DIR (--text TEXT | --text-file FILE | --ids 1,2,3)\n"
         "           [--decoder-text T | --decoder-text-file F | --decoder-ids 2,0,...] [--score-position P]\n"
         "           --out FILE.safetensors\n"
         "           encoders (BERT, ...): mask_logits at --score-position, default the first [MASK]/<mask> token\n"
         "           encoder-decoders (BART): the decoder reads --decoder-ids as given, or --decoder-text as\n"
         "           [decoder_start_token_id, bos_token_id] + its tokens without special tokens (teacher forcing,\n"
         "           as transformers shifts labels), or else [decoder_start_token_id] alone\n"},
    {"info", cmd_info,
         "  info     --model DIR\n"},
    {"generate", cmd_generate,
         "  generate --model DIR (--text TEXT | --text-file FILE) [--max-new N] [--temperature T] [--top-k K]\n"
         "           [--seed S] [--no-stop]   greedy unless --temperature > 0; for BART the text is the source\n"
         "           and new_ids the whole decoder output, start token included (as transformers returns it)\n"},
    {"analyze", cmd_analyze,
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
         "           --foil B explains \"why TOKEN and not B\": score = logprob(TOKEN) - logprob(B)\n"},
    {"render", run_render,
         "  render   --model DIR (--text TEXT | --text-file FILE) [--target TEXT] [--view VIEW]\n"
         "           [--layer L] [--head H] [--kind self|decoder|cross] [--colormap NAME] [--auto-scale]\n"
         "           [--theme dark|light] [--size WxH] [--font-size N] [--scale 1|2|4] [--format png|svg]\n"
         "           [--checks SUITE]   (--view checks: a built-in suite's name or a suite file, run first)\n"
         "           --out FILE.png|FILE.svg\n"
         "           the explorer's view as a picture (default 1600x1000, 18 px; --scale 2: twice the pixels,\n"
         "           same layout), or as SVG when FILE ends in .svg; NAME: viridis, plasma, magma, inferno,\n"
         "           cividis or greys; VIEW: any view of the app (heatmap, grid, lines, flow, attributions, lens,\n"
         "           activations, heads, similarity, patching, checks, explain, lesson)\n"},
    {"heads", cmd_heads,
         "  heads    --model DIR (--text TEXT | --text-file FILE | --ids 1,2,3) --out heads.json\n"
         "           [--induction-length N] [--seed S] [--no-induction] [--kind self|decoder|cross] [--decoder-text T]\n"
         "           what each head does: a table of layer, head, pattern label, confidence and statistics, and JSON\n"
         "           with every statistic per head and per query, every pattern's score and the BOS rule (\"notes\").\n"
         "           The induction score runs the model on N (default 24) random tokens repeated twice (seed S).\n"
         "           BART: --kind decoder/cross read the decoder on --decoder-text, else on the text itself\n"},
    {"probe", cmd_probe,
         "  probe    --model DIR --suite NAME|FILE.json [--out RESULTS.json] | --list\n"
         "           rule-based attention checks (README \"Checks\"): per case pass/fail, the best head and its\n"
         "           margin, then the heads that pass most cases; NAME a built-in suite (--list shows them)\n"},
    {"explain", cmd_explain,
         "  explain  --model DIR (--text TEXT | --text-file FILE | --ids 1,2,3) [--target TOKEN] [--foil TOKEN]\n"
         "           [--ig-steps N] [--decoder-text T] [--json FILE]\n"
         "           the prediction in plain language (probability, the tokens that mattered by each attribution\n"
         "           method and whether they agree, the heads with their labels, where the logit lens settles,\n"
         "           what ablating the top head does), then the faithfulness table (sufficiency and\n"
         "           comprehensiveness of each method for k = 1..3). Encoder-decoders (BART): forward passes only,\n"
         "           the decoder reads [decoder_start, bos] + --decoder-text's tokens (as the app does, even when\n"
         "           empty). --json: facts, sentences and numbers\n"},
    {"patch", cmd_patch,
         "  patch    --model DIR --clean TEXT --corrupted TEXT [--position P] [--answer TOKEN] [--wrong-answer TOKEN]\n"
         "           --out FILE.json|FILE.safetensors\n"
         "           activation patching: the clean and corrupted texts must have the same number of tokens; each\n"
         "           residual-stream state (embeddings, then after each layer) at each position, and each head's\n"
         "           output, is copied from the clean run into the corrupted one; prints both predictions, the\n"
         "           logit differences logit(answer) - logit(wrong answer) (default: the clean run's top token and\n"
         "           the corrupted run's best other token, at the last position or the first mask) and the sites\n"
         "           that recover most (1 = as clean, 0 = as corrupted)\n"},
    {"train", cmd_train,
         "  train    --task NAME --out DIR [--seed S] [--steps N] [--threads N] [--quiet]\n"
         "           trains a small model for a task from scratch on data AttnScope generates (AdamW, warm-up +\n"
         "           cosine decay, clipping; the same seed gives the same model on one machine) and writes a\n"
         "           Hugging Face folder: config.json, model.safetensors, tokenizer.json, README.md (model card),\n"
         "           card.json, train_log.csv, loss.png, checks.json (tasks with a suite). tools/train wraps it\n"},
    {"eval", cmd_eval,
         "  eval     --model DIR --task NAME [--n N] [--seed S] [--no-claims]\n"
         "           the task's accuracy on N (default 1000) freshly generated held-out examples, after each of\n"
         "           the model card's head claims re-measured (exit 1 when one fails); last line \"accuracy: NN.N%\"\n"},
};

// Options several commands share, printed after the commands.
const char* kSharedUsage =
    "  threads (every command but train, whose --threads splits its batches): --threads N splits the forward\n"
    "           pass's products and heads over N threads (default: the machine's, at most 8, or ATTN_THREADS=N;\n"
    "           any count gives the same numbers)\n"
    "  interventions (trace and analyze): --ablate L.H[:zero|:mean] (a head's output zeroed or replaced by\n"
    "           its mean over positions), --knockout Q>K[@L] (position Q may not attend to K, in layer L or\n"
    "           all), --mask-token P (no other position may attend to P, in any layer); each repeatable or a\n"
    "           comma list. analyze leaves mean ablations out (the gradient pass has no edited forward)\n";

// Takes "--threads N" out of argv (commands other than train) and sets the kernels' thread count from it,
// else from default_thread_count(). train keeps its own --threads and its kernels stay on one thread.
void threads_option_apply(const std::string& command, int& argc, char** argv) {
    if (command == "train") return;
    int threads = default_thread_count();
    int kept = 2;
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--threads") != 0) {
            argv[kept++] = argv[i];
            continue;
        }
        if (i + 1 >= argc) throw UsageError{"--threads needs a value"};
        char* end = nullptr;
        const long n = std::strtol(argv[i + 1], &end, 10);
        if (end == argv[i + 1] || *end != '\0' || n < 1)
            throw UsageError{std::string("--threads must be a whole number >= 1, got '") + argv[i + 1] + "'"};
        threads = static_cast<int>(std::min<long>(n, 1 << 16));
        ++i;
    }
    argc = kept;
    argv[argc] = nullptr;
    set_thread_count(threads);
}

void print_usage(FILE* out) {
    std::fputs("usage: attnscope-cli COMMAND [OPTIONS]   (attnscope-cli COMMAND --help: that command only)\n", out);
    for (const CliCommand& c : kCommands) std::fputs(c.usage, out);
    std::fputs(kSharedUsage, out);
}

}  // namespace

int main(int argc, char** argv) {
    attn::heap_setup();   // a command that traces several times reuses the memory (huge_pages.h)
    std::string command = argc > 1 ? argv[1] : "";
    if (command == "--help" || command == "-h" || command == "help") {
        print_usage(stdout);
        return 0;
    }
    const CliCommand* found = nullptr;
    for (const CliCommand& c : kCommands)
        if (command == c.name) found = &c;
    if (!found) {
        std::string names;
        for (const CliCommand& c : kCommands) names += std::string(names.empty() ? "" : ", ") + c.name;
        std::fprintf(stderr, "attnscope-cli: %s (commands: %s; see --help)\n",
                     command.empty() ? "missing command" : ("unknown command '" + command + "'").c_str(), names.c_str());
        return 2;
    }
    for (int i = 2; i < argc; ++i)
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::fputs(found->usage, stdout);
            return 0;
        }
    try {
        threads_option_apply(command, argc, argv);
        return found->run(argc, argv);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "attnscope-cli %s: %s\n", command.c_str(), e.message.c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "attnscope-cli %s: %s\n", command.c_str(), e.what());
        return 2;
    }
}
