// C (M, N) = A (M, K) @ B (+ bias): the product under every linear layer. B is a weight in its stored
// dtype (F32, F16, BF16) and layout (core/linear.h's WeightMatrix: K = b.n_in(), N = b.n_out()); 16-bit
// weights are widened a SIMD vector at a time inside the product, never as a whole f32 copy.
//
//   gemm(x, T, w, bias, y);              // y (T, n_out) = x (T, n_in) @ W + bias; bias may be null
//   gemm_reference(x, T, w, bias, y);    // the plain loop the fast kernel is tested against
//
// A and C are dense row-major (lda = K, ldc = N); C must not alias A. A product big enough to pay is split
// by output columns over core/parallel.h's threads (never over a sum: the bits do not depend on the thread
// count); the packing buffers are thread_local and kept between calls.
#pragma once
#include "core/linear.h"

namespace attn {

void gemm(const float* a, int M, const WeightMatrix& b, const float* bias, float* c);
// Columns [n_begin, n_end) of the same product, the others left as they are (C still (M, N)): a caller
// that spreads one product over several steps (a stepped trace, model/block.h). n_begin is a multiple of
// gemm_column_block(); every column gets the bits gemm gives it.
void gemm_columns(const float* a, int M, const WeightMatrix& b, const float* bias, float* c, int n_begin, int n_end);
int gemm_column_block();
// The depth of one pass over B (1024 with AVX-512, else 256): tests straddle it.
int gemm_depth_block();

// B's panels laid out as the product reads them, in the stored dtype: for a weight that many products
// use (a loaded model's layers), made once, so gemm packs only A. Set b.packed to dst and gemm reads it
// (for products of more than 4 rows; fewer read the weight in place) with the same bits as without.
//   std::vector<float> panels(gemm_pack_size(w) * dtype_size(w.dtype) / 4 + 1);
//   gemm_pack(w, panels.data());  w.packed = panels.data();
size_t gemm_pack_size(const WeightMatrix& w);      // elements of w's dtype
void gemm_pack(const WeightMatrix& w, void* dst);  // dst: gemm_pack_size(w) elements, aligned for the dtype

// The same panels made in the weight's own bytes (no second copy: the page's memory is its budget), for a
// weight whose output columns are a whole number of panels (then the panels take exactly its bytes): in_out
// (GPT-2's) a depth block at a time, out_in (nn.Linear's) through one copy of the whole matrix, so only one
// of at most 16 MiB. Afterwards w.packed == w.data: gemm reads the panels (its few-rows kernels too, with
// the same bits), weight_row_f32 gathers a stored row from them, and gemm_unpack_in_place restores the
// stored bytes exactly. The bytes must be writable and this matrix's alone (model/weight_pack.cpp checks).
//   if (gemm_can_pack_in_place(w)) gemm_pack_in_place(w);   ...   gemm_unpack_in_place(w);
bool gemm_can_pack_in_place(const WeightMatrix& w);
void gemm_pack_in_place(WeightMatrix& w);
void gemm_unpack_in_place(WeightMatrix& w);
bool gemm_is_packed_in_place(const WeightMatrix& w);
// Stored rows [r0, r0 + n) of a weight packed in place into out (n x w.cols), widened to f32 (what
// weight_rows_f32 reads for it): an out_in weight's whole panels by 4 x 4 transposes (row by row they
// are strided reads).
void gemm_packed_rows(const WeightMatrix& w, int r0, int n, float* out);

void gemm_reference(const float* a, int M, const WeightMatrix& b, const float* bias, float* c);

}  // namespace attn
