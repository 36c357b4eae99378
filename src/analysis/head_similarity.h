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

// Classical (Torgerson) MDS of an (n, n) distance matrix into `dims` coordinates per point, (n, dims);
// deterministic (signs fixed so each axis's largest |coordinate| is positive).
std::vector<float> classical_mds(const std::vector<float>& distances, int n, int dims);

}  // namespace attn
