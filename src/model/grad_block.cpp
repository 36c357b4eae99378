// One block of the differentiable pass, forward into the activations record and backward out of it,
// pre-LN and post-LN written once: attention (RoPE, GQA, gates, knockouts) and the MLP (plain or gated)
// as record/unrecord pairs, the layer's residual adds and norms around them. The head, embeddings and the
// loop over layers are gradients.cpp's.
#include "model/grad_block.h"

#include <algorithm>
#include <cmath>

#include "core/nn_act.h"

namespace attn {
namespace grad {
namespace {

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
    attention_forward_fast(rec.at(s.ctx), rec.at(s.probs), q, k, v, p.gates[l].data(), p.specs[l]);
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
    attention_backward_fast(dq.data(), dk.data(), dv.data(), dprobs, dgates, dctx.data(), rec.at(s.q), rec.at(s.k),
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
        activation_backward_fast(r.activation, df.data(), daf.data(), rec.at(s.f), n);
        dense_backward(p, w.up, dx, du.data(), x, T);
    } else {
        activation_backward_fast(r.activation, df.data(), dact.data(), rec.at(s.f), n);
    }
    dense_backward(p, w.fc1, dx, df.data(), x, T);
}

}  // namespace

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

template void pass_prepare<float>(Pass<float>&);
template void pass_prepare<double>(Pass<double>&);
template void block_record<float>(Pass<float>&, int);
template void block_record<double>(Pass<double>&, int);
template void block_unrecord<float>(Pass<float>&, int, std::vector<float>&, float*, float*);
template void block_unrecord<double>(Pass<double>&, int, std::vector<double>&, double*, double*);

}  // namespace grad
}  // namespace attn
