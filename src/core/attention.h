// Scaled dot-product attention for one head: probabilities (captured for the Trace) and the context
// vectors. A scalar reference kernel and a SIMD one (core/simd.h) share this contract and are tested
// against each other; projections and head splitting are the caller's job.
//
//   AttentionShape shape{T, S, hs, q_stride, k_stride, v_stride, out_stride, /*causal=*/true, 0, 1/sqrt(hs)};
//   attention_head(shape, q, k, v, probs /* (T, S) */, context /* (T, hs) */);
#pragma once

namespace attn {

struct AttentionShape {
    int n_query = 0;       // T
    int n_key = 0;         // S
    int head_size = 0;     // hs
    int q_stride = 0;      // floats between consecutive query rows (lets q point into a fused QKV buffer)
    int k_stride = 0;
    int v_stride = 0;
    int out_stride = 0;
    bool causal = false;   // query t sees keys s <= t + query_offset
    int query_offset = 0;  // where query 0 sits among the keys (S - T when keys include a cache)
    float scale = 1.0f;    // usually 1/sqrt(hs)
};

// probs: (T, S) softmaxed, exactly 0 where masked. out: (T, hs) rows at out_stride. attention_head also
// takes probs == nullptr: nothing keeps them (a trace that captures no attentions), only the context.
void attention_head_reference(const AttentionShape& shape, const float* q, const float* k, const float* v,
                              float* probs, float* out);
void attention_head(const AttentionShape& shape, const float* q, const float* k, const float* v, float* probs,
                    float* out);

// Name of the SIMD instruction set the fast kernels were compiled for ("avx512", "wasm_simd128", ...).
const char* simd_name();

}  // namespace attn
