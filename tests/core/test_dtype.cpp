#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "core/dtype.h"

#if defined(__F16C__)
#include <immintrin.h>
#endif

using namespace attn;

namespace {

uint32_t bits_of(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

float float_of(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// The value of a half bit pattern computed from the definition, in double (independent of f16_to_f32).
double f16_value(uint16_t h) {
    int sign = (h & 0x8000) ? -1 : 1;
    int e = (h >> 10) & 0x1f;
    int m = h & 0x3ff;
    if (e == 0) return sign * std::ldexp(m, -24);
    return sign * std::ldexp(1024 + m, e - 25);
}

}  // namespace

TEST_CASE("the usage example in dtype.h") {
    size_t n = 10, bytes = 0;
    DType t;
    if (dtype_from_name("BF16", &t)) bytes = n * dtype_size(t);
    CHECK(bytes == 20);
    CHECK(bf16_to_f32(0x3f80) == 1.0f);
    CHECK(f32_to_f16(0.1f) == 0x2e66);
}

TEST_CASE("dtype names and sizes round-trip; unknown names refused") {
    for (int i = 0; i < kDTypeCount; ++i) {
        DType t = static_cast<DType>(i);
        DType back = DType::U64;
        REQUIRE(dtype_from_name(dtype_name(t), &back));
        CHECK(back == t);
    }
    CHECK(dtype_size(DType::F32) == 4);
    CHECK(dtype_size(DType::F16) == 2);
    CHECK(dtype_size(DType::BF16) == 2);
    CHECK(dtype_size(DType::I64) == 8);
    CHECK(dtype_size(DType::I32) == 4);
    CHECK(dtype_size(DType::F64) == 8);
    CHECK(dtype_size(DType::BOOL) == 1);
    CHECK(std::string(dtype_name(DType::BF16)) == "BF16");
    DType t;
    CHECK_FALSE(dtype_from_name("f32", &t));
    CHECK_FALSE(dtype_from_name("Q4_0", &t));
    CHECK_FALSE(dtype_from_name("", &t));
    CHECK(dtype_names_list().find("F32, F64, I64") != std::string::npos);
}

TEST_CASE("f16_to_f32 matches the IEEE definition for every finite half") {
    for (uint32_t h = 0; h < 65536; ++h) {
        int e = (h >> 10) & 0x1f;
        if (e == 0x1f) continue;
        float f = f16_to_f32(static_cast<uint16_t>(h));
        REQUIRE(static_cast<double>(f) == f16_value(static_cast<uint16_t>(h)));
    }
    CHECK(f16_to_f32(0x3c00) == 1.0f);
    CHECK(f16_to_f32(0xc000) == -2.0f);
    CHECK(f16_to_f32(0x7bff) == 65504.0f);
    CHECK(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));
    CHECK(f16_to_f32(0x0400) == std::ldexp(1.0f, -14));
    CHECK(std::signbit(f16_to_f32(0x8000)));
    CHECK(f16_to_f32(0x7c00) == std::numeric_limits<float>::infinity());
    CHECK(f16_to_f32(0xfc00) == -std::numeric_limits<float>::infinity());
    CHECK(std::isnan(f16_to_f32(0x7e00)));
    CHECK(std::isnan(f16_to_f32(0x7c01)));
}

TEST_CASE("f16 -> f32 -> f16 is the identity on all 65536 bit patterns (NaNs included)") {
    int nans = 0;
    for (uint32_t h = 0; h < 65536; ++h) {
        float f = f16_to_f32(static_cast<uint16_t>(h));
        uint16_t back = f32_to_f16(f);
        bool is_nan = ((h >> 10) & 0x1f) == 0x1f && (h & 0x3ff) != 0;
        if (is_nan) {
            ++nans;
            REQUIRE(std::isnan(f));
        }
        REQUIRE(back == h);
    }
    CHECK(nans == 2 * 1023);
}

TEST_CASE("f32_to_f16 rounds to nearest, ties to even, at every half boundary") {
    // Between each pair of neighbouring positive halves a < b: the exact midpoint goes to the even one,
    // anything just below to a, just above to b. Covers subnormals, the normal boundary, and overflow.
    for (uint32_t h = 0; h < 0x7c00; ++h) {
        double a = f16_value(static_cast<uint16_t>(h));
        double b = h == 0x7bff ? 65536.0 : f16_value(static_cast<uint16_t>(h + 1));
        float mid = static_cast<float>((a + b) / 2);   // exact: 12 significant bits
        REQUIRE(static_cast<double>(mid) == (a + b) / 2);
        uint16_t up = static_cast<uint16_t>(h + 1);     // 0x7c00 (infinity) after 0x7bff
        uint16_t even = (h & 1) ? up : static_cast<uint16_t>(h);
        REQUIRE(f32_to_f16(mid) == even);
        REQUIRE(f32_to_f16(std::nextafter(mid, 0.0f)) == h);
        REQUIRE(f32_to_f16(std::nextafter(mid, 1e30f)) == up);
        REQUIRE(f32_to_f16(-mid) == (even | 0x8000));
    }
    CHECK(f32_to_f16(0.1f) == 0x2e66);
    CHECK(f32_to_f16(65520.0f) == 0x7c00);
    CHECK(f32_to_f16(65519.996f) == 0x7bff);
    CHECK(f32_to_f16(1e6f) == 0x7c00);
    CHECK(f32_to_f16(-1e30f) == 0xfc00);
    CHECK(f32_to_f16(std::ldexp(1.0f, -25)) == 0x0000);          // tie between 0 and the smallest subnormal
    CHECK(f32_to_f16(std::nextafter(std::ldexp(1.0f, -25), 1.0f)) == 0x0001);
    CHECK(f32_to_f16(1e-30f) == 0x0000);
    CHECK(f32_to_f16(-1e-30f) == 0x8000);
    CHECK(f32_to_f16(float_of(0x00000001)) == 0x0000);          // an f32 subnormal
    CHECK(f32_to_f16(std::numeric_limits<float>::infinity()) == 0x7c00);
    uint16_t nan = f32_to_f16(float_of(0x7f800001));               // payload only in the dropped bits
    CHECK((nan & 0x7c00) == 0x7c00);
    CHECK((nan & 0x03ff) != 0);
    CHECK(std::isnan(f16_to_f32(f32_to_f16(std::nanf("")))));
}

#if defined(__F16C__)
TEST_CASE("f32_to_f16 agrees with the CPU's F16C conversion on a sweep of f32 bit patterns") {
    for (uint64_t u = 0; u <= 0xffffffffull; u += 4099) {
        float f = float_of(static_cast<uint32_t>(u));
        uint16_t hw = static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
        uint16_t sw = f32_to_f16(f);
        if (std::isnan(f)) {
            REQUIRE(std::isnan(f16_to_f32(sw)));
            continue;
        }
        REQUIRE(sw == hw);
    }
}
#endif

TEST_CASE("bf16 conversions: exact widening, ties to even, overflow, NaN") {
    CHECK(bf16_to_f32(0x3f80) == 1.0f);
    CHECK(bf16_to_f32(0xc040) == -3.0f);
    CHECK(bf16_to_f32(0x3c2e) == 0.0106201171875f);
    // 1 + 2^-8 is exactly halfway between bf16 0x3f80 (1) and 0x3f81: ties go to the even 0x3f80.
    CHECK(f32_to_bf16(float_of(0x3f808000)) == 0x3f80);
    CHECK(f32_to_bf16(float_of(0x3f818000)) == 0x3f82);   // halfway above odd 0x3f81: up to even
    CHECK(f32_to_bf16(float_of(0x3f808001)) == 0x3f81);
    CHECK(f32_to_bf16(float_of(0x3f807fff)) == 0x3f80);
    CHECK(f32_to_bf16(float_of(0xbf818000)) == 0xbf82);
    CHECK(f32_to_bf16(float_of(0x00008000)) == 0x0000);   // subnormal tie to even (zero)
    CHECK(f32_to_bf16(float_of(0x00018000)) == 0x0002);
    CHECK(f32_to_bf16(std::numeric_limits<float>::max()) == 0x7f80);   // rounds up into infinity
    CHECK(f32_to_bf16(float_of(0x7f7f7fff)) == 0x7f7f);
    CHECK(f32_to_bf16(-std::numeric_limits<float>::infinity()) == 0xff80);
    CHECK(f32_to_bf16(-0.0f) == 0x8000);
    CHECK(f32_to_bf16(float_of(0x7fc00000)) == 0x7fc0);
    CHECK(std::isnan(bf16_to_f32(f32_to_bf16(float_of(0x7f800001)))));   // payload in dropped bits
    CHECK(std::isnan(bf16_to_f32(f32_to_bf16(float_of(0xff800001)))));
    // Values are computed outside the assertions: inside one, a call can go through Emscripten's exception
    // wrapper (JavaScript), which quiets a signalling NaN when the link skips wasm-opt (-O1).
    for (uint32_t b = 0; b < 65536; ++b) {
        const uint16_t back = f32_to_bf16(bf16_to_f32(static_cast<uint16_t>(b)));
        REQUIRE(back == b);
    }
    // Widening is a shift: compare against the bit pattern directly.
    for (uint32_t b = 0; b < 65536; b += 97) {
        const uint32_t widened = bits_of(bf16_to_f32(static_cast<uint16_t>(b)));
        REQUIRE(widened == b << 16);
    }
}
