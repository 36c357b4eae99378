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

// Whether another matrix of the body (or an embedding table) reads m's bytes: packing them in place would
// change what it reads. Loaders make each matrix its own tensor, so this is a guard, not a case.
bool bytes_shared(Body& body, const Matrix& m) {
    int readers = 0;
    for_each_layer_matrix(body, [&](Matrix& other) { readers += other.view.data == m.view.data; });
    for (const Matrix* table : {&body.embed.token, &body.embed.position, &body.head.unembed})
        readers += table->view.data == m.view.data;
    return readers > 1;
}

// Packs the next layer matrix that can be packed in place, moving the count of matrices looked at past it
// (one that cannot stays as stored, and its products pack per call as before); true while matrices are left.
bool pack_in_place_step(Body& body) {
    size_t index = 0;
    bool packed_one = false, more = false;
    for_each_layer_matrix(body, [&](Matrix& m) {
        if (index++ < body.packed_matrices) return;
        if (packed_one) {
            more = true;
            return;
        }
        ++body.packed_matrices;
        if (gemm_is_packed_in_place(m.view) || !gemm_can_pack_in_place(m.view) || bytes_shared(body, m)) return;
        try {
            gemm_pack_in_place(m.view);   // its one allocation (a depth block's copy) comes before any write
            packed_one = true;
        } catch (const std::bad_alloc&) {
            // A speed-up, never a reason to fail: this matrix stays as stored, its bytes untouched.
        }
    });
    return more;
}

}  // namespace

bool body_pack_weights_step(Body& body, PackWhere where) {
    if (where == PackWhere::in_place) return pack_in_place_step(body);
    if (body.packed_panels.capacity() == 0) {   // the first step decides and reserves
        size_t total = 0;
        for_each_layer_matrix(body, [&](Matrix& m) { total += arena_floats(m.view); });
        // A speed-up, never a reason to run short: only when the copy is small next to the machine's
        // memory (memory_limit(): its RAM), and a failed allocation leaves the model as it was.
        if (total == 0 || static_cast<double>(total) * sizeof(float) > kMaxShareOfMemory * static_cast<double>(memory_limit()))
            return false;
        try {
            // Reserved, not zeroed: each step faults in only the panels it writes (fresh memory costs
            // about 2 ms per MB on a virtual machine; all at once it was most of a load).
            reserve_in_huge_pages(body.packed_panels, total + 16);
        } catch (const std::bad_alloc&) {
            std::vector<float>().swap(body.packed_panels);
            return false;
        }
        body.packed_matrices = 0;
        // The vector's block is 16-byte aligned; start the first panel on a cache line.
        const size_t misalign = (reinterpret_cast<uintptr_t>(body.packed_panels.data()) / 4) % 16;
        body.packed_panels.resize((16 - misalign) % 16);
    }
    size_t index = 0;
    bool packed_one = false, more = false;
    for_each_layer_matrix(body, [&](Matrix& m) {
        if (packed_one) {
            more = true;
        } else if (index++ == body.packed_matrices) {
            // Within the reserve: the block never moves, so the panels packed before stay where they are.
            const size_t at = body.packed_panels.size();
            body.packed_panels.resize(at + arena_floats(m.view));
            gemm_pack(m.view, body.packed_panels.data() + at);
            m.view.packed = body.packed_panels.data() + at;
            ++body.packed_matrices;
            packed_one = true;
        }
    });
    return more;
}

void body_pack_weights(Body& body, PackWhere where) {
    while (body_pack_weights_step(body, where)) {
    }
}

void body_unpack_weights(Body& body) {
    for_each_layer_matrix(body, [](Matrix& m) {
        if (gemm_is_packed_in_place(m.view)) gemm_unpack_in_place(m.view);   // the stored bytes, exactly
        m.view.packed = nullptr;
    });
    std::vector<float>().swap(body.packed_panels);
    body.packed_matrices = 0;
}

int body_packed_in_place(const Body& body) {
    int n = 0;
    for_each_layer_matrix(const_cast<Body&>(body), [&](Matrix& m) { n += gemm_is_packed_in_place(m.view); });   // reads only
    return n;
}

}  // namespace attn
