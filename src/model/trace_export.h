// A Trace as files people open in notebooks: safetensors (the same tensor names as the reference
// files and `attnscope-cli trace`), NumPy .npz (one .npy per tensor, uncompressed zip) and single
// .npy arrays. Pure byte builders: writing or downloading the bytes is the platform's job.
//
//   Expected<Bytes> st = trace_to_safetensors(trace, {{"architecture", "gpt2"}});
//   Expected<Bytes> npz = trace_to_npz(trace);              // np.load(f)["attentions"]
//   Bytes npy = npy_f32({L, H, T, S}, trace.attentions.probs.data());
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/file_set.h"
#include "model/trace.h"

namespace attn {

// One tensor of an export: a view into memory owned by the Trace (or by TraceArrays' id copies).
struct NamedArray {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    const void* data;
};

// The exported tensors of a trace. Decoder-only and encoder: input_ids, attentions, hidden_states,
// and last_logits (decoders) or mask_logits (encoders: the first traced logit position).
// Encoder-decoder: input_ids, decoder_input_ids, encoder_/decoder_/cross_attentions,
// encoder_/decoder_hidden_states, last_logits. Token ids are I64 as in transformers.
struct TraceArrays {
    std::vector<NamedArray> arrays;
    std::vector<int64_t> input_ids, decoder_input_ids;   // storage the id arrays point into
    TraceArrays() = default;
    TraceArrays(const TraceArrays&) = delete;             // arrays point into this object
    TraceArrays& operator=(const TraceArrays&) = delete;
};
void trace_arrays(const Trace& trace, TraceArrays* out);

Expected<Bytes> trace_to_safetensors(const Trace& trace, const std::map<std::string, std::string>& metadata);
Expected<Bytes> trace_to_npz(const Trace& trace);

// A NumPy .npy file (format 1.0, little-endian, C order) of F32 or I64 data.
Bytes npy_array(DType dtype, const std::vector<int64_t>& shape, const void* data);
inline Bytes npy_f32(const std::vector<int64_t>& shape, const float* data) { return npy_array(DType::F32, shape, data); }

// An uncompressed zip archive ("stored" entries, CRC-32 checked by readers) of name -> bytes, in order.
Bytes zip_store(const std::vector<std::pair<std::string, Bytes>>& entries);

}  // namespace attn
