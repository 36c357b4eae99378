// `explain`: the plain-language explanation of one prediction (the explain view's text), then the
// faithfulness table; --json writes facts, sentences and numbers in the page API's layout. Decoder-only
// and encoder models run the attribution job and the faithfulness test; encoder-decoders (BART) are
// explained from forward passes (analysis/explanation.h says which).
#include <cstdio>

#include "analysis/attribution.h"
#include "analysis/attribution_methods.h"
#include "analysis/explanation.h"
#include "analysis/explanation_json.h"
#include "analysis/explanation_strings.h"
#include "analysis/faithfulness.h"
#include "analysis/head_patterns.h"
#include "cli/commands.h"
#include "cli/model_open.h"
#include "cli/token_arg.h"
#include "platform/file_io.h"

namespace attn {

namespace {

void print_faithfulness(const Faithfulness& f) {
    std::printf("\nFaithfulness (drop of p(target) = %s; sufficiency: only the top k tokens kept, lower is better;\n"
                "comprehensiveness: the top k removed, higher is better; * the most faithful method)\n",
                format_probability(f.full_prob).c_str());
    std::printf("  %-28s %3s %12s %18s\n", "method", "k", "sufficiency", "comprehensiveness");
    for (const FaithfulnessRow& r : f.rows) {
        const int m = attribution_method_index(r.method.c_str());
        std::printf("%c %-28s %3d %12s %18s\n", r.method == f.best_method ? '*' : ' ',
                    m >= 0 ? kAttributionMethods[m].label : r.method.c_str(), r.k, format_probability(r.sufficiency).c_str(),
                    format_probability(r.comprehensiveness).c_str());
    }
}

}  // namespace

int cmd_explain(int argc, char** argv) {
    Args args = args_parse(argc, argv,
                           {"--model", "--text", "--text-file", "--ids", "--decoder-text", "--target", "--foil",
                            "--ig-steps", "--json"},
                           {});
    const std::string folder = args.require("--model");
    const bool has_ids = args.has("--ids");
    if (has_ids && (args.has("--text") || args.has("--text-file")))
        throw UsageError{"give --text, --text-file or --ids, only one"};
    const std::string text = has_ids ? "" : args_text(args, "--text", "--text-file");
    AttributionOptions options;
    options.ig_steps = args.get_int("--ig-steps", options.ig_steps);
    if (options.ig_steps < 1) throw UsageError{"--ig-steps must be at least 1"};

    ModelPtr model = model_open(folder);
    const ModelInfo& info = model->info();
    std::vector<int32_t> ids = has_ids ? parse_ids("--ids", args.get("--ids"))
                               : info.encoder_decoder ? seq2seq_source_ids(*model, text)
                                                      : model->tokenizer.encode(text, /*add_special_tokens=*/true).ids;
    if (ids.empty()) throw UsageError{"the text has no tokens to explain"};
    if (static_cast<int>(ids.size()) > info.n_ctx) {
        std::fprintf(stderr, "attnscope-cli explain: input has %zu tokens; kept the first %d (the model's context)\n",
                     ids.size(), info.n_ctx);
        ids.resize(static_cast<size_t>(info.n_ctx));
    }

    ExplanationFacts facts;
    Faithfulness faithfulness;
    bool has_faithfulness = false;
    if (info.encoder_decoder) {
        if (args.has("--target") || args.has("--foil"))
            throw UsageError{"--target and --foil need gradients, which " + info.architecture +
                             " (an encoder-decoder) does not have here; it explains its own prediction"};
        Expected<Trace> trace =
            model_trace_seq2seq(*model, ids, seq2seq_target_ids(*model, args.get("--decoder-text")), TraceOptions{});
        if (!trace) throw UsageError{trace.error().message};
        Expected<ExplanationFacts> f = explanation_facts_seq2seq(*model, *trace);
        if (!f) throw UsageError{f.error().message};
        facts = std::move(*f);
    } else {
        if (args.has("--decoder-text")) throw UsageError{"--decoder-text is for encoder-decoder models; " + folder + " is " + info.architecture};
        if (args.has("--target")) options.score.target = parse_token("--target", args.get("--target"), *model);
        if (args.has("--foil")) options.score.foil = parse_token("--foil", args.get("--foil"), *model);
        if (options.score.foil >= 0 && options.score.foil == options.score.target)
            throw UsageError{"--foil is the same token as --target; the contrast would be zero"};
        AttributionJob job(*model, ids, options);
        while (!job.step()) {
        }
        if (!job.error().empty()) throw UsageError{job.error()};
        TraceOptions trace_options;
        trace_options.capture_hidden_states = false;
        Expected<Trace> trace = model_trace(*model, ids, trace_options);
        if (!trace) throw UsageError{trace.error().message};
        const std::vector<HeadStats> stats =
            head_statistics(trace->attentions, token_kinds(model->tokenizer, trace->tokens), HeadStatsOptions{});
        FaithfulnessJob fj(*model, ids, job.result(), FaithfulnessOptions{});
        step_job_finish(fj);
        if (!fj.error().empty()) throw UsageError{fj.error()};
        faithfulness = fj.result();
        has_faithfulness = true;
        facts = explanation_facts(*model, trace->tokens, job.result(), job.lens(), stats, &faithfulness);
    }
    const Explanation explanation = explain(facts, explanation_strings(Language::en));
    for (const std::string& s : explanation.sentences) std::printf("%s\n", s.c_str());
    if (has_faithfulness) print_faithfulness(faithfulness);
    if (args.has("--json")) {
        const Json j = explanation_to_json(facts, explanation, has_faithfulness ? &faithfulness : nullptr);
        const std::string body = json_text(j) + "\n";
        auto written = file_write_atomic(args.get("--json"), Bytes(body.begin(), body.end()));
        if (!written) throw UsageError{written.error().message};
    }
    return 0;
}

}  // namespace attn
