// The shared block layer (see block.h): attention and MLP sublayers, the pre-LN and post-LN block
// recipes, and the layer loop that applies head gates, edge knockouts and the observer.
#include "model/block.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/attention.h"
#include "core/gemm.h"
#include "core/linear.h"
#include "core/parallel.h"
#include "model/rope.h"
#include "model/trace_fill.h"

namespace attn {
namespace {

// attention_head with some (query, key) edges removed: mask (T, S), 1 = knocked out. Scalar, used only
// when a knockout touches the layer. A query left with no visible key gets zero probabilities and a
// zero context vector (not the NaN a softmax over nothing gives).
void attention_head_masked(const AttentionShape& sh, const float* q, const float* k, const float* v,
                           const uint8_t* mask, float* probs, float* out) {
    for (int t = 0; t < sh.n_query; ++t) {
        const float* qt = q + static_cast<size_t>(t) * sh.q_stride;
        float* pt = probs + static_cast<size_t>(t) * sh.n_key;
        float best = -INFINITY;
        for (int s = 0; s < sh.n_key; ++s) {
            const bool hidden = (sh.causal && s > t + sh.query_offset) || mask[static_cast<size_t>(t) * sh.n_key + s];
            if (hidden) {
                pt[s] = -INFINITY;
                continue;
            }
            const float* ks = k + static_cast<size_t>(s) * sh.k_stride;
            float dot = 0.0f;
            for (int i = 0; i < sh.head_size; ++i) dot += qt[i] * ks[i];
            pt[s] = dot * sh.scale;
            if (pt[s] > best) best = pt[s];
        }
        float sum = 0.0f;
        for (int s = 0; s < sh.n_key; ++s) {
            pt[s] = best == -INFINITY || pt[s] == -INFINITY ? 0.0f : std::exp(pt[s] - best);
            sum += pt[s];
        }
        if (sum > 0.0f)
            for (int s = 0; s < sh.n_key; ++s) pt[s] /= sum;
        float* ot = out + static_cast<size_t>(t) * sh.out_stride;
        for (int i = 0; i < sh.head_size; ++i) ot[i] = 0.0f;
        for (int s = 0; s < sh.n_key; ++s) {
            if (pt[s] == 0.0f) continue;
            const float* vs = v + static_cast<size_t>(s) * sh.v_stride;
            for (int i = 0; i < sh.head_size; ++i) ot[i] += pt[s] * vs[i];
        }
    }
}

// What one attention sublayer needs besides its weights.
struct AttentionCall {
    int layer = 0;
    float scale = 1.0f;
    bool causal = false;
    bool rope = false;
    AttentionTensor* capture = nullptr;      // null: probabilities go to scratch
    const std::vector<uint8_t>* mask = nullptr;   // (T, S) knocked-out edges, or null
    const ForwardHooks* gates = nullptr;     // null: every gate 1
    const ForwardHooks* observer = nullptr;  // shown the values as `values_name`, edits the context
    std::string values_name;
    std::string context_name;   // "": the editor is not shown the context (cross attention)
    std::string queries_name, keys_name, input_name, scale_name;
};

// Shows the observer a (rows, width) column block of a (rows, stride) matrix, copied only when strided.
void observe_block(const ForwardHooks& hooks, const std::string& name, const float* data, int rows, int width,
                   int stride) {
    if (!hooks.observer) return;
    if (stride == width) {
        hooks.observe(name, rows, width, data);
        return;
    }
    std::vector<float> block(static_cast<size_t>(rows) * width);
    for (int r = 0; r < rows; ++r)
        std::copy_n(data + static_cast<size_t>(r) * stride, width, block.data() + static_cast<size_t>(r) * width);
    hooks.observe(name, rows, width, block.data());
}

// One linear layer's output columns [n0, n1): out (rows, n_out) = in (rows, n_in) @ W + b.
struct ColumnRun {
    const Dense* dense;
    const float* in;
    int rows;
    float* out;
    int n0, n1;
    void run() const { gemm_columns(in, rows, dense->w.view, dense->b.data(), out, n0, n1); }
};

// d's output columns in runs of columns_per_run (step_macs 0: one run, the whole product).
void add_runs(std::vector<ColumnRun>& runs, const Dense& d, const float* in, int rows, float* out, double step_macs) {
    const int N = d.w.view.n_out(), cols = columns_per_run(d.w.view, rows, step_macs);
    for (int n0 = 0; n0 < N; n0 += cols) runs.push_back({&d, in, rows, out, n0, std::min(N, n0 + cols)});
}

}  // namespace

// An attention sublayer's products between its parts: the projections, then the heads' context.
struct AttentionBuffers {
    std::vector<float> qkv;            // (T, qd + 2 kvd) when fused
    std::vector<float> q, k, v;        // (T, qd), (S, kvd), (S, kvd) when separate
    std::vector<float> ctx;            // (T, H * hd) heads' context vectors
    const float *qp = nullptr, *kp = nullptr, *vp = nullptr;
    int q_stride = 0, kv_stride = 0;
};

namespace {

// out (T, D) = out_proj(concat over heads of gate_h * softmax(q_h k_h^T * scale) v_h); queries from x
// (T, D), keys and values from memory (S, D). memory may alias x; out must alias neither. In four
// parts, which a stepped run spreads over steps (step_macs > 0 cuts the products into column runs):
// the projections' runs, then RoPE and the observer, then the heads, then the output projection's runs.
void attention_inputs(const BlockRecipe& r, const AttentionBlock& w, const float* x, int T, const float* memory, int S,
                      double step_macs, AttentionBuffers& ab, std::vector<ColumnRun>& runs) {
    const int qd = r.n_head * r.head_dim, kvd = r.n_kv_head * r.head_dim;
    runs.clear();
    if (!w.qkv.w.empty()) {
        ab.qkv.resize(static_cast<size_t>(T) * (qd + 2 * kvd));
        add_runs(runs, w.qkv, x, T, ab.qkv.data(), step_macs);
        ab.q_stride = ab.kv_stride = qd + 2 * kvd;
        ab.qp = ab.qkv.data();
        ab.kp = ab.qp + qd;
        ab.vp = ab.kp + kvd;
    } else {
        ab.q.resize(static_cast<size_t>(T) * qd);
        ab.k.resize(static_cast<size_t>(S) * kvd);
        ab.v.resize(ab.k.size());
        add_runs(runs, w.q, x, T, ab.q.data(), step_macs);
        add_runs(runs, w.k, memory, S, ab.k.data(), step_macs);
        add_runs(runs, w.v, memory, S, ab.v.data(), step_macs);
        ab.qp = ab.q.data();
        ab.kp = ab.k.data();
        ab.vp = ab.v.data();
        ab.q_stride = qd;
        ab.kv_stride = kvd;
    }
}

void attention_inputs_done(const BlockRecipe& r, const AttentionBlock& w, const AttentionCall& call, const float* x, int T,
                           int S, AttentionBuffers& ab) {
    const int H = r.n_head, KV = r.n_kv_head, hd = r.head_dim, qd = H * hd, kvd = KV * hd;
    if (call.rope) {
        if (!ab.qkv.empty()) {
            rope_apply(ab.qkv.data(), T, ab.q_stride, H, hd, r.rotary_dim, 0, *r.rope_inv_freq);
            rope_apply(ab.qkv.data() + qd, T, ab.q_stride, KV, hd, r.rotary_dim, 0, *r.rope_inv_freq);
        } else {
            rope_apply(ab.q.data(), T, qd, H, hd, r.rotary_dim, 0, *r.rope_inv_freq);
            rope_apply(ab.k.data(), S, kvd, KV, hd, r.rotary_dim, 0, *r.rope_inv_freq);
        }
    }
    if (call.observer) {
        // The rows as the attention reads them: after RoPE, the K/V heads once each (GQA shares them).
        if (!call.input_name.empty()) call.observer->observe(call.input_name, T, w.out.w.view.n_out(), x);
        if (!call.queries_name.empty()) observe_block(*call.observer, call.queries_name, ab.qp, T, qd, ab.q_stride);
        if (!call.keys_name.empty()) observe_block(*call.observer, call.keys_name, ab.kp, S, kvd, ab.kv_stride);
        observe_block(*call.observer, call.values_name, ab.vp, S, kvd, ab.kv_stride);
        if (!call.scale_name.empty()) call.observer->observe(call.scale_name, 1, 1, &call.scale);
    }
    ab.ctx.resize(static_cast<size_t>(T) * qd);   // every head writes its columns of every row
}

// Heads [head_begin, head_end): their probabilities (captured or scratch) and context columns.
void attention_heads(const BlockRecipe& r, const AttentionCall& call, int T, int S, AttentionBuffers& ab, int head_begin,
                     int head_end) {
    const int H = r.n_head, KV = r.n_kv_head, hd = r.head_dim, qd = H * hd;
    AttentionTensor none;
    AttentionShape shape{T, S, hd, ab.q_stride, ab.kv_stride, ab.kv_stride, qd, call.causal, 0, call.scale};
    const int group = H / KV;
    // Heads write disjoint probabilities and context columns, so they run on several threads alike.
    auto heads = [&](int b, int e) {
        std::vector<float> probs_scratch;   // (T, S) when not captured and the heads' edges are masked
        for (int head = head_begin + b; head < head_begin + e; ++head) {
            const int kv = head / group;
            float* c = ab.ctx.data() + head * hd;
            if (call.mask) {
                float* probs = attention_slot(call.capture ? *call.capture : none, call.layer, head, probs_scratch, T, S);
                attention_head_masked(shape, ab.qp + head * hd, ab.kp + kv * hd, ab.vp + kv * hd, call.mask->data(), probs, c);
            } else {   // not captured: nothing keeps the probabilities (attention.h)
                float* probs = call.capture && !call.capture->empty()
                                   ? attention_slot(*call.capture, call.layer, head, probs_scratch, T, S) : nullptr;
                attention_head(shape, ab.qp + head * hd, ab.kp + kv * hd, ab.vp + kv * hd, probs, c);
            }
            const float g = call.gates ? call.gates->gate(call.layer, head, H) : 1.0f;
            if (g != 1.0f)
                for (int t = 0; t < T; ++t)
                    for (int i = 0; i < hd; ++i) c[static_cast<size_t>(t) * qd + i] *= g;
        }
    };
    // Scores and context: 2 T S hd multiply-adds per head.
    const int n = head_end - head_begin;
    parallel_for_if_worth_it(n, 2.0 * n * T * S * hd, heads);
}

void attention_context_done(const AttentionCall& call, int T, int qd, AttentionBuffers& ab) {
    if (call.observer && call.observer->editor && !call.context_name.empty()) call.observer->editor(call.context_name, T, qd, ab.ctx.data());
}

void attention_sublayer(const BlockRecipe& r, const AttentionBlock& w, const AttentionCall& call, const float* x,
                        int T, const float* memory, int S, float* out, AttentionBuffers& ab) {
    std::vector<ColumnRun> runs;
    attention_inputs(r, w, x, T, memory, S, 0.0, ab, runs);
    for (const ColumnRun& run : runs) run.run();
    attention_inputs_done(r, w, call, x, T, S, ab);
    attention_heads(r, call, T, S, ab, 0, r.n_head);
    attention_context_done(call, T, r.n_head * r.head_dim, ab);
    linear(ab.ctx.data(), T, w.out.w.view, w.out.b.data(), out);
}

// out (T, D) = the recipe's MLP of x (T, D); the hidden activations are shown to hooks as act_name. In
// parts as above: the first projections' runs (the gate's, then the up projection's), the activation and
// hooks, the down projection's runs.
void mlp_inputs(const BlockRecipe& r, const FeedForwardBlock& w, const float* x, int T, double step_macs,
                std::vector<float>& ff, std::vector<float>& up, std::vector<ColumnRun>& runs) {
    const int F = w.fc1.w.view.n_out();
    runs.clear();
    ff.resize(static_cast<size_t>(T) * F);
    add_runs(runs, w.fc1, x, T, ff.data(), step_macs);
    if (r.mlp == MlpKind::gated) {
        up.resize(ff.size());
        add_runs(runs, w.up, x, T, up.data(), step_macs);
    }
}

void mlp_inputs_done(const BlockRecipe& r, int T, int F, std::vector<float>& ff, const std::vector<float>& up,
                     const ForwardHooks& hooks, const std::string& act_name) {
    activation_apply(r.activation, ff.data(), static_cast<long>(ff.size()));
    if (r.mlp == MlpKind::gated)
        for (size_t i = 0; i < ff.size(); ++i) ff[i] *= up[i];
    hooks.edit_and_observe(act_name, T, F, ff.data());
}

void mlp_sublayer(const BlockRecipe& r, const FeedForwardBlock& w, const float* x, int T, float* out,
                  const ForwardHooks& hooks, const std::string& act_name, std::vector<float>& ff, std::vector<float>& up) {
    std::vector<ColumnRun> runs;
    mlp_inputs(r, w, x, T, 0.0, ff, up, runs);
    for (const ColumnRun& run : runs) run.run();
    mlp_inputs_done(r, T, w.fc1.w.view.n_out(), ff, up, hooks, act_name);
    linear(ff.data(), T, w.fc2.w.view, w.fc2.b.data(), out);
}

// A layer's self-attention call: its scale, mask, gates, observer, and the names (after `names`) it
// shows them.
AttentionCall self_attention_call(const BlockRecipe& r, const BlockWeights& b, int l, const std::string& names,
                                  AttentionTensor* capture, const std::vector<uint8_t>& mask, const ForwardHooks& hooks,
                                  bool apply_interventions) {
    AttentionCall self;
    self.layer = l;
    self.scale = b.attn_scale > 0.0f ? b.attn_scale : 1.0f / std::sqrt(static_cast<float>(r.head_dim));
    self.causal = r.causal;
    self.rope = r.rope_inv_freq != nullptr;
    self.capture = capture;
    self.mask = mask.empty() ? nullptr : &mask;
    self.gates = apply_interventions && !hooks.head_gates.empty() ? &hooks : nullptr;
    self.observer = hooks.observer || hooks.editor ? &hooks : nullptr;
    self.values_name = names + "values";
    self.context_name = names + "context";
    self.queries_name = names + "queries";
    self.keys_name = names + "keys";
    self.input_name = names + "attn_in";
    self.scale_name = names + "score_scale";
    return self;
}

// A layer's cross-attention call (post-LN decoders): observed, never edited, no gates or knockouts.
AttentionCall cross_attention_call(int l, float scale, const std::string& names, AttentionTensor* capture,
                                   const ForwardHooks& hooks) {
    AttentionCall cross;
    cross.layer = l;
    cross.scale = scale;
    cross.capture = capture;
    cross.observer = hooks.observer ? &hooks : nullptr;
    cross.values_name = names + "cross_values";
    cross.queries_name = names + "cross_queries";
    cross.keys_name = names + "cross_keys";
    cross.input_name = names + "cross_in";
    cross.scale_name = names + "cross_score_scale";
    return cross;
}

// Multiply-adds of an attention sublayer: T queries over S keys and values.
double attention_multiply_adds(const BlockRecipe& r, const AttentionBlock& a, int T, int S) {
    const double D = a.out.w.view.n_out(), qd = static_cast<double>(r.n_head) * r.head_dim;
    const double kvd = static_cast<double>(r.n_kv_head) * r.head_dim;
    return T * D * qd + 2.0 * S * D * kvd + 2.0 * r.n_head * T * S * r.head_dim + T * qd * D;
}

// Whether a layer is cut into parts: one of its steps (a pre-LN half block; a post-LN block, whose
// sublayers are then its parts' groups) is more than step_macs multiply-adds. S: cross attention's
// memory rows, 0 without.
bool layer_cut(const BlockRecipe& r, const BlockWeights& b, int T, int S, double step_macs) {
    if (step_macs <= 0.0 || T <= 0) return false;
    const double D = b.attn.out.w.view.n_out(), F = b.ffn.fc1.w.view.n_out();
    const double attention = attention_multiply_adds(r, b.attn, T, T);
    const double cross = r.cross && S > 0 ? attention_multiply_adds(r, b.cross, T, S) : 0.0;
    const double mlp = T * D * F * (r.mlp == MlpKind::gated ? 3 : 2);
    return r.post_ln ? attention + cross + mlp > step_macs : std::max(attention, mlp) > step_macs;
}

// The heads a part runs, T queries over S keys: at least one, and the threads' worth.
int heads_per_part(const BlockRecipe& r, int T, int S, double step_macs) {
    const double per_head = 2.0 * T * S * r.head_dim;
    const int by_work = static_cast<int>(std::min<double>(r.n_head, std::max(1.0, step_macs / std::max(1.0, per_head))));
    return std::min(r.n_head, std::max(by_work, thread_count()));
}

// (T, S) knockout mask of this layer, or empty when no knockout touches it. Edges outside the
// input are ignored: a hook written for a longer text still applies to a shorter one.
std::vector<uint8_t> knockout_mask(const ForwardHooks& hooks, int layer, int T, int S) {
    std::vector<uint8_t> mask;
    for (const EdgeKnockout& e : hooks.knockouts) {
        if (e.layer >= 0 && e.layer != layer) continue;
        if (e.query < 0 || e.query >= T || e.key < 0 || e.key >= S) continue;
        if (mask.empty()) mask.assign(static_cast<size_t>(T) * S, 0);
        mask[static_cast<size_t>(e.query) * S + e.key] = 1;
    }
    return mask;
}

}  // namespace

void norm_apply(const BlockRecipe& recipe, const Norm& norm, const float* x, int T, int D, float* out) {
    if (recipe.norm == NormKind::rms_norm)
        rms_norm(x, T, D, norm.w.data(), recipe.eps, out);
    else
        layer_norm(x, T, D, norm.w.data(), norm.b.data(), recipe.eps, out);
}

int columns_per_step(int rows, int depth, double step_multiply_adds) {
    const int block = gemm_column_block();
    const double cols = step_multiply_adds / (std::max(1.0, static_cast<double>(std::max(rows, 8)) * depth));
    return std::max(block, static_cast<int>(std::min(cols, 1e9)) / block * block);
}

int columns_per_run(const WeightMatrix& w, int rows, double step_multiply_adds) {
    return step_multiply_adds > 0 ? columns_per_step(rows, w.n_in(), step_multiply_adds) : std::max(1, w.n_out());
}

int column_runs(const WeightMatrix& w, int rows, double step_multiply_adds) {
    const int cols = columns_per_run(w, rows, step_multiply_adds);
    return (w.n_out() + cols - 1) / cols;
}

// A cut layer between its parts (StackRun::part_step).
struct StackParts {
    enum class Part { attention_inputs, heads, attention_output, cross_inputs, cross_heads, cross_output, mlp_inputs,
                      mlp_output };
    Part part = Part::attention_inputs;
    size_t next = 0;               // the part's next column run, or the first head of its next group
    std::vector<uint8_t> mask;     // the layer's knockouts
};

struct StackBuffers {
    AttentionBuffers self, cross;
    std::vector<float> ff, up;     // (T, F) the MLP's hidden activations
};

StackRun::StackRun(const BlockRecipe& recipe, const std::vector<BlockWeights>& blocks, std::vector<float>& h, int T,
                   const float* memory, int S, const StackCapture& capture, const ForwardHooks& hooks,
                   const std::string& prefix, bool apply_interventions, double step_multiply_adds)
    : r_(recipe), blocks_(blocks), h_(h), T_(T), D_(static_cast<int>(h.size() / (T > 0 ? T : 1))), memory_(memory),
      S_(S), capture_(capture), hooks_(hooks), prefix_(prefix), apply_interventions_(apply_interventions),
      x_(h.size()), out_(h.size()), step_multiply_adds_(step_multiply_adds),
      steps_total_(steps_for(recipe, blocks, T, memory ? S : 0, step_multiply_adds)), buffers_(std::make_unique<StackBuffers>()) {
    observe("embed", h_);
}

StackRun::~StackRun() = default;

bool StackRun::cut_layer(int l) const { return layer_cut(r_, blocks_[l], T_, memory_ ? S_ : 0, step_multiply_adds_); }

// The one rule for whether a layer's cross attention runs, which steps_for and layer_cut state as S > 0
// (the run passes S only with a memory).
bool StackRun::cross_runs() const { return r_.cross && memory_ && S_ > 0; }

int StackRun::steps_for(const BlockRecipe& r, const std::vector<BlockWeights>& blocks, int T, int S,
                        double step_multiply_adds) {
    int steps = 0;
    for (const BlockWeights& b : blocks) {
        if (!layer_cut(r, b, T, S, step_multiply_adds)) {
            steps += r.post_ln ? 1 : 2;
            continue;
        }
        // The parts' column runs as add_runs makes them, and the groups of heads.
        auto runs = [&](const Dense& d, int rows) { return column_runs(d.w.view, rows, step_multiply_adds); };
        auto attention = [&](const AttentionBlock& a, int keys) {
            const int group = heads_per_part(r, T, keys, step_multiply_adds);
            return (!a.qkv.w.empty() ? runs(a.qkv, T) : runs(a.q, T) + runs(a.k, keys) + runs(a.v, keys)) +
                   (r.n_head + group - 1) / group + runs(a.out, T);
        };
        steps += attention(b.attn, T);
        if (r.cross && S > 0) steps += attention(b.cross, S);
        steps += runs(b.ffn.fc1, T) + (r.mlp == MlpKind::gated ? runs(b.ffn.up, T) : 0) + runs(b.ffn.fc2, T);
    }
    return steps;
}

// One part of a cut layer, in the order one step runs it. Pre-LN: the norm, the projections' column runs,
// RoPE and the observer, the heads a group at a time, the context's editor, the output projection's runs,
// the residual; then the norm, the MLP's first projections' runs, the activation and its hooks, the down
// projection's runs, the residual. Post-LN: the same sublayers read the residual stream itself and each
// ends with its residual add and norm, cross attention (decoders) between the two. Every product is split
// by output columns only, so the same bits.
void StackRun::part_step() {
    const int l = next_, T = T_, D = D_;
    const std::string p = "layer." + std::to_string(l) + ".";
    const BlockWeights& b = blocks_[l];
    if (!parts_) {   // the layer's first part
        parts_ = std::make_unique<StackParts>();
        if (capture_.hidden) hidden_capture(*capture_.hidden, l, h_);
        if (apply_interventions_) parts_->mask = knockout_mask(hooks_, l, T, T);
        if (!r_.post_ln) norm_apply(r_, b.attn.norm, h_.data(), T, D, x_.data());
    }
    StackParts& s = *parts_;
    StackBuffers& buf = *buffers_;
    using Part = StackParts::Part;
    const AttentionCall self = self_attention_call(r_, b, l, prefix_ + p, capture_.self, s.mask, hooks_, apply_interventions_);
    const float* in = r_.post_ln ? h_.data() : x_.data();   // what the self attention and the MLP read
    const long n = static_cast<long>(h_.size());
    // The sublayer's output in out_ is complete: the residual add, post-LN's norm, and the observer's names.
    auto residual = [&](const std::string& out_name, const Norm& norm, const std::string& stream_name) {
        observe(p + out_name, out_);
        add_inplace(h_.data(), out_.data(), n);
        if (r_.post_ln) norm_apply(r_, norm, h_.data(), T, D, h_.data());
        observe(p + stream_name, h_);
    };
    std::vector<ColumnRun> runs;   // the part's column runs, made again each step (the same list)
    auto last_run = [&] {          // runs the next one; true when it was the part's last
        runs[s.next++].run();
        return s.next >= runs.size();
    };
    auto next_part = [&](Part part) {
        s.part = part;
        s.next = 0;
    };
    // The next group of heads of an attention over `keys` keys; true when it was the last.
    auto last_heads = [&](const AttentionCall& call, int keys, AttentionTensor* capture, AttentionBuffers& ab) {
        const int begin = static_cast<int>(s.next), end = std::min(r_.n_head, begin + heads_per_part(r_, T, keys, step_multiply_adds_));
        if (capture) attention_grow_to(*capture, l, end);   // these heads' zeros, not the layer's
        attention_heads(r_, call, T, keys, ab, begin, end);
        s.next = static_cast<size_t>(end);
        if (end < r_.n_head) return false;
        attention_context_done(call, T, r_.n_head * r_.head_dim, ab);
        return true;
    };
    const AttentionCall cross = cross_attention_call(l, self.scale, prefix_ + p, capture_.cross, hooks_);
    switch (s.part) {
    case Part::attention_inputs:
        attention_inputs(r_, b.attn, in, T, in, T, step_multiply_adds_, buf.self, runs);
        if (!last_run()) return;
        attention_inputs_done(r_, b.attn, self, in, T, T, buf.self);
        return next_part(Part::heads);
    case Part::heads:
        if (last_heads(self, T, capture_.self, buf.self)) next_part(Part::attention_output);
        return;
    case Part::attention_output:
        add_runs(runs, b.attn.out, buf.self.ctx.data(), T, out_.data(), step_multiply_adds_);
        if (!last_run()) return;
        residual("attn_out", b.attn.norm, "resid_mid");
        if (!r_.post_ln) norm_apply(r_, b.ffn.norm, h_.data(), T, D, x_.data());
        return next_part(cross_runs() ? Part::cross_inputs : Part::mlp_inputs);
    case Part::cross_inputs:
        attention_inputs(r_, b.cross, h_.data(), T, memory_, S_, step_multiply_adds_, buf.cross, runs);
        if (!last_run()) return;
        attention_inputs_done(r_, b.cross, cross, h_.data(), T, S_, buf.cross);
        return next_part(Part::cross_heads);
    case Part::cross_heads:
        if (last_heads(cross, S_, capture_.cross, buf.cross)) next_part(Part::cross_output);
        return;
    case Part::cross_output:
        add_runs(runs, b.cross.out, buf.cross.ctx.data(), T, out_.data(), step_multiply_adds_);
        if (!last_run()) return;
        residual("cross_out", b.cross.norm, "resid_cross");
        return next_part(Part::mlp_inputs);
    case Part::mlp_inputs:
        mlp_inputs(r_, b.ffn, in, T, step_multiply_adds_, buf.ff, buf.up, runs);
        if (!last_run()) return;
        mlp_inputs_done(r_, T, b.ffn.fc1.w.view.n_out(), buf.ff, buf.up, hooks_, prefix_ + p + "mlp_act");
        return next_part(Part::mlp_output);
    case Part::mlp_output:
        add_runs(runs, b.ffn.fc2, buf.ff.data(), T, out_.data(), step_multiply_adds_);
        if (!last_run()) return;
        residual("mlp_out", b.ffn.norm, "out");
        parts_.reset();
        ++next_;
        return;
    }
}

void StackRun::observe(const std::string& name, std::vector<float>& data) const {
    hooks_.edit_and_observe(prefix_ + name, T_, D_, data.data());
}

void StackRun::step() {
    if (done()) return;
    const int l = next_;
    const std::string p = "layer." + std::to_string(l) + ".";
    if (parts_ || (!mlp_next_ && cut_layer(l))) {
        part_step();
        return;
    }
    if (mlp_next_) {
        mlp_half(l, p);
        return;
    }
    const int T = T_, D = D_;
    const BlockWeights& b = blocks_[l];
    if (capture_.hidden) hidden_capture(*capture_.hidden, l, h_);
    const std::vector<uint8_t> mask = apply_interventions_ ? knockout_mask(hooks_, l, T, T) : std::vector<uint8_t>{};
    if (capture_.self) attention_grow_to(*capture_.self, l);
    const AttentionCall self = self_attention_call(r_, blocks_[l], l, prefix_ + p, capture_.self, mask, hooks_, apply_interventions_);
    const long n = static_cast<long>(h_.size());
    if (!r_.post_ln) {
        norm_apply(r_, b.attn.norm, h_.data(), T, D, x_.data());
        attention_sublayer(r_, b.attn, self, x_.data(), T, x_.data(), T, out_.data(), buffers_->self);
        observe(p + "attn_out", out_);
        add_inplace(h_.data(), out_.data(), n);
        observe(p + "resid_mid", h_);
        mlp_next_ = true;   // the MLP is the next step: a step is half a pre-LN block
        return;
    } else {
        attention_sublayer(r_, b.attn, self, h_.data(), T, h_.data(), T, out_.data(), buffers_->self);
        observe(p + "attn_out", out_);
        add_inplace(h_.data(), out_.data(), n);
        norm_apply(r_, b.attn.norm, h_.data(), T, D, h_.data());
        observe(p + "resid_mid", h_);
        if (cross_runs()) {
            if (capture_.cross) attention_grow_to(*capture_.cross, l);
            const AttentionCall cross = cross_attention_call(l, self.scale, prefix_ + p, capture_.cross, hooks_);
            attention_sublayer(r_, b.cross, cross, h_.data(), T, memory_, S_, out_.data(), buffers_->cross);
            observe(p + "cross_out", out_);
            add_inplace(h_.data(), out_.data(), n);
            norm_apply(r_, b.cross.norm, h_.data(), T, D, h_.data());
            observe(p + "resid_cross", h_);
        }
        mlp_sublayer(r_, b.ffn, h_.data(), T, out_.data(), hooks_, prefix_ + p + "mlp_act", buffers_->ff, buffers_->up);
        observe(p + "mlp_out", out_);
        add_inplace(h_.data(), out_.data(), n);
        norm_apply(r_, b.ffn.norm, h_.data(), T, D, h_.data());
    }
    observe(p + "out", h_);
    ++next_;
}

void StackRun::mlp_half(int l, const std::string& p) {
    const BlockWeights& b = blocks_[l];
    norm_apply(r_, b.ffn.norm, h_.data(), T_, D_, x_.data());
    mlp_sublayer(r_, b.ffn, x_.data(), T_, out_.data(), hooks_, prefix_ + p + "mlp_act", buffers_->ff, buffers_->up);
    observe(p + "mlp_out", out_);
    add_inplace(h_.data(), out_.data(), static_cast<long>(h_.size()));
    observe(p + "out", h_);
    mlp_next_ = false;
    ++next_;
}

void stack_forward(const BlockRecipe& r, const std::vector<BlockWeights>& blocks, std::vector<float>& h, int T,
                   const float* memory, int S, const StackCapture& capture, const ForwardHooks& hooks,
                   const std::string& prefix, bool apply_interventions) {
    StackRun run(r, blocks, h, T, memory, S, capture, hooks, prefix, apply_interventions);
    while (!run.done()) run.step();
}

}  // namespace attn
