// Post-LN attention and feed-forward sublayers (see post_ln.h).
#include "model/post_ln.h"

#include <cmath>

#include "core/attention.h"
#include "core/linear.h"
#include "model/trace_fill.h"

namespace attn {

Dense dense_fetch(const WeightStore& store, const NameVariants& names, const std::string& base, int64_t n_out,
                  int64_t n_in, const std::string& why) {
    Dense d;
    d.w = matrix_fetch(store, names(base + ".weight"), {n_out, n_in}, WeightLayout::out_in, why);
    d.b = weight_fetch(store, names(base + ".bias"), {n_out}, why);
    return d;
}

Norm norm_fetch(const WeightStore& store, const NameVariants& names, const std::string& base, int64_t D,
                const std::string& why) {
    auto spellings = [&](const char* modern, const char* legacy) {
        std::vector<std::string> all = names(base + modern);
        for (const std::string& n : names(base + legacy)) all.push_back(n);
        return all;
    };
    return Norm{weight_fetch(store, spellings(".weight", ".gamma"), {D}, why),
                weight_fetch(store, spellings(".bias", ".beta"), {D}, why)};
}

void post_ln_attention(const AttentionBlock& block, int n_head, float eps, float* h, int T, const float* memory,
                       int S, bool causal, AttentionTensor& capture, int layer) {
    const int D = block.out.w.view.n_out(), hs = D / n_head;
    std::vector<float> q(static_cast<size_t>(T) * D);    // (T, D) heads side by side
    std::vector<float> k(static_cast<size_t>(S) * D);    // (S, D)
    std::vector<float> v(k.size());                      // (S, D)
    std::vector<float> ctx(q.size());                    // (T, D) heads' context vectors
    std::vector<float> out(q.size());                    // (T, D)
    std::vector<float> probs_scratch;                    // (T, S) when not captured
    // All projections are read before h is written, so memory may alias h.
    linear(h, T, block.q.w.view, block.q.b.data(), q.data());
    linear(memory, S, block.k.w.view, block.k.b.data(), k.data());
    linear(memory, S, block.v.w.view, block.v.b.data(), v.data());
    const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
    AttentionShape shape{T, S, hs, D, D, D, D, causal, 0, scale};
    for (int head = 0; head < n_head; ++head) {
        float* probs = attention_slot(capture, layer, head, probs_scratch, T, S);
        attention_head(shape, q.data() + head * hs, k.data() + head * hs, v.data() + head * hs, probs,
                       ctx.data() + head * hs);
    }
    linear(ctx.data(), T, block.out.w.view, block.out.b.data(), out.data());
    add_inplace(h, out.data(), static_cast<long>(T) * D);
    layer_norm(h, T, D, block.norm.w.data(), block.norm.b.data(), eps, h);
}

void post_ln_feed_forward(const FeedForwardBlock& block, Activation act, float eps, float* h, int T) {
    const int D = block.fc2.w.view.n_out(), F = block.fc1.w.view.n_out();
    std::vector<float> ff(static_cast<size_t>(T) * F);   // (T, F)
    std::vector<float> out(static_cast<size_t>(T) * D);  // (T, D)
    linear(h, T, block.fc1.w.view, block.fc1.b.data(), ff.data());
    activation_apply(act, ff.data(), static_cast<long>(ff.size()));
    linear(ff.data(), T, block.fc2.w.view, block.fc2.b.data(), out.data());
    add_inplace(h, out.data(), static_cast<long>(T) * D);
    layer_norm(h, T, D, block.norm.w.data(), block.norm.b.data(), eps, h);
}

}  // namespace attn
