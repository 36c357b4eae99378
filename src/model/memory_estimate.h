// Memory estimates made before anything large is allocated, and the refusals they lead to: a model load
// from the safetensors headers alone (no tensor data read or copied), a trace and a gradient pass from
// ModelInfo and the token count. Limits themselves are stated in model/limits.h.
//
//   if (auto refused = model_load_check(files)) return *refused;   // "this model needs 5.1 GB (...);
//                                                                   //  the page can use 4.0 GB at most"
//   int64_t need = trace_bytes_estimate(model.info(), T, T, options);
//   if (auto refused = trace_memory_check(model.info(), T, need)) return *refused;
//
// Estimates are upper bounds of what the code allocates (tests/model/test_limits.cpp holds them to the
// fixtures' real sizes), not of the allocator's own overhead.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/file_set.h"
#include "model/model.h"

namespace attn {

// What a model folder's safetensors headers claim, read without parsing the tensor data. Headers that
// cannot be read (too short, malformed) and entries that contradict themselves (a span that is not the
// elements times their size) are not counted: the real parse then says what is wrong with them.
struct WeightsClaim {
    std::string weights_file;     // "model.safetensors" or "model.safetensors.index.json": named in messages
    int64_t file_bytes = 0;       // every file of the FileSet: the page holds them all while loading
    int64_t weight_bytes = 0;     // tensor data the headers claim, whatever the files' real size
    int64_t copied_bytes = 0;     // f32 copies a load makes: 1-D tensors (norms, biases), misaligned matrices
    int64_t tokenizer_bytes = 0;  // tokenizer.json, vocab.txt, vocab.json, merges.txt
    int64_t tensor_count = 0;
};
WeightsClaim weights_claim(const FileSet& files);

// The peak a load needs: the files (a truncated weights file at the size its header claims), the copies,
// and the tokenizer's tables and, while parsing, its JSON tree: kTokenizerBytesPerFileByte per byte of
// tokenizer files (GPT-2's 3.5 MB tokenizer.json peaks at ~4x natively and keeps 2.2x: twice that).
constexpr int64_t kTokenizerBytesPerFileByte = 8;
int64_t model_load_bytes_estimate(const WeightsClaim& claim);
// The same from file sizes alone, for the page before it streams anything (it knows File.size, not the
// headers): weights as their file size, no copies counted.
int64_t model_load_bytes_from_sizes(int64_t weights_file_bytes, int64_t tokenizer_bytes, int64_t other_bytes);

// Refuses more than kMaxTensorCount tensors or a load past memory_limit(), naming the weights file.
std::optional<ErrorValue> model_load_check(const FileSet& files);
// The refusal for `need` bytes over memory_limit(), or nothing: the page's or the machine's wording.
std::optional<ErrorValue> model_memory_refusal(int64_t need, const std::string& weights_file, int64_t weight_bytes);

// A trace of T query tokens over S keys (S = T for decoder-only and encoder models): the Trace's arrays
// (attentions (L, H, T, S), hidden states (L+1, T, D), logits (P, V)) plus the forward's scratch (one
// layer's activations; every head's (T, S) probabilities when they are not captured).
int64_t trace_bytes_estimate(const ModelInfo& info, int T, int S, const TraceOptions& options);
// Encoder-decoder: the encoder over S source tokens, the decoder's T tokens with self and cross attention.
int64_t trace_seq2seq_bytes_estimate(const ModelInfo& info, int S, int T, const TraceOptions& options);
// A gradient pass (model/gradients.h): every layer's recorded activations and probabilities, their
// gradients, the attentions when captured, and every parameter's gradient when asked.
int64_t gradients_bytes_estimate(const ModelInfo& info, int T, bool capture_attentions, bool param_grads);
// Refuses `tokens` past kMaxTokens, or `need` bytes that do not fit beside the loaded weights.
std::optional<ErrorValue> trace_memory_check(const ModelInfo& info, int tokens, int64_t need);

}  // namespace attn
