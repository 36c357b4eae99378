// model_load: config.json -> architecture -> network; plus the tokenizer. model_trace checks ids and
// context length before handing them to the network.
#include "model/model.h"

#include "core/json.h"
#include "model/gpt2.h"
#include "model/llama.h"
#include "model/weight_store.h"

namespace attn {
namespace {

const char* kSupported = "gpt2, llama, mistral, qwen2";

// The architecture named by config.json: model_type, else the first of "architectures".
std::string architecture_of(const Json& config) {
    std::string type = json_get_string_or(config, "model_type", "", "config.json");
    if (!type.empty()) return type;
    auto it = config.find("architectures");
    if (it != config.end() && it->is_array() && !it->empty() && (*it)[0].is_string()) {
        std::string a = (*it)[0].get<std::string>();
        if (a.rfind("GPT2", 0) == 0) return "gpt2";
        if (a.rfind("Llama", 0) == 0) return "llama";
        if (a.rfind("Mistral", 0) == 0) return "mistral";
        if (a.rfind("Qwen2", 0) == 0) return "qwen2";
        return a;
    }
    throw Error("config.json: no 'model_type' (nor 'architectures') says which architecture this is");
}

std::vector<int32_t> eos_ids_of(const Json& config) {
    std::vector<int32_t> ids;
    auto it = config.find("eos_token_id");
    if (it == config.end()) return ids;
    if (it->is_number_integer()) ids.push_back(it->get<int32_t>());
    if (it->is_array())
        for (const Json& v : *it)
            if (v.is_number_integer()) ids.push_back(v.get<int32_t>());
    return ids;
}

std::unique_ptr<Network> network_load(const Json& config, const WeightStore& weights) {
    std::string arch = architecture_of(config);
    if (arch == "gpt2") return gpt2_load(config, weights);
    if (arch == "llama" || arch == "mistral" || arch == "qwen2") return llama_load(arch, config, weights);
    throw Error("config.json: unsupported architecture " + arch + " (supported: " + kSupported + ")");
}

}  // namespace

Expected<ModelPtr> model_load(const FileSet& files) {
    return catch_errors([&]() -> ModelPtr {
        const Bytes* config_bytes = files.find("config.json");
        if (!config_bytes) throw Error(files.label + ": no config.json among the model files");
        Json config = json_parse(string_from_bytes(*config_bytes), "config.json");
        if (!config.is_object()) throw Error("config.json: expected a JSON object");
        // Architecture first: an unsupported model should say so before complaining about its weights.
        architecture_of(config);
        auto weights = weight_store_load(files);
        if (!weights) throw Error(weights.error().message);
        auto model = std::make_unique<Model>();
        model->network = network_load(config, *weights);
        model->eos_token_ids = eos_ids_of(config);
        auto tokenizer = tokenizer_load(files);
        if (!tokenizer) throw Error(tokenizer.error().message);
        model->tokenizer = std::move(*tokenizer);
        return model;
    });
}

Expected<Trace> model_trace(const Model& model, const std::vector<int32_t>& ids, const TraceOptions& options) {
    const ModelInfo& info = model.info();
    if (ids.empty()) return make_error("no tokens to run the model on");
    if (static_cast<int>(ids.size()) > info.n_ctx)
        return make_error(std::to_string(ids.size()) + " tokens exceed the model's context of " +
                          std::to_string(info.n_ctx));
    for (int32_t id : ids)
        if (id < 0 || id >= info.n_vocab)
            return make_error("token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                              std::to_string(info.n_vocab) + ")");
    for (int p : options.logit_positions)
        if (p < -1 || p >= static_cast<int>(ids.size()))
            return make_error("logit position " + std::to_string(p) + " is outside the " +
                              std::to_string(ids.size()) + " tokens");
    return catch_errors([&] {
        Trace trace = model.network->forward(ids, options);
        trace.tokens.pieces.clear();
        for (int32_t id : ids) trace.tokens.pieces.push_back(model.tokenizer.id_to_token(id));
        return trace;
    });
}

Expected<Trace> model_trace_text(const Model& model, const std::string& text, const TraceOptions& options,
                                 bool* truncated) {
    auto encoded = catch_errors([&] { return model.tokenizer.encode(text, /*add_special_tokens=*/true); });
    if (!encoded) return encoded.error();
    Encoding& enc = *encoded;
    const size_t limit = static_cast<size_t>(model.info().n_ctx);
    if (truncated) *truncated = enc.ids.size() > limit;
    if (enc.ids.size() > limit) enc.ids.resize(limit);
    return model_trace(model, enc.ids, options);
}

}  // namespace attn
