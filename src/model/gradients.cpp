// The differentiable pass (gradients.h) over any Body: a forward with the core/nn_* operations in f32
// that fills the activations record (grad_record.h), the score on the scored row, and a backward that
// walks the record in reverse: head -> blocks -> embeddings. Weights stay in their stored dtype: the
// forward multiplies with linear_forward_stored and input gradients use linear_backward_input, so 16-bit
// checkpoints are widened block by block, never copied.
#include "model/gradients.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "core/linear.h"
#include "core/nn_act.h"
#include "core/nn_attention.h"
#include "core/nn_linear.h"
#include "core/nn_loss.h"
#include "core/nn_norm.h"
#include "model/body.h"
#include "model/grad_params.h"
#include "model/grad_record.h"

namespace attn {
namespace {

std::vector<float> zeros(size_t n) { return std::vector<float>(n, 0.0f); }

// y (T, n_out) = x @ W + b, in the stored dtype.
void dense_forward(const Dense& d, const float* x, int T, float* y) {
    linear_forward_stored(y, x, d.w.view, d.b.data(), T);
}

// dx (T, n_in) += dy @ W^T (dx may be null); parameter gradients from the saved x when they are on.
void dense_backward(const Dense& d, float* dx, const float* dy, const float* x, int T, ParamGradients& pg) {
    if (dx) linear_backward_input(dx, dy, d.w.view, T);
    if (pg.on())
        linear_backward_fast(nullptr, pg.of(d.w), pg.of(d.b), dy, x, nullptr, T, d.w.view.n_in(), d.w.view.n_out(),
                             d.w.view.layout);
}

// The recipe's norm, saving its statistics (mean unused by RMSNorm).
void norm_forward(NormKind kind, float eps, const Norm& n, const float* in, int T, int D, float* out, float* mean,
                  float* rstd) {
    if (kind == NormKind::rms_norm)
        rmsnorm_forward(out, rstd, in, n.w.data(), eps, T, D);
    else
        layernorm_forward(out, mean, rstd, in, n.w.data(), n.b.data(), eps, T, D);
}

void norm_backward(NormKind kind, const Norm& n, float* din, const float* dout, const float* in, const float* mean,
                   const float* rstd, int T, int D, ParamGradients& pg) {
    if (kind == NormKind::rms_norm)
        rmsnorm_backward(din, pg.of(n.w), dout, in, n.w.data(), rstd, T, D);
    else
        layernorm_backward(din, pg.of(n.w), pg.of(n.b), dout, in, n.w.data(), mean, rstd, T, D);
}

// Everything one pass needs besides the record.
struct Pass {
    const Body& body;
    const ForwardHooks& hooks;
    GradRecord& rec;
    ParamGradients& pg;
    std::vector<std::vector<float>> gates;        // per layer (H): the gate of each head
    std::vector<std::vector<uint8_t>> visible;    // per layer (T, T): 0 = knocked out; empty: none
    std::vector<AttentionSpec> specs;             // per layer
};

void pass_prepare(Pass& p) {
    const BlockRecipe& r = p.body.recipe;
    const int T = p.rec.T, L = p.rec.L, H = p.rec.H;
    for (int l = 0; l < L; ++l) {
        std::vector<float> g(H);
        for (int h = 0; h < H; ++h) g[h] = p.hooks.gate(l, h, H);
        p.gates.push_back(std::move(g));
        // Knockouts apply exactly as in stack_forward: edges outside the input are ignored.
        std::vector<uint8_t> vis;
        for (const EdgeKnockout& e : p.hooks.knockouts) {
            if (e.layer >= 0 && e.layer != l) continue;
            if (e.query < 0 || e.query >= T || e.key < 0 || e.key >= T) continue;
            if (vis.empty()) vis.assign(static_cast<size_t>(T) * T, 1);
            vis[static_cast<size_t>(e.query) * T + e.key] = 0;
        }
        p.visible.push_back(std::move(vis));
        AttentionSpec s;
        s.n_query = s.n_key = T;
        s.n_head = H;
        s.n_kv_head = r.n_kv_head;
        s.head_dim = r.head_dim;
        const float scale = p.body.blocks[l].attn_scale;
        s.scale = scale > 0.0f ? scale : 1.0f / std::sqrt(static_cast<float>(r.head_dim));
        s.causal = r.causal;
        p.specs.push_back(s);
    }
    for (int l = 0; l < L; ++l) p.specs[l].edge_mask = p.visible[l].empty() ? nullptr : p.visible[l].data();
}

// x (T, D) -> the layer's q, k, v, probs and ctx slots; a (T, D) = the output projection of ctx.
void attention_record(Pass& p, int l, const float* x, float* a) {
    const BlockRecipe& r = p.body.recipe;
    const AttentionBlock& w = p.body.blocks[l].attn;
    GradRecord& rec = p.rec;
    const LayerSlots& s = rec.layers[l];
    const int T = rec.T, qd = rec.H * rec.hd, kvd = rec.KV * rec.hd;
    float *q = rec.at(s.q), *k = rec.at(s.k), *v = rec.at(s.v);
    if (!w.qkv.w.empty()) {
        std::vector<float> qkv(static_cast<size_t>(T) * (qd + 2 * kvd));   // (T, q | k | v)
        dense_forward(w.qkv, x, T, qkv.data());
        for (int t = 0; t < T; ++t) {
            const float* row = qkv.data() + static_cast<size_t>(t) * (qd + 2 * kvd);
            std::copy_n(row, qd, q + static_cast<size_t>(t) * qd);
            std::copy_n(row + qd, kvd, k + static_cast<size_t>(t) * kvd);
            std::copy_n(row + qd + kvd, kvd, v + static_cast<size_t>(t) * kvd);
        }
    } else {
        dense_forward(w.q, x, T, q);
        dense_forward(w.k, x, T, k);
        dense_forward(w.v, x, T, v);
    }
    if (r.rope_inv_freq) {
        rope_forward(q, q, T, rec.H, rec.hd, r.rotary_dim, 0, r.rope_inv_freq->data(), 1.0f);
        rope_forward(k, k, T, rec.KV, rec.hd, r.rotary_dim, 0, r.rope_inv_freq->data(), 1.0f);
    }
    p.hooks.observe("layer." + std::to_string(l) + ".values", T, kvd, v);
    attention_forward(rec.at(s.ctx), rec.at(s.probs), q, k, v, p.gates[l].data(), p.specs[l]);
    dense_forward(w.out, rec.at(s.ctx), T, a);
}

// da (T, D) -> dx (T, D) +=, d probs (H, T, T) and d gates (H) of this layer +=.
void attention_unrecord(Pass& p, int l, const float* x, const float* da, float* dx, float* dprobs, float* dgates) {
    const BlockRecipe& r = p.body.recipe;
    const AttentionBlock& w = p.body.blocks[l].attn;
    GradRecord& rec = p.rec;
    const LayerSlots& s = rec.layers[l];
    const int T = rec.T, qd = rec.H * rec.hd, kvd = rec.KV * rec.hd;
    std::vector<float> dctx = zeros(static_cast<size_t>(T) * qd);   // (T, H * hd)
    dense_backward(w.out, dctx.data(), da, rec.at(s.ctx), T, p.pg);
    std::vector<float> dq = zeros(dctx.size()), dk = zeros(static_cast<size_t>(T) * kvd), dv = zeros(dk.size());
    attention_backward(dq.data(), dk.data(), dv.data(), dprobs, dgates, dctx.data(), rec.at(s.q), rec.at(s.k),
                       rec.at(s.v), rec.at(s.probs), p.gates[l].data(), p.specs[l]);
    if (r.rope_inv_freq) {
        std::vector<float> dq0 = zeros(dq.size()), dk0 = zeros(dk.size());   // before the rotation
        rope_backward(dq0.data(), dq.data(), T, rec.H, rec.hd, r.rotary_dim, 0, r.rope_inv_freq->data(), 1.0f);
        rope_backward(dk0.data(), dk.data(), T, rec.KV, rec.hd, r.rotary_dim, 0, r.rope_inv_freq->data(), 1.0f);
        dq.swap(dq0);
        dk.swap(dk0);
    }
    if (!w.qkv.w.empty()) {
        const int n = qd + 2 * kvd;
        std::vector<float> dqkv(static_cast<size_t>(T) * n);   // (T, q | k | v)
        for (int t = 0; t < T; ++t) {
            float* row = dqkv.data() + static_cast<size_t>(t) * n;
            std::copy_n(dq.data() + static_cast<size_t>(t) * qd, qd, row);
            std::copy_n(dk.data() + static_cast<size_t>(t) * kvd, kvd, row + qd);
            std::copy_n(dv.data() + static_cast<size_t>(t) * kvd, kvd, row + qd + kvd);
        }
        dense_backward(w.qkv, dx, dqkv.data(), x, T, p.pg);
    } else {
        dense_backward(w.q, dx, dq.data(), x, T, p.pg);
        dense_backward(w.k, dx, dk.data(), x, T, p.pg);
        dense_backward(w.v, dx, dv.data(), x, T, p.pg);
    }
}

// x (T, D) -> the layer's f, u, act slots; m (T, D) = the MLP output.
void mlp_record(Pass& p, int l, const float* x, float* m) {
    const BlockRecipe& r = p.body.recipe;
    const FeedForwardBlock& w = p.body.blocks[l].ffn;
    GradRecord& rec = p.rec;
    const LayerSlots& s = rec.layers[l];
    const int T = rec.T;
    const long n = static_cast<long>(T) * rec.F;
    dense_forward(w.fc1, x, T, rec.at(s.f));
    activation_forward(r.activation, rec.at(s.act), rec.at(s.f), n);
    if (r.mlp == MlpKind::gated) {
        dense_forward(w.up, x, T, rec.at(s.u));
        float* act = rec.at(s.act);
        const float* u = rec.at(s.u);
        for (long i = 0; i < n; ++i) act[i] *= u[i];
    }
    p.hooks.observe("layer." + std::to_string(l) + ".mlp_act", T, rec.F, rec.at(s.act));
    dense_forward(w.fc2, rec.at(s.act), T, m);
}

// dm (T, D) -> dx (T, D) +=.
void mlp_unrecord(Pass& p, int l, const float* x, const float* dm, float* dx) {
    const BlockRecipe& r = p.body.recipe;
    const FeedForwardBlock& w = p.body.blocks[l].ffn;
    GradRecord& rec = p.rec;
    const LayerSlots& s = rec.layers[l];
    const int T = rec.T;
    const long n = static_cast<long>(T) * rec.F;
    std::vector<float> dact = zeros(n);   // (T, F)
    dense_backward(w.fc2, dact.data(), dm, rec.at(s.act), T, p.pg);
    std::vector<float> df = zeros(n);     // (T, F)
    if (r.mlp == MlpKind::gated) {
        // act = a(f) * u: d a(f) = dact * u, du = dact * a(f), a(f) recomputed from the saved f.
        std::vector<float> af(n), daf(n), du(n);
        activation_forward(r.activation, af.data(), rec.at(s.f), n);
        const float* u = rec.at(s.u);
        for (long i = 0; i < n; ++i) {
            daf[i] = dact[i] * u[i];
            du[i] = dact[i] * af[i];
        }
        activation_backward(r.activation, df.data(), daf.data(), rec.at(s.f), n);
        dense_backward(w.up, dx, du.data(), x, T, p.pg);
    } else {
        activation_backward(r.activation, df.data(), dact.data(), rec.at(s.f), n);
    }
    dense_backward(w.fc1, dx, df.data(), x, T, p.pg);
}

void observe(const Pass& p, const std::string& name, int rows, int cols, const float* data) {
    p.hooks.observe(name, rows, cols, data);
}

// hidden[l] -> hidden[l + 1], filling the layer's slots.
void block_record(Pass& p, int l) {
    const BlockRecipe& r = p.body.recipe;
    const BlockWeights& b = p.body.blocks[l];
    GradRecord& rec = p.rec;
    const LayerSlots& s = rec.layers[l];
    const int T = rec.T, D = rec.D;
    const long n = static_cast<long>(T) * D;
    const std::string name = "layer." + std::to_string(l) + ".";
    const float* in = rec.at(rec.hidden[l]);
    float* out = rec.at(rec.hidden[l + 1]);
    std::vector<float> sub(n);   // (T, D) a sublayer's output
    if (!r.post_ln) {
        norm_forward(r.norm, r.eps, b.attn.norm, in, T, D, rec.at(s.x1), rec.at(s.n1_mean), rec.at(s.n1_rstd));
        attention_record(p, l, rec.at(s.x1), sub.data());
        observe(p, name + "attn_out", T, D, sub.data());
        residual_forward(rec.at(s.mid), in, sub.data(), n);
        observe(p, name + "resid_mid", T, D, rec.at(s.mid));
        norm_forward(r.norm, r.eps, b.ffn.norm, rec.at(s.mid), T, D, rec.at(s.x2), rec.at(s.n2_mean), rec.at(s.n2_rstd));
        mlp_record(p, l, rec.at(s.x2), sub.data());
        observe(p, name + "mlp_out", T, D, sub.data());
        residual_forward(out, rec.at(s.mid), sub.data(), n);
    } else {
        attention_record(p, l, in, sub.data());
        observe(p, name + "attn_out", T, D, sub.data());
        residual_forward(rec.at(s.s1), in, sub.data(), n);
        norm_forward(r.norm, r.eps, b.attn.norm, rec.at(s.s1), T, D, rec.at(s.mid), rec.at(s.n1_mean), rec.at(s.n1_rstd));
        observe(p, name + "resid_mid", T, D, rec.at(s.mid));
        mlp_record(p, l, rec.at(s.mid), sub.data());
        observe(p, name + "mlp_out", T, D, sub.data());
        residual_forward(rec.at(s.s2), rec.at(s.mid), sub.data(), n);
        norm_forward(r.norm, r.eps, b.ffn.norm, rec.at(s.s2), T, D, out, rec.at(s.n2_mean), rec.at(s.n2_rstd));
    }
    observe(p, name + "out", T, D, out);
}

// dh (T, D): d score / d hidden[l + 1] in, d score / d hidden[l] out.
void block_unrecord(Pass& p, int l, std::vector<float>& dh, float* dprobs, float* dgates) {
    const BlockRecipe& r = p.body.recipe;
    const BlockWeights& b = p.body.blocks[l];
    GradRecord& rec = p.rec;
    const LayerSlots& s = rec.layers[l];
    const int T = rec.T, D = rec.D;
    const size_t n = static_cast<size_t>(T) * D;
    const float* in = rec.at(rec.hidden[l]);
    if (!r.post_ln) {
        // out = mid + mlp(norm2(mid)); mid = in + attn(norm1(in)).
        std::vector<float> dmid = dh, dx = zeros(n);
        mlp_unrecord(p, l, rec.at(s.x2), dh.data(), dx.data());
        norm_backward(r.norm, b.ffn.norm, dmid.data(), dx.data(), rec.at(s.mid), rec.at(s.n2_mean), rec.at(s.n2_rstd), T,
                      D, p.pg);
        std::fill(dx.begin(), dx.end(), 0.0f);
        attention_unrecord(p, l, rec.at(s.x1), dmid.data(), dx.data(), dprobs, dgates);
        dh = dmid;
        norm_backward(r.norm, b.attn.norm, dh.data(), dx.data(), in, rec.at(s.n1_mean), rec.at(s.n1_rstd), T, D, p.pg);
    } else {
        // out = norm2(s2), s2 = mid + mlp(mid); mid = norm1(s1), s1 = in + attn(in).
        std::vector<float> ds2 = zeros(n);
        norm_backward(r.norm, b.ffn.norm, ds2.data(), dh.data(), rec.at(s.s2), rec.at(s.n2_mean), rec.at(s.n2_rstd), T, D,
                      p.pg);
        std::vector<float> dmid = ds2;
        mlp_unrecord(p, l, rec.at(s.mid), ds2.data(), dmid.data());
        std::vector<float> ds1 = zeros(n);
        norm_backward(r.norm, b.attn.norm, ds1.data(), dmid.data(), rec.at(s.s1), rec.at(s.n1_mean), rec.at(s.n1_rstd), T,
                      D, p.pg);
        dh = ds1;
        attention_unrecord(p, l, in, ds1.data(), dh.data(), dprobs, dgates);
    }
}

// The head on one row h (D): fills the head slots, returns nothing; logprobs end in rec.head.logprobs.
void head_record(Pass& p, const float* h) {
    const Body& body = p.body;
    const HeadWeights& hw = body.head;
    GradRecord& rec = p.rec;
    const HeadSlots& s = rec.head;
    const int D = rec.D;
    const float eps = body.recipe.eps;
    const float* x = h;
    if (!hw.final_norm.w.values.empty()) {
        norm_forward(body.recipe.norm, eps, hw.final_norm, h, 1, D, rec.at(s.fn_out), rec.at(s.fn_mean), rec.at(s.fn_rstd));
        x = rec.at(s.fn_out);
    }
    if (!hw.transform.w.empty()) {
        dense_forward(hw.transform, x, 1, rec.at(s.tr_pre));
        activation_forward(hw.transform_activation, rec.at(s.tr_act), rec.at(s.tr_pre), D);
        layernorm_forward(rec.at(s.tn_out), rec.at(s.tn_mean), rec.at(s.tn_rstd), rec.at(s.tr_act),
                          hw.transform_norm.w.data(), hw.transform_norm.b.data(), eps, 1, D);
        x = rec.at(s.tn_out);
    }
    float* logprobs = rec.at(s.logprobs);
    linear_forward_stored(logprobs, x, body.unembed(), hw.bias.data(), 1);
    logsoftmax_forward(logprobs, logprobs, 1, rec.V);
}

// dlogits (V) -> dh (D) += for the row h the head read.
void head_unrecord(Pass& p, const float* h, const float* dlogits, float* dh) {
    const Body& body = p.body;
    const HeadWeights& hw = body.head;
    GradRecord& rec = p.rec;
    const HeadSlots& s = rec.head;
    const int D = rec.D;
    const bool final_norm = !hw.final_norm.w.values.empty(), transform = !hw.transform.w.empty();
    const float* x_fn = final_norm ? rec.at(s.fn_out) : h;   // the transform's (or unembedding's) input
    const float* x_un = transform ? rec.at(s.tn_out) : x_fn;
    std::vector<float> dx = zeros(D);   // d score / d (the unembedding's input)
    linear_backward_input(dx.data(), dlogits, body.unembed(), 1);
    if (p.pg.on()) {
        const Matrix& un = hw.unembed.empty() ? body.embed.token : hw.unembed;
        linear_backward_fast(nullptr, p.pg.of(un), p.pg.of(hw.bias), dlogits, x_un, nullptr, 1, D, rec.V, un.view.layout);
    }
    if (transform) {
        std::vector<float> dact = zeros(D), dpre = zeros(D), dtr = zeros(D);
        layernorm_backward(dact.data(), p.pg.of(hw.transform_norm.w), p.pg.of(hw.transform_norm.b), dx.data(),
                           rec.at(s.tr_act), hw.transform_norm.w.data(), rec.at(s.tn_mean), rec.at(s.tn_rstd), 1, D);
        activation_backward(hw.transform_activation, dpre.data(), dact.data(), rec.at(s.tr_pre), D);
        dense_backward(hw.transform, dtr.data(), dpre.data(), x_fn, 1, p.pg);
        dx.swap(dtr);
    }
    if (final_norm)
        norm_backward(body.recipe.norm, hw.final_norm, dh, dx.data(), h, rec.at(s.fn_mean), rec.at(s.fn_rstd), 1, D, p.pg);
    else
        for (int i = 0; i < D; ++i) dh[i] += dx[i];
}

// Embeddings: rec.e -> hidden[0].
void embed_record(Pass& p, const std::vector<int32_t>& ids) {
    const Body& body = p.body;
    GradRecord& rec = p.rec;
    const int T = rec.T, D = rec.D;
    float* h0 = rec.at(rec.hidden[0]);
    if (!body.embed.norm.w.values.empty()) {
        body_embed_sum(body, ids, rec.at(rec.e), rec.at(rec.emb_sum));
        layernorm_forward(h0, rec.at(rec.emb_mean), rec.at(rec.emb_rstd), rec.at(rec.emb_sum), body.embed.norm.w.data(),
                          body.embed.norm.b.data(), body.recipe.eps, T, D);
    } else {
        body_embed_sum(body, ids, rec.at(rec.e), h0);
    }
    observe(p, "embed", T, D, h0);
}

// dh0 (T, D) -> d_token_embeds (T, D) =; parameter gradients of the tables.
void embed_unrecord(Pass& p, const std::vector<int32_t>& ids, bool looked_up, const std::vector<float>& dh0,
                    std::vector<float>& d_token_embeds) {
    const Body& body = p.body;
    const EmbedWeights& e = body.embed;
    GradRecord& rec = p.rec;
    const int T = rec.T, D = rec.D;
    std::vector<float> dsum = dh0;   // d score / d (token_scale * e + position + type)
    if (!e.norm.w.values.empty()) {
        std::fill(dsum.begin(), dsum.end(), 0.0f);
        layernorm_backward(dsum.data(), p.pg.of(e.norm.w), p.pg.of(e.norm.b), dh0.data(), rec.at(rec.emb_sum),
                           e.norm.w.data(), rec.at(rec.emb_mean), rec.at(rec.emb_rstd), T, D);
    }
    d_token_embeds.resize(dsum.size());
    for (size_t i = 0; i < dsum.size(); ++i) d_token_embeds[i] = e.token_scale * dsum[i];
    if (!p.pg.on()) return;
    if (float* g = looked_up ? p.pg.of(e.token) : nullptr)
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < D; ++i) g[static_cast<size_t>(ids[t]) * D + i] += d_token_embeds[static_cast<size_t>(t) * D + i];
    if (float* g = p.pg.of(e.position)) {
        const std::vector<int> positions = body_positions(body, ids);
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < D; ++i) g[static_cast<size_t>(positions[t]) * D + i] += dsum[static_cast<size_t>(t) * D + i];
    }
    if (float* g = p.pg.of(e.token_type))
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < D; ++i) g[i] += dsum[static_cast<size_t>(t) * D + i];
}

int argmax(const float* x, int n) { return static_cast<int>(std::max_element(x, x + n) - x); }

// default_position: where to score when the request names no position.
GradResult gradients_run(const Body& body, const std::vector<int32_t>& ids, const GradRequest& request,
                         int default_position) {
    const int T = static_cast<int>(ids.size());
    GradRecord rec = grad_record_plan(body, T);
    const int D = rec.D, V = rec.V, L = rec.L, H = rec.H;
    const std::string who = "model_gradients: ";
    for (int t = 0; t < T; ++t)
        if (ids[t] < 0 || ids[t] >= body.embed.token.view.rows)
            throw Error(who + "token id " + std::to_string(ids[t]) + " at position " + std::to_string(t) +
                        " is outside the vocabulary (" + std::to_string(body.embed.token.view.rows) + " tokens)");
    if (!request.token_embeds.empty() && request.token_embeds.size() != static_cast<size_t>(T) * D)
        throw Error(who + "token_embeds has " + std::to_string(request.token_embeds.size()) + " values, expected T x D = " +
                    std::to_string(T) + " x " + std::to_string(D));
    GradResult res;
    res.position = request.score.position < 0 ? default_position : request.score.position;
    if (res.position >= T)
        throw Error(who + "score position " + std::to_string(res.position) + " is outside the input (" + std::to_string(T) +
                    " tokens)");
    if (request.score.target >= V || request.score.target < -1)
        throw Error(who + "target token " + std::to_string(request.score.target) + " is outside the vocabulary (" +
                    std::to_string(V) + " tokens)");
    if (request.score.foil >= V)
        throw Error(who + "foil token " + std::to_string(request.score.foil) + " is outside the vocabulary (" +
                    std::to_string(V) + " tokens)");

    ParamGradients pg(request.backward && request.want_param_grads);
    Pass p{body, request.hooks, rec, pg, {}, {}, {}};
    pass_prepare(p);

    // Forward.
    if (request.token_embeds.empty())
        body_token_rows(body, ids, rec.at(rec.e));
    else
        std::copy(request.token_embeds.begin(), request.token_embeds.end(), rec.at(rec.e));
    embed_record(p, ids);
    for (int l = 0; l < L; ++l) block_record(p, l);
    const float* h_row = rec.at(rec.hidden[L]) + static_cast<size_t>(res.position) * D;
    head_record(p, h_row);
    const float* logprobs = rec.at(rec.head.logprobs);
    res.target = request.score.target >= 0 ? request.score.target : argmax(logprobs, V);
    res.foil = request.score.foil >= 0 ? request.score.foil : -1;
    res.score = score_forward(logprobs, res.target, res.foil);
    res.target_logprob = logprobs[res.target];
    res.foil_logprob = res.foil >= 0 ? logprobs[res.foil] : 0.0f;
    res.logprobs.assign(logprobs, logprobs + V);
    res.token_embeds.assign(rec.at(rec.e), rec.at(rec.e) + static_cast<size_t>(T) * D);
    const size_t plane = static_cast<size_t>(T) * T;
    if (request.capture_attentions) {
        res.attentions = AttentionTensor{L, H, T, T, body.recipe.causal, {}};
        res.attentions.probs.resize(static_cast<size_t>(L) * H * plane);
        for (int l = 0; l < L; ++l)
            std::copy_n(rec.at(rec.layers[l].probs), H * plane, res.attentions.probs.data() + l * H * plane);
    }
    if (!request.backward) return res;

    // Backward, the record in reverse.
    std::vector<float> dlogits = zeros(V);
    score_backward(dlogits.data(), logprobs, V, res.target, res.foil, 1.0f);
    std::vector<float> dh = zeros(static_cast<size_t>(T) * D);
    head_unrecord(p, h_row, dlogits.data(), dh.data() + static_cast<size_t>(res.position) * D);
    res.d_attentions.assign(static_cast<size_t>(L) * H * plane, 0.0f);
    res.d_head_gates.assign(static_cast<size_t>(L) * H, 0.0f);
    for (int l = L - 1; l >= 0; --l)
        block_unrecord(p, l, dh, res.d_attentions.data() + l * H * plane, res.d_head_gates.data() + l * H);
    embed_unrecord(p, ids, request.token_embeds.empty(), dh, res.d_token_embeds);
    if (pg.on()) res.param_grads = pg.collect(body);
    return res;
}

}  // namespace

int score_position_default(const Model& model, const std::vector<int32_t>& ids) {
    const int last = static_cast<int>(ids.size()) - 1;
    if (model.info().causal || model.info().encoder_decoder) return last;
    for (const char* name : {"[MASK]", "<mask>"})
        if (std::optional<int32_t> mask = model.tokenizer.token_to_id(name))
            for (size_t t = 0; t < ids.size(); ++t)
                if (ids[t] == *mask) return static_cast<int>(t);
    return last;
}

Expected<GradResult> model_gradients(const Model& model, const std::vector<int32_t>& ids, const GradRequest& request) {
    const Body* body = model.network->body();
    if (!body)
        return make_error("model_gradients: " + model.info().architecture +
                          " is an encoder-decoder model; gradients are computed for decoder-only and encoder models");
    if (ids.empty()) return make_error("model_gradients: the input has no tokens");
    if (static_cast<int>(ids.size()) > model.info().n_ctx)
        return make_error("model_gradients: the input has " + std::to_string(ids.size()) +
                          " tokens, more than the model's context of " + std::to_string(model.info().n_ctx));
    return catch_errors([&] { return gradients_run(*body, ids, request, score_position_default(model, ids)); });
}

Expected<GradResult> body_gradients(const Body& body, const std::vector<int32_t>& ids, const GradRequest& request) {
    if (ids.empty()) return make_error("model_gradients: the input has no tokens");
    return catch_errors([&] { return gradients_run(body, ids, request, static_cast<int>(ids.size()) - 1); });
}

Expected<std::vector<float>> model_lens_logits(const Model& model, const float* hidden, int T) {
    const Body* body = model.network->body();
    if (!body)
        return make_error("model_lens_logits: " + model.info().architecture +
                          " is an encoder-decoder model; the logit lens reads decoder-only and encoder models");
    const int D = body->n_embd();
    std::vector<float> rows(hidden, hidden + static_cast<size_t>(T) * D);   // (T, D)
    if (!body->head.final_norm.w.values.empty()) norm_apply(body->recipe, body->head.final_norm, rows.data(), T, D, rows.data());
    std::vector<float> logits(static_cast<size_t>(T) * body->unembed().n_out());   // (T, V)
    body_head_logits(*body, rows.data(), T, logits.data());
    return logits;
}

}  // namespace attn
