// Naive linear and embedding pairs (the references; an Eigen f32 path is in core/linear.cpp's linear) and the
// input gradient through 16-bit weights.
#include "core/nn_linear.h"

#include <cstddef>
#include <vector>

namespace attn {
namespace {

// Index of W[o][i] whatever the stored layout.
inline size_t weight_index(int o, int i, int C_in, int C_out, WeightLayout layout) {
    return layout == WeightLayout::out_in ? static_cast<size_t>(o) * C_in + i : static_cast<size_t>(i) * C_out + o;
}

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
        const Real* x = inp + static_cast<size_t>(t) * C_in;
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

void linear_backward_input(float* dinp, const float* dout, const WeightMatrix& weight, int T) {
    const int n_in = weight.n_in(), n_out = weight.n_out();
    std::vector<float> row(static_cast<size_t>(weight.cols));
    for (int r = 0; r < weight.rows; ++r) {
        weight_row_f32(weight, r, row.data());
        for (int t = 0; t < T; ++t) {
            const float* dy = dout + static_cast<size_t>(t) * n_out;
            float* dx = dinp + static_cast<size_t>(t) * n_in;
            if (weight.layout == WeightLayout::out_in) {
                // Stored row r is output feature r: every input gets dy[r] times its weight.
                for (int i = 0; i < n_in; ++i) dx[i] += dy[r] * row[i];
            } else {
                // Stored row r is input feature r: a dot product with the output gradient.
                float acc = 0.0f;
                for (int o = 0; o < n_out; ++o) acc += dy[o] * row[o];
                dx[r] += acc;
            }
        }
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
