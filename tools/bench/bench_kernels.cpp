// AttnScope's side of the peer benchmark (tools/bench/peers): its kernels (attention_head per head,
// linear) and whole-model traces behind a few C functions, so a JS driver can alternate one AttnScope round
// with one onnxruntime / TF.js round in the same run.
//   WASM: built as an Emscripten module (MODULARIZE, NODERAWFS) that the driver loads into its own node
//         process and calls directly.
//   Native: the same functions behind a line protocol on stdin/stdout ("attention_setup 12 128 64" ->
//         "ok", "attention_run" -> milliseconds); the driver keeps this process open and sends it one
//         round at a time, so rounds still interleave with onnxruntime-node's. "threads N" sets the
//         kernels' threads (default 1, or ATTN_THREADS).
// Inputs come from bench_value (below), which peers/lib/data.js repeats bit for bit, so both sides
// compute on the same numbers and the driver can compare their outputs.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/attention.h"
#include "core/gemm.h"
#include "core/huge_pages.h"
#include "core/linear.h"
#include "core/parallel.h"
#include "model/model.h"
#include "platform/file_io.h"

using namespace attn;

namespace {

// A hash of (index, seed) mapped to [-1, 1): the same integer steps as peers/lib/data.js.
float bench_value(uint32_t i, uint32_t seed) {
    uint32_t u = i * 2654435761u + seed * 97531u;
    u ^= u >> 15;
    u *= 2246822519u;
    u ^= u >> 13;
    return static_cast<float>(u >> 8) / 16777216.0f * 2.0f - 1.0f;
}

std::vector<float> bench_values(size_t n, uint32_t seed, float scale) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = bench_value(static_cast<uint32_t>(i), seed) * scale;
    return v;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

struct AttentionCase {
    int heads = 0, T = 0, d = 0;
    std::vector<float> q, k, v, probs, out;   // q, k, v, out: (heads, T, d); probs: (heads, T, T)
} g_attention;

struct LinearCase {
    int M = 0, K = 0, N = 0;
    std::vector<float> x, w, bias, y;         // x (M, K), w (K, N) as GPT-2's Conv1D stores it, y (M, N)
    std::vector<float> panels;                // natively: w laid out for the product once (gemm_pack)
} g_linear;

// The panels from a cache line, as model/weight_pack.h places them.
float* linear_panels(LinearCase& l) {
    const size_t misalign = (reinterpret_cast<uintptr_t>(l.panels.data()) / sizeof(float)) % 16;
    return l.panels.data() + (16 - misalign) % 16;
}

struct ModelCase {
    ModelPtr model;
    std::vector<float> logits;                // the last position's, from the latest trace
    double load_ms = 0;
    double pack_ms = 0;
    double pack_step_max_ms = 0;              // the longest matrix: what one frame of the app's packing costs
} g_model;

}  // namespace

extern "C" {

const char* bk_simd_name() { return simd_name(); }

// Threads the kernels split over (core/parallel.h; clamped to what the platform offers): 1 unless set
// here or natively by ATTN_THREADS, as the peers run one. Returns the count now in use.
int bk_set_threads(int n) {
    set_thread_count(n);
    return thread_count();
}

// Queries, keys and values of `heads` heads (T tokens, head size d), not causal, scale 1/sqrt(d).
int bk_attention_setup(int heads, int T, int d) {
    AttentionCase& a = g_attention;
    a.heads = heads, a.T = T, a.d = d;
    const size_t n = static_cast<size_t>(heads) * T * d;
    a.q = bench_values(n, 1, 1.0f);
    a.k = bench_values(n, 2, 1.0f);
    a.v = bench_values(n, 3, 1.0f);
    zeros_in_huge_pages(a.probs, static_cast<size_t>(heads) * T * T);   // as a Trace's attention tensor
    a.out.assign(n, 0.0f);
    return 0;
}

double bk_attention_run() {
    AttentionCase& a = g_attention;
    const auto t0 = std::chrono::steady_clock::now();
    AttentionShape shape{a.T, a.T, a.d, a.d, a.d, a.d, a.d, /*causal=*/false, 0, 1.0f / std::sqrt(static_cast<float>(a.d))};
    const size_t head = static_cast<size_t>(a.T) * a.d;
    for (int h = 0; h < a.heads; ++h)
        attention_head(shape, a.q.data() + h * head, a.k.data() + h * head, a.v.data() + h * head,
                       a.probs.data() + static_cast<size_t>(h) * a.T * a.T, a.out.data() + h * head);
    return ms_since(t0);
}

const float* bk_attention_out() { return g_attention.out.data(); }

// y (M, N) = x (M, K) @ W (K, N) + bias, f32.
int bk_linear_setup(int M, int K, int N) {
    LinearCase& l = g_linear;
    l.M = M, l.K = K, l.N = N;
    l.x = bench_values(static_cast<size_t>(M) * K, 4, 1.0f);
    l.w = bench_values(static_cast<size_t>(K) * N, 5, 0.05f);
    l.bias = bench_values(N, 6, 0.1f);
    l.y.assign(static_cast<size_t>(M) * N, 0.0f);
    // Natively a loaded model's layer weights are packed once (model/weight_pack.h), and the peer's
    // constant initializer is prepacked by onnxruntime too, so the product here reads packed panels as a
    // model's layer does; the page does not pack (its memory is the budget), so neither does WASM here.
    l.panels.clear();
#if !defined(__EMSCRIPTEN__)
    const WeightMatrix w{DType::F32, K, N, l.w.data(), WeightLayout::in_out};
    l.panels.resize(gemm_pack_size(w) + 16);
    gemm_pack(w, linear_panels(l));
#endif
    return 0;
}

double bk_linear_run() {
    LinearCase& l = g_linear;
    const auto t0 = std::chrono::steady_clock::now();
    WeightMatrix w{DType::F32, l.K, l.N, l.w.data(), WeightLayout::in_out};
    if (!l.panels.empty()) w.packed = linear_panels(l);
    linear(l.x.data(), l.M, w, l.bias.data(), l.y.data());
    return ms_since(t0);
}

const float* bk_linear_out() { return g_linear.y.data(); }

// A model folder (config.json, model.safetensors, tokenizer.json); 0 on success, else the error on stderr.
int bk_model_open(const char* folder) {
    g_model.model.reset();
    const auto t0 = std::chrono::steady_clock::now();
    auto files = folder_read(folder);
    if (!files) {
        std::fprintf(stderr, "%s\n", files.error().message.c_str());
        return 1;
    }
    auto model = model_load(*files);
    if (!model) {
        std::fprintf(stderr, "%s: %s\n", folder, model.error().message.c_str());
        return 1;
    }
    g_model.model = std::move(*model);
    g_model.load_ms = ms_since(t0);   // the explorer shows the model here
    // Then packs its layer weights, a few matrices a frame (natively into a second copy, in WASM in place):
    // timed apart, and done before the traces are timed, as the explorer's traces after its first second are.
    const auto t1 = std::chrono::steady_clock::now();
    g_model.pack_step_max_ms = 0;
    for (bool more = true; more;) {
        const auto t = std::chrono::steady_clock::now();
        more = g_model.model->network->pack_weights_step();
        g_model.pack_step_max_ms = std::max(g_model.pack_step_max_ms, ms_since(t));
    }
    g_model.pack_ms = ms_since(t1);
    return 0;
}

double bk_model_load_ms() { return g_model.load_ms; }
// The stored weights back (each product then packs its weight per call), and packed again: the page packs
// in place after a load, and the benchmark times a trace both ways in one run.
void bk_model_unpack() {
    if (g_model.model) g_model.model->network->weights_will_change();
}
void bk_model_repack() {
    if (g_model.model) g_model.model->network->pack_weights();
}
double bk_model_pack_ms() { return g_model.pack_ms; }
int bk_model_vocab() { return g_model.model ? g_model.model->info().n_vocab : 0; }

// One trace of T tokens (ids (t * 7919 + 13) mod vocabulary, as peers/lib/data.js makes them) with the
// page's default capture: every attention and hidden state, logits at the last position. -1 on failure.
double bk_model_trace(int T) {
    if (!g_model.model) return -1.0;
    const int V = g_model.model->info().n_vocab;
    std::vector<int32_t> ids(T);
    for (int t = 0; t < T; ++t) ids[t] = static_cast<int32_t>((static_cast<int64_t>(t) * 7919 + 13) % V);
    const auto t0 = std::chrono::steady_clock::now();
    Expected<Trace> trace = model_trace(*g_model.model, ids, TraceOptions{});
    const double ms = ms_since(t0);
    if (!trace) {
        std::fprintf(stderr, "trace: %s\n", trace.error().message.c_str());
        return -1.0;
    }
    g_model.logits = trace->logits;
    return ms;
}

const float* bk_model_logits() { return g_model.logits.data(); }

}  // extern "C"

#ifndef __EMSCRIPTEN__
namespace {

void print_floats(const float* v, int n) {
    std::string line;
    char buf[32];
    for (int i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, i ? " %.9g" : "%.9g", v[i]);
        line += buf;
    }
    std::printf("%s\n", line.c_str());
}

}  // namespace

// The line protocol: one command per line, one answer line each ("error ..." when a command fails).
int main() {
    heap_setup();   // as the desktop app and the CLI do (core/huge_pages.h)
    if (std::getenv("ATTN_THREADS")) set_thread_count(default_thread_count());
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string cmd;
        in >> cmd;
        if (cmd == "simd") {
            std::printf("%s\n", bk_simd_name());
        } else if (cmd == "threads") {
            int n = 1;
            in >> n;
            std::printf("%d\n", bk_set_threads(n));
        } else if (cmd == "attention_setup") {
            int h = 0, t = 0, d = 0;
            in >> h >> t >> d;
            std::printf("%d\n", bk_attention_setup(h, t, d));
        } else if (cmd == "attention_run") {
            std::printf("%.6f\n", bk_attention_run());
        } else if (cmd == "attention_out") {
            int n = 0;
            in >> n;
            print_floats(bk_attention_out(), n);
        } else if (cmd == "linear_setup") {
            int m = 0, k = 0, n = 0;
            in >> m >> k >> n;
            std::printf("%d\n", bk_linear_setup(m, k, n));
        } else if (cmd == "linear_run") {
            std::printf("%.6f\n", bk_linear_run());
        } else if (cmd == "linear_out") {
            int n = 0;
            in >> n;
            print_floats(bk_linear_out(), n);
        } else if (cmd == "model_open") {
            std::string folder;
            std::getline(in >> std::ws, folder);
            std::printf("%d\n", bk_model_open(folder.c_str()));
        } else if (cmd == "model_load_ms") {
            std::printf("%.3f\n", bk_model_load_ms());
        } else if (cmd == "model_pack_ms") {
            std::printf("%.3f\n", bk_model_pack_ms());
        } else if (cmd == "model_pack_step_max_ms") {
            std::printf("%.3f\n", g_model.pack_step_max_ms);
        } else if (cmd == "model_unpack") {
            bk_model_unpack();
            std::printf("ok\n");
        } else if (cmd == "model_repack") {
            bk_model_repack();
            std::printf("ok\n");
        } else if (cmd == "model_trace") {
            int t = 0;
            in >> t;
            std::printf("%.6f\n", bk_model_trace(t));
        } else if (cmd == "model_logits") {
            print_floats(bk_model_logits(), bk_model_vocab());
        } else if (cmd == "quit") {
            break;
        } else {
            std::printf("error unknown command %s\n", cmd.c_str());
        }
        std::fflush(stdout);
    }
    return 0;
}
#endif
