// Dtype names and sizes, and bit-exact f16/bf16 conversions written with integer operations only, so
// native (any -march) and WebAssembly builds give identical bits.
#include "core/dtype.h"

#include <algorithm>
#include <cstring>

#include "core/simd.h"

namespace attn {

namespace {

struct DTypeInfo {
    const char* name;
    size_t size;
};

// Indexed by DType; same order as the enum.
constexpr DTypeInfo kDTypes[kDTypeCount] = {
    {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
    {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
    {"U32", 4},  {"F32", 4}, {"F64", 8}, {"I64", 8},     {"U64", 8},
};

uint32_t float_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

float bits_float(uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

}  // namespace

const char* dtype_name(DType type) { return kDTypes[static_cast<int>(type)].name; }
size_t dtype_size(DType type) { return kDTypes[static_cast<int>(type)].size; }

bool dtype_from_name(const std::string& name, DType* type) {
    for (int i = 0; i < kDTypeCount; ++i) {
        if (name == kDTypes[i].name) {
            *type = static_cast<DType>(i);
            return true;
        }
    }
    return false;
}

std::string dtype_names_list() {
    std::string out;
    for (int i = 0; i < kDTypeCount; ++i) {
        if (i) out += ", ";
        out += kDTypes[i].name;
    }
    return out;
}

bool dtype_is_float(DType type) {
    return type == DType::F16 || type == DType::BF16 || type == DType::F32 || type == DType::F64;
}

float f16_to_f32(uint16_t h) {
    uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0x1f)  // infinity or NaN: keep the payload in the top mantissa bits
        return bits_float(sign | 0x7f800000u | (mantissa << 13));
    if (exponent != 0)     // normal: rebias 15 -> 127
        return bits_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
    if (mantissa == 0) return bits_float(sign);
    // Subnormal half: mantissa * 2^-24. Normalise so the leading 1 becomes the implicit bit.
    int shift = 0;
    while ((mantissa & 0x400u) == 0) {
        mantissa <<= 1;
        ++shift;
    }
    mantissa &= 0x3ffu;
    uint32_t exponent32 = static_cast<uint32_t>(127 - 14 - shift);
    return bits_float(sign | (exponent32 << 23) | (mantissa << 13));
}

uint16_t f32_to_f16(float f) {
    uint32_t x = float_bits(f);
    uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
    x &= 0x7fffffffu;
    if (x >= 0x7f800000u) {  // infinity or NaN
        if (x == 0x7f800000u) return sign | 0x7c00u;
        uint16_t payload = static_cast<uint16_t>((x >> 13) & 0x3ffu);
        if (payload == 0) payload = 0x200;  // the payload lived only in the dropped bits: stay a NaN
        return sign | 0x7c00u | payload;
    }
    // 65520 is halfway between 65504 (largest half, odd mantissa) and 2^16: ties to even -> infinity.
    if (x >= 0x477ff000u) return sign | 0x7c00u;
    if (x >= 0x38800000u) {  // normal half range [2^-14, 65520): drop 13 mantissa bits, rebias
        uint32_t base = (x >> 13) - (112u << 10);
        uint32_t rest = x & 0x1fffu;
        if (rest > 0x1000u || (rest == 0x1000u && (base & 1u))) ++base;  // a carry may bump the exponent
        return static_cast<uint16_t>(sign | base);
    }
    // Below 2^-14: a subnormal half, value / 2^-24 rounded. At most 2^-25 (a tie with 0) gives zero.
    if (x <= 0x33000000u) return sign;
    uint32_t exponent = x >> 23;                       // 102 .. 112
    uint32_t mantissa = (x & 0x7fffffu) | 0x800000u;   // 24 significant bits
    uint32_t shift = 126 - exponent;                   // 14 .. 24
    uint32_t result = mantissa >> shift;
    uint32_t rest = mantissa & ((1u << shift) - 1);
    uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (result & 1u))) ++result;  // 0x400 is the smallest normal
    return static_cast<uint16_t>(sign | result);
}

float bf16_to_f32(uint16_t b) { return bits_float(static_cast<uint32_t>(b) << 16); }

uint16_t f32_to_bf16(float f) {
    uint32_t x = float_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) {  // NaN: keep sign and top payload bits, stay a NaN
        uint16_t b = static_cast<uint16_t>(x >> 16);
        if ((b & 0x7fu) == 0) b |= 0x40u;
        return b;
    }
    // Round to nearest even on the dropped 16 bits; overflow carries into infinity as it should.
    uint32_t bias = 0x7fffu + ((x >> 16) & 1u);
    return static_cast<uint16_t>((x + bias) >> 16);
}

namespace {

#if defined(__wasm_simd128__)
// n halves (a multiple of 8) widened in four vector steps where simd.h's exact vload_f16 takes nine: each
// half goes to the top of a 32-bit lane (sign at bit 31), an arithmetic shift by 3 puts exponent and
// mantissa where a float's go (the sign's copies in bits 28-30 masked off), and a multiply by 2^112
// rebiases the exponent, subnormal halves included. Exact for every half but infinity and NaN (exponent
// 31, which this would make a large finite value): returns false if any of the n had it, and the caller
// widens them again exactly. SIMD128 has no half type, so a page's f16 trace widens every layer weight
// this way once per product (core/gemm.cpp): 85 M values under node, 40-43 -> 29-30 ms from memory and
// 30-33 -> 17 ms from cache (one run of a standalone test).
bool widen_f16_finite(const uint16_t* h, size_t n, float* dst) {
    const v128_t zero = wasm_i32x4_const_splat(0), keep = wasm_i32x4_const_splat(static_cast<int32_t>(0x8fffffffu));
    const v128_t exponent = wasm_i16x8_const_splat(0x7c00), scale = wasm_f32x4_const_splat(0x1p112f);
    v128_t special = zero;
    for (size_t i = 0; i < n; i += 8) {
        const v128_t x = wasm_v128_load(h + i);
        special = wasm_v128_or(special, wasm_i16x8_eq(wasm_v128_and(x, exponent), exponent));
        const v128_t lo = wasm_i16x8_shuffle(zero, x, 0, 8, 1, 9, 2, 10, 3, 11);   // zero below each half
        const v128_t hi = wasm_i16x8_shuffle(zero, x, 4, 12, 5, 13, 6, 14, 7, 15);
        wasm_v128_store(dst + i, wasm_f32x4_mul(wasm_v128_and(wasm_i32x4_shr(lo, 3), keep), scale));
        wasm_v128_store(dst + i + 4, wasm_f32x4_mul(wasm_v128_and(wasm_i32x4_shr(hi, 3), keep), scale));
    }
    return !wasm_v128_any_true(special);
}
#endif

}  // namespace

void widen_to_f32(DType type, const void* src, size_t n, float* dst) {
    using namespace simd;
    if (type == DType::F32) {
        std::memcpy(dst, src, n * sizeof(float));
        return;
    }
    const uint16_t* h = static_cast<const uint16_t*>(src);
    size_t i = 0;
    if (type == DType::F16) {
#if defined(__wasm_simd128__)
        constexpr size_t kBlock = 256;   // a block with an infinity or NaN is widened again, exactly
        for (size_t m; (m = std::min(kBlock, (n - i) & ~size_t{7})) > 0; i += m)
            if (!widen_f16_finite(h + i, m, dst + i))
                for (size_t j = i; j < i + m; j += kLanes) vstore(dst + j, vload_f16(h + j));
#endif
        for (; i + kLanes <= n; i += kLanes) vstore(dst + i, vload_f16(h + i));
        for (; i < n; ++i) dst[i] = f16_to_f32(h[i]);
    } else {
        for (; i + kLanes <= n; i += kLanes) vstore(dst + i, vload_bf16(h + i));
        for (; i < n; ++i) dst[i] = bf16_to_f32(h[i]);
    }
}

}  // namespace attn
