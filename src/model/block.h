// The one Transformer block layer every architecture runs: a pre-LN block (GPT-2, Llama/Mistral/Qwen2)
//   h += attn(norm1(h)); h += mlp(norm2(h))
// and a post-LN block (BERT, RoBERTa, DistilBERT, BART encoder and decoder)
//   h = norm1(h + attn(h)); [h = norm_x(h + cross_attn(h, memory));] h = norm2(h + mlp(h))
// written once, parameterised by a BlockRecipe, and the loop over layers (stack_forward) that applies
// ForwardHooks (model/hooks.h). Embeddings, final norms, heads and tensor names stay in each
// architecture's file; this file knows none of them.
//
//   BlockRecipe r;  r.norm = NormKind::rms_norm;  r.mlp = MlpKind::gated;  r.n_head = 8;  ...
//   std::vector<BlockWeights> blocks = ...;     // filled by the architecture's loader
//   StackCapture cap{&trace.attentions, nullptr, &trace.hidden_states};
//   stack_forward(r, blocks, h, T, nullptr, 0, cap, options.hooks, "");
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/ops.h"
#include "model/hooks.h"
#include "model/trace.h"
#include "model/weight_fetch.h"

namespace attn {

struct Dense {   // a linear layer; b empty when it has no bias
    Matrix w;
    Tensor32 b;
};

struct Norm {    // LayerNorm weight and bias (D); RMSNorm uses w only
    Tensor32 w, b;
};

struct AttentionBlock {
    Dense q, k, v;   // (H*hd, D), (KV*hd, D), (KV*hd, D); unused when qkv is set
    Dense qkv;       // fused projection (D -> q | k | v, heads side by side), GPT-2's c_attn; self attention only
    Dense out;       // (D, H*hd)
    Norm norm;       // pre-LN: before the sublayer; post-LN: after the residual add
};

struct FeedForwardBlock {
    Dense fc1;       // (F, D); gated MLPs: the gate projection
    Dense up;        // gated MLPs only: (F, D)
    Dense fc2;       // (D, F); gated MLPs: the down projection
    Norm norm;       // pre-LN: before the sublayer; post-LN: after the residual add
};

struct BlockWeights {
    AttentionBlock attn;
    AttentionBlock cross;   // decoders with cross attention only (BlockRecipe::cross)
    FeedForwardBlock ffn;
    float attn_scale = 0.0f;   // score scale of this layer; 0: 1/sqrt(head_dim)
};

enum class NormKind { layer_norm, rms_norm };
enum class MlpKind { plain, gated };   // plain: fc2(act(fc1 x)); gated: fc2(act(fc1 x) * up x) (SwiGLU)

struct BlockRecipe {
    bool post_ln = false;
    NormKind norm = NormKind::layer_norm;
    MlpKind mlp = MlpKind::plain;
    Activation activation = Activation::gelu_erf;
    float eps = 1e-5f;
    int n_head = 0, n_kv_head = 0, head_dim = 0;   // n_kv_head < n_head: grouped-query attention
    bool causal = false;
    bool cross = false;                             // a cross-attention sublayer on `memory` (post-LN)
    const std::vector<float>* rope_inv_freq = nullptr;   // RoPE on q and k when set (model/rope.h)
    int rotary_dim = 0;
};

// Where a stack's results go; null members are not captured. An attention tensor gets each layer's
// values as the stack reaches it (attention_grow_to: it may start reserved and empty).
struct StackCapture {
    AttentionTensor* self = nullptr;    // (L, H, T, T)
    AttentionTensor* cross = nullptr;   // (L, H, T, S)
    HiddenTensor* hidden = nullptr;     // states 0 .. L-1 (the caller adds state L, after any final norm)
};

// A step's work when a stepped stack cuts a layer into parts: about 2.5 ms single-threaded in
// WebAssembly. A 124M model's MLP half at 100 tokens (600 M multiply-adds) was one 40-60 ms step.
constexpr double kStackStepMultiplyAdds = 16e6;

struct StackParts;     // block.cpp: what a run cut into parts keeps between them
struct StackBuffers;   // block.cpp: the sublayers' intermediate products, kept from layer to layer

// Output columns a step when a product of `rows` rows, `depth` deep, is cut into steps of about
// step_multiply_adds: a multiple of gemm_column_block(), at least one. Fewer than 8 rows count as 8: a
// product of a row or two is the reading of its weights (a 124M model's LM head, 150 MB, for one row).
int columns_per_step(int rows, int depth, double step_multiply_adds);
// A product's output columns a run: columns_per_step, or all of them when step_multiply_adds is 0; and
// how many such runs cover them. Stepped products (a cut stack, a stepped LM head) are counted and run
// with these two.
int columns_per_run(const WeightMatrix& w, int rows, double step_multiply_adds);
int column_runs(const WeightMatrix& w, int rows, double step_multiply_adds);

// stack_forward in steps, for callers that must stay responsive (the app traces a large model a step or
// two per frame): half a block per step in pre-LN stacks (attention, then the MLP), a whole block in
// post-LN ones. With step_multiply_adds > 0 (a stepped trace: TraceOptions::step_multiply_adds), a
// layer whose half block (pre-LN) or whole block (post-LN: self attention, cross attention and MLP) is
// more than that is cut into parts: each linear layer's output columns a run at a time (gemm_columns: the
// same bits), the heads a group at a time; the observer and editor see what they see in one step. The
// arguments must outlive the run; h holds the result once done().
class StackRun {
public:
    StackRun(const BlockRecipe& recipe, const std::vector<BlockWeights>& blocks, std::vector<float>& h, int T,
             const float* memory, int S, const StackCapture& capture, const ForwardHooks& hooks,
             const std::string& prefix, bool apply_interventions = true,
             double step_multiply_adds = 0.0);
    ~StackRun();
    void step();   // runs the next half block (pre-LN) or block (post-LN), or part of one
    bool done() const { return next_ >= static_cast<int>(blocks_.size()); }
    int steps_total() const { return steps_total_; }
    // What steps_total will be, before the run exists (a job's progress is known from its start); S: the
    // rows of the memory cross attention reads (0 without).
    static int steps_for(const BlockRecipe& recipe, const std::vector<BlockWeights>& blocks, int T, int S,
                         double step_multiply_adds = 0.0);

private:
    void observe(const std::string& name, std::vector<float>& data) const;
    void mlp_half(int layer, const std::string& p);   // the second step of a pre-LN block
    void part_step();                                  // one part of a cut layer
    bool cut_layer(int layer) const;                   // whether this layer is cut into parts
    bool cross_runs() const;                           // whether the layers' cross attention runs

    const BlockRecipe& r_;
    const std::vector<BlockWeights>& blocks_;
    std::vector<float>& h_;   // (T, D) residual stream, updated in place
    int T_, D_;
    const float* memory_;
    int S_;
    StackCapture capture_;
    const ForwardHooks& hooks_;
    std::string prefix_;
    bool apply_interventions_;
    std::vector<float> x_;     // (T, D) normed sublayer input (pre-LN)
    std::vector<float> out_;   // (T, D) a sublayer's output
    int next_ = 0;             // the layer being run
    bool mlp_next_ = false;    // pre-LN: its attention half is done, the MLP half is next
    double step_multiply_adds_;
    int steps_total_ = 0;
    std::unique_ptr<StackParts> parts_;   // a cut layer's part in progress
    // Sized by the first layer and reused by the others: made afresh per layer, the QKV, context and MLP
    // buffers were 37 MB of zero-filling per GPT-2-small trace at T = 128 (2% of it).
    std::unique_ptr<StackBuffers> buffers_;
};

// Runs blocks over h (T, D) in place. memory (S, D): what cross attention reads. Observer names get
// `prefix` in front ("decoder."). hooks' gates and knockouts apply when apply_interventions is true.
void stack_forward(const BlockRecipe& recipe, const std::vector<BlockWeights>& blocks, std::vector<float>& h,
                   int T, const float* memory, int S, const StackCapture& capture, const ForwardHooks& hooks,
                   const std::string& prefix, bool apply_interventions = true);

// The recipe's norm over (T, D) rows; out may alias x.
void norm_apply(const BlockRecipe& recipe, const Norm& norm, const float* x, int T, int D, float* out);

}  // namespace attn
