// Products with F32 weights map straight onto Eigen; F16/BF16 weights are widened a block of output
// features at a time into a small scratch matrix, so the full f32 copy never exists.
#include "core/linear.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include <Eigen/Core>

namespace attn {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;
using OutMap = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;

constexpr int kBlock = 128;  // stored rows widened per step: 128 x 4096 floats = 2 MiB at most

void widen(DType dtype, const void* src, size_t n, float* dst) {
    const uint16_t* h = static_cast<const uint16_t*>(src);
    if (dtype == DType::BF16) {
        for (size_t i = 0; i < n; ++i) {
            uint32_t bits = static_cast<uint32_t>(h[i]) << 16;
            std::memcpy(dst + i, &bits, 4);
        }
    } else if (dtype == DType::F16) {
        for (size_t i = 0; i < n; ++i) dst[i] = f16_to_f32(h[i]);
    } else {
        std::memcpy(dst, src, n * sizeof(float));
    }
}

}  // namespace

void weight_row_f32(const WeightMatrix& w, int row, float* out) {
    const size_t offset = static_cast<size_t>(row) * w.cols * dtype_size(w.dtype);
    widen(w.dtype, static_cast<const uint8_t*>(w.data) + offset, static_cast<size_t>(w.cols), out);
}

void linear(const float* x, int T, const WeightMatrix& w, const float* bias, float* y) {
    const int n_in = w.n_in(), n_out = w.n_out();
    ConstMap X(x, T, n_in);
    if (w.dtype == DType::F32) {
        ConstMap W(static_cast<const float*>(w.data), w.rows, w.cols);
        Eigen::Map<RowMatrix> Y(y, T, n_out);
        if (w.layout == WeightLayout::in_out) Y.noalias() = X * W;
        else Y.noalias() = X * W.transpose();
    } else {
        thread_local std::vector<float> scratch;
        const size_t row_bytes = static_cast<size_t>(w.cols) * dtype_size(w.dtype);
        const uint8_t* base = static_cast<const uint8_t*>(w.data);
        if (w.layout == WeightLayout::out_in) {
            // Stored rows are output features: each block fills a column slice of y.
            for (int r0 = 0; r0 < w.rows; r0 += kBlock) {
                const int n = std::min(kBlock, w.rows - r0);
                scratch.resize(static_cast<size_t>(n) * w.cols);
                widen(w.dtype, base + r0 * row_bytes, scratch.size(), scratch.data());
                OutMap Y(y + r0, T, n, Eigen::OuterStride<>(n_out));
                Y.noalias() = X * ConstMap(scratch.data(), n, w.cols).transpose();
            }
        } else {
            // Stored rows are input features: each block adds its share to all of y.
            Eigen::Map<RowMatrix> Y(y, T, n_out);
            Y.setZero();
            for (int r0 = 0; r0 < w.rows; r0 += kBlock) {
                const int n = std::min(kBlock, w.rows - r0);
                scratch.resize(static_cast<size_t>(n) * w.cols);
                widen(w.dtype, base + r0 * row_bytes, scratch.size(), scratch.data());
                Y.noalias() += X.middleCols(r0, n) * ConstMap(scratch.data(), n, w.cols);
            }
        }
    }
    if (bias) {
        Eigen::Map<RowMatrix> Y(y, T, n_out);
        Y.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(bias, n_out);
    }
}

}  // namespace attn
