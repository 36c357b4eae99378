// `trace`: run a model on a text or ids and write what it captured as safetensors, tensors named as in
// the reference files (input_ids, attentions, hidden_states, last_logits, ...).
#include <cstdio>
#include <sstream>

#include "cli/commands.h"
#include "cli/model_open.h"
#include "model/safetensors_write.h"
#include "platform/file_io.h"

namespace attn {
namespace {

std::vector<int32_t> parse_ids(const std::string& option, const std::string& text) {
    std::vector<int32_t> ids;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        size_t used = 0;
        long long v = 0;
        try {
            v = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size() || v < 0 || v > INT32_MAX)
            throw UsageError{option + " must be comma-separated non-negative integers, got '" + item + "'"};
        ids.push_back(static_cast<int32_t>(v));
    }
    if (ids.empty()) throw UsageError{option + " is empty"};
    return ids;
}

std::vector<int64_t> widen(const std::vector<int32_t>& ids) { return std::vector<int64_t>(ids.begin(), ids.end()); }

}  // namespace

int cmd_trace(int argc, char** argv) {
    Args args = args_parse(argc, argv,
                           {"--model", "--text", "--text-file", "--ids", "--decoder-text", "--decoder-text-file",
                            "--decoder-ids", "--score-position", "--out"},
                           {});
    const std::string out_path = args.require("--out");
    const std::string folder = args.require("--model");
    const bool has_ids = args.has("--ids");
    if (has_ids && (args.has("--text") || args.has("--text-file")))
        throw UsageError{"give --text, --text-file or --ids, only one"};
    std::string text = has_ids ? "" : args_text(args, "--text", "--text-file");
    ModelPtr model = model_open(folder);
    const ModelInfo& info = model->info();
    if (!info.encoder_decoder && (args.has("--decoder-text") || args.has("--decoder-text-file") || args.has("--decoder-ids")))
        throw UsageError{"--decoder-text/--decoder-ids apply to encoder-decoder models; " + folder + " is " +
                         info.architecture};
    if (info.causal && args.has("--score-position"))
        throw UsageError{"--score-position applies to encoder (masked-LM) models; " + folder + " is " +
                         info.architecture + ", whose last_logits are always at the last position"};

    std::vector<int32_t> ids;
    if (has_ids) {
        ids = parse_ids("--ids", args.get("--ids"));
    } else {
        ids = model->tokenizer.encode(text, /*add_special_tokens=*/true).ids;
        if (static_cast<int>(ids.size()) > info.n_ctx) {
            std::fprintf(stderr, "attnscope-cli trace: input has %zu tokens; kept the first %d (the model's context)\n",
                         ids.size(), info.n_ctx);
            ids.resize(info.n_ctx);
        }
    }
    auto trace = model_trace(*model, ids, TraceOptions{});
    if (!trace) throw UsageError{trace.error().message};

    const Trace& t = *trace;
    const int T = t.tokens.size();
    std::vector<int64_t> input_ids = widen(t.tokens.ids);
    const AttentionTensor& a = t.attentions;
    const HiddenTensor& h = t.hidden_states;
    SafetensorsWriter writer;
    writer.add_i64("input_ids", {T}, input_ids.data());
    writer.add_f32("attentions", {a.n_layer, a.n_head, a.n_query, a.n_key}, a.probs.data());
    writer.add_f32("hidden_states", {h.n_state, h.n_token, h.n_embd}, h.values.data());
    writer.add_f32("last_logits", {t.n_vocab}, t.logits_at(T - 1));
    writer.set_metadata("producer", "attnscope");
    writer.set_metadata("architecture", t.architecture);
    auto bytes = writer.write();
    if (!bytes) throw UsageError{bytes.error().message};
    auto written = file_write_atomic(out_path, *bytes);
    if (!written) throw UsageError{written.error().message};
    return 0;
}

}  // namespace attn
