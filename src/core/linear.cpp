// Linear layers through core/gemm.h's packed SIMD kernel for every stored dtype: 16-bit weights are
// widened a vector at a time while a B panel is packed (or inside the dot products of the few-rows LM
// head), so no f32 copy of a weight ever exists. Embedding rows are widened with the same SIMD loads.
#include "core/linear.h"

#include <cstdint>

#include "core/gemm.h"

namespace attn {

void weight_row_f32(const WeightMatrix& w, int row, float* out) { weight_rows_f32(w, row, 1, out); }

void weight_rows_f32(const WeightMatrix& w, int r0, int n, float* out) {
    if (gemm_is_packed_in_place(w)) {   // the page packs layer weights in place (model/weight_pack.h)
        gemm_packed_rows(w, r0, n, out);
        return;
    }
    const size_t offset = static_cast<size_t>(r0) * w.cols * dtype_size(w.dtype);   // stored rows lie end to end
    widen_to_f32(w.dtype, static_cast<const uint8_t*>(w.data) + offset, static_cast<size_t>(n) * w.cols, out);
}

void linear(const float* x, int T, const WeightMatrix& w, const float* bias, float* y) { gemm(x, T, w, bias, y); }

}  // namespace attn
