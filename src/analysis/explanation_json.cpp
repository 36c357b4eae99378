// Field names follow the C++ structs, so the README's description of ExplanationFacts reads for both.
#include "analysis/explanation_json.h"

namespace attn {

namespace {

Json label_json(const HeadLabel& l) {
    if (l.bad_values) return Json{{"pattern", nullptr}, {"confidence", 0.0f}, {"bad_values", true}};
    return Json{{"pattern", head_pattern_info(l.pattern).name}, {"confidence", l.confidence}};
}

Json head_json(const RankedHead& h) {
    return Json{{"layer", h.layer}, {"head", h.head}, {"importance", h.importance}, {"ablation_drop", h.ablation_drop},
                {"label", label_json(h.label)}};
}

}  // namespace

const char* explanation_panel_name(ExplanationPanel p) {
    switch (p) {
        case ExplanationPanel::predictions: return "predictions";
        case ExplanationPanel::attributions: return "attributions";
        case ExplanationPanel::heads: return "heads";
        case ExplanationPanel::logit_lens: return "logit_lens";
        case ExplanationPanel::faithfulness: return "faithfulness";
        case ExplanationPanel::none: break;
    }
    return "";
}

Json explanation_to_json(const ExplanationFacts& f, const Explanation& e, const Faithfulness* faithfulness) {
    Json facts = {{"architecture", f.architecture},
                  {"forward_only", f.forward_only},
                  {"position", f.position},
                  {"target", f.target},
                  {"n_layer", f.n_layer},
                  {"predicted", f.predicted},
                  {"probability", f.probability},
                  {"foil", f.foil},
                  {"foil_probability", f.foil_probability},
                  {"methods_agree", f.methods_agree},
                  {"heads_by_ablation", f.heads_by_ablation},
                  {"lens_settles_layer", f.lens_settles_layer},
                  {"lens_settle_prob", f.lens_settle_prob},
                  {"lens_final_rank", f.lens_final_rank},
                  {"ablation_prob_after", f.ablation_prob_after},
                  {"most_faithful", f.most_faithful},
                  {"most_faithful_gap", f.most_faithful_gap}};
    Json tops = Json::object();
    for (const auto& [method, ranked] : f.top_tokens) {
        Json list = Json::array();
        for (const RankedToken& t : ranked) list.push_back({{"position", t.position}, {"piece", t.piece}, {"value", t.value}});
        tops[method] = list;
    }
    facts["top_tokens"] = tops;
    facts["heads"] = Json::array();
    for (const RankedHead& h : f.heads) facts["heads"].push_back(head_json(h));
    if (f.heads_by_ablation) facts["gradient_top"] = head_json(f.gradient_top);
    facts["cross_heads"] = Json::array();
    for (const CrossHead& c : f.cross_heads)
        facts["cross_heads"].push_back({{"layer", c.layer}, {"head", c.head}, {"source", c.source}, {"piece", c.piece},
                                        {"weight", c.weight}, {"label", label_json(c.label)}});

    Json out = {{"text", e.text()}, {"sentences", e.sentences}, {"numbers", e.numbers}, {"facts", facts}};
    out["number_info"] = Json::array();
    for (const ExplanationNumber& n : e.number_info)
        out["number_info"].push_back({{"sentence", n.sentence}, {"begin", n.begin}, {"end", n.end}, {"text", n.text},
                                      {"source", n.source}});
    out["claims"] = Json::array();
    for (const ExplanationClaim& c : e.claims)
        out["claims"].push_back({{"panel", explanation_panel_name(c.panel)}, {"method", c.method}, {"layer", c.layer},
                                 {"head", c.head}, {"stack", c.stack}, {"position", c.position}});
    if (faithfulness) {
        Json rows = Json::array();
        for (const FaithfulnessRow& r : faithfulness->rows)
            rows.push_back({{"method", r.method}, {"k", r.k}, {"sufficiency", r.sufficiency},
                            {"comprehensiveness", r.comprehensiveness}});
        out["faithfulness"] = {{"full_prob", faithfulness->full_prob}, {"best_method", faithfulness->best_method}, {"rows", rows}};
    }
    return out;
}

std::string json_text(const Json& j, int indent) { return j.dump(indent, ' ', false, Json::error_handler_t::replace); }

}  // namespace attn
