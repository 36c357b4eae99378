// Multi-head attention for one layer and rotary embeddings, as forward/backward pairs for the block
// engine. One spec covers what the models need: causal, padding (key) mask, cross attention (S != T),
// GQA (n_kv_head < n_head), edge knockouts and per-head gates (a scale on each head's context vector,
// 0 = ablated). Projections are the caller's (core/nn_linear.h); RoPE is applied to q and k before.
// Templates on the float type (float and double instantiated); the inference kernel is core/attention.h.
//
//   AttentionSpec spec;  spec.n_query = T; spec.n_key = T; spec.n_head = H; spec.n_kv_head = H;
//   spec.head_dim = D;   spec.scale = 1 / sqrt(D); spec.causal = true;
//   attention_forward(out, probs, q, k, v, /*gates=*/nullptr, spec);
//   attention_backward(dq, dk, dv, dprobs, dgates, dout, q, k, v, probs, gates, spec);   // accumulates
#pragma once
#include <cstdint>

namespace attn {

// Layouts: q (T, H*D), k and v (S, H_kv*D), out (T, H*D), probs and dprobs (H, T, S), gates (H).
struct AttentionSpec {
    int n_query = 0;     // T
    int n_key = 0;       // S: T for self-attention, the encoder length for cross attention
    int n_head = 0;      // H
    int n_kv_head = 0;   // H_kv, divides H; query head h reads kv head h / (H / H_kv), as transformers' repeat_kv
    int head_dim = 0;    // D
    float scale = 1.0f;  // usually 1/sqrt(D)
    bool causal = false;
    int query_offset = 0;                // query t sits at key position t + query_offset (causal only)
    const uint8_t* key_mask = nullptr;   // (S) or null; 0 = padding, hidden from every query
    const uint8_t* edge_mask = nullptr;  // (T, S), or (H, T, S) when edge_mask_per_head; 0 = knocked out
    bool edge_mask_per_head = false;
};

// True when query t of head h may see key s under every mask of the spec.
bool attention_visible(const AttentionSpec& spec, int h, int t, int s);

// probs (H, T, S): softmax of scale * q.k over the visible keys, exactly 0 elsewhere; a row with no visible
// key is all 0 (its output too). out (T, H*D) = gate_h * probs @ v. gates null means all 1.
template <typename Real>
void attention_forward(Real* out, Real* probs, const Real* q, const Real* k, const Real* v, const Real* gates,
                       const AttentionSpec& spec);
// From dout (T, H*D) and the saved q, k, v, probs: dq (T, H*D), dk and dv (S, H_kv*D; GQA heads summed),
// dprobs (H, T, S) = d/dprobs as PyTorch's autograd gives it (also at masked entries, where probs are 0),
// dgates (H) += sum over t, d of dout * ungated context. All accumulate; any may be null.
template <typename Real>
void attention_backward(Real* dq, Real* dk, Real* dv, Real* dprobs, Real* dgates, const Real* dout, const Real* q,
                        const Real* k, const Real* v, const Real* probs, const Real* gates, const AttentionSpec& spec);
// The same as attention_forward (the reference) with Eigen products per head; what the differentiable pass
// runs. out must not alias q, k or v.
template <typename Real>
void attention_forward_fast(Real* out, Real* probs, const Real* q, const Real* k, const Real* v, const Real* gates,
                            const AttentionSpec& spec);
// The same as attention_backward (the reference) with Eigen products per head; what the differentiable pass
// runs.
template <typename Real>
void attention_backward_fast(Real* dq, Real* dk, Real* dv, Real* dprobs, Real* dgates, const Real* dout, const Real* q,
                             const Real* k, const Real* v, const Real* probs, const Real* gates, const AttentionSpec& spec);

// Rotary embeddings, transformers' rotate-half convention (model/rope.h computes inv_freq): in each head the
// pairs are (i, i + rotary_dim/2) for i < rotary_dim/2; dims past rotary_dim pass through. Rows (T, n_head *
// head_dim) at positions pos0 .. pos0 + T - 1; cos and sin in f32 as transformers does, times
// attention_scaling. out may alias inp.
template <typename Real>
void rope_forward(Real* out, const Real* inp, int T, int n_head, int head_dim, int rotary_dim, int pos0,
                  const float* inv_freq, float attention_scaling);
// dinp (T, n_head * head_dim) += the inverse rotation of dout.
template <typename Real>
void rope_backward(Real* dinp, const Real* dout, int T, int n_head, int head_dim, int rotary_dim, int pos0,
                   const float* inv_freq, float attention_scaling);

}  // namespace attn
