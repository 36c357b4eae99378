// Naive linear and embedding pairs (the references), the Eigen linear backward, and the input gradient through
// 16-bit weights. Eigen stays in this file.
#include "core/nn_linear.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include <Eigen/Core>

#include "core/gemm.h"

namespace attn {
namespace {

// Index of W[o][i] whatever the stored layout.
inline size_t weight_index(int o, int i, int C_in, int C_out, WeightLayout layout) {
    return layout == WeightLayout::out_in ? static_cast<size_t>(o) * C_in + i : static_cast<size_t>(i) * C_out + o;
}

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;
using Map = Eigen::Map<RowMatrix>;

constexpr int kBlock = 128;  // stored rows widened per step, as in core/linear.cpp

}  // namespace

template <typename Real>
void linear_forward(Real* out, const Real* inp, const Real* weight, const Real* bias, int T, int C_in, int C_out,
                    WeightLayout layout) {
    for (int t = 0; t < T; ++t) {
        const Real* x = inp + static_cast<size_t>(t) * C_in;
        for (int o = 0; o < C_out; ++o) {
            Real acc = bias ? bias[o] : Real(0);
            for (int i = 0; i < C_in; ++i) acc += x[i] * weight[weight_index(o, i, C_in, C_out, layout)];
            out[static_cast<size_t>(t) * C_out + o] = acc;
        }
    }
}

template <typename Real>
void linear_backward(Real* dinp, Real* dweight, Real* dbias, const Real* dout, const Real* inp, const Real* weight,
                     int T, int C_in, int C_out, WeightLayout layout) {
    for (int t = 0; t < T; ++t) {
        const Real* x = inp ? inp + static_cast<size_t>(t) * C_in : nullptr;  // only read for dweight
        const Real* dy = dout + static_cast<size_t>(t) * C_out;
        for (int o = 0; o < C_out; ++o) {
            if (dbias) dbias[o] += dy[o];
            for (int i = 0; i < C_in; ++i) {
                const size_t w = weight_index(o, i, C_in, C_out, layout);
                if (dinp) dinp[static_cast<size_t>(t) * C_in + i] += dy[o] * weight[w];
                if (dweight) dweight[w] += dy[o] * x[i];
            }
        }
    }
}

void linear_forward_stored(float* out, const float* inp, const WeightMatrix& weight, const float* bias, int T) {
    linear(inp, T, weight, bias, out);
}

void linear_backward_fast(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                          const float* weight, int T, int C_in, int C_out, WeightLayout layout) {
    ConstMap dY(dout, T, C_out);
    const bool out_in = layout == WeightLayout::out_in;
    if (dinp) {
        Map dX(dinp, T, C_in);
        if (out_in) dX.noalias() += dY * ConstMap(weight, C_out, C_in);
        else dX.noalias() += dY * ConstMap(weight, C_in, C_out).transpose();
    }
    if (dweight) {
        ConstMap X(inp, T, C_in);
        if (out_in) Map(dweight, C_out, C_in).noalias() += dY.transpose() * X;
        else Map(dweight, C_in, C_out).noalias() += X.transpose() * dY;
    }
    // A plain loop, not dY.colwise().sum(): Eigen's reduction peels by the buffer's address, so the sum's
    // rounding changed from run to run and a training seed did not reproduce its model.
    if (dbias)
        for (int t = 0; t < T; ++t)
            for (int c = 0; c < C_out; ++c) dbias[c] += dout[static_cast<size_t>(t) * C_out + c];
}

void linear_backward_input(float* dinp, const float* dout, const WeightMatrix& weight, int T) {
    const int n_in = weight.n_in(), n_out = weight.n_out();
    const bool out_in = weight.layout == WeightLayout::out_in;
    if (weight.dtype == DType::F32) {
        const float* w = static_cast<const float*>(weight.data);
        std::vector<float> rows;   // a weight packed in place (the page's) holds panels: its rows gathered,
        if (gemm_is_packed_in_place(weight)) {   // so the product below is the one over the stored bytes
            rows.resize(static_cast<size_t>(weight.rows) * weight.cols);
            weight_rows_f32(weight, 0, weight.rows, rows.data());
            w = rows.data();
        }
        linear_backward_fast(dinp, nullptr, nullptr, dout, nullptr, w, T, n_in, n_out, weight.layout);
        return;
    }
    ConstMap dY(dout, T, n_out);
    Map dX(dinp, T, n_in);
    thread_local std::vector<float> scratch;
    for (int r0 = 0; r0 < weight.rows; r0 += kBlock) {
        const int n = std::min(kBlock, weight.rows - r0);
        scratch.resize(static_cast<size_t>(n) * weight.cols);
        weight_rows_f32(weight, r0, n, scratch.data());
        ConstMap block(scratch.data(), n, weight.cols);
        // out_in: the block's rows are output features r0.. ; in_out: they are input features r0..
        if (out_in) dX.noalias() += dY.middleCols(r0, n) * block;
        else dX.middleCols(r0, n).noalias() += dY * block.transpose();
    }
}

template <typename Real>
void embedding_forward(Real* out, const int* ids, const Real* wte, const Real* wpe, Real token_scale, int pos0, int T,
                       int C) {
    for (int t = 0; t < T; ++t) {
        const Real* tok = wte + static_cast<size_t>(ids[t]) * C;
        const Real* pos = wpe ? wpe + static_cast<size_t>(pos0 + t) * C : nullptr;
        Real* o = out + static_cast<size_t>(t) * C;
        for (int c = 0; c < C; ++c) o[c] = token_scale * tok[c] + (pos ? pos[c] : Real(0));
    }
}

template <typename Real>
void embedding_backward(Real* dwte, Real* dwpe, Real* dtok, const Real* dout, const int* ids, Real token_scale,
                        int pos0, int T, int C) {
    for (int t = 0; t < T; ++t) {
        const Real* dy = dout + static_cast<size_t>(t) * C;
        for (int c = 0; c < C; ++c) {
            if (dwte) dwte[static_cast<size_t>(ids[t]) * C + c] += token_scale * dy[c];
            if (dwpe) dwpe[static_cast<size_t>(pos0 + t) * C + c] += dy[c];
            if (dtok) dtok[static_cast<size_t>(t) * C + c] += token_scale * dy[c];
        }
    }
}

#define ATTN_NN_LINEAR_INSTANTIATE(Real)                                                                        \
    template void linear_forward<Real>(Real*, const Real*, const Real*, const Real*, int, int, int, WeightLayout); \
    template void linear_backward<Real>(Real*, Real*, Real*, const Real*, const Real*, const Real*, int, int, int, \
                                        WeightLayout);                                                          \
    template void embedding_forward<Real>(Real*, const int*, const Real*, const Real*, Real, int, int, int);    \
    template void embedding_backward<Real>(Real*, Real*, Real*, const Real*, const int*, Real, int, int, int);
ATTN_NN_LINEAR_INSTANTIATE(float)
ATTN_NN_LINEAR_INSTANTIATE(double)

}  // namespace attn
