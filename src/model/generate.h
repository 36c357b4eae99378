// Text generation for decoder and encoder-decoder models: greedy by default (argmax, ties to the
// lowest id, like torch.argmax), or sampling with temperature and top-k from a seeded generator that gives the same
// ids natively and in WebAssembly. Each step re-runs the model on the whole sequence (no KV cache): the
// explorer wants each step's attention anyway, and the models shown here are small.
#pragma once
#include <cstdint>
#include <vector>

#include "model/model.h"

namespace attn {

struct GenerateOptions {
    int max_new_tokens = 20;
    float temperature = 0.0f;   // 0: greedy
    int top_k = 0;              // 0: the whole vocabulary
    uint64_t seed = 0;
    bool stop_at_eos = true;
};

// The id chosen from one logits row (V).
int32_t next_token_pick(const float* logits, int n_vocab, const GenerateOptions& options, uint64_t& rng_state);

// New ids only (not the prompt). Stops early at the model's end-of-sequence id when asked, or when the
// context is full.
Expected<std::vector<int32_t>> model_generate(const Model& model, const std::vector<int32_t>& prompt,
                                              const GenerateOptions& options);

// Encoder-decoder models: the whole decoder sequence, starting with decoder_start_token_id, as
// transformers' generate() returns it. Like transformers with the model's config: forced_bos_token_id
// is the only choice at step 1 and forced_eos_token_id at the last step that max_new_tokens allows
// (ForcedBOS/ForcedEOSTokenLogitsProcessor); stops after an eos id when asked, or when the decoder
// context is full. No beam search, no_repeat_ngram_size or length penalties.
Expected<std::vector<int32_t>> model_generate_seq2seq(const Model& model, const std::vector<int32_t>& source_ids,
                                                      const GenerateOptions& options);

}  // namespace attn
