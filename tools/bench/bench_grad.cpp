// The whole differentiable pass (model/gradients.h) against the inference forward (body_forward) on random
// weights at T = 64: a 2-layer model (D = 64, the fixtures' size) and a GPT-2-small-sized stack (12 layers,
// D = 768, 12 heads, MLP 3072, vocabulary 50257). The issue asks a backward to cost at most 3x the forward.
// Medians over rounds; not a test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/linear.h"
#include "core/nn_act.h"
#include "core/nn_attention.h"
#include "core/nn_linear.h"
#include "core/nn_norm.h"
#include "core/ops.h"
#include "model/body.h"
#include "model/gradients.h"
#include "model/trace_fill.h"
#include "bench_timer.h"

using namespace attn;

namespace {

struct Random {
    std::mt19937 rng{9};
    Matrix matrix(int rows, int cols, WeightLayout layout, float scale) {
        auto values = std::make_shared<std::vector<float>>(static_cast<size_t>(rows) * cols);
        std::normal_distribution<float> normal(0.0f, scale);
        for (float& v : *values) v = normal(rng);
        Matrix m;
        m.view = WeightMatrix{DType::F32, rows, cols, values->data(), layout};
        m.owned = values;
        return m;
    }
    Tensor32 vector(int n, float value) { return Tensor32{"", {n}, std::vector<float>(n, value)}; }
    Dense dense(int n_out, int n_in) {
        return Dense{matrix(n_in, n_out, WeightLayout::in_out, 0.02f), vector(n_out, 0.0f)};
    }
    Norm norm(int D) { return Norm{vector(D, 1.0f), vector(D, 0.0f)}; }
};

// A GPT-2-shaped Body: pre-LN, fused q|k|v, tied embeddings.
Body gpt2_shaped(int L, int D, int H, int F, int V, int n_ctx) {
    Random r;
    Body b;
    b.architecture = "gpt2";
    b.embed.token = r.matrix(V, D, WeightLayout::out_in, 0.02f);
    b.embed.position = r.matrix(n_ctx, D, WeightLayout::out_in, 0.01f);
    for (int l = 0; l < L; ++l) {
        BlockWeights w;
        w.attn.norm = r.norm(D);
        w.attn.qkv = r.dense(3 * D, D);
        w.attn.out = r.dense(D, D);
        w.ffn.norm = r.norm(D);
        w.ffn.fc1 = r.dense(F, D);
        w.ffn.fc2 = r.dense(D, F);
        b.blocks.push_back(std::move(w));
    }
    b.head.final_norm = r.norm(D);
    b.recipe.activation = Activation::gelu_tanh;
    b.recipe.n_head = b.recipe.n_kv_head = H;
    b.recipe.head_dim = D / H;
    b.recipe.causal = true;
    return b;
}

// GPT-2's own forward as gpt2.cpp had it before the Body (commit 8af408d), kept here only to time
// body_forward against it.
Trace gpt2_forward_before_body(const Body& b, const std::vector<int32_t>& ids, const TraceOptions& options) {
    const int T = static_cast<int>(ids.size()), D = b.n_embd(), H = b.recipe.n_head;
    const int L = static_cast<int>(b.blocks.size());
    Trace trace;
    trace.architecture = "gpt2";
    trace.tokens.ids = ids;
    attention_allocate(trace.attentions, options.capture_attentions, L, H, T, T, /*causal=*/true);
    hidden_allocate(trace.hidden_states, options.capture_hidden_states, L + 1, T, D);
    std::vector<float> h(static_cast<size_t>(T) * D);
    std::vector<float> position(D);
    for (int t = 0; t < T; ++t) {
        weight_row_f32(b.embed.token.view, ids[t], h.data() + static_cast<size_t>(t) * D);
        weight_row_f32(b.embed.position.view, t, position.data());
        add_inplace(h.data() + static_cast<size_t>(t) * D, position.data(), D);
    }
    StackCapture capture{options.capture_attentions ? &trace.attentions : nullptr, nullptr, &trace.hidden_states};
    stack_forward(b.recipe, b.blocks, h, T, nullptr, 0, capture, options.hooks, "");
    layer_norm(h.data(), T, D, b.head.final_norm.w.data(), b.head.final_norm.b.data(), b.recipe.eps, h.data());
    hidden_capture(trace.hidden_states, L, h);
    logits_compute(trace, h, T, D, b.embed.token.view, options);
    return trace;
}

void compare(const char* name, const Body& body, int T, int rounds) {
    std::vector<int32_t> ids(T);
    for (int t = 0; t < T; ++t) ids[t] = (t * 7919) % body.embed.token.view.rows;
    TraceOptions trace;
    GradRequest score_only, full;
    score_only.backward = false;
    const double before = median_ms([&] { gpt2_forward_before_body(body, ids, trace); }, rounds);
    const double inference = median_ms([&] { body_forward(body, ids, trace); }, rounds);
    const double recorded = median_ms([&] { (void)body_gradients(body, ids, score_only); }, rounds);
    const double both = median_ms([&] { (void)body_gradients(body, ids, full); }, rounds);
    std::printf("%-34s %11.2f %12.2f %12.2f %14.2f %12.2fx %12.2fx\n", name, before, inference, recorded, both,
                (both - recorded) / recorded, (both - recorded) / inference);
}

// Each op family of one 2-layer-sized block, forward against backward (microseconds per call), to see
// where the backward's time goes: the shapes of the small case (T=64, D=64, 4 heads, MLP 256).
void stages(int rounds) {
    const int T = 64, D = 64, H = 4, hd = 16, F = 256;
    Random r;
    auto values = [&](size_t n) {
        std::vector<float> v(n);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        for (float& x : v) x = normal(r.rng);
        return v;
    };
    auto us = [&](const std::function<void()>& work) { return 1000.0 * median_ms(work, rounds); };
    std::printf("per op, T=%d D=%d H=%d F=%d (us)    %10s %10s %12s\n", T, D, H, F, "forward", "backward", "bwd (ref)");
    const Matrix w_in = r.matrix(D, F, WeightLayout::in_out, 0.02f), w_out = r.matrix(F, D, WeightLayout::in_out, 0.02f);
    const std::vector<float> x = values(T * D), dy = values(T * F), h = values(T * F), dh = values(T * D);
    std::vector<float> y(T * F), dx(T * D), dhid(T * F);
    std::printf("%-40s %10.1f %10.1f\n", "linear D->F (input grad)", us([&] { linear_forward_stored(y.data(), x.data(), w_in.view, nullptr, T); }),
                us([&] { linear_backward_input(dx.data(), dy.data(), w_in.view, T); }));
    std::printf("%-40s %10.1f %10.1f\n", "linear F->D (input grad)", us([&] { linear_forward_stored(dx.data(), h.data(), w_out.view, nullptr, T); }),
                us([&] { linear_backward_input(dhid.data(), dh.data(), w_out.view, T); }));
    std::vector<float> act(T * F);
    std::printf("%-40s %10.1f %10.1f %12.1f\n", "gelu_tanh (T x F)",
                us([&] { activation_forward(Activation::gelu_tanh, act.data(), h.data(), T * F); }),
                us([&] { activation_backward_fast(Activation::gelu_tanh, dhid.data(), dy.data(), h.data(), T * F); }),
                us([&] { activation_backward(Activation::gelu_tanh, dhid.data(), dy.data(), h.data(), T * F); }));
    const std::vector<float> ones(D, 1.0f), zero(D, 0.0f);
    std::vector<float> mean(T), rstd(T), out(T * D);
    std::printf("%-40s %10.1f %10.1f\n", "layernorm (T x D)",
                us([&] { layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(), ones.data(), zero.data(), 1e-5f, T, D); }),
                us([&] { layernorm_backward<float>(dx.data(), nullptr, nullptr, dh.data(), x.data(), ones.data(), mean.data(), rstd.data(), T, D); }));
    AttentionSpec spec;
    spec.n_query = spec.n_key = T;
    spec.n_head = spec.n_kv_head = H;
    spec.head_dim = hd;
    spec.scale = 0.25f;
    spec.causal = true;
    const std::vector<float> q = values(T * D), k = values(T * D), v = values(T * D), dctx = values(T * D);
    std::vector<float> ctx(T * D), probs(H * T * T), dq(T * D), dk(T * D), dv(T * D), dprobs(H * T * T), dgates(H);
    const double attn_fwd = us([&] { attention_forward_fast<float>(ctx.data(), probs.data(), q.data(), k.data(), v.data(), nullptr, spec); });
    const double attn_fwd_ref = us([&] { attention_forward<float>(ctx.data(), probs.data(), q.data(), k.data(), v.data(), nullptr, spec); });
    const double attn_fast = us([&] {
        attention_backward_fast<float>(dq.data(), dk.data(), dv.data(), dprobs.data(), dgates.data(), dctx.data(), q.data(), k.data(),
                                       v.data(), probs.data(), nullptr, spec);
    });
    const double attn_ref = us([&] {
        attention_backward<float>(dq.data(), dk.data(), dv.data(), dprobs.data(), dgates.data(), dctx.data(), q.data(), k.data(),
                                  v.data(), probs.data(), nullptr, spec);
    });
    std::printf("%-40s %10.1f %10.1f %12.1f\n", "attention (probs, ctx; d q k v probs)", attn_fwd, attn_fast, attn_ref);
    std::printf("%-40s %10.1f\n", "attention forward, reference", attn_fwd_ref);
}

}  // namespace

// `bench_grad small`: the 2-layer case only (for profiling).
int main(int argc, char** argv) {
    const bool small_only = argc > 1 && std::string(argv[1]) == "small";
    const int T = 64;
    std::printf("differentiable pass, f32, T=%d (ms; backward = forward+backward - recorded forward)\n", T);
    std::printf("%-34s %11s %12s %12s %14s %13s %13s\n", "model", "old forward", "body_forward", "rec forward", "fwd+backward",
                "bwd/rec fwd", "bwd/body_fwd");
    compare("2 layers, D=64, V=600", gpt2_shaped(2, 64, 4, 256, 600, 128), T, 21);
    stages(51);
    if (small_only) return 0;
    compare("GPT-2 small: 12 x D=768, V=50257", gpt2_shaped(12, 768, 12, 3072, 50257, 1024), T, 3);
    return 0;
}
