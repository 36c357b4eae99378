// Trace: everything one forward pass captured, in plain buffers, for analyses and views to read.
// It holds no model pointers and no caches, so it can be copied, saved and compared freely.
//
// Dimension letters: L layers, H heads, T query tokens, S key tokens, D hidden size, V vocabulary.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/hooks.h"

namespace attn {

struct TokenSeq {
    std::vector<int32_t> ids;
    std::vector<std::string> pieces;   // the tokenizer's own token strings ("Ġthe", "##ing", "▁de")
    int size() const { return static_cast<int>(ids.size()); }
};

// One kind of attention (self, causal self, or cross) across all layers.
struct AttentionTensor {
    int n_layer = 0, n_head = 0, n_query = 0, n_key = 0;
    bool causal = false;
    std::vector<float> probs;   // (L, H, T, S) softmaxed; exactly zero above the diagonal when causal

    bool empty() const { return probs.empty(); }
    const float* head(int layer, int h) const {
        return probs.data() + (static_cast<size_t>(layer) * n_head + h) * n_query * n_key;
    }
    float at(int layer, int h, int t, int s) const { return head(layer, h)[static_cast<size_t>(t) * n_key + s]; }
};

// Residual stream states, Hugging Face convention: state 0 is the embedding output, state l the
// output of block l, and for GPT-2 the last one is taken after the final layer norm (encoders and BART
// have none: their last state is the last layer's output).
struct HiddenTensor {
    int n_state = 0, n_token = 0, n_embd = 0;
    std::vector<float> values;  // (L+1, T, D)

    bool empty() const { return values.empty(); }
    const float* row(int state, int t) const {
        return values.data() + (static_cast<size_t>(state) * n_token + t) * n_embd;
    }
};

struct Trace {
    std::string architecture;        // "gpt2", "bert", "llama", "bart", ...
    TokenSeq tokens;                 // decoder-only and encoder: the input; encoder-decoder: the source
    TokenSeq decoder_tokens;         // encoder-decoder only

    AttentionTensor attentions;          // self attention (decoder-only, encoder, or BART's encoder)
    AttentionTensor decoder_attentions;  // encoder-decoder: causal self attention of the decoder
    AttentionTensor cross_attentions;    // encoder-decoder: decoder queries (T) x source keys (S)

    HiddenTensor hidden_states;          // decoder-only / encoder / BART encoder
    HiddenTensor decoder_hidden_states;  // encoder-decoder only

    int n_vocab = 0;
    std::vector<int> logit_positions;    // which query positions logits were kept for
    std::vector<float> logits;           // (P, V) in the order of logit_positions

    bool is_encoder_decoder() const { return !decoder_tokens.ids.empty(); }
    const float* logits_at(int position) const {
        for (size_t i = 0; i < logit_positions.size(); ++i)
            if (logit_positions[i] == position) return logits.data() + i * static_cast<size_t>(n_vocab);
        return nullptr;
    }
};

// What to capture. Capturing is opt-in per tensor; logits are kept only where asked (a full (T, V)
// matrix for a 50k vocabulary is large and rarely needed).
struct TraceOptions {
    bool capture_attentions = true;
    bool capture_hidden_states = true;
    std::vector<int> logit_positions;    // empty: the last position only; -1 means "last"
    ForwardHooks hooks;                  // head gates, edge knockouts, an observer (model/hooks.h)
    // A stepped trace (model_trace_job, model_trace_seq2seq_job) of a large model cuts its steps to about
    // this many multiply-adds (model/block.h's StackRun; the app: kStackStepMultiplyAdds). 0: half a
    // pre-LN block or a whole post-LN block a step, the LM head in one, as a trace run at once needs (cut
    // products pack their input once per run).
    double step_multiply_adds = 0.0;
};

}  // namespace attn
