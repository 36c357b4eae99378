// Packing a network's layer weights for the packed product (weight_pack.h).
#include "model/weight_pack.h"

#include <cstdint>
#include <new>

#include "core/gemm.h"
#include "core/huge_pages.h"
#include "model/limits.h"

namespace attn {
namespace {

constexpr double kMaxShareOfMemory = 0.25;

// Floats a matrix's panels take in the arena, rounded up to 64 bytes so each starts on a cache line.
size_t arena_floats(const WeightMatrix& w) {
    const size_t bytes = gemm_pack_size(w) * dtype_size(w.dtype);
    return (bytes + 63) / 64 * 16;
}

// Whether another matrix of the network (or a table) reads m's bytes: packing them in place would change
// what it reads. Loaders make each matrix its own tensor, so this is a guard, not a case.
bool bytes_shared(const LayerMatrices& set, const Matrix& m) {
    int readers = 0;
    for (const Matrix* other : set.layers) readers += other->view.data == m.view.data;
    for (const Matrix* table : set.tables) readers += table->view.data == m.view.data;
    return readers > 1;
}

// Packs the next layer matrix that can be packed in place, moving the count of matrices looked at past it
// (one that cannot stays as stored, and its products pack per call as before); true while matrices are left.
bool pack_in_place_step(PackedWeights& state, const LayerMatrices& set) {
    while (state.matrices < set.layers.size()) {
        Matrix& m = *set.layers[state.matrices++];
        if (gemm_is_packed_in_place(m.view) || !gemm_can_pack_in_place(m.view) || bytes_shared(set, m)) continue;
        try {
            gemm_pack_in_place(m.view);   // its one allocation (the copy it permutes from) comes before any write
        } catch (const std::bad_alloc&) {
            // A speed-up, never a reason to fail: this matrix stays as stored, its bytes untouched (and the
            // next one waits for the next step: one allocation a step).
        }
        break;
    }
    return state.matrices < set.layers.size();
}

}  // namespace

void add_block_matrices(LayerMatrices& m, BlockWeights& b) {
    for (Dense* d : {&b.attn.q, &b.attn.k, &b.attn.v, &b.attn.qkv, &b.attn.out, &b.cross.q, &b.cross.k, &b.cross.v,
                     &b.cross.qkv, &b.cross.out, &b.ffn.fc1, &b.ffn.up, &b.ffn.fc2})
        if (!d->w.empty()) m.layers.push_back(&d->w);
}

bool pack_weights_step(PackedWeights& state, const LayerMatrices& set, PackWhere where) {
    if (where == PackWhere::in_place) return pack_in_place_step(state, set);
    if (state.panels.capacity() == 0) {   // the first step decides and reserves
        size_t total = 0;
        for (const Matrix* m : set.layers) total += arena_floats(m->view);
        // A speed-up, never a reason to run short: only when the copy is small next to the machine's
        // memory (memory_limit(): its RAM), and a failed allocation leaves the model as it was.
        if (total == 0 || static_cast<double>(total) * sizeof(float) > kMaxShareOfMemory * static_cast<double>(memory_limit()))
            return false;
        try {
            // Reserved, not zeroed: each step faults in only the panels it writes (fresh memory costs
            // about 2 ms per MB on a virtual machine; all at once it was most of a load).
            reserve_in_huge_pages(state.panels, total + 16);
        } catch (const std::bad_alloc&) {
            std::vector<float>().swap(state.panels);
            return false;
        }
        state.matrices = 0;
        // The vector's block is 16-byte aligned; start the first panel on a cache line.
        const size_t misalign = (reinterpret_cast<uintptr_t>(state.panels.data()) / 4) % 16;
        state.panels.resize((16 - misalign) % 16);
    }
    if (state.matrices < set.layers.size()) {
        // Within the reserve: the block never moves, so the panels packed before stay where they are.
        Matrix& m = *set.layers[state.matrices++];
        const size_t at = state.panels.size();
        state.panels.resize(at + arena_floats(m.view));
        gemm_pack(m.view, state.panels.data() + at);
        m.view.packed = state.panels.data() + at;
    }
    return state.matrices < set.layers.size();
}

void pack_weights(PackedWeights& state, const LayerMatrices& set, PackWhere where) {
    while (pack_weights_step(state, set, where)) {
    }
}

void unpack_weights(PackedWeights& state, const LayerMatrices& set) {
    for (Matrix* m : set.layers) {
        if (gemm_is_packed_in_place(m->view)) gemm_unpack_in_place(m->view);   // the stored bytes, exactly
        m->view.packed = nullptr;
    }
    std::vector<float>().swap(state.panels);
    state.matrices = 0;
}

int packed_in_place(const LayerMatrices& set) {
    int n = 0;
    for (const Matrix* m : set.layers) n += gemm_is_packed_in_place(m->view);
    return n;
}

}  // namespace attn
