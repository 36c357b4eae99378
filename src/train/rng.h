// The trainer's random numbers: one generator (xoshiro256**, seeded through splitmix64) whose output is the
// same on every platform and compiler, unlike std::uniform_int_distribution, so a seed reproduces a model
// and its data exactly (native and WASM).
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

namespace attn {

class Rng {
public:
    explicit Rng(uint64_t seed = 1) { reseed(seed); }
    void reseed(uint64_t seed) {
        for (uint64_t& w : s_) {
            seed += 0x9E3779B97F4A7C15ull;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            w = z ^ (z >> 31);
        }
        spare_ = false;
    }
    uint64_t next() {
        const uint64_t result = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, n) (n > 0); the tiny modulo bias is irrelevant at these n.
    int below(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }
    int range(int lo, int hi) { return lo + below(hi - lo + 1); }   // inclusive
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    bool chance(double p) { return uniform() < p; }
    template <typename T>
    const T& pick(const std::vector<T>& v) { return v[static_cast<size_t>(below(static_cast<int>(v.size())))]; }
    double normal() {   // Box-Muller, one spare kept
        if (spare_) { spare_ = false; return spare_value_; }
        double u = 0.0;
        while (u <= 0.0) u = uniform();
        const double v = uniform(), r = std::sqrt(-2.0 * std::log(u)), a = 6.283185307179586 * v;
        spare_value_ = r * std::sin(a);
        spare_ = true;
        return r * std::cos(a);
    }
    // A different, reproducible stream for a named purpose (data vs weights vs held-out).
    static uint64_t derive(uint64_t seed, uint64_t purpose) { return seed * 0x9E3779B97F4A7C15ull ^ (purpose + 0x632BE59BD9B4E019ull); }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
    bool spare_ = false;
    double spare_value_ = 0.0;
};

}  // namespace attn
