#include "analysis/permutation.h"

#include <cstdint>

namespace attn {

uint64_t SplitMix64::below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;   // the largest multiple of n: reject above it
    uint64_t r;
    do r = next();
    while (r >= limit);
    return r % n;
}

int32_t permutation_token(uint64_t seed, int token, int sample, int n_vocab, int32_t original) {
    if (n_vocab <= 1) return 0;
    // A distinct starting state per (token, sample), scrambled once so nearby indices are unrelated.
    const uint64_t index = (static_cast<uint64_t>(static_cast<uint32_t>(token)) << 32) | static_cast<uint32_t>(sample);
    SplitMix64 mix(seed ^ index);
    SplitMix64 rng(mix.next());
    for (;;) {
        const int32_t r = static_cast<int32_t>(rng.below(static_cast<uint64_t>(n_vocab)));
        if (r != original) return r;
    }
}

}  // namespace attn
