// Fuzz target: a whole safetensors file (header + data) through safetensors_parse, and when it parses,
// every tensor read out (as f32 or i64, whichever its dtype takes), so every data offset is touched.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/error.h"
#include "model/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto bytes = std::make_shared<const attn::Bytes>(data, data + size);
    attn::Expected<attn::SafetensorsFile> file = attn::safetensors_parse(bytes, "fuzz.safetensors");
    if (!file) return 0;
    for (const attn::TensorView& t : file->tensors()) {
        // The copying readers throw attn::Error for a dtype they do not take; that is their contract.
        attn::Expected<bool> read = attn::catch_errors([&]() {
            if (t.dtype == attn::DType::F32 || t.dtype == attn::DType::F16 || t.dtype == attn::DType::BF16)
                (void)attn::tensor_to_f32(t);
            else
                (void)attn::tensor_to_i64(t);
            return true;
        });
        (void)read;
        (void)t.as_f32();
        (void)t.shape_string();
    }
    return 0;
}
