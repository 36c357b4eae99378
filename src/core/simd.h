// The one compile-time SIMD table: kernels are written once against these names and get AVX-512,
// AVX2+FMA, wasm_simd128 or scalar code depending on the target. It holds float lanes only, plus the
// one integer step exp() needs; nothing here allocates or branches on data.
//
// vfmadd(a, b, c) is a * b + c, fused wherever the target fuses (natively) and always unfused in WASM, so
// the polynomials below round the same on every machine of a target. vmadd_any may be either, machine by
// machine (relaxed SIMD in WASM): for the products of GEMM and attention, whose tests allow for rounding.
//
//   using namespace attn::simd;
//   Vec acc = vzero();
//   for (int i = 0; i + kLanes <= n; i += kLanes) acc = vfmadd(vload(a + i), vload(b + i), acc);
//   float dot = vsum(acc);  // plus a scalar tail for n % kLanes
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__AVX512F__)
#include <immintrin.h>
#define ATTN_SIMD_NAME "avx512"
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define ATTN_SIMD_NAME "avx2"
#elif defined(__wasm_simd128__) && defined(__wasm_relaxed_simd__)
#include <wasm_simd128.h>
#define ATTN_SIMD_NAME "wasm_relaxed_simd"
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define ATTN_SIMD_NAME "wasm_simd128"
#else
#define ATTN_SIMD_NAME "scalar"
#endif

namespace attn::simd {

#if defined(__AVX512F__)
using Vec = __m512;
constexpr int kLanes = 16;
inline Vec vload(const float* p) { return _mm512_loadu_ps(p); }
inline void vstore(float* p, Vec v) { _mm512_storeu_ps(p, v); }
inline Vec vset1(float x) { return _mm512_set1_ps(x); }
inline Vec vzero() { return _mm512_setzero_ps(); }
inline Vec vadd(Vec a, Vec b) { return _mm512_add_ps(a, b); }
inline Vec vsub(Vec a, Vec b) { return _mm512_sub_ps(a, b); }
inline Vec vmul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
inline Vec vdiv(Vec a, Vec b) { return _mm512_div_ps(a, b); }
inline Vec vfmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline Vec vmadd_any(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline Vec vmax(Vec a, Vec b) { return _mm512_max_ps(a, b); }
inline Vec vmin(Vec a, Vec b) { return _mm512_min_ps(a, b); }
inline float vsum(Vec v) { return _mm512_reduce_add_ps(v); }
inline float vhmax(Vec v) { return _mm512_reduce_max_ps(v); }
inline Vec vpow2_rounded(Vec t) {  // see vexp
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(127)), 23));
}
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
constexpr int kLanes = 8;
inline Vec vload(const float* p) { return _mm256_loadu_ps(p); }
inline void vstore(float* p, Vec v) { _mm256_storeu_ps(p, v); }
inline Vec vset1(float x) { return _mm256_set1_ps(x); }
inline Vec vzero() { return _mm256_setzero_ps(); }
inline Vec vadd(Vec a, Vec b) { return _mm256_add_ps(a, b); }
inline Vec vsub(Vec a, Vec b) { return _mm256_sub_ps(a, b); }
inline Vec vmul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
inline Vec vdiv(Vec a, Vec b) { return _mm256_div_ps(a, b); }
inline Vec vfmadd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline Vec vmadd_any(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline Vec vmax(Vec a, Vec b) { return _mm256_max_ps(a, b); }
inline Vec vmin(Vec a, Vec b) { return _mm256_min_ps(a, b); }
inline float vsum(Vec v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
inline float vhmax(Vec v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}
inline Vec vpow2_rounded(Vec t) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(127)), 23));
}
#elif defined(__wasm_simd128__)
using Vec = v128_t;
constexpr int kLanes = 4;
inline Vec vload(const float* p) { return wasm_v128_load(p); }
inline void vstore(float* p, Vec v) { wasm_v128_store(p, v); }
inline Vec vset1(float x) { return wasm_f32x4_splat(x); }
inline Vec vzero() { return wasm_f32x4_splat(0.0f); }
inline Vec vadd(Vec a, Vec b) { return wasm_f32x4_add(a, b); }
inline Vec vsub(Vec a, Vec b) { return wasm_f32x4_sub(a, b); }
inline Vec vmul(Vec a, Vec b) { return wasm_f32x4_mul(a, b); }
inline Vec vdiv(Vec a, Vec b) { return wasm_f32x4_div(a, b); }
inline Vec vfmadd(Vec a, Vec b, Vec c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }  // no FMA in SIMD128
#if defined(__wasm_relaxed_simd__)
// Relaxed SIMD's f32x4.relaxed_madd: fused where the CPU has FMA, else a multiply and an add. clang 14
// knows it only as the prototype's f32x4.fma (same operand order, a * b + c); tools/relax_simd.py gives
// the linked module the standard opcode.
inline Vec vmadd_any(Vec a, Vec b, Vec c) { return __builtin_wasm_fma_f32x4(a, b, c); }
#else
inline Vec vmadd_any(Vec a, Vec b, Vec c) { return vfmadd(a, b, c); }
#endif
inline Vec vmax(Vec a, Vec b) { return wasm_f32x4_pmax(a, b); }
inline Vec vmin(Vec a, Vec b) { return wasm_f32x4_pmin(a, b); }
inline float vsum(Vec v) {
    return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) + wasm_f32x4_extract_lane(v, 2) +
           wasm_f32x4_extract_lane(v, 3);
}
inline float vhmax(Vec v) {
    float a = wasm_f32x4_extract_lane(v, 0), b = wasm_f32x4_extract_lane(v, 1);
    float c = wasm_f32x4_extract_lane(v, 2), d = wasm_f32x4_extract_lane(v, 3);
    float ab = a > b ? a : b, cd = c > d ? c : d;
    return ab > cd ? ab : cd;
}
inline Vec vpow2_rounded(Vec t) { return wasm_i32x4_shl(wasm_i32x4_add(t, wasm_i32x4_splat(127)), 23); }
#else
using Vec = float;
constexpr int kLanes = 1;
inline Vec vload(const float* p) { return *p; }
inline void vstore(float* p, Vec v) { *p = v; }
inline Vec vset1(float x) { return x; }
inline Vec vzero() { return 0.0f; }
inline Vec vadd(Vec a, Vec b) { return a + b; }
inline Vec vsub(Vec a, Vec b) { return a - b; }
inline Vec vmul(Vec a, Vec b) { return a * b; }
inline Vec vdiv(Vec a, Vec b) { return a / b; }
inline Vec vfmadd(Vec a, Vec b, Vec c) { return a * b + c; }
inline Vec vmadd_any(Vec a, Vec b, Vec c) { return a * b + c; }
inline Vec vmax(Vec a, Vec b) { return a > b ? a : b; }
inline Vec vmin(Vec a, Vec b) { return a < b ? a : b; }
inline float vsum(Vec v) { return v; }
inline float vhmax(Vec v) { return v; }
inline Vec vpow2_rounded(Vec t) {
    uint32_t bits;
    std::memcpy(&bits, &t, sizeof bits);
    bits = (bits + 127) << 23;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}
#endif

// exp(x) to about 2 ulp for x in [-87, 88] (inputs are clamped there): Cody-Waite range reduction
// x = n ln2 + r, then a degree-6 polynomial for e^r. Written here because Eigen's vectorised exp is
// slower than scalar expf under Emscripten 3.1.6 (see PERFORMANCE-NOTES), and softmax is dominated by it.
// n is rounded by adding 1.5 x 2^23 (t's low mantissa bits then hold n, ties to even as a rounding
// instruction would): WebAssembly has no plain float-to-int conversion, and V8 expands its saturating one
// into several instructions. vpow2_rounded(t) builds 2^n from those bits.
inline Vec vexp(Vec x) {
    x = vmin(vmax(x, vset1(-87.0f)), vset1(88.0f));
    const Vec round = vset1(12582912.0f);
    const Vec t = vadd(vmul(x, vset1(1.44269504088896341f)), round);
    const Vec nf = vsub(t, round);
    Vec r = vfmadd(nf, vset1(-0.693359375f), x);
    r = vfmadd(nf, vset1(2.12194440e-4f), r);
    Vec p = vset1(1.9875691500e-4f);
    p = vfmadd(p, r, vset1(1.3981999507e-3f));
    p = vfmadd(p, r, vset1(8.3334519073e-3f));
    p = vfmadd(p, r, vset1(4.1665795894e-2f));
    p = vfmadd(p, r, vset1(1.6666665459e-1f));
    p = vfmadd(p, r, vset1(5.0000001201e-1f));
    p = vfmadd(p, vmul(r, r), vadd(r, vset1(1.0f)));
    return vmul(p, vpow2_rounded(t));
}

// tanh(x) as Eigen's generic_fast_tanh_float: a 13/6 rational in x, a few ulp. Eigen's own packet version
// runs its scalar path in WebAssembly (Eigen 3.4 has no SIMD128 packets), so the activations call this one
// in both builds. The clamp is where the rational, evaluated with or without fused multiply-adds, gives
// exactly +-1: a clamp short of that left 1 + tanh(x) at 1e-7 instead of 0, and GELU(-3000) at -2e-4.
#if defined(__FMA__) || defined(__AVX512F__)
constexpr float kTanhClamp = 7.99881172180175781f;
#else
constexpr float kTanhClamp = 7.90531110763549805f;
#endif
inline Vec vtanh(Vec x) {
    x = vmin(vmax(x, vset1(-kTanhClamp)), vset1(kTanhClamp));
    const Vec x2 = vmul(x, x);
    Vec p = vfmadd(x2, vset1(-2.76076847742355e-16f), vset1(2.00018790482477e-13f));
    p = vfmadd(x2, p, vset1(-8.60467152213735e-11f));
    p = vfmadd(x2, p, vset1(5.12229709037114e-08f));
    p = vfmadd(x2, p, vset1(1.48572235717979e-05f));
    p = vfmadd(x2, p, vset1(6.37261928875436e-04f));
    p = vfmadd(x2, p, vset1(4.89352455891786e-03f));
    p = vmul(x, p);
    Vec q = vfmadd(x2, vset1(1.19825839466702e-06f), vset1(1.18534705686654e-04f));
    q = vfmadd(x2, q, vset1(2.26843463243900e-03f));
    q = vfmadd(x2, q, vset1(4.89352518554385e-03f));
    return vdiv(p, q);
}

// erf(x) as Eigen's generic_fast_erf_float: a 13/8 rational in x on [-4, 4] (+-1 past it), a few ulp.
inline Vec verf(Vec x) {
    x = vmin(vmax(x, vset1(-4.0f)), vset1(4.0f));
    const Vec x2 = vmul(x, x);
    Vec p = vfmadd(x2, vset1(-2.72614225801306e-10f), vset1(2.77068142495902e-08f));
    p = vfmadd(x2, p, vset1(-2.10102402082508e-06f));
    p = vfmadd(x2, p, vset1(-5.69250639462346e-05f));
    p = vfmadd(x2, p, vset1(-7.34990630326855e-04f));
    p = vfmadd(x2, p, vset1(-2.95459980854025e-03f));
    p = vfmadd(x2, p, vset1(-1.60960333262415e-02f));
    p = vmul(x, p);
    Vec q = vfmadd(x2, vset1(-1.45660718464996e-05f), vset1(-2.13374055278905e-04f));
    q = vfmadd(x2, q, vset1(-1.68282697438203e-03f));
    q = vfmadd(x2, q, vset1(-7.37332916720468e-03f));
    q = vfmadd(x2, q, vset1(-1.42647390514189e-02f));
    return vdiv(p, q);
}

}  // namespace attn::simd

// Widening loads: kLanes 16-bit floats at p (IEEE binary16 or bfloat16 bits) as one Vec, exact (subnormals,
// infinities and NaN payloads kept, as dtype.h's f16_to_f32; only F16C sets a signalling NaN's quiet bit).
// 16-bit weights are widened a vector at a time with these instead of one value at a time
// (PERFORMANCE-NOTES: that made f16 slower than f32).
// F16C converts natively; SIMD128 has no half type, so its f16 path moves the exponent and mantissa into
// place and rescales by 2^112 with one exact multiply (which also turns subnormal halves into normal floats),
// then restores the all-ones exponent of infinities and NaNs and the sign.
namespace attn::simd {

inline float f16_bits_to_float(uint16_t h) {  // the same steps on one value (scalar build and tails)
    uint32_t em = static_cast<uint32_t>(h & 0x7fffu) << 13;
    float f;
    std::memcpy(&f, &em, sizeof f);
    f *= 0x1p112f;
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    if (f >= 65536.0f) bits |= 0x7f800000u;
    bits |= static_cast<uint32_t>(h & 0x8000u) << 16;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

inline float bf16_bits_to_float(uint16_t h) {
    uint32_t bits = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

#if defined(__AVX512F__)
inline Vec vload_f16(const uint16_t* p) { return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))); }
inline Vec vload_bf16(const uint16_t* p) {
    __m512i wide = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
}
#elif defined(__AVX2__) && defined(__FMA__)
inline Vec vload_f16(const uint16_t* p) {
#if defined(__F16C__)
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
#else
    alignas(32) float f[8];
    for (int i = 0; i < 8; ++i) f[i] = f16_bits_to_float(p[i]);
    return _mm256_load_ps(f);
#endif
}
inline Vec vload_bf16(const uint16_t* p) {
    __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
}
#elif defined(__wasm_simd128__)
inline Vec vload_f16(const uint16_t* p) {
    v128_t h = wasm_u32x4_load16x4(p);
    v128_t em = wasm_u32x4_shr(wasm_i32x4_shl(h, 17), 4);  // exponent and mantissa at float positions
    v128_t f = wasm_f32x4_mul(em, wasm_f32x4_splat(0x1p112f));
    v128_t special = wasm_f32x4_ge(f, wasm_f32x4_splat(65536.0f));  // was exponent 31: infinity or NaN
    f = wasm_v128_or(f, wasm_v128_and(special, wasm_i32x4_splat(0x7f800000)));
    return wasm_v128_bitselect(wasm_i32x4_shl(h, 16), f, wasm_i32x4_splat(INT32_MIN));
}
inline Vec vload_bf16(const uint16_t* p) { return wasm_i32x4_shl(wasm_u32x4_load16x4(p), 16); }
#else
inline Vec vload_f16(const uint16_t* p) { return f16_bits_to_float(*p); }
inline Vec vload_bf16(const uint16_t* p) { return bf16_bits_to_float(*p); }
#endif

// a * b + c for one float, rounded as vfmadd's lanes are: fused natively, unfused in WASM. A scalar tail
// written as `acc += a * b` is left to the compiler, which may fuse it in one copy of a loop and not in
// another (GCC for AVX2 split an axpy tail by weight layout, and the two gave different last bits).
inline float fmadd_one(float a, float b, float c) {
#if defined(__FMA__)
    return std::fma(a, b, c);
#else
    return a * b + c;
#endif
}

}  // namespace attn::simd
