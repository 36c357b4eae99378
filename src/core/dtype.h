// Element types of stored tensors (the safetensors set) and exact conversions between f32 and the two
// 16-bit float formats. It does not convert whole tensors; see tensor_to_f32 in model/safetensors.h.
//
//   DType t;
//   if (dtype_from_name("BF16", &t)) { size_t bytes = n * dtype_size(t); }
//   float x = bf16_to_f32(0x3f80);            // 1.0f
//   uint16_t h = f32_to_f16(0.1f);            // 0x2e66, rounded to nearest, ties to even
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace attn {

// Every dtype the safetensors format defines (as of format 0.4), in the reference implementation's
// order. Only F32, F16, BF16, I64 and I32 are read by the model code; the rest can be listed and
// skipped, so a file holding, say, a U8 mask still opens.
enum class DType : uint8_t {
    BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64,
};
constexpr int kDTypeCount = 15;

// "F32", "BF16", ... exactly as written in safetensors headers.
const char* dtype_name(DType type);
// Bytes per element: 1, 2, 4 or 8.
size_t dtype_size(DType type);
// Case-sensitive, as in the format ("f32" is not a dtype). Returns false for unknown names.
bool dtype_from_name(const std::string& name, DType* type);
// "BOOL, U8, ..., U64": for error messages that list what is accepted.
std::string dtype_names_list();
bool dtype_is_float(DType type);  // F16, BF16, F32, F64 (not the F8 formats)

// IEEE binary16 and bfloat16 <-> binary32. Widening is exact (subnormals, infinities, NaN payloads
// kept). Narrowing rounds to nearest, ties to even; values past the largest finite half (65504)
// become infinity from 65520 on; a NaN stays a NaN (quiet bit set only if its payload would vanish).
float f16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);
float bf16_to_f32(uint16_t b);
uint16_t f32_to_bf16(float f);

// n values stored as F32, F16 or BF16 at src, widened to f32 at dst a SIMD vector at a time (core/simd.h),
// bit-identical to the conversions above (natively, F16C makes a signalling half NaN quiet). Weight rows
// and GEMM packing use it.
void widen_to_f32(DType type, const void* src, size_t n, float* dst);

}  // namespace attn
