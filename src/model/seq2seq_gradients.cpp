// The encoder-decoder differentiable pass (seq2seq_gradients.h). Both stacks are post-LN blocks as in
// block.cpp; the decoder's blocks add a cross-attention sublayer whose keys and values come from the
// encoder's output, so the backward walks the decoder first and hands the summed gradient of that output
// (every decoder layer reads it) to the encoder. Linear layers and norms go through the differentiable
// pass's stored-dtype-aware helpers (grad_pass.h); attention (self and cross: n_key = S) through
// core/nn_attention's forward/backward pair. Every function is a template on Real so the same code runs in
// double for the finite-difference tests.
#include "model/seq2seq_gradients.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/nn_act.h"
#include "core/nn_loss.h"
#include "model/grad_pass.h"

namespace attn {
namespace {

using grad::Pass;
using grad::zeros;

template <typename Real>
struct AttnRec {
    std::vector<Real> q, k, v;   // (T, H*hd), (S, H*hd), (S, H*hd)
    std::vector<Real> probs;     // (H, T, S)
    std::vector<Real> ctx;       // (T, H*hd) the output projection's input
};

// One post-LN layer: in -> s1 = in + self(in) -> mid1 = norm1(s1) [-> sx = mid1 + cross(mid1, memory) ->
// midx = norm_x(sx)] -> s2 = x + mlp(x) -> out = norm2(s2), x being the last of mid1 / midx.
template <typename Real>
struct LayerRec {
    AttnRec<Real> self, cross;
    std::vector<Real> in, s1, mid1, m1, r1, sx, midx, mx, rx, f, act, s2, m2, r2;
};

template <typename Real>
struct StackRec {
    std::vector<Real> sum, mean, rstd;   // (T, D) the embedding norm's input; (T) its statistics
    std::vector<LayerRec<Real>> layers;
};

AttentionSpec attention_spec(const BlockRecipe& r, const BlockWeights& b, int T, int S, bool causal) {
    AttentionSpec s;
    s.n_query = T;
    s.n_key = S;
    s.n_head = r.n_head;
    s.n_kv_head = r.n_kv_head;
    s.head_dim = r.head_dim;
    s.scale = b.attn_scale > 0.0f ? b.attn_scale : 1.0f / std::sqrt(static_cast<float>(r.head_dim));
    s.causal = causal;
    return s;
}

// Stored row r of m, in Real.
template <typename Real>
void matrix_row(Pass<Real>& p, const Matrix& m, int r, Real* out) {
    if constexpr (std::is_same<Real, float>::value) {
        weight_row_f32(m.view, r, out);
    } else {
        const double* w = p.mat(m) + static_cast<size_t>(r) * m.view.cols;
        std::copy(w, w + m.view.cols, out);
    }
}

// Queries from x (T, D), keys and values from kv (S, D); a (T, D) = the output projection of the context.
template <typename Real>
void attention_record(Pass<Real>& p, const AttentionBlock& w, const AttentionSpec& s, const Real* x, const Real* kv,
                      AttnRec<Real>& r, Real* a) {
    const int T = s.n_query, S = s.n_key;
    const size_t qd = static_cast<size_t>(s.n_head) * s.head_dim, kvd = static_cast<size_t>(s.n_kv_head) * s.head_dim;
    r.q.assign(T * qd, Real(0));
    r.k.assign(S * kvd, Real(0));
    r.v.assign(S * kvd, Real(0));
    r.probs.assign(static_cast<size_t>(s.n_head) * T * S, Real(0));
    r.ctx.assign(T * qd, Real(0));
    grad::dense_forward(p, w.q, x, T, r.q.data());
    grad::dense_forward(p, w.k, kv, S, r.k.data());
    grad::dense_forward(p, w.v, kv, S, r.v.data());
    attention_forward_fast(r.ctx.data(), r.probs.data(), r.q.data(), r.k.data(), r.v.data(), static_cast<const Real*>(nullptr), s);
    grad::dense_forward(p, w.out, r.ctx.data(), T, a);
}

// da (T, D) -> dx (T, D) += through the queries, dkv (S, D) += through the keys and values.
template <typename Real>
void attention_unrecord(Pass<Real>& p, const AttentionBlock& w, const AttentionSpec& s, const Real* x, const Real* kv,
                        const AttnRec<Real>& r, const Real* da, Real* dx, Real* dkv) {
    const int T = s.n_query, S = s.n_key;
    std::vector<Real> dctx = zeros<Real>(r.ctx.size()), dq = zeros<Real>(r.q.size()), dk = zeros<Real>(r.k.size()),
                      dv = zeros<Real>(r.v.size());
    grad::dense_backward(p, w.out, dctx.data(), da, r.ctx.data(), T);
    attention_backward_fast(dq.data(), dk.data(), dv.data(), static_cast<Real*>(nullptr), static_cast<Real*>(nullptr),
                            dctx.data(), r.q.data(), r.k.data(), r.v.data(), r.probs.data(), static_cast<const Real*>(nullptr), s);
    grad::dense_backward(p, w.q, dx, dq.data(), x, T);
    grad::dense_backward(p, w.k, dkv, dk.data(), kv, S);
    grad::dense_backward(p, w.v, dkv, dv.data(), kv, S);
}

// h (T, D) -> the layer's output, in place; memory (S, D) the encoder's output when the recipe has cross attention.
template <typename Real>
void layer_record(Pass<Real>& p, const BlockRecipe& r, const BlockWeights& b, LayerRec<Real>& L, std::vector<Real>& h, int T,
                  int D, const Real* memory, int S) {
    const long n = static_cast<long>(T) * D;
    const int F = b.ffn.fc1.w.view.n_out();
    auto norm = [&](const Norm& w, const std::vector<Real>& in, std::vector<Real>& out, std::vector<Real>& mean,
                    std::vector<Real>& rstd) {
        out.assign(n, Real(0));
        mean.assign(T, Real(0));
        rstd.assign(T, Real(0));
        grad::norm_forward(p, r.norm, w, in.data(), T, D, out.data(), mean.data(), rstd.data());
    };
    L.in = h;
    std::vector<Real> a(n);   // (T, D) a sublayer's output
    attention_record(p, b.attn, attention_spec(r, b, T, T, r.causal), L.in.data(), L.in.data(), L.self, a.data());
    L.s1.assign(n, Real(0));
    residual_forward(L.s1.data(), L.in.data(), a.data(), n);
    norm(b.attn.norm, L.s1, L.mid1, L.m1, L.r1);
    const std::vector<Real>* x = &L.mid1;
    if (r.cross) {
        attention_record(p, b.cross, attention_spec(r, b, T, S, false), L.mid1.data(), memory, L.cross, a.data());
        L.sx.assign(n, Real(0));
        residual_forward(L.sx.data(), L.mid1.data(), a.data(), n);
        norm(b.cross.norm, L.sx, L.midx, L.mx, L.rx);
        x = &L.midx;
    }
    L.f.assign(static_cast<size_t>(T) * F, Real(0));
    L.act.assign(L.f.size(), Real(0));
    grad::dense_forward(p, b.ffn.fc1, x->data(), T, L.f.data());
    activation_forward(r.activation, L.act.data(), L.f.data(), static_cast<long>(L.f.size()));
    grad::dense_forward(p, b.ffn.fc2, L.act.data(), T, a.data());
    L.s2.assign(n, Real(0));
    residual_forward(L.s2.data(), x->data(), a.data(), n);
    norm(b.ffn.norm, L.s2, h, L.m2, L.r2);
}

// dh (T, D): d loss / d output in, d loss / d input out; dmemory (S, D) += through cross attention.
template <typename Real>
void layer_unrecord(Pass<Real>& p, const BlockRecipe& r, const BlockWeights& b, const LayerRec<Real>& L, std::vector<Real>& dh,
                    int T, int D, const Real* memory, int S, Real* dmemory) {
    const size_t n = static_cast<size_t>(T) * D;
    std::vector<Real> ds2 = zeros<Real>(n);
    grad::norm_backward(p, r.norm, b.ffn.norm, ds2.data(), dh.data(), L.s2.data(), L.m2.data(), L.r2.data(), T, D);
    const std::vector<Real>& x = r.cross ? L.midx : L.mid1;
    std::vector<Real> dx = ds2, dact = zeros<Real>(L.act.size()), df = zeros<Real>(L.f.size());
    grad::dense_backward(p, b.ffn.fc2, dact.data(), ds2.data(), L.act.data(), T);
    activation_backward_fast(r.activation, df.data(), dact.data(), L.f.data(), static_cast<long>(L.f.size()));
    grad::dense_backward(p, b.ffn.fc1, dx.data(), df.data(), x.data(), T);
    std::vector<Real> dmid1 = dx;
    if (r.cross) {
        std::vector<Real> dsx = zeros<Real>(n);
        grad::norm_backward(p, r.norm, b.cross.norm, dsx.data(), dx.data(), L.sx.data(), L.mx.data(), L.rx.data(), T, D);
        dmid1 = dsx;
        attention_unrecord(p, b.cross, attention_spec(r, b, T, S, false), L.mid1.data(), memory, L.cross, dsx.data(),
                           dmid1.data(), dmemory);
    }
    std::vector<Real> ds1 = zeros<Real>(n);
    grad::norm_backward(p, r.norm, b.attn.norm, ds1.data(), dmid1.data(), L.s1.data(), L.m1.data(), L.r1.data(), T, D);
    dh = ds1;
    attention_unrecord(p, b.attn, attention_spec(r, b, T, T, r.causal), L.in.data(), L.in.data(), L.self, ds1.data(),
                       dh.data(), dh.data());
}

// h (T, D) = LayerNorm(tokens[ids] * embed_scale + positions[t + offset]).
template <typename Real>
void embed_record(Pass<Real>& p, const BartWeights& w, const Matrix& tokens, const Matrix& positions, const Norm& norm,
                  const std::vector<int32_t>& ids, StackRec<Real>& s, std::vector<Real>& h) {
    const int T = static_cast<int>(ids.size()), D = tokens.view.cols;
    s.sum.assign(static_cast<size_t>(T) * D, Real(0));
    std::vector<Real> row(D);
    for (int t = 0; t < T; ++t) {
        Real* st = s.sum.data() + static_cast<size_t>(t) * D;
        matrix_row(p, tokens, ids[t], row.data());
        for (int i = 0; i < D; ++i) st[i] = static_cast<Real>(w.embed_scale) * row[i];
        matrix_row(p, positions, t + w.position_offset, row.data());
        for (int i = 0; i < D; ++i) st[i] += row[i];
    }
    h.assign(s.sum.size(), Real(0));
    s.mean.assign(T, Real(0));
    s.rstd.assign(T, Real(0));
    grad::norm_forward(p, NormKind::layer_norm, norm, s.sum.data(), T, D, h.data(), s.mean.data(), s.rstd.data());
}

// dh (T, D) -> the gradients of the token rows, the position rows and the embedding norm.
template <typename Real>
void embed_unrecord(Pass<Real>& p, const BartWeights& w, const Matrix& tokens, const Matrix& positions, const Norm& norm,
                    const std::vector<int32_t>& ids, const StackRec<Real>& s, const std::vector<Real>& dh) {
    const int T = static_cast<int>(ids.size()), D = tokens.view.cols;
    std::vector<Real> dsum = zeros<Real>(dh.size());
    grad::norm_backward(p, NormKind::layer_norm, norm, dsum.data(), dh.data(), s.sum.data(), s.mean.data(), s.rstd.data(), T, D);
    Real* gt = p.pg.of(tokens);
    Real* gp = p.pg.of(positions);
    for (int t = 0; t < T; ++t)
        for (int i = 0; i < D; ++i) {
            const Real d = dsum[static_cast<size_t>(t) * D + i];
            if (gt) gt[static_cast<size_t>(ids[t]) * D + i] += static_cast<Real>(w.embed_scale) * d;
            if (gp) gp[static_cast<size_t>(t + w.position_offset) * D + i] += d;
        }
}

void check_ids(const std::vector<int32_t>& ids, int V, int max_len, const char* what) {
    const std::string who = "seq2seq_loss_gradients: ";
    if (ids.empty()) throw Error(who + "the " + what + " has no tokens");
    if (static_cast<int>(ids.size()) > max_len)
        throw Error(who + "the " + what + " has " + std::to_string(ids.size()) + " tokens, more than the model's context of " +
                    std::to_string(max_len));
    for (size_t t = 0; t < ids.size(); ++t)
        if (ids[t] < 0 || ids[t] >= V)
            throw Error(who + what + " token id " + std::to_string(ids[t]) + " at position " + std::to_string(t) +
                        " is outside the vocabulary (" + std::to_string(V) + " tokens)");
}

template <typename Real>
LossResult loss_run(const BartWeights& w, const std::vector<int32_t>& source, const std::vector<int32_t>& decoder_ids,
                    const std::vector<int32_t>& labels, Real scale, ParamGradients<Real>* grads) {
    const Matrix& unembed = w.unembed();
    const int V = unembed.view.n_out(), D = w.enc_embed.view.cols;
    const int S = static_cast<int>(source.size()), T = static_cast<int>(decoder_ids.size());
    check_ids(source, w.enc_embed.view.rows, w.enc_pos.view.rows - w.position_offset, "source");
    check_ids(decoder_ids, w.dec_embed.view.rows, w.dec_pos.view.rows - w.position_offset, "decoder input");
    if (labels.size() != decoder_ids.size())
        throw Error("seq2seq_loss_gradients: " + std::to_string(labels.size()) + " labels for " + std::to_string(T) +
                    " decoder positions");
    for (int32_t l : labels)
        if (l < -1 || l >= V)
            throw Error("seq2seq_loss_gradients: label " + std::to_string(l) + " is outside the vocabulary (" +
                        std::to_string(V) + " tokens)");

    ParamGradients<Real> off(false);
    ParamGradients<Real>& pg = grads ? *grads : off;
    Body norms_only;   // the helpers read their norm epsilon from a Body's recipe
    norms_only.recipe = w.enc_recipe;
    GradRecord<Real> unused;
    ForwardHooks no_hooks;
    Pass<Real> p{norms_only, no_hooks, unused, pg, {}, {}, {}, {}};

    StackRec<Real> er, dr;
    std::vector<Real> enc, dec;   // (S, D), (T, D)
    embed_record(p, w, w.enc_embed, w.enc_pos, w.enc_embed_norm, source, er, enc);
    er.layers.resize(w.enc.size());
    for (size_t l = 0; l < w.enc.size(); ++l) layer_record(p, w.enc_recipe, w.enc[l], er.layers[l], enc, S, D, static_cast<const Real*>(nullptr), 0);
    embed_record(p, w, w.dec_embed, w.dec_pos, w.dec_embed_norm, decoder_ids, dr, dec);
    dr.layers.resize(w.dec.size());
    for (size_t l = 0; l < w.dec.size(); ++l) layer_record(p, w.dec_recipe, w.dec[l], dr.layers[l], dec, T, D, enc.data(), S);

    std::vector<Real> logprobs(static_cast<size_t>(T) * V);   // (T, V)
    grad::linear_fwd(p, unembed, w.final_logits_bias, dec.data(), T, logprobs.data());
    logsoftmax_forward(logprobs.data(), logprobs.data(), T, V);
    LossResult res;
    res.predicted.assign(T, -1);
    std::vector<Real> dlogits = zeros<Real>(pg.on() ? logprobs.size() : 0);
    for (int t = 0; t < T; ++t) {
        if (labels[t] < 0) continue;
        const Real* lp = logprobs.data() + static_cast<size_t>(t) * V;
        res.predicted[t] = static_cast<int32_t>(std::max_element(lp, lp + V) - lp);
        res.loss -= static_cast<double>(lp[labels[t]]);
        res.n_labelled += 1;
        res.n_correct += res.predicted[t] == labels[t];
        if (pg.on()) score_backward(dlogits.data() + static_cast<size_t>(t) * V, lp, V, labels[t], -1, -scale);
    }
    if (!pg.on()) return res;

    std::vector<Real> ddec = zeros<Real>(dec.size()), denc = zeros<Real>(enc.size());
    grad::linear_bwd(p, unembed, w.final_logits_bias, ddec.data(), dlogits.data(), dec.data(), T);
    for (size_t l = w.dec.size(); l-- > 0;)
        layer_unrecord(p, w.dec_recipe, w.dec[l], dr.layers[l], ddec, T, D, enc.data(), S, denc.data());
    embed_unrecord(p, w, w.dec_embed, w.dec_pos, w.dec_embed_norm, decoder_ids, dr, ddec);
    for (size_t l = w.enc.size(); l-- > 0;)
        layer_unrecord(p, w.enc_recipe, w.enc[l], er.layers[l], denc, S, D, static_cast<const Real*>(nullptr), 0,
                       static_cast<Real*>(nullptr));
    embed_unrecord(p, w, w.enc_embed, w.enc_pos, w.enc_embed_norm, source, er, denc);
    return res;
}

}  // namespace

Expected<LossResult> seq2seq_loss_gradients(const BartWeights& w, const std::vector<int32_t>& source,
                                            const std::vector<int32_t>& decoder_ids, const std::vector<int32_t>& labels,
                                            float scale, ParamGradients<float>* grads) {
    return catch_errors([&] { return loss_run<float>(w, source, decoder_ids, labels, scale, grads); });
}

Expected<LossResult> seq2seq_loss_gradients_f64(const BartWeights& w, const std::vector<int32_t>& source,
                                                const std::vector<int32_t>& decoder_ids,
                                                const std::vector<int32_t>& labels, double scale,
                                                ParamGradients<double>* grads) {
    return catch_errors([&] { return loss_run<double>(w, source, decoder_ids, labels, scale, grads); });
}

}  // namespace attn
