// Bit-for-bit equality of two float arrays (traces that must not differ at all: stepped vs synchronous,
// any thread count, repeated runs). memcmp, so -0 and 0 differ and NaN equals the same NaN.
#pragma once
#include <cstring>
#include <vector>

inline bool same_floats(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}
