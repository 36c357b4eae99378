// `trace`: run a model on a text or ids and write what it captured as safetensors (or NumPy .npz when
// --out ends in .npz), tensors named as in the reference files (model/trace_export.h): decoders
// input_ids, attentions, hidden_states, last_logits; encoders the same with mask_logits instead of
// last_logits; encoder-decoders input_ids, decoder_input_ids, encoder_/decoder_/cross_attentions,
// encoder_/decoder_hidden_states, last_logits.
#include <cstdio>
#include <map>

#include "analysis/nonfinite.h"
#include "cli/commands.h"
#include "cli/intervention_args.h"
#include "cli/model_open.h"
#include "model/trace_export.h"
#include "platform/file_io.h"

namespace attn {
namespace {

void truncate_to_context(std::vector<int32_t>& ids, int n_ctx, const char* what) {
    if (static_cast<int>(ids.size()) <= n_ctx) return;
    std::fprintf(stderr, "attnscope-cli trace: %s has %zu tokens; kept the first %d (the model's context)\n", what,
                 ids.size(), n_ctx);
    ids.resize(n_ctx);
}

// Encoder-decoder input: --decoder-ids as given; --decoder-text as transformers feeds a target when
// teacher forcing ([decoder_start, bos] + its tokens, without the special tokens the tokenizer adds);
// neither: [decoder_start], generation's first step.
std::vector<int32_t> decoder_ids_of(const Args& args, const Model& model) {
    const int32_t start = model.info().decoder_start_token_id;
    const bool has_ids = args.has("--decoder-ids"), has_text = args.has("--decoder-text") || args.has("--decoder-text-file");
    if (has_ids && has_text) throw UsageError{"give --decoder-text, --decoder-text-file or --decoder-ids, only one"};
    if (has_ids) return parse_ids("--decoder-ids", args.get("--decoder-ids"));
    if (!has_text) return {start};
    std::vector<int32_t> ids = seq2seq_target_ids(model, args_text(args, "--decoder-text", "--decoder-text-file"));
    truncate_to_context(ids, model.info().n_ctx, "decoder input");
    return ids;
}

// --score-position, else the first mask token ("[MASK]" for BERT-style vocabularies, "<mask>" for RoBERTa's).
int score_position_of(const Args& args, const Model& model, const std::vector<int32_t>& ids) {
    const int T = static_cast<int>(ids.size());
    if (args.has("--score-position")) {
        std::vector<int32_t> p = parse_ids("--score-position", args.get("--score-position"));
        if (p.size() != 1) throw UsageError{"--score-position takes one position"};
        if (p[0] >= T)
            throw UsageError{"--score-position " + std::to_string(p[0]) + " is outside the input's " + std::to_string(T) +
                             " tokens"};
        return p[0];
    }
    for (const char* mask : {"[MASK]", "<mask>"})
        if (auto id = model.tokenizer.token_to_id(mask))
            for (int t = 0; t < T; ++t)
                if (ids[t] == *id) return t;
    throw UsageError{"no mask token ([MASK] or <mask>) in the input to score; add one or give --score-position"};
}

}  // namespace

int cmd_trace(int argc, char** argv) {
    Args args = args_parse(argc, argv,
                           {"--model", "--text", "--text-file", "--ids", "--decoder-text", "--decoder-text-file",
                            "--decoder-ids", "--score-position", "--out", "--ablate", "--knockout", "--mask-token"},
                           {}, kInterventionOptions);
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
    if ((info.causal || info.encoder_decoder) && args.has("--score-position"))
        throw UsageError{"--score-position applies to encoder (masked-LM) models; " + folder + " is " +
                         info.architecture + ", whose last_logits are always at the last position"};

    std::vector<int32_t> ids;
    if (has_ids) {
        ids = parse_ids("--ids", args.get("--ids"));
    } else {
        ids = info.encoder_decoder ? seq2seq_source_ids(*model, text)
                                   : model->tokenizer.encode(text, /*add_special_tokens=*/true).ids;
        truncate_to_context(ids, info.n_ctx, "input");
    }

    const Interventions iv = interventions_from_args(args, info, static_cast<int>(ids.size()));
    Expected<Trace> trace = [&] {
        TraceOptions options;
        options.hooks = intervention_hooks(iv, info.n_layer, info.n_head, static_cast<int>(ids.size()));
        if (info.encoder_decoder) return model_trace_seq2seq(*model, ids, decoder_ids_of(args, *model), options);
        if (!info.causal) options.logit_positions = {score_position_of(args, *model, ids)};
        return model_trace(*model, ids, options);
    }();
    if (!trace) throw UsageError{trace.error().message};
    const Trace& t = *trace;
    // A trace gone bad is still written (it is what the model computes), with one warning saying where.
    const NonFinite bad = first_nonfinite(t);
    if (bad.found) std::fprintf(stderr, "attnscope-cli: warning: %s\n", nonfinite_message(bad).c_str());
    std::map<std::string, std::string> metadata = {{"producer", "attnscope"}, {"architecture", t.architecture}};
    if (!info.causal && !info.encoder_decoder) metadata["score_position"] = std::to_string(t.logit_positions.front());
    if (!iv.empty()) metadata["interventions"] = iv.describe();
    // The format follows the file name: NumPy's .npz, else safetensors.
    const bool npz = out_path.size() >= 4 && out_path.compare(out_path.size() - 4, 4, ".npz") == 0;
    auto bytes = npz ? trace_to_npz(t) : trace_to_safetensors(t, metadata);
    if (!bytes) throw UsageError{bytes.error().message};
    auto written = file_write_atomic(out_path, *bytes);
    if (!written) throw UsageError{written.error().message};
    return 0;
}

}  // namespace attn
