// Residual-adjusted attention and rollout, in doubles (the reference is float64 numpy). Plain loops: this
// runs once per trace, not per frame (a layer at a time in the app when T is large).
#include "analysis/rollout.h"

#include <algorithm>

#include "core/huge_pages.h"

namespace attn {

void residual_attention_begin(const AttentionTensor& a, ResidualAttention* r) {
    if (a.empty() || a.n_query != a.n_key || a.n_query == 0) {
        *r = ResidualAttention{};
        return;
    }
    r->n_layer = a.n_layer;
    r->n_token = a.n_query;
    // 100 MB of doubles at T = 1024: zeroed all at once, fresh memory's page faults were one frame of
    // 0.1-0.2 s. Reserved here; each layer zeroes (and faults in) its own block.
    reserve_in_huge_pages(r->values, static_cast<size_t>(a.n_layer) * a.n_query * a.n_query);
    r->row_extent.clear();
    r->row_extent.reserve(static_cast<size_t>(a.n_layer) * a.n_query);
}

void residual_attention_layer(const AttentionTensor& a, int l, ResidualAttention* r) {
    residual_attention_rows(a, l, 0, r->n_token, r);
}

void residual_attention_rows(const AttentionTensor& a, int l, int row_begin, int row_end, ResidualAttention* r) {
    const int H = a.n_head, T = r->n_token;
    const size_t block = static_cast<size_t>(T) * T;
    // Within the reserve, and only up to these rows: the zeroing faults in just the pages they write.
    const size_t end = l * block + static_cast<size_t>(row_end) * T;
    if (r->values.size() < end) r->values.resize(end);
    const size_t extents_end = static_cast<size_t>(l) * T + row_end;
    if (r->row_extent.size() < extents_end) r->row_extent.resize(extents_end);
    double* out = r->values.data() + static_cast<size_t>(l) * block;
    // A row at a time, every head's row summed into it while it stays in L1 (head after head, as the
    // mean is defined): a head at a time over the whole (T, T) block streamed 8 MB of doubles through
    // memory twelve times at T = 1024, 24-30 ms a layer.
    for (int k = row_begin; k < row_end; ++k) {
        double* row = out + static_cast<size_t>(k) * T;
        std::fill(row, row + T, 0.0);
        for (int h = 0; h < H; ++h) {
            const float* p = a.head(l, h) + static_cast<size_t>(k) * T;
            for (int i = 0; i < T; ++i) row[i] += p[i];
        }
        double sum = 0.0;
        for (int i = 0; i < T; ++i) {
            row[i] = 0.5 * row[i] / H + (i == k ? 0.5 : 0.0);
            sum += row[i];
        }
        int extent = T;
        for (int i = 0; i < T; ++i) row[i] /= sum;   // sum >= 0.5: the identity half is always there
        while (extent > 0 && row[extent - 1] == 0.0) --extent;
        r->row_extent[static_cast<size_t>(l) * T + k] = extent;
    }
}

ResidualAttention residual_attention(const AttentionTensor& a) {
    ResidualAttention r;
    residual_attention_begin(a, &r);
    for (int l = 0; l < r.n_layer; ++l) residual_attention_layer(a, l, &r);
    return r;
}

std::vector<double> attention_rollout(const ResidualAttention& ahat) {
    const int L = ahat.n_layer, T = ahat.n_token;
    std::vector<double> r(static_cast<size_t>(T) * T, 0.0), next(r.size());
    for (int i = 0; i < T; ++i) r[static_cast<size_t>(i) * T + i] = 1.0;
    for (int l = 0; l < L; ++l) {   // r <- Ahat_l @ r
        const double* a = ahat.layer(l);
        std::fill(next.begin(), next.end(), 0.0);
        for (int k = 0; k < T; ++k)
            for (int m = 0; m < T; ++m) {
                double w = a[static_cast<size_t>(k) * T + m];
                if (w == 0.0) continue;   // causal: half the matrix
                const double* src = &r[static_cast<size_t>(m) * T];
                double* dst = &next[static_cast<size_t>(k) * T];
                for (int i = 0; i < T; ++i) dst[i] += w * src[i];
            }
        r.swap(next);
    }
    return r;
}

std::vector<double> rollout_importance(const ResidualAttention& ahat, int j) {
    const int L = ahat.n_layer, T = ahat.n_token;
    std::vector<double> imp;
    if (ahat.empty() || j < 0 || j >= T) return imp;
    imp.assign(static_cast<size_t>(L + 1) * T, 0.0);
    imp[static_cast<size_t>(L) * T + j] = 1.0;
    for (int l = L; l >= 1; --l) {   // row vector times Ahat_l: imp[l-1][i] = sum_k imp[l][k] Ahat_l[k][i]
        const double* a = ahat.layer(l - 1);
        const double* above = &imp[static_cast<size_t>(l) * T];
        double* below = &imp[static_cast<size_t>(l - 1) * T];
        for (int k = 0; k < T; ++k) {
            if (above[k] == 0.0) continue;
            const double* row = a + static_cast<size_t>(k) * T;
            const int n = ahat.extent(l - 1, k);   // past it the row adds zeros
            for (int i = 0; i < n; ++i) below[i] += above[k] * row[i];
        }
    }
    return imp;
}

}  // namespace attn
