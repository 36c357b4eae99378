// Permutation importance (the seeds' "置换" method): replace token t by K random vocabulary tokens and
// average the score drop, permutation[t] = score - mean_k score(ids with ids[t] = r_{t,k}).
// The random tokens come from SplitMix64, not std:: distributions, because libstdc++ and Emscripten's
// libc++ draw differently and the page must equal the CLI. Each (seed, token, sample) has its own
// stream, so the order the job runs them in does not matter.
//
//   int32_t r = permutation_token(seed, t, k, n_vocab, ids[t]);
//   std::vector<int32_t> changed = ids;  changed[t] = r;
#pragma once
#include <cstdint>

namespace attn {

// Sebastiano Vigna's SplitMix64: the same 64-bit sequence on every platform.
struct SplitMix64 {
    uint64_t state;
    explicit SplitMix64(uint64_t seed) : state(seed) {}
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n) without modulo bias; n > 0.
    uint64_t below(uint64_t n);
};

// The replacement of token `token` in sample `sample`: uniform over the vocabulary [0, n_vocab), never
// `original` (unless the vocabulary has one token).
int32_t permutation_token(uint64_t seed, int token, int sample, int n_vocab, int32_t original);

}  // namespace attn
