// Building a safetensors file in memory (the CLI writes traces with it). Output follows the reference
// serializer byte for byte: tensors ordered by dtype (widest alignment first) then name, compact JSON
// with "__metadata__" first, header padded with spaces to a multiple of 8 so every tensor is aligned.
// It does not touch the file system (platform/file_io.h writes the bytes).
//
//   SafetensorsWriter w;
//   w.add_f32("attentions", {L, H, T, S}, probs.data());   // pointers must outlive write()
//   w.add_i64("input_ids", {T}, ids.data());
//   w.set_metadata("model", "gpt2");
//   Expected<Bytes> bytes = w.write();
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/file_set.h"

namespace attn {

class SafetensorsWriter {
public:
    // Data is referenced, not copied: it must stay alive and unchanged until write() returns.
    void add_f32(const std::string& name, std::vector<int64_t> shape, const float* data);
    void add_i64(const std::string& name, std::vector<int64_t> shape, const int64_t* data);
    // Any dtype, raw little-endian elements (numel * dtype_size bytes).
    void add(const std::string& name, DType dtype, std::vector<int64_t> shape, const void* data);
    void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }

    // Errors: a name added twice, the name "__metadata__", a negative dimension, a size that overflows,
    // strings that are not valid UTF-8.
    Expected<Bytes> write() const;

private:
    struct Item {
        std::string name;
        DType dtype;
        std::vector<int64_t> shape;
        const void* data;
    };
    std::vector<Item> items_;
    std::map<std::string, std::string> metadata_;
};

}  // namespace attn
