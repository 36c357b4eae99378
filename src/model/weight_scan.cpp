#include "model/weight_scan.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/parallel.h"

namespace attn {

namespace {

// Counts elements whose exponent bits are all ones (NaN or ±Inf) in `n` little-endian values of
// `Bits` (uint32_t for F32, uint16_t for F16/BF16); `exponent` is the format's exponent mask. memcpy per
// element: the data may be misaligned (safetensors.h), and the compiler turns it into plain loads. No
// branch, so it vectorises (a branch per value made this scan half of a GPT-2-small load).
template <typename Bits>
int64_t count_exponent_all_ones(const uint8_t* data, int64_t n, Bits exponent) {
    int64_t count = 0;
    constexpr int64_t kRun = 1 << 16;   // the narrow per-run sum cannot overflow
    for (int64_t begin = 0; begin < n; begin += kRun) {
        const int64_t end = begin + kRun < n ? begin + kRun : n;
        uint32_t in_run = 0;
        for (int64_t i = begin; i < end; ++i) {
            Bits v;
            std::memcpy(&v, data + i * static_cast<int64_t>(sizeof(Bits)), sizeof(Bits));
            in_run += static_cast<uint32_t>((v & exponent) == exponent);
        }
        count += in_run;
    }
    return count;
}

template <typename Bits>
int64_t first_exponent_all_ones(const uint8_t* data, int64_t n, Bits exponent) {
    for (int64_t i = 0; i < n; ++i) {
        Bits v;
        std::memcpy(&v, data + i * static_cast<int64_t>(sizeof(Bits)), sizeof(Bits));
        if ((v & exponent) == exponent) return i;
    }
    return -1;
}

// A tensor's values [begin, end): the unit the scan splits between threads.
struct Piece {
    const TensorView* tensor;
    int64_t begin, end;
    int64_t count = 0;
};

template <typename Visit>
void with_bits(DType dtype, Visit visit) {
    switch (dtype) {
        case DType::F32: visit(uint32_t{0x7f800000u}); break;
        case DType::F16: visit(uint16_t{0x7c00u}); break;
        case DType::BF16: visit(uint16_t{0x7f80u}); break;
        default: break;
    }
}

}  // namespace

NonFiniteWeights weights_nonfinite(const WeightStore& weights) {
    // Pieces of at most 4 M values over every float tensor, scanned on every thread: a mapped file's
    // first read costs a fault per page on a virtual machine, and two cores fault in parallel (GPT-2
    // small here: 220-250 ms on one thread, 150-165 on two).
    constexpr int64_t kPiece = int64_t{1} << 22;
    std::vector<std::string> names;
    std::vector<Piece> pieces;
    for (const std::string& name : weights.names()) {
        const TensorView* t = weights.find(name);
        if (!t || (t->dtype != DType::F32 && t->dtype != DType::F16 && t->dtype != DType::BF16)) continue;
        names.push_back(name);
        for (int64_t b = 0; b < t->numel(); b += kPiece) pieces.push_back(Piece{t, b, std::min(t->numel(), b + kPiece)});
    }
    auto scan = [&](int begin, int end) {
        for (int i = begin; i < end; ++i) {
            Piece& p = pieces[static_cast<size_t>(i)];
            with_bits(p.tensor->dtype, [&](auto exponent) {
                p.count = count_exponent_all_ones(p.tensor->data + p.begin * static_cast<int64_t>(sizeof(exponent)),
                                                  p.end - p.begin, exponent);
            });
        }
    };
    // Whole counts add exactly, so the split never changes the answer.
    if (thread_count() > 1 && pieces.size() > 1)
        parallel_for(static_cast<int>(pieces.size()), scan);
    else
        scan(0, static_cast<int>(pieces.size()));

    NonFiniteWeights bad;
    size_t piece = 0;
    for (const std::string& name : names) {
        const TensorView* t = weights.find(name);
        int64_t count = 0, first = -1;
        for (; piece < pieces.size() && pieces[piece].tensor == t; ++piece) {
            const Piece& p = pieces[piece];
            if (p.count && first < 0)
                with_bits(t->dtype, [&](auto exponent) {
                    first = p.begin + first_exponent_all_ones(t->data + p.begin * static_cast<int64_t>(sizeof(exponent)),
                                                              p.end - p.begin, exponent);
                });
            count += p.count;
        }
        if (count == 0) continue;
        if (bad.tensors == 0) {
            bad.first_tensor = name;
            bad.first_index = first;
        }
        bad.count += count;
        ++bad.tensors;
    }
    return bad;
}

std::string nonfinite_weights_message(const NonFiniteWeights& bad, const std::string& file) {
    return file + ": " + std::to_string(bad.count) + (bad.count == 1 ? " weight" : " weights") + " in " +
           std::to_string(bad.tensors) + (bad.tensors == 1 ? " tensor" : " tensors") + (bad.count == 1 ? " is" : " are") +
           " NaN or infinite (first: '" + bad.first_tensor + "' at element " + std::to_string(bad.first_index) +
           "); what is computed from them is drawn in the bad-value colour";
}

}  // namespace attn
