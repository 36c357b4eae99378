// One number per head for a table: how spread out (entropy) and how far (mean distance) a head of
// one layer looks, averaged over its query rows. The per-row values are head_stats.h's.
#pragma once
#include <vector>

#include "model/trace.h"

namespace attn {

struct RowStats {
    float entropy = 0.0f;          // nats
    float entropy_norm = 0.0f;     // entropy / ln(keys the row can see); 0 when it sees one key only
    float mean_distance = -1.0f;   // tokens; -1 for cross attention (two sequences)
};

// One row of attention (query `query`, n_key weights). `causal`: the row sees keys 0..query only
// (what the normalisation divides by); `same_sequence`: queries and keys index the same tokens.
RowStats row_stats(const float* row, int n_key, int query, bool causal, bool same_sequence);

// Per head of `layer`: the mean over query rows of row_stats. Empty when the layer is out of range.
std::vector<RowStats> layer_head_summary(const AttentionTensor& attention, int layer);
// The same for one head (layer_head_summary's entry for it, the same bits), so a caller can spread a
// large layer over several frames. `layer` and `head` must be in range.
RowStats head_summary(const AttentionTensor& attention, int layer, int head);

}  // namespace attn
