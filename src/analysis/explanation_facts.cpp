// The facts an explanation states, read off the attribution, the logit lens, the head labels and the
// faithfulness test (decoder-only and encoder models), or measured with forward passes alone
// (encoder-decoders, which the gradient pass does not cover).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "analysis/attribution_methods.h"
#include "analysis/explanation.h"

namespace attn {

namespace {

constexpr size_t kTopTokens = 3;
constexpr size_t kTopHeads = 3;

std::vector<RankedToken> ranked_tokens(const Model& model, const std::vector<int32_t>& ids, const std::vector<float>& scores,
                                       const std::vector<uint8_t>* skip = nullptr) {
    std::vector<int> order;
    for (size_t t = 0; t < scores.size() && t < ids.size(); ++t)
        if (!skip || !(*skip)[t]) order.push_back(static_cast<int>(t));
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
    std::vector<RankedToken> out;
    for (size_t i = 0; i < order.size() && i < kTopTokens; ++i)
        out.push_back(RankedToken{order[i], token_text(model, ids[static_cast<size_t>(order[i])]), scores[order[i]]});
    return out;
}

// The heads by `key` (L*H values), largest first.
std::vector<int> heads_by(const std::vector<float>& key) {
    std::vector<int> order(key.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return key[a] > key[b]; });
    return order;
}

bool all_top_agree(const ExplanationFacts& f) {
    for (const auto& [method, ranked] : f.top_tokens)
        if (ranked.empty() || ranked.front().position != f.top_tokens.front().second.front().position) return false;
    return !f.top_tokens.empty();
}

HeadLabel label_of(const std::vector<HeadStats>& stats, size_t index) {
    return index < stats.size() ? label_head(stats[index]) : HeadLabel{HeadPattern::broad_uniform, 0.0f, {}};
}

}  // namespace

std::string token_text(const Model& model, int32_t id) {
    std::string s = model.tokenizer.decode({id}, /*skip_special_tokens=*/false);
    const size_t a = s.find_first_not_of(" \t\n"), b = s.find_last_not_of(" \t\n");
    s = a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
    return s.empty() ? model.tokenizer.id_to_token(id) : s;
}

ExplanationFacts explanation_facts(const Model& model, const TokenSeq& tokens, const Attribution& a, const LogitLens& lens,
                                   const std::vector<HeadStats>& head_stats, const Faithfulness* faithfulness) {
    ExplanationFacts f;
    f.architecture = model.info().architecture;
    f.position = a.position;
    f.target = a.target;
    f.n_layer = a.n_layer;
    f.predicted = token_text(model, a.target);
    f.probability = std::exp(a.target_logprob);
    if (a.foil >= 0) {
        f.foil = token_text(model, a.foil);
        f.foil_probability = std::exp(a.foil_logprob);
    }

    // The panel's first method (integrated gradients) leads; the others follow in the table's order.
    std::vector<int> methods = {kMethodIntegratedGradients};
    for (int m = 0; m < kNumAttributionMethods; ++m)
        if (m != kMethodIntegratedGradients) methods.push_back(m);
    for (int m : methods) {
        std::vector<float> s = kAttributionMethods[m].scores(a);
        if (s.size() != tokens.ids.size() || s.empty()) continue;
        f.top_tokens.push_back({kAttributionMethods[m].name, ranked_tokens(model, tokens.ids, s)});
    }
    f.methods_agree = all_top_agree(f);

    const size_t LH = static_cast<size_t>(a.n_layer) * a.n_head;
    const bool ablated = a.head_ablation.size() == LH && LH > 0;
    const bool graded = a.head_importance.size() == LH && LH > 0;
    if (ablated || graded) {
        const std::vector<int> order = heads_by(ablated ? a.head_ablation : a.head_importance);
        for (size_t i = 0; i < order.size() && i < kTopHeads; ++i) {
            const int k = order[i];
            f.heads.push_back(RankedHead{k / a.n_head, k % a.n_head, graded ? a.head_importance[k] : 0.0f,
                                         ablated ? a.head_ablation[k] : 0.0f, label_of(head_stats, k)});
        }
        f.heads_by_ablation = ablated;
        f.gradient_top = f.heads.front();
        if (ablated && graded) {
            const int k = heads_by(a.head_importance).front();
            f.gradient_top = RankedHead{k / a.n_head, k % a.n_head, a.head_importance[k], a.head_ablation[k],
                                        label_of(head_stats, k)};
        }
        // What ablating the first head does to the answer's probability: one gated forward pass.
        ForwardHooks hooks;
        hooks.head_gates = head_gates_ones(a.n_layer, a.n_head);
        hooks.head_gates[static_cast<size_t>(f.heads.front().layer) * a.n_head + f.heads.front().head] = 0.0f;
        try {
            f.ablation_prob_after = target_probability(model, tokens.ids, a.position, a.target, hooks);
        } catch (const std::exception&) {
            f.ablation_prob_after = -1.0f;
        }
    }

    // The first residual state from which the lens keeps the answer on top.
    if (!lens.target_rank.empty()) {
        const int n = static_cast<int>(lens.target_rank.size());
        int s = n;
        while (s > 0 && lens.target_rank[static_cast<size_t>(s - 1)] == 0) --s;
        if (s < n) {
            f.lens_settles_layer = s;
            f.lens_settle_prob = lens.target_prob[static_cast<size_t>(s)];
        } else {
            f.lens_final_rank = lens.target_rank.back();
        }
    }

    if (faithfulness && !faithfulness->best_method.empty()) {
        f.most_faithful = faithfulness->best_method;
        f.most_faithful_gap = faithfulness_mean_gap(*faithfulness, f.most_faithful);
        bool found = false;
        for (const FaithfulnessRow& r : faithfulness->rows)
            if (r.method == f.most_faithful && (!found || r.k < f.most_faithful_row.k)) {
                f.most_faithful_row = r;
                found = true;
            }
    }
    return f;
}

Expected<ExplanationFacts> explanation_facts_seq2seq(const Model& model, const Trace& trace) {
    if (!model.info().encoder_decoder || !trace.is_encoder_decoder())
        return ErrorValue{"explanation_facts_seq2seq needs an encoder-decoder model and its seq2seq trace"};
    const std::vector<int32_t>& src = trace.tokens.ids;
    const std::vector<int32_t>& dec = trace.decoder_tokens.ids;
    const int dpos = static_cast<int>(dec.size()) - 1;
    const float* logits = trace.logits_at(dpos);
    if (!logits) return ErrorValue{"the trace has no logits at the last decoder position"};
    const int V = trace.n_vocab;
    const int target = static_cast<int>(std::max_element(logits, logits + V) - logits);

    ExplanationFacts f;
    f.architecture = model.info().architecture;
    f.forward_only = true;
    f.position = dpos;
    f.target = target;
    f.n_layer = model.info().n_decoder_layer;
    f.predicted = token_text(model, target);
    f.probability = softmax_probability(logits, V, target);

    // p(target) at the last decoder position for an edited source or gated decoder.
    auto prob_of = [&](const std::vector<int32_t>& source, const ForwardHooks& hooks) {
        TraceOptions o;
        o.capture_attentions = false;
        o.capture_hidden_states = false;
        o.logit_positions = {dpos};
        o.hooks = hooks;
        Expected<Trace> t = model_trace_seq2seq(model, source, dec, o);
        if (!t) throw Error(t.error().message);
        return softmax_probability(t->logits_at(dpos), t->n_vocab, target);
    };
    try {
        // Occlusion: each non-special source token replaced by the mask token (else unk).
        int32_t mask = -1;
        for (const char* name : {"<mask>", "[MASK]", "<unk>", "[UNK]"})
            if (auto id = model.tokenizer.token_to_id(name)) {
                mask = *id;
                break;
            }
        if (mask >= 0) {
            std::vector<float> drop(src.size(), 0.0f);
            std::vector<uint8_t> skip(src.size(), 0);
            for (size_t t = 0; t < src.size(); ++t) {
                if (model.tokenizer.is_special(src[t])) {
                    skip[t] = 1;
                    continue;
                }
                std::vector<int32_t> edited = src;
                edited[t] = mask;
                drop[t] = f.probability - prob_of(edited, {});
            }
            f.top_tokens.push_back({"occlusion_mask", ranked_tokens(model, src, drop, &skip)});
        }

        // Decoder self-attention heads, each ablated once.
        const int L = model.info().n_decoder_layer, H = model.info().n_decoder_head;
        std::vector<float> ablation(static_cast<size_t>(L) * H, 0.0f), after(ablation.size(), 0.0f);
        for (size_t k = 0; k < ablation.size(); ++k) {
            ForwardHooks hooks;
            hooks.decoder_head_gates = head_gates_ones(L, H);
            hooks.decoder_head_gates[k] = 0.0f;
            after[k] = prob_of(src, hooks);
            ablation[k] = f.probability - after[k];
        }
        std::vector<HeadStats> stats;
        if (!trace.decoder_attentions.empty())
            stats = head_statistics(trace.decoder_attentions, token_kinds(model.tokenizer, trace.decoder_tokens),
                                    HeadStatsOptions{});
        const std::vector<int> order = heads_by(ablation);
        for (size_t i = 0; i < order.size() && i < kTopHeads; ++i) {
            const int k = order[i];
            f.heads.push_back(RankedHead{k / H, k % H, 0.0f, ablation[k], label_of(stats, k)});
        }
        f.heads_by_ablation = !f.heads.empty();
        if (!f.heads.empty()) {
            f.gradient_top = f.heads.front();   // no gradients: nothing to disagree with
            f.ablation_prob_after = after[static_cast<size_t>(order.front())];
        }
    } catch (const std::exception& e) {
        return ErrorValue{e.what()};
    }

    // The cross-attention head that looks most from the predicting position at the top occluded token.
    const AttentionTensor& cross = trace.cross_attentions;
    if (!cross.empty() && !f.top_tokens.empty() && !f.top_tokens.front().second.empty()) {
        const RankedToken& top = f.top_tokens.front().second.front();
        std::vector<HeadStats> stats = head_statistics(cross, token_kinds(model.tokenizer, trace.tokens), HeadStatsOptions{});
        int best = 0;
        for (int k = 1; k < cross.n_layer * cross.n_head; ++k)
            if (cross.at(k / cross.n_head, k % cross.n_head, dpos, top.position) >
                cross.at(best / cross.n_head, best % cross.n_head, dpos, top.position))
                best = k;
        const int l = best / cross.n_head, h = best % cross.n_head;
        f.cross_heads.push_back(CrossHead{l, h, top.position, top.piece, cross.at(l, h, dpos, top.position), label_of(stats, best)});
    }
    return f;
}

}  // namespace attn
