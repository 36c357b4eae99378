// Interventions on and observation of one forward pass, read by the shared block layer (block.cpp), so
// no architecture needs a forward variant for them. It does not compute gradients (the backward pass
// reads the same gates later) and does not change what the Trace holds.
//
//   ForwardHooks hooks;
//   hooks.head_gates = head_gates_ones(n_layer, n_head);
//   hooks.head_gates[2 * n_head + 5] = 0.0f;                    // ablate head 5 of layer 2
//   hooks.knockouts.push_back({/*layer=*/-1, /*query=*/4, /*key=*/0});   // token 4 may not see token 0
//   hooks.observer = [&](const std::string& name, int rows, int cols, const float* data) { ... };
//   TraceOptions options;
//   options.hooks = hooks;
//
// Which stack they address: head_gates and knockouts the `attentions` stack of the Trace (decoder-only,
// encoder, BART's encoder); decoder_head_gates and decoder_knockouts BART's decoder self-attention (the
// Trace's `decoder_attentions`, positions in the decoder input). Cross attention is observed, not gated.
// BART's decoder is observed (and edited) under "decoder." names.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace attn {

struct EdgeKnockout {
    int layer = -1;   // -1: every layer
    int query = 0;    // query position i ...
    int key = 0;      // ... may not see key position j: its score is masked before the softmax
};

// Shown each named intermediate once it is computed: data is (rows, cols) f32, valid only during the call.
// Names, in the order a pre-LN block produces them (T rows, D cols unless said):
//   "embed"                      the residual stream entering layer 0 (after the embedding norm, if any)
//   "layer.L.attn_in"            the rows the attention reads (pre-LN: after its norm; post-LN: the stream)
//   "layer.L.queries"            the query vectors as the scores use them, after RoPE where the model has it
//                                (T rows, n_head * head_dim cols, head h in cols h*hd .. h*hd+hd-1)
//   "layer.L.keys"               the key vectors likewise (S rows, n_kv_head * head_dim cols): with grouped-
//                                query attention head h reads kv head h / (n_head / n_kv_head)
//   "layer.L.values"             the value vectors (S rows, n_kv_head * head_dim cols), heads side by side
//   "layer.L.score_scale"        (1, 1): what the scores q.k are multiplied by before the softmax
//   "layer.L.attn_out"           the attention sublayer's output projection, before the residual add
//   "layer.L.resid_mid"          the residual stream between attention and MLP (post-LN: after its norm)
//   "layer.L.mlp_act"            the MLP's hidden activations (T rows, F cols; gated: act(gate) * up)
//   "layer.L.mlp_out"            the MLP's output, before the residual add
//   "layer.L.out"                the block's output
//   "final_norm"                 pre-LN models: the final norm's output (the Trace's last hidden state)
// Post-LN decoders with cross attention add, after resid_mid, "layer.L.cross_in" (the decoder rows the
// queries come from), "layer.L.cross_queries", "layer.L.cross_keys" and "layer.L.cross_values" (S rows:
// from the encoder's output), "layer.L.cross_score_scale", "layer.L.cross_out" and "layer.L.resid_cross"; BART's decoder
// stack reports the same names prefixed by "decoder.".
using ForwardObserver = std::function<void(const std::string& name, int rows, int cols, const float* data)>;
// Shown the same named intermediates as the observer, before it, and may change them in place: what
// activation patching and mean ablation write through. Besides the observer's names it is shown
//   "layer.L.context"            the heads' context vectors after their gates, before the output
//                                projection (T rows, H * head_dim cols, head h in cols h*hd .. h*hd+hd-1)
// Not shown "layer.L.values", queries, keys, attn_in, score_scale nor the cross_ ones (they feed the attention
// already computed), nor "final_norm".
// The gradient pass (model/gradients.h) ignores it: an edited forward has no backward.
using ForwardEditor = std::function<void(const std::string& name, int rows, int cols, float* data)>;

struct ForwardHooks {
    // (L, H) per-head gate: the head's context vector is scaled by it before the output projection
    // (0 = ablated). Empty: every gate is 1.
    std::vector<float> head_gates;
    std::vector<EdgeKnockout> knockouts;
    ForwardObserver observer;   // empty: nothing observed
    ForwardEditor editor;       // empty: nothing edited
    // Encoder-decoder models: the same for the decoder stack ((L_dec, H_dec) gates; empty: all 1).
    std::vector<float> decoder_head_gates;
    std::vector<EdgeKnockout> decoder_knockouts;

    float gate(int layer, int head, int n_head) const {
        const size_t i = static_cast<size_t>(layer) * n_head + head;
        return i < head_gates.size() ? head_gates[i] : 1.0f;
    }
    void observe(const std::string& name, int rows, int cols, const float* data) const {
        if (observer) observer(name, rows, cols, data);
    }
    // The editor, then the observer (which so sees the edited values).
    void edit_and_observe(const std::string& name, int rows, int cols, float* data) const {
        if (editor) editor(name, rows, cols, data);
        if (observer) observer(name, rows, cols, data);
    }
    // The hooks the decoder stack runs with: its gates and knockouts in the place of the encoder's, the
    // same observer.
    ForwardHooks for_decoder() const {
        ForwardHooks d;
        d.head_gates = decoder_head_gates;
        d.knockouts = decoder_knockouts;
        d.observer = observer;
        d.editor = editor;
        return d;
    }
};

// (L, H) gates all equal to 1: a starting point for ablating a few heads.
inline std::vector<float> head_gates_ones(int n_layer, int n_head) {
    return std::vector<float>(static_cast<size_t>(n_layer) * n_head, 1.0f);
}

}  // namespace attn
