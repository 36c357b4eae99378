// Linear layers through core/gemm.h's packed SIMD kernel for every stored dtype: 16-bit weights are
// widened a vector at a time while a B panel is packed (or inside the dot products of the few-rows LM
// head), so no f32 copy of a weight ever exists. Embedding rows are widened with the same SIMD loads.
#include "core/linear.h"

#include <cstdint>

#include "core/gemm.h"

namespace attn {

void weight_row_f32(const WeightMatrix& w, int row, float* out) {
    if (gemm_is_packed_in_place(w)) {   // the page packs layer weights in place (model/weight_pack.h)
        gemm_packed_row(w, row, out);
        return;
    }
    const size_t offset = static_cast<size_t>(row) * w.cols * dtype_size(w.dtype);
    widen_to_f32(w.dtype, static_cast<const uint8_t*>(w.data) + offset, static_cast<size_t>(w.cols), out);
}

void weight_rows_f32(const WeightMatrix& w, int r0, int n, float* out) {
    if (gemm_is_packed_in_place(w)) {   // an out_in weight's panels a whole one at a time, not row by row
        gemm_packed_rows(w, r0, n, out);
        return;
    }
    for (int r = r0; r < r0 + n; ++r) weight_row_f32(w, r, out + static_cast<size_t>(r - r0) * w.cols);
}

void linear(const float* x, int T, const WeightMatrix& w, const float* bias, float* y) { gemm(x, T, w, bias, y); }

}  // namespace attn
