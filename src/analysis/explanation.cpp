// Sentences from facts: each sentence is one template of the language's table with its placeholders
// filled; a sentence is left out when its facts are missing (never filled with a stand-in), so no
// sentence can state a number the facts do not hold.
#include "analysis/explanation.h"

#include <cmath>
#include <cstdio>
#include <map>

#include "analysis/attribution_methods.h"
#include "analysis/explanation_strings.h"

namespace attn {

namespace {

// A stated number inside a piece of text.
struct Num {
    float value = 0.0f;
    std::string source;
    size_t begin = 0, end = 0;   // within the Piece's text
};

// A placeholder's value: its text and the numbers in it.
struct Piece {
    std::string text;
    std::vector<Num> nums;
};

Piece plain(const std::string& s) { return Piece{s, {}}; }

Piece number(float value, const std::string& text, const std::string& source) {
    return Piece{text, {Num{value, source, 0, text.size()}}};
}
Piece prob(float p, const std::string& source) { return number(p, format_probability(p), source); }
Piece score(float v, const std::string& source) { return number(v, format_score(v), source); }

using Values = std::map<std::string, Piece>;

// Replaces every {name} of `tmpl` by its value; unknown names stay as written (a table bug shows).
Piece fill(const char* tmpl, const Values& values) {
    Piece out;
    const std::string t = tmpl;
    for (size_t i = 0; i < t.size();) {
        if (t[i] == '{') {
            const size_t close = t.find('}', i);
            if (close != std::string::npos) {
                auto it = values.find(t.substr(i + 1, close - i - 1));
                if (it != values.end()) {
                    for (Num n : it->second.nums) {
                        n.begin += out.text.size();
                        n.end += out.text.size();
                        out.nums.push_back(n);
                    }
                    out.text += it->second.text;
                    i = close + 1;
                    continue;
                }
            }
        }
        out.text += t[i++];
    }
    return out;
}

Piece join(const std::vector<Piece>& items, const ExplanationStrings& s) {
    Piece out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out.text += (i + 1 == items.size()) ? s.list_last : s.list_separator;
        for (Num n : items[i].nums) {
            n.begin += out.text.size();
            n.end += out.text.size();
            out.nums.push_back(n);
        }
        out.text += items[i].text;
    }
    return out;
}

std::string head_key(const char* what, int layer, int head) {
    return std::string(what) + "[" + std::to_string(layer) + "," + std::to_string(head) + "]";
}

void add(Explanation& e, const Piece& p, ExplanationClaim claim) {
    const int index = static_cast<int>(e.sentences.size());
    e.sentences.push_back(p.text);
    e.claims.push_back(claim);
    for (const Num& n : p.nums) {
        e.numbers.push_back(n.value);
        e.number_info.push_back(ExplanationNumber{index, n.begin, n.end, p.text.substr(n.begin, n.end - n.begin), n.source});
    }
}

}  // namespace

std::string format_probability(float p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, std::fabs(p) >= 0.01f ? "%.1f%%" : "%.2g%%", p * 100.0f);
    return buf;
}

std::string format_score(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.3g", v);
    return buf;
}

std::string Explanation::text() const {
    std::string out;
    // Chinese sentences end in a full-width stop and follow each other without a space.
    const std::string cjk_stop = "\xE3\x80\x82";   // 。
    for (const std::string& s : sentences) {
        const bool after_cjk = out.size() >= cjk_stop.size() && out.compare(out.size() - cjk_stop.size(), cjk_stop.size(), cjk_stop) == 0;
        out += (out.empty() || after_cjk ? "" : " ") + s;
    }
    return out;
}

Explanation explain(const ExplanationFacts& f, const ExplanationStrings& s) {
    Explanation e;
    const std::string stack = f.forward_only ? "decoder" : "self";   // the stack f.heads belong to
    const Piece token = plain(f.predicted);
    if (f.forward_only) add(e, fill(s.forward_only, {{"architecture", plain(f.architecture)}}), {});

    // The prediction.
    {
        Values v = {{"token", token}, {"prob", prob(f.probability, "probability")}};
        const bool contrast = !f.foil.empty() && f.foil_probability >= 0.0f;
        if (contrast) {
            v["foil"] = plain(f.foil);
            v["foil_prob"] = prob(f.foil_probability, "foil_probability");
        }
        add(e, fill(contrast ? s.predicted_foil : s.predicted, v), {ExplanationPanel::predictions, "", -1, -1, "", f.position});
    }

    // The tokens that mattered: the first method in full, then whether the others agree.
    if (!f.top_tokens.empty() && !f.top_tokens.front().second.empty()) {
        const auto& [method, ranked] = f.top_tokens.front();
        std::vector<Piece> items;
        for (const RankedToken& t : ranked)
            items.push_back(fill(s.token_item, {{"token", plain(t.piece)},
                                                {"score", score(t.value, method + "[" + std::to_string(t.position) + "]")}}));
        add(e, fill(s.top_tokens, {{"method", plain(s.method_name(method.c_str()))}, {"tokens", join(items, s)}}),
            {ExplanationPanel::attributions, method, -1, -1, "", ranked.front().position});
    }
    if (f.top_tokens.size() >= 2) {
        if (f.methods_agree) {
            add(e, fill(s.agree, {{"count", plain(std::to_string(f.top_tokens.size()))},
                                  {"token", plain(f.top_tokens.front().second.front().piece)}}),
                {ExplanationPanel::attributions, "", -1, -1, "", f.top_tokens.front().second.front().position});
        } else {
            // Methods grouped by the token they put first, in the order the tokens first appear.
            std::vector<std::pair<int, std::vector<std::string>>> groups;
            std::map<int, std::string> pieces;
            for (const auto& [method, ranked] : f.top_tokens) {
                if (ranked.empty()) continue;
                const int pos = ranked.front().position;
                pieces[pos] = ranked.front().piece;
                auto g = groups.begin();
                while (g != groups.end() && g->first != pos) ++g;
                if (g == groups.end()) groups.push_back({pos, {}}), g = groups.end() - 1;
                g->second.push_back(s.method_name(method.c_str()));
            }
            std::vector<Piece> items;
            for (const auto& [pos, methods] : groups) {
                std::vector<Piece> names;
                for (const std::string& m : methods) names.push_back(plain(m));
                items.push_back(fill(s.group_item, {{"methods", join(names, s)}, {"token", plain(pieces[pos])}}));
            }
            Piece joined;
            for (size_t i = 0; i < items.size(); ++i) {
                if (i > 0) joined.text += s.group_separator;
                joined.text += items[i].text;   // method names and tokens only: no numbers to carry
            }
            add(e, fill(s.disagree, {{"groups", joined}}), {ExplanationPanel::attributions, "", -1, -1, "", -1});
        }
    }

    // The heads, with their labels.
    if (!f.heads.empty()) {
        std::vector<Piece> items;
        for (const RankedHead& h : f.heads) {
            const std::string what = f.heads_by_ablation ? "head_ablation" : "head_importance";
            const float value = f.heads_by_ablation ? h.ablation_drop : h.importance;
            Values v = {{"layer", plain(std::to_string(h.layer))},
                        {"head", plain(std::to_string(h.head))},
                        {"what", plain(f.forward_only ? s.head_value_probability
                                         : f.heads_by_ablation ? s.head_value_ablation : s.head_value_gradient)},
                        {"value", score(value, head_key(what.c_str(), h.layer, h.head))}};
            const bool labelled = h.label.confidence > 0.0f;
            if (labelled) {
                v["label"] = plain(head_pattern_label(h.label.pattern, s.language));
                char c[16];
                std::snprintf(c, sizeof c, "%.2f", h.label.confidence);
                v["confidence"] = number(h.label.confidence, c, head_key("label_confidence", h.layer, h.head));
            }
            items.push_back(fill(labelled ? s.head_item : s.head_item_unlabelled, v));
        }
        const RankedHead& top = f.heads.front();
        add(e, fill(f.heads_by_ablation ? s.heads_ablation : s.heads_gradient, {{"heads", join(items, s)}}),
            {ExplanationPanel::heads, "", top.layer, top.head, stack, -1});
        if (f.heads_by_ablation && (f.gradient_top.layer != top.layer || f.gradient_top.head != top.head))
            add(e, fill(s.heads_disagree, {{"layer", plain(std::to_string(f.gradient_top.layer))},
                                           {"head", plain(std::to_string(f.gradient_top.head))}}),
                {ExplanationPanel::heads, "", f.gradient_top.layer, f.gradient_top.head, stack, -1});
    }

    // Cross attention (encoder-decoders).
    for (const CrossHead& c : f.cross_heads) {
        char w[32];
        std::snprintf(w, sizeof w, "%.2f", c.weight);
        add(e, fill(s.cross_head, {{"layer", plain(std::to_string(c.layer))},
                                   {"head", plain(std::to_string(c.head))},
                                   {"label", plain(head_label_text(c.label, s.language))},
                                   {"token", plain(c.piece)},
                                   {"weight", number(c.weight, w, head_key("cross_attention", c.layer, c.head))}}),
            {ExplanationPanel::heads, "", c.layer, c.head, "cross", c.source});
    }

    // The logit lens.
    if (!f.forward_only) {
        const ExplanationClaim lens{ExplanationPanel::logit_lens, "", -1, -1, "", f.position};
        if (f.lens_settles_layer == 0)
            add(e, fill(s.lens_embed, {{"token", token}, {"lens_prob", prob(f.lens_settle_prob, "lens_target_prob[0]")}}), lens);
        else if (f.lens_settles_layer > 0)
            add(e, fill(s.lens_layer, {{"token", token},
                                       {"layer", plain(std::to_string(f.lens_settles_layer - 1))},
                                       {"last_layer", plain(std::to_string(f.n_layer - 1))},
                                       {"lens_prob", prob(f.lens_settle_prob,
                                                          "lens_target_prob[" + std::to_string(f.lens_settles_layer) + "]")}}),
                lens);
        else if (f.lens_final_rank >= 0)
            add(e, fill(s.lens_never, {{"token", token}, {"rank", plain(std::to_string(f.lens_final_rank + 1))}}), lens);
    }

    // Ablating the most important head.
    if (!f.heads.empty() && f.ablation_prob_after >= 0.0f) {
        const RankedHead& top = f.heads.front();
        add(e, fill(s.ablation, {{"layer", plain(std::to_string(top.layer))},
                                 {"head", plain(std::to_string(top.head))},
                                 {"token", token},
                                 {"prob", prob(f.probability, "probability")},
                                 {"prob_after", prob(f.ablation_prob_after, "ablation_prob_after")}}),
            {ExplanationPanel::heads, "", top.layer, top.head, stack, -1});
    }

    // Faithfulness.
    if (!f.most_faithful.empty()) {
        const FaithfulnessRow& r = f.most_faithful_row;
        const std::string key = "faithfulness." + r.method + ".k" + std::to_string(r.k);
        add(e, fill(s.faithful, {{"method", plain(s.method_name(f.most_faithful.c_str()))},
                                 {"k", plain(std::to_string(r.k))},
                                 {"comp", prob(r.comprehensiveness, key + ".comprehensiveness")},
                                 {"suff", prob(r.sufficiency, key + ".sufficiency")},
                                 {"gap", prob(f.most_faithful_gap, "faithfulness." + f.most_faithful + ".mean_gap")}}),
            {ExplanationPanel::faithfulness, f.most_faithful, -1, -1, "", -1});
    }
    return e;
}

}  // namespace attn
