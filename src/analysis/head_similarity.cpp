// Jensen-Shannon divergence between heads' attention maps, row by row, and classical MDS of the result.
// JSD(a, b) = H(M) - (H(a) + H(b)) / 2 with M = (a + b) / 2: the row entropies are computed once per head,
// so each pair costs one log per key.
#include "analysis/head_similarity.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>

namespace attn {

namespace {

double xlogx(double x) { return x > 1e-30 ? x * std::log(x) : 0.0; }

}  // namespace

HeadSimilarityJob::HeadSimilarityJob(const AttentionTensor& a, bool skip_first_query) : a_(&a) {
    if (a.empty()) return;
    n_ = a.n_layer * a.n_head;
    first_ = a.causal && skip_first_query && a.n_query > 1 ? 1 : 0;
    out_.n = n_;
    out_.jsd.assign(static_cast<size_t>(n_) * n_, 0.0f);
    out_.bad.assign(n_, 0);
    neg_entropy_.assign(static_cast<size_t>(n_) * a.n_query, 0.0);
    total_ = n_ + static_cast<long>(n_) * (n_ - 1) / 2 + 1;
    pair_j_ = 1;
}

HeadSimilarityJob::~HeadSimilarityJob() = default;

bool HeadSimilarityJob::step(long units) {
    for (long u = 0; u < std::max(1L, units) && !done(); ++u, ++done_) {
        if (done_ < n_) row_entropies(static_cast<int>(done_));
        else if (done_ < total_ - 1) next_pair();
        else place();
    }
    return done();
}

// Step 1 (a unit per head): sum x log x of each of head i's rows, and whether it holds NaN or infinity.
void HeadSimilarityJob::row_entropies(int i) {
    const AttentionTensor& a = *a_;
    const int T = a.n_query, S = a.n_key;
    for (int t = 0; t < T; ++t) {
        const float* row = a.probs.data() + (static_cast<size_t>(i) * T + t) * S;
        double e = 0.0;
        for (int s = 0; s < S; ++s) {
            if (!std::isfinite(row[s])) out_.bad[i] = 1;   // xlogx(NaN) would quietly read as 0
            e += xlogx(row[s]);
        }
        neg_entropy_[static_cast<size_t>(i) * T + t] = e;
    }
    if (!out_.bad[i]) return;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (int j = 0; j < n_; ++j) out_.jsd[static_cast<size_t>(i) * n_ + j] = out_.jsd[static_cast<size_t>(j) * n_ + i] = nan;
}

// Step 2 (a unit per pair i < j, row by row): the mean JSD of their rows.
void HeadSimilarityJob::next_pair() {
    const int i = pair_i_, j = pair_j_;
    if (++pair_j_ >= n_) {
        ++pair_i_;
        pair_j_ = pair_i_ + 1;
    }
    if (out_.bad[i] || out_.bad[j]) return;   // NaN already, from row_entropies
    const AttentionTensor& a = *a_;
    const int T = a.n_query, S = a.n_key, rows = T - first_;
    double sum = 0.0;
    for (int t = first_; t < T; ++t) {
        const float* ra = a.probs.data() + (static_cast<size_t>(i) * T + t) * S;
        const float* rb = a.probs.data() + (static_cast<size_t>(j) * T + t) * S;
        const int end = a.causal && T == S ? t + 1 : S;   // zeros above the diagonal add nothing
        double m = 0.0;
        for (int s = 0; s < end; ++s) m += xlogx(0.5 * (static_cast<double>(ra[s]) + rb[s]));
        const double jsd = 0.5 * (neg_entropy_[static_cast<size_t>(i) * T + t] + neg_entropy_[static_cast<size_t>(j) * T + t]) - m;
        sum += std::max(0.0, jsd);
    }
    const float v = rows > 0 ? static_cast<float>(sum / rows) : 0.0f;
    out_.jsd[static_cast<size_t>(i) * n_ + j] = out_.jsd[static_cast<size_t>(j) * n_ + i] = v;
}

// Step 3 (one unit): the layout of the good heads only; the bad ones get NaN coordinates.
void HeadSimilarityJob::place() {
    const int n = n_;
    std::vector<int> good;
    for (int i = 0; i < n; ++i)
        if (!out_.bad[i]) good.push_back(i);
    const int g = static_cast<int>(good.size());
    std::vector<float> dist(static_cast<size_t>(g) * g);
    for (int i = 0; i < g; ++i)
        for (int j = 0; j < g; ++j) dist[static_cast<size_t>(i) * g + j] = std::sqrt(out_.jsd[static_cast<size_t>(good[i]) * n + good[j]]);
    const std::vector<float> placed = classical_mds(dist, g, 2);
    out_.layout.assign(static_cast<size_t>(n) * 2, std::numeric_limits<float>::quiet_NaN());
    for (int i = 0; i < g; ++i)
        for (int k = 0; k < 2; ++k) out_.layout[static_cast<size_t>(good[i]) * 2 + k] = placed[static_cast<size_t>(i) * 2 + k];
}

HeadSimilarity HeadSimilarityJob::take() { return std::move(out_); }

HeadSimilarity head_similarity(const AttentionTensor& a, bool skip_first_query) {
    HeadSimilarityJob job(a, skip_first_query);
    while (!job.step(std::numeric_limits<long>::max())) {  // all of it (long is 32 bits in WASM)
    }
    return job.take();
}

std::vector<float> classical_mds(const std::vector<float>& distances, int n, int dims) {
    std::vector<float> out(static_cast<size_t>(std::max(0, n)) * std::max(0, dims), 0.0f);
    if (n <= 0 || dims <= 0 || distances.size() < static_cast<size_t>(n) * n) return out;
    // B = -1/2 J D^2 J, J the centring matrix; coordinates = eigenvectors * sqrt(eigenvalues), largest first.
    Eigen::MatrixXd d2(n, n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const double d = distances[static_cast<size_t>(i) * n + j];
            d2(i, j) = d * d;
        }
    const Eigen::VectorXd row_mean = d2.rowwise().mean();
    const Eigen::VectorXd col_mean = d2.colwise().mean().transpose();
    const double all_mean = d2.mean();
    Eigen::MatrixXd b(n, n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) b(i, j) = -0.5 * (d2(i, j) - row_mean(i) - col_mean(j) + all_mean);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(b);
    if (solver.info() != Eigen::Success) return out;
    const Eigen::VectorXd& values = solver.eigenvalues();   // ascending
    const Eigen::MatrixXd& vectors = solver.eigenvectors();
    for (int k = 0; k < dims && k < n; ++k) {
        const int col = n - 1 - k;
        const double lambda = values(col);
        if (lambda <= 1e-12) continue;   // fewer real dimensions than asked: the rest stay 0
        const double scale = std::sqrt(lambda);
        int largest = 0;
        for (int i = 1; i < n; ++i)
            if (std::abs(vectors(i, col)) > std::abs(vectors(largest, col)) + 1e-12) largest = i;
        const double sign = vectors(largest, col) < 0 ? -1.0 : 1.0;
        for (int i = 0; i < n; ++i) out[static_cast<size_t>(i) * dims + k] = static_cast<float>(sign * scale * vectors(i, col));
    }
    return out;
}

}  // namespace attn
