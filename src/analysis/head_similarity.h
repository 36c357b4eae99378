// Which heads do the same job? Jensen-Shannon divergence between every pair of heads' attention maps on
// the current input, and a 2-D layout of the heads from it (classical MDS), so similar heads sit together.
//
//   HeadSimilarity sim = head_similarity(trace.attentions);
//   float d = sim.jsd[a * sim.n + b];             // heads a, b as l * H + h; 0 = same map, ln 2 = disjoint
//   float x = sim.layout[2 * a], y = sim.layout[2 * a + 1];
#pragma once
#include <vector>

#include "model/trace.h"

namespace attn {

struct HeadSimilarity {
    int n = 0;                   // heads: L * H
    std::vector<float> jsd;      // (n, n) mean over query rows of JSD(row_a, row_b), nats, symmetric, 0 diagonal
    std::vector<float> layout;   // (n, 2) classical MDS of sqrt(jsd), first two coordinates
    // A head whose map holds NaN or infinity is like no other and unlike none: its JSD row and column are
    // NaN (the view draws them in the bad colour) and it is left out of the layout (coordinates NaN).
    std::vector<char> bad;       // (n) 1 for such a head
};

// Rows with skip_first_query (the first query of a causal model sees one key only) are left out.
HeadSimilarity head_similarity(const AttentionTensor& attention, bool skip_first_query = true);

// head_similarity cut into steps, for the app: at T = 1024 a 12 x 12 model is 10,296 pairs of half a
// million logs each, half a minute on one core. A unit is one head's row entropies, then one pair of
// heads, then the layout; the result is the same bits as head_similarity. The job reads `attention`
// until it is done, so its owner drops it before that tensor changes or goes away.
class HeadSimilarityJob {
public:
    explicit HeadSimilarityJob(const AttentionTensor& attention, bool skip_first_query = true);
    ~HeadSimilarityJob();
    HeadSimilarityJob(const HeadSimilarityJob&) = delete;
    HeadSimilarityJob& operator=(const HeadSimilarityJob&) = delete;

    bool step(long units);   // the next `units` units (at least one); true when done
    bool done() const { return done_ >= total_; }
    long units_done() const { return done_; }
    long units_total() const { return total_; }
    HeadSimilarity take();   // once done

private:
    void row_entropies(int head);
    void next_pair();
    void place();

    const AttentionTensor* a_;
    int n_ = 0, first_ = 0;
    long total_ = 0, done_ = 0;
    int pair_i_ = 0, pair_j_ = 1;          // the next pair
    std::vector<double> neg_entropy_;      // (n, T) sum x log x per row
    HeadSimilarity out_;
};

// Classical (Torgerson) MDS of an (n, n) distance matrix into `dims` coordinates per point, (n, dims);
// deterministic (signs fixed so each axis's largest |coordinate| is positive).
std::vector<float> classical_mds(const std::vector<float>& distances, int n, int dims);

}  // namespace attn
