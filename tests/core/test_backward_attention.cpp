// Attention and RoPE pairs: every gradient (dq, dk, dv, dprobs, dgates; RoPE's dinp) against finite
// differences in double on small shapes with each mask kind; the f32 forwards against core/attention.h
// and model/rope.h.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "core/attention.h"
#include "core/nn_attention.h"
#include "finite_diff.h"
#include "model/rope.h"

using namespace attn;
using namespace attn_test;

namespace {

struct Case {
    int T = 3, S = 3, H = 2, H_kv = 2, D = 4;
    bool causal = true;
    int query_offset = 0;
    bool gates = false;
    bool rope = false;                  // rotate q and k before attention (self-attention only)
    std::vector<uint8_t> key_mask;      // (S) or empty
    std::vector<uint8_t> edge_mask;     // (T, S), (H, T, S) or empty
    bool edge_per_head = false;
};

AttentionSpec spec_of(const Case& c) {
    AttentionSpec spec;
    spec.n_query = c.T;
    spec.n_key = c.S;
    spec.n_head = c.H;
    spec.n_kv_head = c.H_kv;
    spec.head_dim = c.D;
    spec.scale = 1.0f / std::sqrt(static_cast<float>(c.D));
    spec.causal = c.causal;
    spec.query_offset = c.query_offset;
    spec.key_mask = c.key_mask.empty() ? nullptr : c.key_mask.data();
    spec.edge_mask = c.edge_mask.empty() ? nullptr : c.edge_mask.data();
    spec.edge_mask_per_head = c.edge_per_head;
    return spec;
}

void check_attention(const Case& c, unsigned seed) {
    const AttentionSpec spec = spec_of(c);
    const int T = c.T, S = c.S, H = c.H, D = c.D, Hkv = c.H_kv;
    std::mt19937 rng(seed);
    std::vector<double> q = random_values(T * H * D, rng, 1.5), k = random_values(S * Hkv * D, rng, 1.5),
                        v = random_values(S * Hkv * D, rng), gates = random_values(H, rng, 0.5);
    for (double& g : gates) g += 1.0;
    gates[0] = 0.0;  // an ablated head: its output vanishes but d/dgate does not
    const std::vector<double> dout = random_values(T * H * D, rng);
    std::vector<double> out(T * H * D), probs(H * T * S), q_rot(q.size()), k_rot(k.size());
    const std::vector<float> inv_freq = rope_inv_freq(RopeConfig{10000.0, D});
    const double* g = c.gates ? gates.data() : nullptr;
    auto loss = [&] {
        if (c.rope) {
            rope_forward(q_rot.data(), q.data(), T, H, D, D, 0, inv_freq.data(), 1.0f);
            rope_forward(k_rot.data(), k.data(), S, Hkv, D, D, 0, inv_freq.data(), 1.0f);
        }
        attention_forward(out.data(), probs.data(), c.rope ? q_rot.data() : q.data(), c.rope ? k_rot.data() : k.data(),
                          v.data(), g, spec);
        return dot(out, dout);
    };
    loss();
    for (double x : out) REQUIRE(std::isfinite(x));
    for (int h = 0; h < H; ++h)
        for (int t = 0; t < T; ++t) {
            double sum = 0.0;
            bool any = false;
            for (int s = 0; s < S; ++s) {
                const double p = probs[(h * T + t) * S + s];
                if (!attention_visible(spec, h, t, s)) CHECK(p == 0.0);
                any = any || attention_visible(spec, h, t, s);
                sum += p;
            }
            CHECK(sum == doctest::Approx(any ? 1.0 : 0.0));
        }

    std::vector<double> dq(q.size()), dk(k.size()), dv(v.size()), dprobs(probs.size()), dgates(H);
    const double* qa = c.rope ? q_rot.data() : q.data();
    const double* ka = c.rope ? k_rot.data() : k.data();
    std::vector<double> dq_rot(q.size()), dk_rot(k.size());
    attention_backward(c.rope ? dq_rot.data() : dq.data(), c.rope ? dk_rot.data() : dk.data(), dv.data(), dprobs.data(),
                       c.gates ? dgates.data() : nullptr, dout.data(), qa, ka, v.data(), probs.data(), g, spec);
    if (c.rope) {
        rope_backward(dq.data(), dq_rot.data(), T, H, D, D, 0, inv_freq.data(), 1.0f);
        rope_backward(dk.data(), dk_rot.data(), S, Hkv, D, D, 0, inv_freq.data(), 1.0f);
    }
    {
        // The fast forward the pass runs, against the reference.
        std::vector<double> fout(out.size(), 7.0), fprobs(probs.size(), 7.0);
        attention_forward_fast(fout.data(), fprobs.data(), qa, ka, v.data(), g, spec);
        for (size_t i = 0; i < fout.size(); ++i) CHECK(fout[i] == doctest::Approx(out[i]).epsilon(1e-12));
        for (size_t i = 0; i < fprobs.size(); ++i) CHECK(fprobs[i] == doctest::Approx(probs[i]).epsilon(1e-12));
    }
    {
        // The fast kernel the pass runs, against the reference on the same saved activations.
        std::vector<double> fq(q.size()), fk(k.size()), fv(v.size()), fprobs(probs.size()), fgates(H);
        attention_backward_fast(fq.data(), fk.data(), fv.data(), fprobs.data(), c.gates ? fgates.data() : nullptr,
                                dout.data(), qa, ka, v.data(), probs.data(), g, spec);
        const std::vector<double>& rq = c.rope ? dq_rot : dq;
        const std::vector<double>& rk = c.rope ? dk_rot : dk;
        for (size_t i = 0; i < fq.size(); ++i) CHECK(fq[i] == doctest::Approx(rq[i]).epsilon(1e-12));
        for (size_t i = 0; i < fk.size(); ++i) CHECK(fk[i] == doctest::Approx(rk[i]).epsilon(1e-12));
        for (size_t i = 0; i < fv.size(); ++i) CHECK(fv[i] == doctest::Approx(dv[i]).epsilon(1e-12));
        for (size_t i = 0; i < fprobs.size(); ++i) CHECK(fprobs[i] == doctest::Approx(dprobs[i]).epsilon(1e-12));
        for (int h = 0; h < H; ++h) CHECK(fgates[h] == doctest::Approx(dgates[h]).epsilon(1e-12));
    }
    for (double x : dq) REQUIRE(std::isfinite(x));
    check_gradient(dq, numeric_gradient(q, loss), "attention dq");
    check_gradient(dk, numeric_gradient(k, loss), "attention dk");
    check_gradient(dv, numeric_gradient(v, loss), "attention dv");
    if (c.gates) check_gradient(dgates, numeric_gradient(gates, loss), "attention dgates");

    // dprobs: the loss as a function of free probabilities, out = gate * P @ v (the forward's second half).
    loss();
    std::vector<double> P = probs;
    auto probs_loss = [&] {
        double s_loss = 0.0;
        for (int h = 0; h < H; ++h)
            for (int t = 0; t < T; ++t)
                for (int d = 0; d < D; ++d) {
                    double ctx = 0.0;
                    for (int s = 0; s < S; ++s) ctx += P[(h * T + t) * S + s] * v[s * Hkv * D + (h / (H / Hkv)) * D + d];
                    s_loss += dout[t * H * D + h * D + d] * (g ? g[h] : 1.0) * ctx;
                }
        return s_loss;
    };
    CHECK(probs_loss() == doctest::Approx(loss()).epsilon(1e-12));
    check_gradient(dprobs, numeric_gradient(P, probs_loss), "attention dprobs");
}

}  // namespace

TEST_CASE("attention backward matches finite differences (T=1, H=3, D=4, causal)") {
    Case c;
    c.T = c.S = 1;
    c.H = c.H_kv = 3;
    check_attention(c, 31);
}

TEST_CASE("attention backward matches finite differences (T=3, H=2, D=4, causal)") { check_attention(Case{}, 32); }

TEST_CASE("attention backward matches finite differences (T=7, H=3, D=5, causal, key padding)") {
    Case c;
    c.T = c.S = 7;
    c.H = c.H_kv = 3;
    c.D = 5;
    c.key_mask = {1, 1, 0, 1, 1, 1, 0};
    check_attention(c, 33);
}

TEST_CASE("attention backward matches finite differences (T=5, H=4, H_kv=2, D=6, causal, GQA)") {
    Case c;
    c.T = c.S = 5;
    c.H = 4;
    c.H_kv = 2;
    c.D = 6;
    check_attention(c, 34);
}

TEST_CASE("attention backward matches finite differences (T=5, H=4, H_kv=2, D=8, causal, GQA, RoPE)") {
    Case c;
    c.T = c.S = 5;
    c.H = 4;
    c.H_kv = 2;
    c.D = 8;
    c.rope = true;
    check_attention(c, 35);
}

TEST_CASE("attention backward matches finite differences (cross T=3, S=5, H=2, D=4, key padding)") {
    Case c;
    c.T = 3;
    c.S = 5;
    c.causal = false;
    c.key_mask = {1, 1, 1, 1, 0};
    check_attention(c, 36);
}

TEST_CASE("attention backward matches finite differences (T=4, S=6, H=2, D=4, causal, query_offset=2)") {
    Case c;
    c.T = 4;
    c.S = 6;
    c.query_offset = 2;
    check_attention(c, 37);
}

TEST_CASE("attention backward matches finite differences (T=4, H=3, D=8, gates incl. 0, per-head knockouts)") {
    Case c;
    c.T = c.S = 4;
    c.H = c.H_kv = 3;
    c.D = 8;
    c.gates = true;
    c.edge_per_head = true;
    c.edge_mask.assign(3 * 4 * 4, 1);
    c.edge_mask[0 * 16 + 2 * 4 + 0] = 0;  // head 0: query 2 may not see key 0
    c.edge_mask[1 * 16 + 3 * 4 + 3] = 0;  // head 1: query 3 may not see itself
    c.edge_mask[2 * 16 + 0 * 4 + 0] = 0;  // head 2: query 0 sees nothing at all
    check_attention(c, 38);
}

TEST_CASE("a fully masked row gives zeros, never NaN (T=3, S=4, H=2, D=4, shared knockouts)") {
    Case c;
    c.T = 3;
    c.S = 4;
    c.causal = false;
    c.gates = true;
    c.key_mask = {1, 0, 1, 1};
    c.edge_mask.assign(3 * 4, 1);
    c.edge_mask[1 * 4 + 0] = c.edge_mask[1 * 4 + 2] = c.edge_mask[1 * 4 + 3] = 0;  // query 1 has nothing left
    check_attention(c, 39);

    const AttentionSpec spec = spec_of(c);
    std::mt19937 rng(40);
    const std::vector<float> q = to_float(random_values(3 * 8, rng)), k = to_float(random_values(4 * 8, rng)),
                             v = to_float(random_values(4 * 8, rng)), dout = to_float(random_values(3 * 8, rng));
    std::vector<float> out(3 * 8, 9.0f), probs(2 * 3 * 4, 9.0f), dq(3 * 8), dk(4 * 8), dv(4 * 8);
    attention_forward<float>(out.data(), probs.data(), q.data(), k.data(), v.data(), nullptr, spec);
    attention_backward<float>(dq.data(), dk.data(), dv.data(), nullptr, nullptr, dout.data(), q.data(), k.data(),
                              v.data(), probs.data(), nullptr, spec);
    for (int h = 0; h < 2; ++h)
        for (int s = 0; s < 4; ++s) CHECK(probs[(h * 3 + 1) * 4 + s] == 0.0f);
    for (int d = 0; d < 8; ++d) {
        CHECK(out[1 * 8 + d] == 0.0f);
        CHECK(dq[1 * 8 + d] == 0.0f);
        CHECK(dk[1 * 8 + d] == 0.0f);  // key 1 is padding: nothing reaches it
        CHECK(dv[1 * 8 + d] == 0.0f);
    }
}

TEST_CASE("attention_forward_fast and attention_backward_fast equal the references in f32 at the bench's size (T=64, H=4, D=16, causal, gates, knockouts, accumulating)") {
    const int T = 64, H = 4, D = 16;
    AttentionSpec spec;
    spec.n_query = spec.n_key = T;
    spec.n_head = spec.n_kv_head = H;
    spec.head_dim = D;
    spec.scale = 0.25f;
    spec.causal = true;
    std::vector<uint8_t> edges(T * T, 1);
    edges[10 * T + 3] = edges[40 * T + 0] = 0;
    spec.edge_mask = edges.data();
    std::mt19937 rng(41);
    const std::vector<float> q = to_float(random_values(T * H * D, rng, 1.5)), k = to_float(random_values(T * H * D, rng, 1.5)),
                             v = to_float(random_values(T * H * D, rng)), dout = to_float(random_values(T * H * D, rng));
    const std::vector<float> gates = {1.0f, 0.0f, 0.5f, 2.0f};
    std::vector<float> out(T * H * D), probs(H * T * T);
    attention_forward<float>(out.data(), probs.data(), q.data(), k.data(), v.data(), gates.data(), spec);
    std::vector<float> fout(T * H * D, 7.0f), fprobs(H * T * T, 7.0f);
    attention_forward_fast<float>(fout.data(), fprobs.data(), q.data(), k.data(), v.data(), gates.data(), spec);
    for (size_t i = 0; i < out.size(); ++i) CHECK(std::abs(fout[i] - out[i]) <= 1e-6f + 1e-5f * std::abs(out[i]));
    for (size_t i = 0; i < probs.size(); ++i) CHECK(std::abs(fprobs[i] - probs[i]) <= 1e-6f);
    CHECK(fprobs[(0 * T + 10) * T + 3] == 0.0f);   // knocked out
    CHECK(fprobs[(2 * T + 5) * T + 6] == 0.0f);    // causal
    // Both start from the same non-zero contents: each must add, not overwrite.
    const std::vector<float> start = to_float(random_values(T * H * D, rng)), start_p = to_float(random_values(H * T * T, rng));
    std::vector<float> rq = start, rk = start, rv = start, rp = start_p, rg(H, 1.0f);
    std::vector<float> fq = start, fk = start, fv = start, fp = start_p, fg(H, 1.0f);
    attention_backward<float>(rq.data(), rk.data(), rv.data(), rp.data(), rg.data(), dout.data(), q.data(), k.data(),
                              v.data(), probs.data(), gates.data(), spec);
    attention_backward_fast<float>(fq.data(), fk.data(), fv.data(), fp.data(), fg.data(), dout.data(), q.data(), k.data(),
                                   v.data(), probs.data(), gates.data(), spec);
    auto same = [](const std::vector<float>& a, const std::vector<float>& b, const char* what) {
        INFO(what);
        for (size_t i = 0; i < a.size(); ++i) CHECK(std::abs(a[i] - b[i]) <= 1e-5f + 1e-4f * std::abs(b[i]));
    };
    same(fq, rq, "dq");
    same(fk, rk, "dk");
    same(fv, rv, "dv");
    same(fp, rp, "dprobs");
    same(fg, rg, "dgates");
}

TEST_CASE("attention f32 forward equals core/attention.h per head (T=7, H=4, H_kv=2, D=8, causal; cross T=3, S=5)") {
    for (int variant = 0; variant < 3; ++variant) {
        Case c;
        c.H = 4;
        c.H_kv = variant == 0 ? 2 : 4;
        c.D = 8;
        c.T = variant == 1 ? 3 : 7;
        c.S = variant == 1 ? 5 : (variant == 2 ? 9 : 7);
        c.causal = variant != 1;
        c.query_offset = variant == 2 ? 2 : 0;
        const AttentionSpec spec = spec_of(c);
        std::mt19937 rng(41 + variant);
        const std::vector<float> q = to_float(random_values(c.T * c.H * c.D, rng, 2.0)),
                                 k = to_float(random_values(c.S * c.H_kv * c.D, rng, 2.0)),
                                 v = to_float(random_values(c.S * c.H_kv * c.D, rng));
        std::vector<float> out(q.size()), probs(c.H * c.T * c.S);
        attention_forward<float>(out.data(), probs.data(), q.data(), k.data(), v.data(), nullptr, spec);
        for (int h = 0; h < c.H; ++h) {
            const int kvh = h / (c.H / c.H_kv);
            AttentionShape shape{c.T, c.S, c.D, c.H * c.D, c.H_kv * c.D, c.H_kv * c.D, c.H * c.D,
                                 c.causal, c.query_offset, spec.scale};
            std::vector<float> p_ref(c.T * c.S), o_ref(c.T * c.H * c.D);
            attention_head_reference(shape, q.data() + h * c.D, k.data() + kvh * c.D, v.data() + kvh * c.D,
                                     p_ref.data(), o_ref.data());
            for (int i = 0; i < c.T * c.S; ++i)
                CHECK(probs[h * c.T * c.S + i] == doctest::Approx(p_ref[i]).epsilon(1e-6));
            for (int t = 0; t < c.T; ++t)
                for (int d = 0; d < c.D; ++d)
                    CHECK(out[t * c.H * c.D + h * c.D + d] ==
                          doctest::Approx(o_ref[t * c.H * c.D + d]).epsilon(1e-6));
        }
    }
}

TEST_CASE("rope backward matches finite differences (T=3, H=2, D=8, full and partial rotary, pos0=5)") {
    for (int rotary : {8, 4}) {
        const int T = 3, H = 2, D = 8;
        const std::vector<float> inv_freq = rope_inv_freq(RopeConfig{10000.0, rotary});
        std::mt19937 rng(50 + rotary);
        std::vector<double> x = random_values(T * H * D, rng);
        const std::vector<double> dout = random_values(T * H * D, rng);
        std::vector<double> out(x.size()), dx(x.size());
        auto loss = [&] {
            rope_forward(out.data(), x.data(), T, H, D, rotary, 5, inv_freq.data(), 1.25f);
            return dot(out, dout);
        };
        rope_backward(dx.data(), dout.data(), T, H, D, rotary, 5, inv_freq.data(), 1.25f);
        check_gradient(dx, numeric_gradient(x, loss), "rope dinp rotary=" + std::to_string(rotary));
    }
}

TEST_CASE("rope f32 forward equals model/rope.h rope_apply (T=7, H=3, D=8, rotary 8 and 6, pos0=4)") {
    for (int rotary : {8, 6}) {
        const int T = 7, H = 3, D = 8;
        const std::vector<float> inv_freq = rope_inv_freq(RopeConfig{500000.0, rotary});
        std::mt19937 rng(60 + rotary);
        const std::vector<float> x = to_float(random_values(T * H * D, rng));
        std::vector<float> ours(x.size()), theirs = x;
        rope_forward<float>(ours.data(), x.data(), T, H, D, rotary, 4, inv_freq.data(), 1.0f);
        rope_apply(theirs.data(), T, H * D, H, D, rotary, 4, inv_freq, 1.0f);
        for (size_t i = 0; i < x.size(); ++i) CHECK(ours[i] == doctest::Approx(theirs[i]).epsilon(1e-6));
    }
}

TEST_CASE("attention_forward_fast and attention_backward_fast equal the references for cross attention as BART's decoder runs it (T=6, S=9, H=4, D=8, no gates, no dprobs)") {
    const int T = 6, S = 9, H = 4, D = 8;
    AttentionSpec spec;
    spec.n_query = T;
    spec.n_key = S;
    spec.n_head = spec.n_kv_head = H;
    spec.head_dim = D;
    spec.scale = 1.0f / std::sqrt(static_cast<float>(D));
    std::mt19937 rng(43);
    const std::vector<float> q = to_float(random_values(T * H * D, rng, 1.5)), k = to_float(random_values(S * H * D, rng, 1.5)),
                             v = to_float(random_values(S * H * D, rng)), dout = to_float(random_values(T * H * D, rng));
    std::vector<float> out(T * H * D), probs(H * T * S), fout(T * H * D), fprobs(H * T * S);
    attention_forward<float>(out.data(), probs.data(), q.data(), k.data(), v.data(), nullptr, spec);
    attention_forward_fast<float>(fout.data(), fprobs.data(), q.data(), k.data(), v.data(), nullptr, spec);
    for (size_t i = 0; i < out.size(); ++i) CHECK(std::abs(fout[i] - out[i]) <= 1e-6f + 1e-5f * std::abs(out[i]));
    for (size_t i = 0; i < probs.size(); ++i) CHECK(std::abs(fprobs[i] - probs[i]) <= 1e-6f);
    CHECK(probs[(1 * T + 0) * S + S - 1] > 0.0f);   // not causal: the first query sees the last key
    std::vector<float> rq(T * H * D, 0.0f), rk(S * H * D, 0.0f), rv(S * H * D, 0.0f);
    std::vector<float> fq = rq, fk = rk, fv = rv;
    attention_backward<float>(rq.data(), rk.data(), rv.data(), nullptr, nullptr, dout.data(), q.data(), k.data(), v.data(),
                              probs.data(), nullptr, spec);
    attention_backward_fast<float>(fq.data(), fk.data(), fv.data(), nullptr, nullptr, dout.data(), q.data(), k.data(),
                                   v.data(), probs.data(), nullptr, spec);
    double norm = 0.0;
    for (size_t i = 0; i < rk.size(); ++i) {
        CHECK(std::abs(fk[i] - rk[i]) <= 1e-5f + 1e-4f * std::abs(rk[i]));
        CHECK(std::abs(fv[i] - rv[i]) <= 1e-5f + 1e-4f * std::abs(rv[i]));
        norm += std::abs(rk[i]);
    }
    for (size_t i = 0; i < rq.size(); ++i) CHECK(std::abs(fq[i] - rq[i]) <= 1e-5f + 1e-4f * std::abs(rq[i]));
    CHECK(norm > 0.0);
}
