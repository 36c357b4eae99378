// Packing a Body's layer weights for the packed product (weight_pack.h).
#include "model/weight_pack.h"

#include <cstdint>
#include <functional>
#include <new>

#include "core/gemm.h"
#include "core/huge_pages.h"
#include "model/limits.h"

namespace attn {
namespace {

// Every matrix a block or the head multiplies activations by (not the embeddings: a trace looks rows up,
// and the LM head of a trace's last rows reads its table in place).
void for_each_layer_matrix(Body& body, const std::function<void(Matrix&)>& visit) {
    auto dense = [&](Dense& d) {
        if (!d.w.empty()) visit(d.w);
    };
    auto attention = [&](AttentionBlock& a) {
        dense(a.q);
        dense(a.k);
        dense(a.v);
        dense(a.qkv);
        dense(a.out);
    };
    for (BlockWeights& b : body.blocks) {
        attention(b.attn);
        attention(b.cross);
        dense(b.ffn.fc1);
        dense(b.ffn.up);
        dense(b.ffn.fc2);
    }
    dense(body.head.transform);
}

constexpr double kMaxShareOfMemory = 0.25;

// Floats a matrix's panels take in the arena, rounded up to 64 bytes so each starts on a cache line.
size_t arena_floats(const WeightMatrix& w) {
    const size_t bytes = gemm_pack_size(w) * dtype_size(w.dtype);
    return (bytes + 63) / 64 * 16;
}

}  // namespace

void body_pack_weights(Body& body) {
#if defined(__EMSCRIPTEN__)
    (void)body;
#else
    if (!body.packed_panels.empty()) return;
    size_t total = 0;
    for_each_layer_matrix(body, [&](Matrix& m) { total += arena_floats(m.view); });
    // A speed-up, never a reason to run short: only when the copy is small next to the machine's memory
    // (memory_limit(): its RAM), and a failed allocation leaves the model as it was.
    if (total == 0 || static_cast<double>(total) * sizeof(float) > kMaxShareOfMemory * static_cast<double>(memory_limit()))
        return;
    try {
        zeros_in_huge_pages(body.packed_panels, total + 16);
    } catch (const std::bad_alloc&) {
        std::vector<float>().swap(body.packed_panels);
        return;
    }
    // The vector's block is 16-byte aligned; start the first panel on a cache line.
    float* at = body.packed_panels.data();
    at += (16 - (reinterpret_cast<uintptr_t>(at) / 4) % 16) % 16;
    for_each_layer_matrix(body, [&](Matrix& m) {
        gemm_pack(m.view, at);
        m.view.packed = at;
        at += arena_floats(m.view);
    });
#endif
}

void body_unpack_weights(Body& body) {
    for_each_layer_matrix(body, [](Matrix& m) { m.view.packed = nullptr; });
    std::vector<float>().swap(body.packed_panels);
}

}  // namespace attn
