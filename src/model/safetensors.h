// Reading safetensors files held in memory: parse and validate the header as strictly as the
// reference implementation (huggingface/safetensors), then hand out zero-copy views of the tensors.
// It does not interpret names or shapes for any architecture (model loaders do), nor write files
// (model/safetensors_write.h).
//
//   Expected<SafetensorsFile> st = safetensors_parse(files.find_shared("model.safetensors"),
//                                                    "model.safetensors");
//   if (!st) { status(st.error().message); return; }
//   if (const TensorView* t = st->find("ln_f.bias")) {
//       std::vector<float> bias = tensor_to_f32(*t);   // F32, F16 or BF16 in; always f32 out
//   }
//
// Alignment: TensorView::data points into the file's bytes right after the header. Files from other
// writers may have headers whose length is not a multiple of 8, so data need not be aligned for its
// type. Never cast it to float* yourself: use as_f32() (nullptr unless aligned F32) or the copying
// helpers below, which use memcpy.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/file_set.h"

namespace attn {

// The largest header the reference implementation accepts.
constexpr uint64_t kSafetensorsMaxHeader = 100000000;

struct TensorView {
    std::string name;
    std::string file;                 // the label of the file it came from, for error messages
    DType dtype = DType::F32;
    std::vector<int64_t> shape;       // row-major; empty for a scalar
    const uint8_t* data = nullptr;    // little-endian elements; may be misaligned (see above)
    size_t nbytes = 0;                // numel() * dtype_size(dtype), checked at parse time

    int64_t numel() const;            // product of shape (1 for a scalar); cannot overflow once parsed
    std::string shape_string() const; // "[32, 96]"
    // Zero-copy float access when dtype is F32 and data is 4-byte aligned; nullptr otherwise.
    const float* as_f32() const;
};

class SafetensorsFile {
public:
    const std::string& label() const { return label_; }
    // nullptr when absent.
    const TensorView* find(const std::string& name) const;
    // Every tensor, in data-offset order (the order of bytes in the file).
    const std::vector<TensorView>& tensors() const { return tensors_; }
    // The optional "__metadata__" string map (e.g. {"format": "pt"}).
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    size_t header_size() const { return header_size_; }   // the JSON text, padding included
    size_t data_size() const { return data_size_; }       // bytes after the header
    const SharedBlob& bytes() const { return bytes_; }

private:
    friend class SafetensorsParser;
    SharedBlob bytes_;   // keeps the views' data alive (a vector or a mapped file); copies share it
    std::string label_;
    std::vector<TensorView> tensors_;
    std::map<std::string, size_t> index_;   // name -> position in tensors_
    std::map<std::string, std::string> metadata_;
    size_t header_size_ = 0;
    size_t data_size_ = 0;
};

// Parses and validates a whole file. `label` names it in every message ("model.safetensors: tensor
// 'wte.weight': ..."). Refuses: Git LFS pointers (with the fix), files under 8 bytes, headers over
// 100 MB or past the end of the file, non-UTF-8 or non-'{' headers, malformed or too deep JSON,
// duplicate keys, unknown dtypes, bad shapes or offsets, sizes that overflow, byte spans that do not
// match shape x dtype, gaps, overlaps and trailing bytes. The views point into `bytes` (kept alive).
Expected<SafetensorsFile> safetensors_parse(SharedBlob bytes, const std::string& label);
// The same over bytes in a vector (shared, not copied).
Expected<SafetensorsFile> safetensors_parse(SharedBytes bytes, const std::string& label);

// True when `bytes` is a Git LFS pointer file rather than the content it stands for.
bool is_git_lfs_pointer(const uint8_t* data, size_t size);
inline bool is_git_lfs_pointer(const Bytes& bytes) { return is_git_lfs_pointer(bytes.data(), bytes.size()); }

// Copies of a tensor's elements, safe for misaligned data. They throw attn::Error naming the file
// and tensor when the dtype does not fit (e.g. I64 to f32); model loaders call them inside
// catch_errors. tensor_to_f32 takes F32, F16, BF16; tensor_to_i64 takes I64, I32 and the 8/16-bit
// integer and BOOL types.
std::vector<float> tensor_to_f32(const TensorView& tensor);
void tensor_copy_f32(const TensorView& tensor, float* out);   // out holds numel() floats
std::vector<int64_t> tensor_to_i64(const TensorView& tensor);

}  // namespace attn
