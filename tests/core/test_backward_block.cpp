// The ops compose: a one-layer GPT-2-style model (LayerNorm, learned positions, GELU, tied unembedding)
// and a Llama-style one (RMSNorm, RoPE, GQA, SwiGLU) written from core/nn_*.h, with the backward walking
// the forward in reverse; every parameter's gradient of the contrastive score checked against finite
// differences in double. This is the pattern the block engine follows, not the engine itself.
#include <doctest/doctest.h>

#include <cmath>
#include <utility>

#include "core/nn_act.h"
#include "core/nn_attention.h"
#include "core/nn_linear.h"
#include "core/nn_loss.h"
#include "core/nn_norm.h"
#include "finite_diff.h"
#include "model/rope.h"

using namespace attn;
using namespace attn_test;

namespace {

using Vec = std::vector<double>;
constexpr WeightLayout kOI = WeightLayout::out_in;

struct Params {
    Vec wte, wpe, ln1_w, ln1_b, wq, bq, wk, bk, wv, bv, wo, bo, ln2_w, ln2_b, fc_w, fc_b, up_w, proj_w, proj_b,
        lnf_w, lnf_b, gates;
    std::vector<std::pair<const char*, Vec*>> named() {
        return {{"wte", &wte},     {"wpe", &wpe},       {"ln1_w", &ln1_w},   {"ln1_b", &ln1_b}, {"wq", &wq},
                {"bq", &bq},       {"wk", &wk},         {"bk", &bk},         {"wv", &wv},       {"bv", &bv},
                {"wo", &wo},       {"bo", &bo},         {"ln2_w", &ln2_w},   {"ln2_b", &ln2_b}, {"fc_w", &fc_w},
                {"fc_b", &fc_b},   {"up_w", &up_w},     {"proj_w", &proj_w}, {"proj_b", &proj_b},
                {"lnf_w", &lnf_w}, {"lnf_b", &lnf_b},   {"gates", &gates}};
    }
};

struct TinyModel {
    bool llama = false;
    int T = 4, V = 7, C = 8, H = 2, H_kv = 2, D = 4, F = 12;
    std::vector<int> ids{3, 1, 6, 1};
    int target = 2, foil = 5;
    Params p;
    std::vector<float> inv_freq;
    AttentionSpec spec;
    // Saved activations, (rows, cols) per field.
    Vec x0, mean1, rstd1, n1, q, k, v, qr, kr, probs, att, o, x1, mean2, rstd2, n2, f, u, a, m, x2, meanf, rstdf, nf,
        logits, lp;  // (T,C) (T) (T) (T,C) (T,HD) (T,HkvD) (T,HkvD) rotated q,k; (H,T,T) (T,HD) (T,C) (T,C) ...

    TinyModel(bool llama_style, unsigned seed) : llama(llama_style) {
        if (llama) H_kv = 1;
        std::mt19937 rng(seed);
        const int HD = H * D, KD = H_kv * D;
        auto init = [&](Vec& w, int n, double spread = 0.5, double shift = 0.0) {
            w = random_values(n, rng, spread);
            for (double& x : w) x += shift;
        };
        init(p.wte, V * C, 1.0);
        init(p.wpe, T * C, 0.3);
        init(p.ln1_w, C, 0.2, 1.0);
        init(p.ln1_b, C, 0.2);
        init(p.wq, HD * C);
        init(p.bq, HD, 0.2);
        init(p.wk, KD * C);
        init(p.bk, KD, 0.2);
        init(p.wv, KD * C);
        init(p.bv, KD, 0.2);
        init(p.wo, C * HD);
        init(p.bo, C, 0.2);
        init(p.ln2_w, C, 0.2, 1.0);
        init(p.ln2_b, C, 0.2);
        init(p.fc_w, F * C);
        init(p.fc_b, F, 0.2);
        init(p.up_w, F * C);
        init(p.proj_w, C * F);
        init(p.proj_b, C, 0.2);
        init(p.lnf_w, C, 0.2, 1.0);
        init(p.lnf_b, C, 0.2);
        init(p.gates, H, 0.3, 1.0);
        inv_freq = rope_inv_freq(RopeConfig{10000.0, D});
        spec.n_query = spec.n_key = T;
        spec.n_head = H;
        spec.n_kv_head = H_kv;
        spec.head_dim = D;
        spec.scale = 1.0f / std::sqrt(static_cast<float>(D));
        spec.causal = true;
    }

    void norm_forward(Vec& out, Vec& mean, Vec& rstd, const Vec& in, const Vec& w, const Vec& b) {
        out.assign(T * C, 0.0);
        mean.assign(T, 0.0);
        rstd.assign(T, 0.0);
        if (llama) rmsnorm_forward(out.data(), rstd.data(), in.data(), w.data(), 1e-6, T, C);
        else layernorm_forward(out.data(), mean.data(), rstd.data(), in.data(), w.data(), b.data(), 1e-5, T, C);
    }
    void norm_backward(Vec& din, Vec& dw, Vec& db, const Vec& dout, const Vec& in, const Vec& w, const Vec& mean,
                       const Vec& rstd) {
        if (llama) rmsnorm_backward(din.data(), dw.data(), dout.data(), in.data(), w.data(), rstd.data(), T, C);
        else layernorm_backward(din.data(), dw.data(), db.data(), dout.data(), in.data(), w.data(), mean.data(),
                                rstd.data(), T, C);
    }
    void lin(Vec& out, const Vec& in, const Vec& w, const Vec* b, int c_in, int c_out) {
        out.assign(static_cast<size_t>(T) * c_out, 0.0);
        linear_forward(out.data(), in.data(), w.data(), b && !llama ? b->data() : nullptr, T, c_in, c_out, kOI);
    }

    double forward() {
        const int HD = H * D, KD = H_kv * D;
        x0.assign(T * C, 0.0);
        embedding_forward(x0.data(), ids.data(), p.wte.data(), llama ? nullptr : p.wpe.data(), 1.0, 0, T, C);
        norm_forward(n1, mean1, rstd1, x0, p.ln1_w, p.ln1_b);
        lin(q, n1, p.wq, &p.bq, C, HD);
        lin(k, n1, p.wk, &p.bk, C, KD);
        lin(v, n1, p.wv, &p.bv, C, KD);
        qr = q;
        kr = k;
        if (llama) {
            rope_forward(qr.data(), q.data(), T, H, D, D, 0, inv_freq.data(), 1.0f);
            rope_forward(kr.data(), k.data(), T, H_kv, D, D, 0, inv_freq.data(), 1.0f);
        }
        att.assign(T * HD, 0.0);
        probs.assign(H * T * T, 0.0);
        attention_forward(att.data(), probs.data(), qr.data(), kr.data(), v.data(), p.gates.data(), spec);
        lin(o, att, p.wo, &p.bo, HD, C);
        x1.assign(T * C, 0.0);
        residual_forward(x1.data(), x0.data(), o.data(), T * C);
        norm_forward(n2, mean2, rstd2, x1, p.ln2_w, p.ln2_b);
        lin(f, n2, p.fc_w, &p.fc_b, C, F);
        a.assign(T * F, 0.0);
        if (llama) {
            lin(u, n2, p.up_w, nullptr, C, F);
            swiglu_forward(a.data(), f.data(), u.data(), T * F);
        } else {
            activation_forward(Activation::gelu_tanh, a.data(), f.data(), T * F);
        }
        lin(m, a, p.proj_w, &p.proj_b, F, C);
        x2.assign(T * C, 0.0);
        residual_forward(x2.data(), x1.data(), m.data(), T * C);
        norm_forward(nf, meanf, rstdf, x2, p.lnf_w, p.lnf_b);
        logits.assign(T * V, 0.0);
        linear_forward(logits.data(), nf.data(), p.wte.data(), static_cast<const double*>(nullptr), T, C, V, kOI);
        lp.assign(T * V, 0.0);
        logsoftmax_forward(lp.data(), logits.data(), T, V);
        return score_forward(lp.data() + (T - 1) * V, target, foil);
    }

    // Every parameter's gradient of the score, the forward read in reverse.
    Params backward() {
        const int HD = H * D, KD = H_kv * D;
        Params g;
        auto named_p = p.named();
        auto named_g = g.named();
        for (size_t i = 0; i < named_p.size(); ++i) named_g[i].second->assign(named_p[i].second->size(), 0.0);
        auto zeros = [](size_t n) { return Vec(n, 0.0); };
        Vec dlogits = zeros(T * V);
        score_backward(dlogits.data() + (T - 1) * V, lp.data() + (T - 1) * V, V, target, foil, 1.0);
        Vec dnf = zeros(T * C);
        linear_backward(dnf.data(), g.wte.data(), static_cast<double*>(nullptr), dlogits.data(), nf.data(),
                        p.wte.data(), T, C, V, kOI);
        Vec dx2 = zeros(T * C), dx1 = zeros(T * C), dm = zeros(T * C);
        norm_backward(dx2, g.lnf_w, g.lnf_b, dnf, x2, p.lnf_w, meanf, rstdf);
        residual_backward(dx1.data(), dm.data(), dx2.data(), T * C);
        Vec da = zeros(T * F), df = zeros(T * F), dn2 = zeros(T * C);
        linear_backward(da.data(), g.proj_w.data(), llama ? nullptr : g.proj_b.data(), dm.data(), a.data(),
                        p.proj_w.data(), T, F, C, kOI);
        if (llama) {
            Vec du = zeros(T * F);
            swiglu_backward(df.data(), du.data(), da.data(), f.data(), u.data(), T * F);
            linear_backward(dn2.data(), g.up_w.data(), static_cast<double*>(nullptr), du.data(), n2.data(),
                            p.up_w.data(), T, C, F, kOI);
        } else {
            activation_backward(Activation::gelu_tanh, df.data(), da.data(), f.data(), T * F);
        }
        linear_backward(dn2.data(), g.fc_w.data(), llama ? nullptr : g.fc_b.data(), df.data(), n2.data(),
                        p.fc_w.data(), T, C, F, kOI);
        Vec do_ = zeros(T * C), dx0 = zeros(T * C);
        norm_backward(dx1, g.ln2_w, g.ln2_b, dn2, x1, p.ln2_w, mean2, rstd2);
        residual_backward(dx0.data(), do_.data(), dx1.data(), T * C);
        Vec datt = zeros(T * HD), dqr = zeros(T * HD), dkr = zeros(T * KD), dv = zeros(T * KD);
        linear_backward(datt.data(), g.wo.data(), llama ? nullptr : g.bo.data(), do_.data(), att.data(), p.wo.data(),
                        T, HD, C, kOI);
        attention_backward(dqr.data(), dkr.data(), dv.data(), static_cast<double*>(nullptr), g.gates.data(),
                           datt.data(), qr.data(), kr.data(), v.data(), probs.data(), p.gates.data(), spec);
        Vec dq = dqr, dk = dkr;
        if (llama) {
            dq.assign(T * HD, 0.0);
            dk.assign(T * KD, 0.0);
            rope_backward(dq.data(), dqr.data(), T, H, D, D, 0, inv_freq.data(), 1.0f);
            rope_backward(dk.data(), dkr.data(), T, H_kv, D, D, 0, inv_freq.data(), 1.0f);
        }
        Vec dn1 = zeros(T * C);
        linear_backward(dn1.data(), g.wq.data(), llama ? nullptr : g.bq.data(), dq.data(), n1.data(), p.wq.data(), T,
                        C, HD, kOI);
        linear_backward(dn1.data(), g.wk.data(), llama ? nullptr : g.bk.data(), dk.data(), n1.data(), p.wk.data(), T,
                        C, KD, kOI);
        linear_backward(dn1.data(), g.wv.data(), llama ? nullptr : g.bv.data(), dv.data(), n1.data(), p.wv.data(), T,
                        C, KD, kOI);
        norm_backward(dx0, g.ln1_w, g.ln1_b, dn1, x0, p.ln1_w, mean1, rstd1);
        embedding_backward(g.wte.data(), llama ? nullptr : g.wpe.data(), static_cast<double*>(nullptr), dx0.data(),
                           ids.data(), 1.0, 0, T, C);
        return g;
    }
};

void check_model(bool llama, unsigned seed) {
    TinyModel model(llama, seed);
    model.forward();
    Params grads = model.backward();
    auto params = model.p.named();
    auto named_grads = grads.named();
    for (size_t i = 0; i < params.size(); ++i) {
        const Vec numeric = numeric_gradient(*params[i].second, [&] { return model.forward(); });
        check_gradient(*named_grads[i].second, numeric, std::string(llama ? "llama " : "gpt2 ") + params[i].first);
    }
}

}  // namespace

TEST_CASE("parameter gradients of a one-layer GPT-2-style model match finite differences (T=4, V=7, C=8, H=2)") {
    check_model(false, 81);
}

TEST_CASE("parameter gradients of a one-layer Llama-style model match finite differences (T=4, V=7, C=8, H=2, H_kv=1)") {
    check_model(true, 82);
}
