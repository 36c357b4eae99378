// Forward vs backward time of each core/nn_* op at one GPT-2-small layer's shapes (T=64, C=768, 12 heads of
// 64, MLP 3072, vocabulary 50257), f32. The issue asks a whole backward pass to cost at most 3x the
// forward; this shows where each op stands. Medians over rounds; not a test.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "core/nn_act.h"
#include "core/nn_attention.h"
#include "core/nn_linear.h"
#include "core/nn_loss.h"
#include "core/nn_norm.h"
#include "core/ops.h"
#include "bench_timer.h"

using namespace attn;

static void row(const char* name, const std::function<void()>& fwd, const std::function<void()>& bwd, int rounds) {
    const double f = median_ms(fwd, rounds), b = median_ms(bwd, rounds);
    std::printf("%-34s %10.3f %10.3f %7.2fx\n", name, f, b, b / f);
}

int main() {
    const int T = 64, C = 768, H = 12, D = 64, F = 3072, V = 50257;
    std::mt19937 rng(5);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    auto filled = [&](size_t n) {
        std::vector<float> v(n);
        for (float& x : v) x = normal(rng);
        return v;
    };
    std::printf("core/nn ops, f32, T=%d C=%d H=%d D=%d F=%d V=%d\n", T, C, H, D, F, V);
    std::printf("%-34s %10s %10s %8s\n", "op", "fwd ms", "bwd ms", "bwd/fwd");

    std::vector<float> x = filled(T * C), dx(T * C), out(T * C), dout = filled(T * C), w = filled(C), b = filled(C),
                       dw(C), db(C), mean(T), rstd(T);
    row("layernorm", [&] { layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), 1e-5f, T, C); },
        [&] { layernorm_backward(dx.data(), dw.data(), db.data(), dout.data(), x.data(), w.data(), mean.data(), rstd.data(), T, C); },
        51);

    std::vector<float> wfc = filled(static_cast<size_t>(F) * C), bfc = filled(F), hfc(T * F), dhfc = filled(T * F),
                       dwfc(static_cast<size_t>(F) * C), dbfc(F);
    const WeightMatrix wm{DType::F32, F, C, wfc.data(), WeightLayout::out_in};
    row("linear 768->3072 (Eigen)", [&] { linear_forward_stored(hfc.data(), x.data(), wm, bfc.data(), T); },
        [&] { linear_backward_fast(dx.data(), dwfc.data(), dbfc.data(), dhfc.data(), x.data(), wfc.data(), T, C, F, WeightLayout::out_in); },
        11);
    row("linear 768->3072 (naive reference)",
        [&] { linear_forward<float>(hfc.data(), x.data(), wfc.data(), bfc.data(), T, C, F, WeightLayout::out_in); },
        [&] { linear_backward<float>(dx.data(), dwfc.data(), dbfc.data(), dhfc.data(), x.data(), wfc.data(), T, C, F, WeightLayout::out_in); },
        3);
    std::vector<float> dinp_only(T * C);
    row("linear input grad only (Eigen)", [&] { linear_forward_stored(hfc.data(), x.data(), wm, bfc.data(), T); },
        [&] { linear_backward_input(dinp_only.data(), dhfc.data(), wm, T); }, 11);

    std::vector<float> act(T * F), dact(T * F);
    row("gelu_tanh", [&] { activation_forward(Activation::gelu_tanh, act.data(), hfc.data(), T * F); },
        [&] { activation_backward(Activation::gelu_tanh, dact.data(), dhfc.data(), hfc.data(), T * F); }, 51);
    // The inference forwards (core/ops.h, SIMD) against their scalar references, in the same run: "fwd ms"
    // is the reference, "bwd ms" the fast one (an activation with a copy of its input, as it works in
    // place), and the last column their ratio (fast / reference). One thread.
    std::vector<float> act_fast(T * F);
    const struct { const char* name; Activation act; } kActivations[] = {
        {"gelu_tanh forward: reference | fast", Activation::gelu_tanh},
        {"gelu_erf forward: reference | fast", Activation::gelu_erf},
        {"silu forward: reference | fast", Activation::silu},
        {"quick_gelu forward: reference | fast", Activation::quick_gelu},
    };
    for (const auto& a : kActivations)
        row(a.name, [&] { activation_forward(a.act, act.data(), hfc.data(), T * F); },
            [&] { act_fast = hfc; activation_apply(a.act, act_fast.data(), T * F); }, 51);
    row("layer_norm forward: reference | fast",
        [&] { layer_norm_reference(x.data(), T, C, w.data(), b.data(), 1e-5f, out.data()); },
        [&] { layer_norm(x.data(), T, C, w.data(), b.data(), 1e-5f, out.data()); }, 51);
    row("rms_norm forward: reference | fast", [&] { rms_norm_reference(x.data(), T, C, w.data(), 1e-6f, out.data()); },
        [&] { rms_norm(x.data(), T, C, w.data(), 1e-6f, out.data()); }, 51);

    std::vector<float> q = filled(T * C), k = filled(T * C), v = filled(T * C), probs(H * T * T), att(T * C),
                       dq(T * C), dk(T * C), dv(T * C), dprobs(H * T * T), gates(H, 1.0f), dgates(H);
    AttentionSpec spec;
    spec.n_query = spec.n_key = T;
    spec.n_head = spec.n_kv_head = H;
    spec.head_dim = D;
    spec.scale = 1.0f / std::sqrt(static_cast<float>(D));
    spec.causal = true;
    row("attention (naive, all grads)",
        [&] { attention_forward(att.data(), probs.data(), q.data(), k.data(), v.data(), gates.data(), spec); },
        [&] { attention_backward(dq.data(), dk.data(), dv.data(), dprobs.data(), dgates.data(), dout.data(), q.data(), k.data(), v.data(), probs.data(), gates.data(), spec); },
        11);

    std::vector<float> logits = filled(V), lp(V), dlogits(V);
    row("logsoftmax + score (one row)", [&] { logsoftmax_forward(lp.data(), logits.data(), 1, V); score_forward(lp.data(), 3, -1); },
        [&] { score_backward(dlogits.data(), lp.data(), V, 3, -1, 1.0f); }, 51);
    return 0;
}
