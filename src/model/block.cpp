// The shared block layer (see block.h): attention and MLP sublayers, the pre-LN and post-LN block
// recipes, and the layer loop that applies head gates, edge knockouts and the observer.
#include "model/block.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/attention.h"
#include "core/linear.h"
#include "core/parallel.h"
#include "model/rope.h"
#include "model/trace_fill.h"

namespace attn {
namespace {

// attention_head with some (query, key) edges removed: mask (T, S), 1 = knocked out. Scalar, used only
// when a knockout touches the layer. A query left with no visible key gets zero probabilities and a
// zero context vector (not the NaN a softmax over nothing gives).
void attention_head_masked(const AttentionShape& sh, const float* q, const float* k, const float* v,
                           const uint8_t* mask, float* probs, float* out) {
    for (int t = 0; t < sh.n_query; ++t) {
        const float* qt = q + static_cast<size_t>(t) * sh.q_stride;
        float* pt = probs + static_cast<size_t>(t) * sh.n_key;
        float best = -INFINITY;
        for (int s = 0; s < sh.n_key; ++s) {
            const bool hidden = (sh.causal && s > t + sh.query_offset) || mask[static_cast<size_t>(t) * sh.n_key + s];
            if (hidden) {
                pt[s] = -INFINITY;
                continue;
            }
            const float* ks = k + static_cast<size_t>(s) * sh.k_stride;
            float dot = 0.0f;
            for (int i = 0; i < sh.head_size; ++i) dot += qt[i] * ks[i];
            pt[s] = dot * sh.scale;
            if (pt[s] > best) best = pt[s];
        }
        float sum = 0.0f;
        for (int s = 0; s < sh.n_key; ++s) {
            pt[s] = best == -INFINITY || pt[s] == -INFINITY ? 0.0f : std::exp(pt[s] - best);
            sum += pt[s];
        }
        if (sum > 0.0f)
            for (int s = 0; s < sh.n_key; ++s) pt[s] /= sum;
        float* ot = out + static_cast<size_t>(t) * sh.out_stride;
        for (int i = 0; i < sh.head_size; ++i) ot[i] = 0.0f;
        for (int s = 0; s < sh.n_key; ++s) {
            if (pt[s] == 0.0f) continue;
            const float* vs = v + static_cast<size_t>(s) * sh.v_stride;
            for (int i = 0; i < sh.head_size; ++i) ot[i] += pt[s] * vs[i];
        }
    }
}

// What one attention sublayer needs besides its weights.
struct AttentionCall {
    int layer = 0;
    float scale = 1.0f;
    bool causal = false;
    bool rope = false;
    AttentionTensor* capture = nullptr;      // null: probabilities go to scratch
    const std::vector<uint8_t>* mask = nullptr;   // (T, S) knocked-out edges, or null
    const ForwardHooks* gates = nullptr;     // null: every gate 1
    const ForwardHooks* observer = nullptr;  // shown the values as `values_name`, edits the context
    std::string values_name;
    std::string context_name;   // "": the editor is not shown the context (cross attention)
    std::string queries_name, keys_name, input_name, scale_name;
};

// Shows the observer a (rows, width) column block of a (rows, stride) matrix, copied only when strided.
void observe_block(const ForwardHooks& hooks, const std::string& name, const float* data, int rows, int width,
                   int stride) {
    if (!hooks.observer) return;
    if (stride == width) {
        hooks.observe(name, rows, width, data);
        return;
    }
    std::vector<float> block(static_cast<size_t>(rows) * width);
    for (int r = 0; r < rows; ++r)
        std::copy_n(data + static_cast<size_t>(r) * stride, width, block.data() + static_cast<size_t>(r) * width);
    hooks.observe(name, rows, width, block.data());
}

// out (T, D) = out_proj(concat over heads of gate_h * softmax(q_h k_h^T * scale) v_h); queries from x
// (T, D), keys and values from memory (S, D). memory may alias x; out must alias neither.
void attention_sublayer(const BlockRecipe& r, const AttentionBlock& w, const AttentionCall& call, const float* x,
                        int T, const float* memory, int S, float* out) {
    const int H = r.n_head, KV = r.n_kv_head, hd = r.head_dim, qd = H * hd, kvd = KV * hd;
    std::vector<float> qkv;                           // (T, qd + 2 kvd) when fused
    std::vector<float> q, k, v;                       // (T, qd), (S, kvd), (S, kvd) when separate
    const float *qp, *kp, *vp;
    int q_stride, kv_stride;
    if (!w.qkv.w.empty()) {
        qkv.resize(static_cast<size_t>(T) * (qd + 2 * kvd));
        linear(x, T, w.qkv.w.view, w.qkv.b.data(), qkv.data());
        q_stride = kv_stride = qd + 2 * kvd;
        if (call.rope) {
            rope_apply(qkv.data(), T, q_stride, H, hd, r.rotary_dim, 0, *r.rope_inv_freq);
            rope_apply(qkv.data() + qd, T, q_stride, KV, hd, r.rotary_dim, 0, *r.rope_inv_freq);
        }
        qp = qkv.data();
        kp = qp + qd;
        vp = kp + kvd;
    } else {
        q.resize(static_cast<size_t>(T) * qd);
        k.resize(static_cast<size_t>(S) * kvd);
        v.resize(k.size());
        linear(x, T, w.q.w.view, w.q.b.data(), q.data());
        linear(memory, S, w.k.w.view, w.k.b.data(), k.data());
        linear(memory, S, w.v.w.view, w.v.b.data(), v.data());
        if (call.rope) {
            rope_apply(q.data(), T, qd, H, hd, r.rotary_dim, 0, *r.rope_inv_freq);
            rope_apply(k.data(), S, kvd, KV, hd, r.rotary_dim, 0, *r.rope_inv_freq);
        }
        qp = q.data();
        kp = k.data();
        vp = v.data();
        q_stride = qd;
        kv_stride = kvd;
    }
    if (call.observer) {
        // The rows as the attention reads them: after RoPE, the K/V heads once each (GQA shares them).
        if (!call.input_name.empty()) call.observer->observe(call.input_name, T, w.out.w.view.n_out(), x);
        if (!call.queries_name.empty()) observe_block(*call.observer, call.queries_name, qp, T, qd, q_stride);
        if (!call.keys_name.empty()) observe_block(*call.observer, call.keys_name, kp, S, kvd, kv_stride);
        observe_block(*call.observer, call.values_name, vp, S, kvd, kv_stride);
        if (!call.scale_name.empty()) call.observer->observe(call.scale_name, 1, 1, &call.scale);
    }
    std::vector<float> ctx(static_cast<size_t>(T) * qd);   // (T, H * hd) heads' context vectors
    AttentionTensor none;
    AttentionShape shape{T, S, hd, q_stride, kv_stride, kv_stride, qd, call.causal, 0, call.scale};
    const int group = H / KV;
    // Heads write disjoint probabilities and context columns, so they run on several threads alike.
    auto heads = [&](int head_begin, int head_end) {
        std::vector<float> probs_scratch;   // (T, S) when not captured
        for (int head = head_begin; head < head_end; ++head) {
            const int kv = head / group;
            float* probs = attention_slot(call.capture ? *call.capture : none, call.layer, head, probs_scratch, T, S);
            float* c = ctx.data() + head * hd;
            if (call.mask)
                attention_head_masked(shape, qp + head * hd, kp + kv * hd, vp + kv * hd, call.mask->data(), probs, c);
            else
                attention_head(shape, qp + head * hd, kp + kv * hd, vp + kv * hd, probs, c);
            const float g = call.gates ? call.gates->gate(call.layer, head, H) : 1.0f;
            if (g != 1.0f)
                for (int t = 0; t < T; ++t)
                    for (int i = 0; i < hd; ++i) c[static_cast<size_t>(t) * qd + i] *= g;
        }
    };
    // Scores and context: 2 T S hd multiply-adds per head.
    if (parallel_worth_it(2.0 * H * T * S * hd)) parallel_for(H, heads);
    else heads(0, H);
    if (call.observer && call.observer->editor && !call.context_name.empty()) call.observer->editor(call.context_name, T, qd, ctx.data());
    linear(ctx.data(), T, w.out.w.view, w.out.b.data(), out);
}

// out (T, D) = the recipe's MLP of x (T, D); the hidden activations are shown to hooks as act_name.
void mlp_sublayer(const BlockRecipe& r, const FeedForwardBlock& w, const float* x, int T, float* out,
                  const ForwardHooks& hooks, const std::string& act_name) {
    const int F = w.fc1.w.view.n_out();
    std::vector<float> ff(static_cast<size_t>(T) * F);   // (T, F)
    linear(x, T, w.fc1.w.view, w.fc1.b.data(), ff.data());
    activation_apply(r.activation, ff.data(), static_cast<long>(ff.size()));
    if (r.mlp == MlpKind::gated) {
        std::vector<float> up(ff.size());                 // (T, F)
        linear(x, T, w.up.w.view, w.up.b.data(), up.data());
        for (size_t i = 0; i < ff.size(); ++i) ff[i] *= up[i];
    }
    hooks.edit_and_observe(act_name, T, F, ff.data());
    linear(ff.data(), T, w.fc2.w.view, w.fc2.b.data(), out);
}

// (T, S) knockout mask of this layer, or empty when no knockout touches it. Edges outside the
// input are ignored: a hook written for a longer text still applies to a shorter one.
std::vector<uint8_t> knockout_mask(const ForwardHooks& hooks, int layer, int T, int S) {
    std::vector<uint8_t> mask;
    for (const EdgeKnockout& e : hooks.knockouts) {
        if (e.layer >= 0 && e.layer != layer) continue;
        if (e.query < 0 || e.query >= T || e.key < 0 || e.key >= S) continue;
        if (mask.empty()) mask.assign(static_cast<size_t>(T) * S, 0);
        mask[static_cast<size_t>(e.query) * S + e.key] = 1;
    }
    return mask;
}

}  // namespace

void norm_apply(const BlockRecipe& recipe, const Norm& norm, const float* x, int T, int D, float* out) {
    if (recipe.norm == NormKind::rms_norm)
        rms_norm(x, T, D, norm.w.data(), recipe.eps, out);
    else
        layer_norm(x, T, D, norm.w.data(), norm.b.data(), recipe.eps, out);
}

StackRun::StackRun(const BlockRecipe& recipe, const std::vector<BlockWeights>& blocks, std::vector<float>& h, int T,
                   const float* memory, int S, const StackCapture& capture, const ForwardHooks& hooks,
                   const std::string& prefix, bool apply_interventions)
    : r_(recipe), blocks_(blocks), h_(h), T_(T), D_(static_cast<int>(h.size() / (T > 0 ? T : 1))), memory_(memory),
      S_(S), capture_(capture), hooks_(hooks), prefix_(prefix), apply_interventions_(apply_interventions),
      x_(h.size()), out_(h.size()) {
    observe("embed", h_);
}

void StackRun::observe(const std::string& name, std::vector<float>& data) const {
    hooks_.edit_and_observe(prefix_ + name, T_, D_, data.data());
}

void StackRun::step() {
    if (done()) return;
    const int l = next_;
    const std::string p = "layer." + std::to_string(l) + ".";
    if (mlp_next_) {
        mlp_half(l, p);
        return;
    }
    const int T = T_, D = D_;
    const BlockWeights& b = blocks_[l];
    if (capture_.hidden) hidden_capture(*capture_.hidden, l, h_);
    const std::vector<uint8_t> mask = apply_interventions_ ? knockout_mask(hooks_, l, T, T) : std::vector<uint8_t>{};
    AttentionCall self;
    self.layer = l;
    self.scale = b.attn_scale > 0.0f ? b.attn_scale : 1.0f / std::sqrt(static_cast<float>(r_.head_dim));
    self.causal = r_.causal;
    self.rope = r_.rope_inv_freq != nullptr;
    if (capture_.self) attention_grow_to(*capture_.self, l);
    self.capture = capture_.self;
    self.mask = mask.empty() ? nullptr : &mask;
    self.gates = apply_interventions_ && !hooks_.head_gates.empty() ? &hooks_ : nullptr;
    self.observer = hooks_.observer || hooks_.editor ? &hooks_ : nullptr;
    self.values_name = prefix_ + p + "values";
    self.context_name = prefix_ + p + "context";
    self.queries_name = prefix_ + p + "queries";
    self.keys_name = prefix_ + p + "keys";
    self.input_name = prefix_ + p + "attn_in";
    self.scale_name = prefix_ + p + "score_scale";
    const long n = static_cast<long>(h_.size());
    if (!r_.post_ln) {
        norm_apply(r_, b.attn.norm, h_.data(), T, D, x_.data());
        attention_sublayer(r_, b.attn, self, x_.data(), T, x_.data(), T, out_.data());
        observe(p + "attn_out", out_);
        add_inplace(h_.data(), out_.data(), n);
        observe(p + "resid_mid", h_);
        mlp_next_ = true;   // the MLP is the next step: a step is half a pre-LN block
        return;
    } else {
        attention_sublayer(r_, b.attn, self, h_.data(), T, h_.data(), T, out_.data());
        observe(p + "attn_out", out_);
        add_inplace(h_.data(), out_.data(), n);
        norm_apply(r_, b.attn.norm, h_.data(), T, D, h_.data());
        observe(p + "resid_mid", h_);
        if (r_.cross) {
            AttentionCall cross;
            cross.layer = l;
            cross.scale = self.scale;
            if (capture_.cross) attention_grow_to(*capture_.cross, l);
            cross.capture = capture_.cross;
            cross.observer = hooks_.observer ? &hooks_ : nullptr;   // observed, never edited
            cross.values_name = prefix_ + p + "cross_values";
            cross.queries_name = prefix_ + p + "cross_queries";
            cross.keys_name = prefix_ + p + "cross_keys";
            cross.input_name = prefix_ + p + "cross_in";
            cross.scale_name = prefix_ + p + "cross_score_scale";
            attention_sublayer(r_, b.cross, cross, h_.data(), T, memory_, S_, out_.data());
            observe(p + "cross_out", out_);
            add_inplace(h_.data(), out_.data(), n);
            norm_apply(r_, b.cross.norm, h_.data(), T, D, h_.data());
            observe(p + "resid_cross", h_);
        }
        mlp_sublayer(r_, b.ffn, h_.data(), T, out_.data(), hooks_, prefix_ + p + "mlp_act");
        observe(p + "mlp_out", out_);
        add_inplace(h_.data(), out_.data(), n);
        norm_apply(r_, b.ffn.norm, h_.data(), T, D, h_.data());
    }
    observe(p + "out", h_);
    ++next_;
}

void StackRun::mlp_half(int l, const std::string& p) {
    const BlockWeights& b = blocks_[l];
    norm_apply(r_, b.ffn.norm, h_.data(), T_, D_, x_.data());
    mlp_sublayer(r_, b.ffn, x_.data(), T_, out_.data(), hooks_, prefix_ + p + "mlp_act");
    observe(p + "mlp_out", out_);
    add_inplace(h_.data(), out_.data(), static_cast<long>(h_.size()));
    observe(p + "out", h_);
    mlp_next_ = false;
    ++next_;
}

void stack_forward(const BlockRecipe& r, const std::vector<BlockWeights>& blocks, std::vector<float>& h, int T,
                   const float* memory, int S, const StackCapture& capture, const ForwardHooks& hooks,
                   const std::string& prefix, bool apply_interventions) {
    StackRun run(r, blocks, h, T, memory, S, capture, hooks, prefix, apply_interventions);
    while (!run.done()) run.step();
}

}  // namespace attn
