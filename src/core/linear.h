// Linear layers over weights kept in their stored dtype (F32, F16 or BF16): a 16-bit checkpoint stays
// 16-bit in memory and is widened a SIMD vector at a time inside the product (core/gemm.h).
//
//   WeightMatrix w{DType::F16, /*rows=*/D_out, /*cols=*/D_in, bytes, WeightLayout::out_in};  // nn.Linear
//   linear(x, T, w, bias, y);            // y (T, D_out) = x (T, D_in) @ W^T + bias
//   weight_row_f32(w, token_id, row);    // an embedding row, widened to f32
#pragma once
#include "core/dtype.h"

namespace attn {

// How a weight matrix is stored: GPT-2's Conv1D keeps (in, out); torch.nn.Linear keeps (out, in).
enum class WeightLayout { in_out, out_in };

struct WeightMatrix {
    DType dtype = DType::F32;              // F32, F16 or BF16
    int rows = 0, cols = 0;                // as stored, row-major
    const void* data = nullptr;            // aligned for dtype
    WeightLayout layout = WeightLayout::out_in;
    const void* packed = nullptr;          // core/gemm.h's gemm_pack of this matrix, or null; must match data.
                                           // == data: packed in place (gemm_pack_in_place), data holds panels

    int n_in() const { return layout == WeightLayout::in_out ? rows : cols; }
    int n_out() const { return layout == WeightLayout::in_out ? cols : rows; }
};

// y (T, n_out) = x (T, n_in) @ W (+ bias). y must not alias x.
void linear(const float* x, int T, const WeightMatrix& w, const float* bias, float* y);

// Stored row `row` (cols values) widened to f32: an embedding lookup.
void weight_row_f32(const WeightMatrix& w, int row, float* out);
// Stored rows [r0, r0 + n) into out (n x cols), widened to f32: a whole weight for a backward product.
void weight_rows_f32(const WeightMatrix& w, int r0, int n, float* out);

}  // namespace attn
