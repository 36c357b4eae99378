// `heads`: what each head does on one input: a table (layer, head, label, confidence, a few statistics)
// on stdout and the whole heads report (analysis/heads_report.h) as JSON in --out. Everything is computed
// before the file is written, so a failure leaves no file behind.
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "analysis/heads_report.h"
#include "cli/commands.h"
#include "cli/model_open.h"
#include "platform/file_io.h"

namespace attn {
namespace {

uint64_t parse_u64(const std::string& option, const std::string& s) {
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (s.empty() || s[0] == '-' || errno == ERANGE || *end != '\0')
        throw UsageError{option + " must be a non-negative integer, got '" + s + "'"};
    return v;
}

}  // namespace

int cmd_heads(int argc, char** argv) {
    Args args = args_parse(argc, argv,
                           {"--model", "--text", "--text-file", "--ids", "--decoder-text", "--out", "--induction-length",
                            "--seed", "--kind"},
                           {"--no-induction"});
    const std::string out_path = args.require("--out");
    const std::string folder = args.require("--model");
    const bool has_ids = args.has("--ids");
    if (has_ids && (args.has("--text") || args.has("--text-file")))
        throw UsageError{"give --text, --text-file or --ids, only one"};
    const std::string text = has_ids ? "" : args_text(args, "--text", "--text-file");
    const std::string kind = args.get("--kind", "self");
    if (kind != "self" && kind != "decoder" && kind != "cross")
        throw UsageError{"--kind must be self, decoder or cross, got '" + kind + "'"};
    InductionOptions induction;
    induction.length = args.get_int("--induction-length", induction.length);
    if (induction.length < 2) throw UsageError{"--induction-length must be at least 2"};
    if (args.has("--seed")) induction.seed = parse_u64("--seed", args.get("--seed"));
    if (args.has("--no-induction") && (args.has("--induction-length") || args.has("--seed")))
        throw UsageError{"--no-induction with --induction-length or --seed: the induction score is either measured or not"};

    ModelPtr model = model_open(folder);
    const ModelInfo& info = model->info();
    if (kind != "self" && !info.encoder_decoder)
        throw UsageError{"--kind " + kind + " applies to encoder-decoder models; " + folder + " is " + info.architecture};
    if (args.has("--decoder-text") && !info.encoder_decoder)
        throw UsageError{"--decoder-text applies to encoder-decoder models; " + folder + " is " + info.architecture};
    std::vector<int32_t> ids;
    if (has_ids) {
        ids = parse_ids("--ids", args.get("--ids"));
    } else {
        ids = info.encoder_decoder ? seq2seq_source_ids(*model, text) : model->tokenizer.encode(text, true).ids;
        if (ids.empty()) throw UsageError{"the text has no tokens"};
        if (static_cast<int>(ids.size()) > info.n_ctx) {
            std::fprintf(stderr, "attnscope-cli heads: input has %zu tokens; kept the first %d (the model's context)\n",
                         ids.size(), info.n_ctx);
            ids.resize(info.n_ctx);
        }
    }
    TraceOptions options;
    options.capture_hidden_states = false;
    Expected<Trace> trace = [&] {
        if (!info.encoder_decoder) return model_trace(*model, ids, options);
        // The decoder reads --decoder-text teacher-forced, else the same text (BART reconstructs its input).
        std::vector<int32_t> target = seq2seq_target_ids(*model, args.has("--decoder-text") ? args.get("--decoder-text") : text);
        if (static_cast<int>(target.size()) > info.n_ctx) target.resize(info.n_ctx);
        return model_trace_seq2seq(*model, ids, target, options);
    }();
    if (!trace) throw UsageError{trace.error().message};
    Expected<HeadsReport> report = heads_report(*model, *trace, kind, args.has("--no-induction") ? nullptr : &induction);
    if (!report) throw UsageError{report.error().message};

    const std::string json = heads_report_json(*report, folder, /*per_query=*/true);
    auto written = file_write_atomic(out_path, bytes_from_string(json + "\n"));
    if (!written) throw UsageError{written.error().message};

    std::printf("%-5s %-4s %-15s %5s %8s %8s %6s %6s %6s %9s\n", "layer", "head", "label", "conf", "entropy", "distance",
                "first", "prev", "local", "induction");
    for (size_t i = 0; i < report->stats.size(); ++i) {
        const HeadStats& s = report->stats[i];
        const HeadLabel& l = report->labels[i];
        std::printf("%-5d %-4d %-15s %5.2f %8.3f %8.2f %6.2f %6.2f %6.2f %9.2f\n", s.layer, s.head,
                    head_pattern_info(l.pattern).name, l.confidence, s.get(HeadStat::entropy),
                    s.get(HeadStat::mean_distance), s.get(HeadStat::first_token_mass), s.get(HeadStat::previous_token),
                    s.get(HeadStat::local_mass), s.get(HeadStat::induction));
    }
    std::printf("%s\n", kHeadsBosNote);
    return 0;
}

}  // namespace attn
