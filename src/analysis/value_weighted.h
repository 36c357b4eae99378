// Value-weighted attention (Kobayashi et al. 2020, the norm-based view): a key's weight A[t,s] times the
// length of the value vector it contributes, rows renormalised to 1. A "sink" token that soaks up
// attention but carries a near-zero value fades; the heatmap offers it as an option.
//
//   ObservedTensors seen(value_names(L));   // run a forward pass with seen.observer()
//   std::vector<float> vn = value_norms(seen, L, H, n_kv_head, S);            // (L, H, S)
//   std::vector<float> w = value_weighted_attention(trace.attentions, vn);     // (L, H, T, S)
#pragma once
#include <set>
#include <string>
#include <vector>

#include "analysis/attribution.h"
#include "analysis/observed.h"

namespace attn {

// The observer names value_norms reads: "layer.L.values" for every layer.
std::set<std::string> value_names(int n_layer);

// (L, H, S): ||v_s|| of each key as head h reads it (grouped-query attention: head h reads kv head
// h / (H / KV)). A layer whose values were not observed stays zero.
std::vector<float> value_norms(const ObservedTensors& seen, int n_layer, int n_head, int n_kv_head, int n_key);

}  // namespace attn
