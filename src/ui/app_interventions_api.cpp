// The page API's interventions and patching calls (see app_interventions.h), in the app so the web glue
// stays a thin pass-through and the UI tests can call them natively.
#include <algorithm>

#include "core/json.h"
#include "ui/app_interventions.h"

namespace attn {

namespace {

std::string error_json(const std::string& message) { return Json{{"error", message}}.dump(); }

Json top_json(const App& app, const Trace& t, int position) {
    Json out = Json::array();
    for (const TokenProb& p : top_k_softmax(t.logits_at(position), t.n_vocab, 5))
        out.push_back({{"id", p.id}, {"piece", app.model->tokenizer.id_to_token(p.id)}, {"prob", p.prob}});
    return out;
}

int int_field(const Json& o, const char* key, int fallback, const std::string& where) {
    if (!o.contains(key)) {
        if (fallback == -2) throw Error(where + " has no \"" + key + "\"");
        return fallback;
    }
    if (!o.at(key).is_number_integer()) throw Error(where + ": \"" + key + "\" must be an integer");
    return o.at(key).get<int>();
}

const Json& list_field(const Json& request, const char* key) {
    static const Json empty = Json::array();
    if (!request.contains(key)) return empty;
    if (!request.at(key).is_array()) throw Error(std::string("\"") + key + "\" must be a list");
    return request.at(key);
}

// The request as Interventions, checked against the model and the input.
Interventions parse_request(const App& app, const Json& request) {
    if (!request.is_object()) throw Error("intervene takes an object {ablate, knockouts, mask}");
    const ModelInfo& info = app.model->info();
    const int T = app.trace.tokens.size();
    auto in_range = [](int v, int n, const std::string& what) {
        if (v < 0 || v >= n) throw Error(what + " " + std::to_string(v) + " is outside 0.." + std::to_string(n - 1));
    };
    Interventions iv;
    for (const Json& a : list_field(request, "ablate")) {
        const std::string where = "ablate entry " + a.dump();
        const int layer = int_field(a, "layer", -2, where), head = int_field(a, "head", -2, where);
        in_range(layer, info.n_layer, "ablate: layer");
        in_range(head, info.n_head, "ablate: head");
        const std::string mode = a.contains("mode") && a.at("mode").is_string() ? a.at("mode").get<std::string>() : "zero";
        if (mode != "zero" && mode != "mean") throw Error(where + ": mode must be \"zero\" or \"mean\"");
        iv.heads.push_back({layer, head, mode == "mean" ? AblationMode::mean : AblationMode::zero});
    }
    for (const Json& k : list_field(request, "knockouts")) {
        const std::string where = "knockout entry " + k.dump();
        const int q = int_field(k, "query", -2, where), key = int_field(k, "key", -2, where);
        const int layer = int_field(k, "layer", -1, where);
        in_range(q, T, "knockout: query position");
        in_range(key, T, "knockout: key position");
        if (layer != -1) in_range(layer, info.n_layer, "knockout: layer");
        iv.knockouts.push_back({layer, q, key});
    }
    for (const Json& m : list_field(request, "mask")) {
        if (!m.is_number_integer()) throw Error("mask: positions must be integers, got " + m.dump());
        in_range(m.get<int>(), T, "mask: position");
        iv.masked_tokens.push_back(m.get<int>());
    }
    return iv;
}

}  // namespace

std::string app_intervene_json(App& app, const std::string& request) {
    app_trace_job_finish(app);   // positions are checked against the text on screen, which must be traced
    if (!app.model || !app.has_trace) return error_json("intervene: load a model and type a text first");
    Interventions iv;
    try {
        iv = parse_request(app, json_parse(request, "intervene"));
    } catch (const std::exception& e) {
        return error_json(e.what());
    }
    app_intervene(app, iv);
    app_trace_job_finish(app);   // the answer has the new trace and the one without them at once
    if (!app.trace_error.empty()) return error_json(app.trace_error);
    app_interventions_before_finish(app);
    const InterventionState& s = app.interventions;
    const bool has_before = s.before_trace == app.trace_version;
    const Trace& before = has_before ? s.before : app.trace;
    const int pos = has_before ? s.effect.position : app.trace.logit_positions.front();
    Json out = {{"position", pos},
                {"interventions", iv.describe()},
                {"before", top_json(app, before, pos)},
                {"after", top_json(app, app.trace, pos)}};
    return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string app_clear_interventions_json(App& app) {
    app_intervene(app, Interventions{});
    app_trace_job_finish(app);
    return Json{{"interventions", ""}}.dump();
}

std::string app_patch_json(App& app, const std::string& request) {
    if (!app.model) return error_json("patch: load a model first");
    Json r;
    try {
        r = json_parse(request, "patch");
        if (!r.is_object() || !r.contains("corrupted") || !r.at("corrupted").is_string())
            throw Error("patch takes {clean, corrupted}: \"corrupted\" must be a string");
        if (r.contains("clean") && !r.at("clean").is_string()) throw Error("patch: \"clean\" must be a string");
    } catch (const std::exception& e) {
        return error_json(e.what());
    }
    if (r.contains("clean") && r.at("clean").get<std::string>() != app.text) app_set_text(app, r.at("clean").get<std::string>());
    app_trace_job_finish(app);   // patching reads the clean text's trace, which may be in steps
    if (!app.trace_error.empty()) return error_json(app.trace_error);
    InterventionState& s = app.interventions;
    s.corrupted = r.at("corrupted").get<std::string>();
    s.corrupted_from = app.text;
    ++s.corrupted_generation;
    app_patch_now(app);
    if (!s.error.empty() || !s.has_result) return error_json(s.error.empty() ? "patch: nothing was computed" : s.error);
    const PatchingResult& p = s.result;
    Json residual = Json::array(), heads = Json::array();
    for (int l = 0; l <= p.n_layer; ++l)
        residual.push_back(std::vector<float>(p.residual.begin() + static_cast<long>(l) * p.n_token,
                                              p.residual.begin() + static_cast<long>(l + 1) * p.n_token));
    for (int l = 0; l < p.n_layer; ++l)
        heads.push_back(std::vector<float>(p.heads.begin() + static_cast<long>(l) * p.n_head,
                                           p.heads.begin() + static_cast<long>(l + 1) * p.n_head));
    Json out = {{"n_layer", p.n_layer},         {"n_head", p.n_head},
                {"n_token", p.n_token},         {"position", p.position},
                {"answer", p.answer},           {"wrong_answer", p.wrong_answer},
                {"clean_top", p.clean_top},     {"corrupted_top", p.corrupted_top},
                {"clean_diff", p.clean_diff},   {"corrupted_diff", p.corrupted_diff},
                {"clean_ids", s.clean_tokens.ids}, {"corrupted_ids", s.corrupted_tokens.ids},
                {"residual", residual},         {"heads", heads}};
    return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace attn
