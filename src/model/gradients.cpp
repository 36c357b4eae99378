// The differentiable pass (gradients.h) over any Body: a forward with the core/nn_* operations in f32
// that fills the activations record (grad_record.h), the score on the scored row, and a backward that
// walks the record in reverse: head -> blocks -> embeddings. Weights stay in their stored dtype: the
// forward multiplies with linear_forward_stored and input gradients use linear_backward_input, so 16-bit
// checkpoints are widened block by block, never copied. The same code runs in double (weights widened
// once per pass) for whole-model finite-difference tests: every function is a template on Real.
#include "model/gradients.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <map>
#include <string>
#include <type_traits>

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

template <typename Real>
std::vector<Real> zeros(size_t n) { return std::vector<Real>(n, Real(0)); }

// Everything one pass needs besides the record.
template <typename Real>
struct Pass {
    const Body& body;
    const ForwardHooks& hooks;
    GradRecord<Real>& rec;
    ParamGradients<Real>& pg;
    std::vector<std::vector<Real>> gates;         // per layer (H): the gate of each head
    std::vector<std::vector<uint8_t>> visible;    // per layer (T, T): 0 = knocked out; empty: none
    std::vector<AttentionSpec> specs;             // per layer
    std::map<const void*, std::vector<double>> wide;   // double passes: each weight widened once

    // A norm weight or bias (null when absent) in Real.
    const Real* vec(const Tensor32& t) {
        if constexpr (std::is_same<Real, float>::value) {
            return t.data();
        } else {
            if (t.values.empty()) return nullptr;
            std::vector<double>& w = wide[t.values.data()];
            if (w.empty()) w.assign(t.values.begin(), t.values.end());
            return w.data();
        }
    }
    // Double passes only: a stored matrix widened to double, in its stored layout.
    const double* mat(const Matrix& m) {
        std::vector<double>& w = wide[m.view.data];
        if (w.empty()) {
            std::vector<float> row(m.view.cols);
            w.resize(static_cast<size_t>(m.view.rows) * m.view.cols);
            for (int r = 0; r < m.view.rows; ++r) {
                weight_row_f32(m.view, r, row.data());
                std::copy(row.begin(), row.end(), w.begin() + static_cast<size_t>(r) * m.view.cols);
            }
        }
        return w.data();
    }
    void observe(const std::string& name, int rows, int cols, const Real* data) {
        if (!hooks.observer) return;
        if constexpr (std::is_same<Real, float>::value) {
            hooks.observe(name, rows, cols, data);
        } else {
            std::vector<float> narrow(data, data + static_cast<size_t>(rows) * cols);
            hooks.observe(name, rows, cols, narrow.data());
        }
    }
};

// y (T, n_out) = x @ W + b: f32 in the stored dtype; double through the widened copy.
template <typename Real>
void linear_fwd(Pass<Real>& p, const Matrix& w, const Tensor32& b, const Real* x, int T, Real* y) {
    if constexpr (std::is_same<Real, float>::value)
        linear_forward_stored(y, x, w.view, b.data(), T);
    else
        linear_forward<double>(y, x, p.mat(w), p.vec(b), T, w.view.n_in(), w.view.n_out(), w.view.layout);
}

// dx (T, n_in) += dy @ W^T (dx may be null); the weight's and bias's gradients from the saved x when on.
template <typename Real>
void linear_bwd(Pass<Real>& p, const Matrix& w, const Tensor32& b, Real* dx, const Real* dy, const Real* x, int T) {
    const int n_in = w.view.n_in(), n_out = w.view.n_out();
    if constexpr (std::is_same<Real, float>::value) {
        if (dx) linear_backward_input(dx, dy, w.view, T);
        if (p.pg.on()) linear_backward_fast(nullptr, p.pg.of(w), p.pg.of(b), dy, x, nullptr, T, n_in, n_out, w.view.layout);
    } else {
        linear_backward<double>(dx, p.pg.of(w), p.pg.of(b), dy, x, p.mat(w), T, n_in, n_out, w.view.layout);
    }
}

const Matrix& unembed_matrix(const Body& body) { return body.head.unembed.empty() ? body.embed.token : body.head.unembed; }

template <typename Real>
void dense_forward(Pass<Real>& p, const Dense& d, const Real* x, int T, Real* y) {
    linear_fwd(p, d.w, d.b, x, T, y);
}

template <typename Real>
void dense_backward(Pass<Real>& p, const Dense& d, Real* dx, const Real* dy, const Real* x, int T) {
    linear_bwd(p, d.w, d.b, dx, dy, x, T);
}

// The recipe's norm, saving its statistics (mean unused by RMSNorm).
template <typename Real>
void norm_forward(Pass<Real>& p, NormKind kind, const Norm& n, const Real* in, int T, int D, Real* out, Real* mean,
                  Real* rstd) {
    const Real eps = static_cast<Real>(p.body.recipe.eps);
    if (kind == NormKind::rms_norm)
        rmsnorm_forward(out, rstd, in, p.vec(n.w), eps, T, D);
    else
        layernorm_forward(out, mean, rstd, in, p.vec(n.w), p.vec(n.b), eps, T, D);
}

template <typename Real>
void norm_backward(Pass<Real>& p, NormKind kind, const Norm& n, Real* din, const Real* dout, const Real* in,
                   const Real* mean, const Real* rstd, int T, int D) {
    if (kind == NormKind::rms_norm)
        rmsnorm_backward(din, p.pg.of(n.w), dout, in, p.vec(n.w), rstd, T, D);
    else
        layernorm_backward(din, p.pg.of(n.w), p.pg.of(n.b), dout, in, p.vec(n.w), mean, rstd, T, D);
}

template <typename Real>
void pass_prepare(Pass<Real>& p) {
    const BlockRecipe& r = p.body.recipe;
    const int T = p.rec.T, L = p.rec.L, H = p.rec.H;
    for (int l = 0; l < L; ++l) {
        std::vector<Real> g(H);
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
template <typename Real>
void attention_record(Pass<Real>& p, int l, const Real* x, Real* a) {
    const BlockRecipe& r = p.body.recipe;
    const AttentionBlock& w = p.body.blocks[l].attn;
    GradRecord<Real>& rec = p.rec;
    const LayerSlots& s = rec.layers[l];
    const int T = rec.T, qd = rec.H * rec.hd, kvd = rec.KV * rec.hd;
    Real *q = rec.at(s.q), *k = rec.at(s.k), *v = rec.at(s.v);
    if (!w.qkv.w.empty()) {
        std::vector<Real> qkv(static_cast<size_t>(T) * (qd + 2 * kvd));   // (T, q | k | v)
        dense_forward(p, w.qkv, x, T, qkv.data());
        for (int t = 0; t < T; ++t) {
            const Real* row = qkv.data() + static_cast<size_t>(t) * (qd + 2 * kvd);
            std::copy_n(row, qd, q + static_cast<size_t>(t) * qd);
            std::copy_n(row + qd, kvd, k + static_cast<size_t>(t) * kvd);
            std::copy_n(row + qd + kvd, kvd, v + static_cast<size_t>(t) * kvd);
        }
    } else {
        dense_forward(p, w.q, x, T, q);
        dense_forward(p, w.k, x, T, k);
        dense_forward(p, w.v, x, T, v);
    }
    if (r.rope_inv_freq) {
        rope_forward(q, q, T, rec.H, rec.hd, r.rotary_dim, 0, r.rope_inv_freq->data(), 1.0f);
        rope_forward(k, k, T, rec.KV, rec.hd, r.rotary_dim, 0, r.rope_inv_freq->data(), 1.0f);
    }
    p.observe("layer." + std::to_string(l) + ".values", T, kvd, v);
    attention_forward(rec.at(s.ctx), rec.at(s.probs), q, k, v, p.gates[l].data(), p.specs[l]);
    dense_forward(p, w.out, rec.at(s.ctx), T, a);
}

// da (T, D) -> dx (T, D) +=, d probs (H, T, T) and d gates (H) of this layer +=.
template <typename Real>
void attention_unrecord(Pass<Real>& p, int l, const Real* x, const Real* da, Real* dx, Real* dprobs, Real* dgates) {
    const BlockRecipe& r = p.body.recipe;
    const AttentionBlock& w = p.body.blocks[l].attn;
    GradRecord<Real>& rec = p.rec;
    const LayerSlots& s = rec.layers[l];
    const int T = rec.T, qd = rec.H * rec.hd, kvd = rec.KV * rec.hd;
    std::vector<Real> dctx = zeros<Real>(static_cast<size_t>(T) * qd);   // (T, H * hd)
    dense_backward(p, w.out, dctx.data(), da, rec.at(s.ctx), T);
    std::vector<Real> dq = zeros<Real>(dctx.size()), dk = zeros<Real>(static_cast<size_t>(T) * kvd), dv = zeros<Real>(dk.size());
    attention_backward(dq.data(), dk.data(), dv.data(), dprobs, dgates, dctx.data(), rec.at(s.q), rec.at(s.k),
                       rec.at(s.v), rec.at(s.probs), p.gates[l].data(), p.specs[l]);
    if (r.rope_inv_freq) {
        std::vector<Real> dq0 = zeros<Real>(dq.size()), dk0 = zeros<Real>(dk.size());   // before the rotation
        rope_backward(dq0.data(), dq.data(), T, rec.H, rec.hd, r.rotary_dim, 0, r.rope_inv_freq->data(), 1.0f);
        rope_backward(dk0.data(), dk.data(), T, rec.KV, rec.hd, r.rotary_dim, 0, r.rope_inv_freq->data(), 1.0f);
        dq.swap(dq0);
        dk.swap(dk0);
    }
    if (!w.qkv.w.empty()) {
        const int n = qd + 2 * kvd;
        std::vector<Real> dqkv(static_cast<size_t>(T) * n);   // (T, q | k | v)
        for (int t = 0; t < T; ++t) {
            Real* row = dqkv.data() + static_cast<size_t>(t) * n;
            std::copy_n(dq.data() + static_cast<size_t>(t) * qd, qd, row);
            std::copy_n(dk.data() + static_cast<size_t>(t) * kvd, kvd, row + qd);
            std::copy_n(dv.data() + static_cast<size_t>(t) * kvd, kvd, row + qd + kvd);
        }
        dense_backward(p, w.qkv, dx, dqkv.data(), x, T);
    } else {
        dense_backward(p, w.q, dx, dq.data(), x, T);
        dense_backward(p, w.k, dx, dk.data(), x, T);
        dense_backward(p, w.v, dx, dv.data(), x, T);
    }
}

// x (T, D) -> the layer's f, u, act slots; m (T, D) = the MLP output.
template <typename Real>
void mlp_record(Pass<Real>& p, int l, const Real* x, Real* m) {
    const BlockRecipe& r = p.body.recipe;
    const FeedForwardBlock& w = p.body.blocks[l].ffn;
    GradRecord<Real>& rec = p.rec;
    const LayerSlots& s = rec.layers[l];
    const int T = rec.T;
    const long n = static_cast<long>(T) * rec.F;
    dense_forward(p, w.fc1, x, T, rec.at(s.f));
    activation_forward(r.activation, rec.at(s.act), rec.at(s.f), n);
    if (r.mlp == MlpKind::gated) {
        dense_forward(p, w.up, x, T, rec.at(s.u));
        Real* act = rec.at(s.act);
        const Real* u = rec.at(s.u);
        for (long i = 0; i < n; ++i) act[i] *= u[i];
    }
    p.observe("layer." + std::to_string(l) + ".mlp_act", T, rec.F, rec.at(s.act));
    dense_forward(p, w.fc2, rec.at(s.act), T, m);
}

// dm (T, D) -> dx (T, D) +=.
template <typename Real>
void mlp_unrecord(Pass<Real>& p, int l, const Real* x, const Real* dm, Real* dx) {
    const BlockRecipe& r = p.body.recipe;
    const FeedForwardBlock& w = p.body.blocks[l].ffn;
    GradRecord<Real>& rec = p.rec;
    const LayerSlots& s = rec.layers[l];
    const int T = rec.T;
    const long n = static_cast<long>(T) * rec.F;
    std::vector<Real> dact = zeros<Real>(n);   // (T, F)
    dense_backward(p, w.fc2, dact.data(), dm, rec.at(s.act), T);
    std::vector<Real> df = zeros<Real>(n);     // (T, F)
    if (r.mlp == MlpKind::gated) {
        // act = a(f) * u: d a(f) = dact * u, du = dact * a(f), a(f) recomputed from the saved f.
        std::vector<Real> af(n), daf(n), du(n);
        activation_forward(r.activation, af.data(), rec.at(s.f), n);
        const Real* u = rec.at(s.u);
        for (long i = 0; i < n; ++i) {
            daf[i] = dact[i] * u[i];
            du[i] = dact[i] * af[i];
        }
        activation_backward(r.activation, df.data(), daf.data(), rec.at(s.f), n);
        dense_backward(p, w.up, dx, du.data(), x, T);
    } else {
        activation_backward(r.activation, df.data(), dact.data(), rec.at(s.f), n);
    }
    dense_backward(p, w.fc1, dx, df.data(), x, T);
}

// hidden[l] -> hidden[l + 1], filling the layer's slots.
template <typename Real>
void block_record(Pass<Real>& p, int l) {
    const BlockRecipe& r = p.body.recipe;
    const BlockWeights& b = p.body.blocks[l];
    GradRecord<Real>& rec = p.rec;
    const LayerSlots& s = rec.layers[l];
    const int T = rec.T, D = rec.D;
    const long n = static_cast<long>(T) * D;
    const std::string name = "layer." + std::to_string(l) + ".";
    const Real* in = rec.at(rec.hidden[l]);
    Real* out = rec.at(rec.hidden[l + 1]);
    std::vector<Real> sub(n);   // (T, D) a sublayer's output
    if (!r.post_ln) {
        norm_forward(p, r.norm, b.attn.norm, in, T, D, rec.at(s.x1), rec.at(s.n1_mean), rec.at(s.n1_rstd));
        attention_record(p, l, rec.at(s.x1), sub.data());
        p.observe(name + "attn_out", T, D, sub.data());
        residual_forward(rec.at(s.mid), in, sub.data(), n);
        p.observe(name + "resid_mid", T, D, rec.at(s.mid));
        norm_forward(p, r.norm, b.ffn.norm, rec.at(s.mid), T, D, rec.at(s.x2), rec.at(s.n2_mean), rec.at(s.n2_rstd));
        mlp_record(p, l, rec.at(s.x2), sub.data());
        p.observe(name + "mlp_out", T, D, sub.data());
        residual_forward(out, rec.at(s.mid), sub.data(), n);
    } else {
        attention_record(p, l, in, sub.data());
        p.observe(name + "attn_out", T, D, sub.data());
        residual_forward(rec.at(s.s1), in, sub.data(), n);
        norm_forward(p, r.norm, b.attn.norm, rec.at(s.s1), T, D, rec.at(s.mid), rec.at(s.n1_mean), rec.at(s.n1_rstd));
        p.observe(name + "resid_mid", T, D, rec.at(s.mid));
        mlp_record(p, l, rec.at(s.mid), sub.data());
        p.observe(name + "mlp_out", T, D, sub.data());
        residual_forward(rec.at(s.s2), rec.at(s.mid), sub.data(), n);
        norm_forward(p, r.norm, b.ffn.norm, rec.at(s.s2), T, D, out, rec.at(s.n2_mean), rec.at(s.n2_rstd));
    }
    p.observe(name + "out", T, D, out);
}

// dh (T, D): d score / d hidden[l + 1] in, d score / d hidden[l] out.
template <typename Real>
void block_unrecord(Pass<Real>& p, int l, std::vector<Real>& dh, Real* dprobs, Real* dgates) {
    const BlockRecipe& r = p.body.recipe;
    const BlockWeights& b = p.body.blocks[l];
    GradRecord<Real>& rec = p.rec;
    const LayerSlots& s = rec.layers[l];
    const int T = rec.T, D = rec.D;
    const size_t n = static_cast<size_t>(T) * D;
    const Real* in = rec.at(rec.hidden[l]);
    if (!r.post_ln) {
        // out = mid + mlp(norm2(mid)); mid = in + attn(norm1(in)).
        std::vector<Real> dmid = dh, dx = zeros<Real>(n);
        mlp_unrecord(p, l, rec.at(s.x2), dh.data(), dx.data());
        norm_backward(p, r.norm, b.ffn.norm, dmid.data(), dx.data(), rec.at(s.mid), rec.at(s.n2_mean), rec.at(s.n2_rstd), T,
                      D);
        std::fill(dx.begin(), dx.end(), 0.0f);
        attention_unrecord(p, l, rec.at(s.x1), dmid.data(), dx.data(), dprobs, dgates);
        dh = dmid;
        norm_backward(p, r.norm, b.attn.norm, dh.data(), dx.data(), in, rec.at(s.n1_mean), rec.at(s.n1_rstd), T, D);
    } else {
        // out = norm2(s2), s2 = mid + mlp(mid); mid = norm1(s1), s1 = in + attn(in).
        std::vector<Real> ds2 = zeros<Real>(n);
        norm_backward(p, r.norm, b.ffn.norm, ds2.data(), dh.data(), rec.at(s.s2), rec.at(s.n2_mean), rec.at(s.n2_rstd), T, D);
        std::vector<Real> dmid = ds2;
        mlp_unrecord(p, l, rec.at(s.mid), ds2.data(), dmid.data());
        std::vector<Real> ds1 = zeros<Real>(n);
        norm_backward(p, r.norm, b.attn.norm, ds1.data(), dmid.data(), rec.at(s.s1), rec.at(s.n1_mean), rec.at(s.n1_rstd), T,
                      D);
        dh = ds1;
        attention_unrecord(p, l, in, ds1.data(), dh.data(), dprobs, dgates);
    }
}

// The head on one row h (D): fills the head slots, returns nothing; logprobs end in rec.head.logprobs.
template <typename Real>
void head_record(Pass<Real>& p, const Real* h) {
    const Body& body = p.body;
    const HeadWeights& hw = body.head;
    GradRecord<Real>& rec = p.rec;
    const HeadSlots& s = rec.head;
    const int D = rec.D;
    const Real* x = h;
    if (!hw.final_norm.w.values.empty()) {
        norm_forward(p, body.recipe.norm, hw.final_norm, h, 1, D, rec.at(s.fn_out), rec.at(s.fn_mean), rec.at(s.fn_rstd));
        x = rec.at(s.fn_out);
    }
    if (!hw.transform.w.empty()) {
        dense_forward(p, hw.transform, x, 1, rec.at(s.tr_pre));
        activation_forward(hw.transform_activation, rec.at(s.tr_act), rec.at(s.tr_pre), D);
        layernorm_forward(rec.at(s.tn_out), rec.at(s.tn_mean), rec.at(s.tn_rstd), rec.at(s.tr_act),
                          p.vec(hw.transform_norm.w), p.vec(hw.transform_norm.b), static_cast<Real>(body.recipe.eps), 1, D);
        x = rec.at(s.tn_out);
    }
    Real* logprobs = rec.at(s.logprobs);
    linear_fwd(p, unembed_matrix(body), hw.bias, x, 1, logprobs);
    logsoftmax_forward(logprobs, logprobs, 1, rec.V);
}

// dlogits (V) -> dh (D) += for the row h the head read.
template <typename Real>
void head_unrecord(Pass<Real>& p, const Real* h, const Real* dlogits, Real* dh) {
    const Body& body = p.body;
    const HeadWeights& hw = body.head;
    GradRecord<Real>& rec = p.rec;
    const HeadSlots& s = rec.head;
    const int D = rec.D;
    const bool final_norm = !hw.final_norm.w.values.empty(), transform = !hw.transform.w.empty();
    const Real* x_fn = final_norm ? rec.at(s.fn_out) : h;   // the transform's (or unembedding's) input
    const Real* x_un = transform ? rec.at(s.tn_out) : x_fn;
    std::vector<Real> dx = zeros<Real>(D);   // d score / d (the unembedding's input)
    linear_bwd(p, unembed_matrix(body), hw.bias, dx.data(), dlogits, x_un, 1);
    if (transform) {
        std::vector<Real> dact = zeros<Real>(D), dpre = zeros<Real>(D), dtr = zeros<Real>(D);
        layernorm_backward(dact.data(), p.pg.of(hw.transform_norm.w), p.pg.of(hw.transform_norm.b), dx.data(),
                           rec.at(s.tr_act), p.vec(hw.transform_norm.w), rec.at(s.tn_mean), rec.at(s.tn_rstd), 1, D);
        activation_backward(hw.transform_activation, dpre.data(), dact.data(), rec.at(s.tr_pre), D);
        dense_backward(p, hw.transform, dtr.data(), dpre.data(), x_fn, 1);
        dx.swap(dtr);
    }
    if (final_norm)
        norm_backward(p, body.recipe.norm, hw.final_norm, dh, dx.data(), h, rec.at(s.fn_mean), rec.at(s.fn_rstd), 1, D);
    else
        for (int i = 0; i < D; ++i) dh[i] += dx[i];
}

// Embeddings: rec.e -> hidden[0].
template <typename Real>
void embed_record(Pass<Real>& p, const std::vector<int32_t>& ids) {
    const Body& body = p.body;
    GradRecord<Real>& rec = p.rec;
    const int T = rec.T, D = rec.D;
    const EmbedWeights& e = body.embed;
    Real* h0 = rec.at(rec.hidden[0]);
    Real* sum = e.norm.w.values.empty() ? h0 : rec.at(rec.emb_sum);   // token_scale * e + position + type
    const Real* rows = rec.at(rec.e);
    const Real* type = p.vec(e.token_type);
    std::vector<float> position(D);
    const std::vector<int> positions = e.position.empty() ? std::vector<int>{} : body_positions(body, ids);
    for (int t = 0; t < T; ++t) {
        Real* st = sum + static_cast<size_t>(t) * D;
        const Real* rt = rows + static_cast<size_t>(t) * D;
        for (int i = 0; i < D; ++i) st[i] = static_cast<Real>(e.token_scale) * rt[i];
        if (!e.position.empty()) {
            weight_row_f32(e.position.view, positions[t], position.data());
            for (int i = 0; i < D; ++i) st[i] += position[i];
        }
        if (type)
            for (int i = 0; i < D; ++i) st[i] += type[i];
    }
    if (!e.norm.w.values.empty())
        layernorm_forward(h0, rec.at(rec.emb_mean), rec.at(rec.emb_rstd), sum, p.vec(e.norm.w), p.vec(e.norm.b),
                          static_cast<Real>(body.recipe.eps), T, D);
    p.observe("embed", T, D, h0);
}

// dh0 (T, D) -> d_token_embeds (T, D) =; parameter gradients of the tables.
template <typename Real>
void embed_unrecord(Pass<Real>& p, const std::vector<int32_t>& ids, bool looked_up, const std::vector<Real>& dh0,
                    std::vector<Real>& d_token_embeds) {
    const Body& body = p.body;
    const EmbedWeights& e = body.embed;
    GradRecord<Real>& rec = p.rec;
    const int T = rec.T, D = rec.D;
    std::vector<Real> dsum = dh0;   // d score / d (token_scale * e + position + type)
    if (!e.norm.w.values.empty()) {
        std::fill(dsum.begin(), dsum.end(), 0.0f);
        layernorm_backward(dsum.data(), p.pg.of(e.norm.w), p.pg.of(e.norm.b), dh0.data(), rec.at(rec.emb_sum),
                           p.vec(e.norm.w), rec.at(rec.emb_mean), rec.at(rec.emb_rstd), T, D);
    }
    d_token_embeds.resize(dsum.size());
    for (size_t i = 0; i < dsum.size(); ++i) d_token_embeds[i] = e.token_scale * dsum[i];
    if (!p.pg.on()) return;
    if (Real* g = looked_up ? p.pg.of(e.token) : nullptr)
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < D; ++i) g[static_cast<size_t>(ids[t]) * D + i] += d_token_embeds[static_cast<size_t>(t) * D + i];
    if (Real* g = p.pg.of(e.position)) {
        const std::vector<int> positions = body_positions(body, ids);
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < D; ++i) g[static_cast<size_t>(positions[t]) * D + i] += dsum[static_cast<size_t>(t) * D + i];
    }
    if (Real* g = p.pg.of(e.token_type))
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < D; ++i) g[i] += dsum[static_cast<size_t>(t) * D + i];
}

template <typename Real>
int argmax(const Real* x, int n) { return static_cast<int>(std::max_element(x, x + n) - x); }

// default_position: where to score when the request names no position.
template <typename Real>
GradResult gradients_run(const Body& body, const std::vector<int32_t>& ids, const GradRequest& request,
                         int default_position) {
    const int T = static_cast<int>(ids.size());
    GradRecord<Real> rec = grad_record_plan<Real>(body, T);
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

    ParamGradients<Real> pg(request.backward && request.want_param_grads);
    Pass<Real> p{body, request.hooks, rec, pg, {}, {}, {}, {}};
    pass_prepare(p);

    // Forward.
    std::vector<float> rows = request.token_embeds;   // (T, D)
    if (rows.empty()) {
        rows.resize(static_cast<size_t>(T) * D);
        body_token_rows(body, ids, rows.data());
    }
    std::copy(rows.begin(), rows.end(), rec.at(rec.e));
    embed_record(p, ids);
    for (int l = 0; l < L; ++l) block_record(p, l);
    const Real* h_row = rec.at(rec.hidden[L]) + static_cast<size_t>(res.position) * D;
    head_record(p, h_row);
    const Real* logprobs = rec.at(rec.head.logprobs);
    res.target = request.score.target >= 0 ? request.score.target : argmax(logprobs, V);
    res.foil = request.score.foil >= 0 ? request.score.foil : -1;
    const Real score = score_forward(logprobs, res.target, res.foil);
    res.score = static_cast<float>(score);
    res.score_f64 = static_cast<double>(score);
    res.target_logprob = logprobs[res.target];
    res.foil_logprob = res.foil >= 0 ? logprobs[res.foil] : 0.0f;
    res.logprobs.assign(logprobs, logprobs + V);
    res.token_embeds = std::move(rows);
    const size_t plane = static_cast<size_t>(T) * T;
    if (request.capture_attentions) {
        res.attentions = AttentionTensor{L, H, T, T, body.recipe.causal, {}};
        res.attentions.probs.resize(static_cast<size_t>(L) * H * plane);
        for (int l = 0; l < L; ++l)
            std::copy_n(rec.at(rec.layers[l].probs), H * plane, res.attentions.probs.data() + l * H * plane);
    }
    if (!request.backward) return res;

    // Backward, the record in reverse.
    std::vector<Real> dlogits = zeros<Real>(V);
    score_backward(dlogits.data(), logprobs, V, res.target, res.foil, Real(1));
    std::vector<Real> dh = zeros<Real>(static_cast<size_t>(T) * D);
    head_unrecord(p, h_row, dlogits.data(), dh.data() + static_cast<size_t>(res.position) * D);
    std::vector<Real> dprobs = zeros<Real>(static_cast<size_t>(L) * H * plane), dgates = zeros<Real>(static_cast<size_t>(L) * H);
    for (int l = L - 1; l >= 0; --l) block_unrecord(p, l, dh, dprobs.data() + l * H * plane, dgates.data() + l * H);
    std::vector<Real> dtok;
    embed_unrecord(p, ids, request.token_embeds.empty(), dh, dtok);
    res.d_attentions.assign(dprobs.begin(), dprobs.end());
    res.d_head_gates.assign(dgates.begin(), dgates.end());
    res.d_token_embeds.assign(dtok.begin(), dtok.end());
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
    return catch_errors([&] { return gradients_run<float>(*body, ids, request, score_position_default(model, ids)); });
}

Expected<GradResult> body_gradients(const Body& body, const std::vector<int32_t>& ids, const GradRequest& request) {
    if (ids.empty()) return make_error("model_gradients: the input has no tokens");
    return catch_errors([&] { return gradients_run<float>(body, ids, request, static_cast<int>(ids.size()) - 1); });
}

Expected<GradResult> body_gradients_f64(const Body& body, const std::vector<int32_t>& ids, const GradRequest& request) {
    if (ids.empty()) return make_error("model_gradients: the input has no tokens");
    return catch_errors([&] { return gradients_run<double>(body, ids, request, static_cast<int>(ids.size()) - 1); });
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
