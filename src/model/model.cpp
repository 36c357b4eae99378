// model_load: config.json -> architecture -> network; plus the tokenizer. model_trace checks ids and
// context length before handing them to the network.
#include "model/model.h"

#include <algorithm>
#include <optional>

#include "core/json.h"
#include "model/bart.h"
#include "model/bert.h"
#include "model/forward_job.h"
#include "model/gpt2.h"
#include "model/limits.h"
#include "model/llama.h"
#include "model/memory_estimate.h"
#include "model/vocab_check.h"
#include "model/weight_scan.h"
#include "model/weight_store.h"

namespace attn {
namespace {

// Every supported family, one row each: config.json's model_type, the class-name prefix of its
// "architectures" entry (for configs without model_type), and the loader in the family's file.
using NetworkLoad = std::unique_ptr<Network> (*)(const std::string& model_type, const Json& config,
                                                 const WeightStore& weights);
struct Architecture {
    const char* model_type;
    const char* class_prefix;
    NetworkLoad load;
};
const Architecture kArchitectures[] = {
    {"gpt2", "GPT2", [](const std::string&, const Json& c, const WeightStore& w) { return gpt2_load(c, w); }},
    {"llama", "Llama", llama_load},
    {"mistral", "Mistral", llama_load},
    {"qwen2", "Qwen2", llama_load},
    {"bert", "Bert", bert_load},
    {"roberta", "Roberta", bert_load},
    {"xlm-roberta", "XLMRoberta", bert_load},
    {"distilbert", "DistilBert",
     [](const std::string&, const Json& c, const WeightStore& w) { return distilbert_load(c, w); }},
    {"bart", "Bart", [](const std::string&, const Json& c, const WeightStore& w) { return bart_load(c, w); }},
};

std::string supported_list() {
    std::string list;
    for (const Architecture& a : kArchitectures) list += (list.empty() ? "" : ", ") + std::string(a.model_type);
    return list;
}

// The architecture named by config.json: model_type, else the first of "architectures".
std::string architecture_of(const Json& config) {
    std::string type = json_get_string_or(config, "model_type", "", "config.json");
    if (!type.empty()) return type;
    auto it = config.find("architectures");
    if (it != config.end() && it->is_array() && !it->empty() && (*it)[0].is_string()) {
        std::string a = (*it)[0].get<std::string>();
        for (const Architecture& arch : kArchitectures)
            if (a.rfind(arch.class_prefix, 0) == 0) return arch.model_type;
        return a;
    }
    throw Error("config.json: no 'model_type' (nor 'architectures') says which architecture this is");
}

// A token id key that may be a number or a list of numbers (eos_token_id, forced_eos_token_id).
std::vector<int32_t> token_ids_of(const Json& config, const char* key) {
    std::vector<int32_t> ids;
    auto it = config.find(key);
    if (it == config.end()) return ids;
    if (it->is_number_integer()) ids.push_back(it->get<int32_t>());
    if (it->is_array())
        for (const Json& v : *it)
            if (v.is_number_integer()) ids.push_back(v.get<int32_t>());
    return ids;
}

std::unique_ptr<Network> network_load(const Json& config, const WeightStore& weights) {
    std::string arch = architecture_of(config);
    for (const Architecture& a : kArchitectures)
        if (arch == a.model_type) return a.load(arch, config, weights);
    throw Error("config.json: unsupported architecture " + arch + " (supported: " + supported_list() + ")");
}

int32_t token_id_of(const Json& config, const char* key) {
    std::vector<int32_t> ids = token_ids_of(config, key);
    return ids.empty() ? -1 : ids.front();
}

// ids must be non-empty, within the context and the vocabulary; `what` names them in messages.
std::optional<ErrorValue> ids_check(const std::vector<int32_t>& ids, const ModelInfo& info, const std::string& what) {
    if (ids.empty()) return make_error("no " + what + " to run the model on");
    if (static_cast<int>(ids.size()) > info.n_ctx)
        return make_error(std::to_string(ids.size()) + " " + what + " exceed the model's context of " +
                          std::to_string(info.n_ctx));
    for (int32_t id : ids)
        if (id < 0 || id >= info.n_vocab)
            return make_error("token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                              std::to_string(info.n_vocab) + ")");
    return std::nullopt;
}

std::optional<ErrorValue> positions_check(const TraceOptions& options, int n, const std::string& what) {
    for (int p : options.logit_positions)
        if (p < -1 || p >= n)
            return make_error("logit position " + std::to_string(p) + " is outside the " + std::to_string(n) + " " + what);
    return std::nullopt;
}

std::vector<std::string> pieces_of(const Tokenizer& tokenizer, const std::vector<int32_t>& ids) {
    std::vector<std::string> pieces;
    for (int32_t id : ids) pieces.push_back(tokenizer.id_to_token(id));
    return pieces;
}

}  // namespace

std::unique_ptr<ForwardJob> Network::forward_seq2seq_job(const std::vector<int32_t>&, const std::vector<int32_t>&,
                                                         const TraceOptions&) const {
    throw Error(info().architecture + " is not an encoder-decoder model; it takes one sequence");
}

Trace Network::forward_seq2seq(const std::vector<int32_t>& source_ids, const std::vector<int32_t>& decoder_ids,
                               const TraceOptions& options) const {
    return forward_job_finish(*forward_seq2seq_job(source_ids, decoder_ids, options));
}

Expected<ModelPtr> model_load(const FileSet& files) {
    return catch_errors([&]() -> ModelPtr {
        const Blob* config_bytes = files.find("config.json");
        if (!config_bytes) throw Error("no config.json among the model files");   // the caller names the folder
        Json config = json_parse(string_from_bytes(*config_bytes), "config.json");
        if (!config.is_object()) throw Error("config.json: expected a JSON object");
        // Architecture first: an unsupported model should say so before complaining about its weights.
        architecture_of(config);
        // The memory a load needs, from the headers alone, before any weight is read or copied.
        if (auto refused = model_load_check(files)) throw Error(refused->message);
        auto weights = weight_store_load(files);
        if (!weights) throw Error(weights.error().message);
        auto model = std::make_unique<Model>();
        model->network = network_load(config, *weights);
        model->eos_token_ids = token_ids_of(config, "eos_token_id");
        model->bos_token_id = token_id_of(config, "bos_token_id");
        model->forced_bos_token_id = token_id_of(config, "forced_bos_token_id");
        model->forced_eos_token_ids = token_ids_of(config, "forced_eos_token_id");
        auto tokenizer = tokenizer_load(files);
        if (!tokenizer) throw Error(tokenizer.error().message);
        model->tokenizer = std::move(*tokenizer);
        const NonFiniteWeights bad = weights_nonfinite(*weights);
        if (bad.count) model->warnings.push_back(nonfinite_weights_message(bad, weights->source()));
        for (std::string& line : vocab_warnings(model->tokenizer, model->info().n_vocab))
            model->warnings.push_back(std::move(line));
        return model;
    });
}

namespace {

// A network's job plus what model_trace adds at the end: the tokens' pieces.
class ModelTraceJob : public ForwardJob {
public:
    ModelTraceJob(const Model& model, std::unique_ptr<ForwardJob> network_job)
        : model_(model), job_(std::move(network_job)) {}
    void step() override { job_->step(); }
    bool done() const override { return job_->done(); }
    int steps_done() const override { return job_->steps_done(); }
    int steps_total() const override { return job_->steps_total(); }
    Trace take() override {
        Trace trace = job_->take();
        trace.tokens.pieces = pieces_of(model_.tokenizer, trace.tokens.ids);
        trace.decoder_tokens.pieces = pieces_of(model_.tokenizer, trace.decoder_tokens.ids);
        return trace;
    }

private:
    const Model& model_;
    std::unique_ptr<ForwardJob> job_;
};

}  // namespace

Expected<std::unique_ptr<ForwardJob>> model_trace_job(const Model& model, const std::vector<int32_t>& ids,
                                                      const TraceOptions& options) {
    if (auto bad = ids_check(ids, model.info(), "tokens")) return *bad;
    // An encoder-decoder decodes its start token alone: logit positions count in that one.
    if (auto bad = model.info().encoder_decoder ? positions_check(options, 1, "decoder tokens")
                                                : positions_check(options, static_cast<int>(ids.size()), "tokens"))
        return *bad;
    const int T = static_cast<int>(ids.size());
    if (auto refused = trace_memory_check(model.info(), T, trace_bytes_estimate(model.info(), T, T, options)))
        return *refused;
    return catch_errors([&]() -> std::unique_ptr<ForwardJob> {
        return std::make_unique<ModelTraceJob>(model, model.network->forward_job(ids, options));
    });
}

Expected<Trace> model_trace(const Model& model, const std::vector<int32_t>& ids, const TraceOptions& options) {
    return forward_job_finish(model_trace_job(model, ids, options));
}

Expected<std::unique_ptr<ForwardJob>> model_trace_seq2seq_job(const Model& model, const std::vector<int32_t>& source_ids,
                                                              const std::vector<int32_t>& decoder_ids,
                                                              const TraceOptions& options) {
    if (!model.info().encoder_decoder)
        return make_error(model.info().architecture + " is not an encoder-decoder model; it takes one sequence");
    if (auto bad = ids_check(source_ids, model.info(), "source tokens")) return *bad;
    if (auto bad = ids_check(decoder_ids, model.info(), "decoder tokens")) return *bad;
    if (auto bad = positions_check(options, static_cast<int>(decoder_ids.size()), "decoder tokens")) return *bad;
    const int S = static_cast<int>(source_ids.size()), T = static_cast<int>(decoder_ids.size());
    if (auto refused = trace_memory_check(model.info(), std::max(S, T), trace_seq2seq_bytes_estimate(model.info(), S, T, options)))
        return *refused;
    return catch_errors([&]() -> std::unique_ptr<ForwardJob> {
        return std::make_unique<ModelTraceJob>(model, model.network->forward_seq2seq_job(source_ids, decoder_ids, options));
    });
}

Expected<Trace> model_trace_seq2seq(const Model& model, const std::vector<int32_t>& source_ids,
                                    const std::vector<int32_t>& decoder_ids, const TraceOptions& options) {
    return forward_job_finish(model_trace_seq2seq_job(model, source_ids, decoder_ids, options));
}

Expected<std::vector<int32_t>> model_text_ids(const Model& model, const std::string& text, bool* truncated) {
    auto encoded = catch_errors([&] { return model.tokenizer.encode(text, /*add_special_tokens=*/true); });
    if (!encoded) return encoded.error();
    std::vector<int32_t> ids = std::move(encoded->ids);
    // The context, and never more than the longest input AttnScope runs (model/limits.h).
    const size_t limit = static_cast<size_t>(std::min(model.info().n_ctx, kMaxTokens));
    if (truncated) *truncated = ids.size() > limit;
    if (ids.size() > limit) ids.resize(limit);
    return ids;
}

Expected<Trace> model_trace_text(const Model& model, const std::string& text, const TraceOptions& options,
                                 bool* truncated) {
    Expected<std::vector<int32_t>> ids = model_text_ids(model, text, truncated);
    if (!ids) return ids.error();
    return model_trace(model, *ids, options);
}

std::vector<int32_t> seq2seq_source_ids(const Model& model, const std::string& text) {
    std::vector<int32_t> ids = model.tokenizer.encode(text, /*add_special_tokens=*/true).ids;
    const bool has_specials = !ids.empty() && model.tokenizer.is_special(ids.front());
    const int32_t bos = model.bos_token_id;
    const int32_t eos = model.eos_token_ids.empty() ? -1 : model.eos_token_ids.front();
    if (!has_specials && bos >= 0 && eos >= 0) {
        ids.insert(ids.begin(), bos);
        ids.push_back(eos);
    }
    return ids;
}

std::vector<int32_t> seq2seq_target_ids(const Model& model, const std::string& text) {
    std::vector<int32_t> ids = {model.info().decoder_start_token_id};
    if (model.bos_token_id >= 0) ids.push_back(model.bos_token_id);
    for (int32_t id : model.tokenizer.encode(text, /*add_special_tokens=*/false).ids) ids.push_back(id);
    return ids;
}

}  // namespace attn
