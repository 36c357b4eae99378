// Model: a loaded network (weights + config) and its tokenizer, and the one call that runs it.
//
//   FileSet files = ...;                        // config.json, model.safetensors, tokenizer.json
//   Expected<ModelPtr> m = model_load(files);
//   if (!m) { status(m.error().message); return; }
//   Expected<Trace> t = model_trace_text(**m, "The animal didn't cross", TraceOptions{});
//   float w = t->attentions.at(layer, head, query, key);
//
//   // Encoder-decoder models (BART): the source into the encoder, the decoder input beside it.
//   Expected<Trace> s = model_trace_seq2seq(**m, source_ids, {m->info().decoder_start_token_id}, TraceOptions{});
//   float c = s->cross_attentions.at(layer, head, decoder_position, source_position);
//
// Architectures live in their own files (gpt2.cpp, ...); this header is all the rest of the program sees.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_set.h"
#include "model/tokenizer/tokenizer.h"
#include "model/trace.h"

namespace attn {

struct ModelInfo {
    std::string architecture;     // "gpt2"
    int n_layer = 0;              // encoder-decoder: the encoder's
    int n_head = 0;
    int n_kv_head = 0;
    int n_embd = 0;
    int n_ctx = 0;                // longest input the model accepts
    int n_vocab = 0;
    int64_t n_params = 0;
    int64_t weight_bytes = 0;     // bytes the weights occupy in memory
    std::vector<std::string> weight_dtypes;   // distinct dtypes of the weight tensors, e.g. {"F32"}
    bool causal = true;           // encoder-decoder: false (the encoder's self attention)
    bool encoder_decoder = false;
    int n_decoder_layer = 0;      // encoder-decoder only
    int n_decoder_head = 0;       // encoder-decoder only
    int32_t decoder_start_token_id = -1;   // encoder-decoder only: the decoder's first input id
};

struct Body;         // model/body.h
class ForwardJob;    // model/forward_job.h

class Network {
public:
    virtual ~Network() = default;
    virtual const ModelInfo& info() const = 0;
    // ids must already be valid and no longer than n_ctx (model_trace checks).
    virtual Trace forward(const std::vector<int32_t>& ids, const TraceOptions& options) const = 0;
    // forward() in steps (model/forward_job.h); by default one step that runs forward().
    virtual std::unique_ptr<ForwardJob> forward_job(const std::vector<int32_t>& ids, const TraceOptions& options) const;
    // Encoder-decoder networks: the encoder reads source_ids, the decoder decoder_ids; logit positions are
    // decoder positions. Ids are checked by model_trace_seq2seq. Other networks throw attn::Error.
    // forward_seq2seq is its job run to the end.
    virtual std::unique_ptr<ForwardJob> forward_seq2seq_job(const std::vector<int32_t>& source_ids,
                                                            const std::vector<int32_t>& decoder_ids,
                                                            const TraceOptions& options) const;
    Trace forward_seq2seq(const std::vector<int32_t>& source_ids, const std::vector<int32_t>& decoder_ids,
                          const TraceOptions& options) const;
    // Decoder-only and encoder networks: their description (embeddings, blocks, head), which the
    // differentiable pass (model/gradients.h) runs. Encoder-decoder networks: nullptr.
    virtual const Body* body() const { return nullptr; }
    // For a caller that traces again and again (the explorer, the benchmark): natively, lays the layer
    // weights out once for the product (model/weight_pack.h), a second copy that makes each later trace
    // faster and costs about a trace or two of time now. A one-trace CLI command does not ask.
    virtual void pack_weights() {}
    // The same a matrix at a time, for a caller that must not stop for the whole of it (the explorer,
    // a few a frame once the model shows); true while matrices are left. Traces between steps are right.
    virtual bool pack_weights_step() { return false; }
    // Called by whoever is about to write the weights in place (the trainer): drops what pack_weights
    // made from them, so later passes read the written values.
    virtual void weights_will_change() {}
    // How many layer matrices hold their panels in their own bytes (the page packs in place).
    virtual int packed_in_place() const { return 0; }
};

struct Model {
    std::unique_ptr<Network> network;
    Tokenizer tokenizer;
    std::vector<int32_t> eos_token_ids;   // config.json eos_token_id (a number or a list); may be empty
    int32_t bos_token_id = -1;            // config.json bos_token_id; -1 when absent
    // Generation rules from config.json (transformers' ForcedBOS/ForcedEOS logits processors): -1 / empty
    // when absent.
    int32_t forced_bos_token_id = -1;
    std::vector<int32_t> forced_eos_token_ids;
    // What loaded but deserves a word (NaN weights, tokens beyond the embedding rows): one line each,
    // naming the file; the app shows them in the status bar, the CLI on stderr.
    std::vector<std::string> warnings;
    const ModelInfo& info() const { return network->info(); }
};
using ModelPtr = std::unique_ptr<Model>;

// Reads config.json, the weights (model.safetensors or an index + shards) and the tokenizer.
Expected<ModelPtr> model_load(const FileSet& files);

// Runs the model on ids; refuses ids outside the vocabulary or longer than the context. An
// encoder-decoder model runs its decoder on [decoder_start_token_id] alone.
Expected<Trace> model_trace(const Model& model, const std::vector<int32_t>& ids, const TraceOptions& options);
// Encoder-decoder models only: source into the encoder, decoder_ids (teacher-forced, usually starting with
// decoder_start_token_id) into the decoder; the same checks as model_trace on both, logit positions
// counted in decoder_ids.
Expected<Trace> model_trace_seq2seq(const Model& model, const std::vector<int32_t>& source_ids,
                                    const std::vector<int32_t>& decoder_ids, const TraceOptions& options);
// model_trace_seq2seq as a job (model/forward_job.h): the same checks up front, the same Trace at the end.
Expected<std::unique_ptr<ForwardJob>> model_trace_seq2seq_job(const Model& model, const std::vector<int32_t>& source_ids,
                                                              const std::vector<int32_t>& decoder_ids,
                                                              const TraceOptions& options);
// How text becomes an encoder-decoder's inputs. Source: encode(text) with special tokens; when the
// tokenizer adds none, wrapped in bos ... eos as BART's own tokenizer does (the model was trained so).
// Target (teacher forcing, as transformers shifts labels): [decoder_start, bos] + its tokens without
// special tokens. Neither truncates.
std::vector<int32_t> seq2seq_source_ids(const Model& model, const std::string& text);
std::vector<int32_t> seq2seq_target_ids(const Model& model, const std::string& text);

// The ids model_trace_text traces: text tokenized with special tokens (like HF encode()), cut to the
// context (and never past model/limits.h's kMaxTokens). `truncated` (optional) tells whether it was cut.
Expected<std::vector<int32_t>> model_text_ids(const Model& model, const std::string& text, bool* truncated = nullptr);
// Tokenizes (with special tokens, like HF encode()), truncates to the context, then traces.
// `truncated` (optional) tells whether the input was cut.
Expected<Trace> model_trace_text(const Model& model, const std::string& text, const TraceOptions& options,
                                 bool* truncated = nullptr);

}  // namespace attn
