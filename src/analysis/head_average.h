// The mean of several heads of one layer, as one (T, S) matrix: the overview the first source document
// asks for ("有时,平均所有头的注意力权重也能提供整体视图"). Each head's rows sum to 1, so the average's do too.
//
//   std::vector<float> m = head_average(trace.attentions, layer, {0, 2, 3});   // (T, S)
//   std::vector<float> all = head_average(trace.attentions, layer, {});        // every head
#pragma once
#include <string>
#include <vector>

#include "model/trace.h"

namespace attn {

// Heads outside [0, n_head) and repeats are ignored; an empty list (or one with no valid head) means
// every head. Empty result for an empty tensor or a layer out of range.
std::vector<float> head_average(const AttentionTensor& attention, int layer, const std::vector<int>& heads);

// The heads head_average really averages, sorted, for captions: "0,2,3".
std::vector<int> head_average_heads(const AttentionTensor& attention, const std::vector<int>& heads);
std::string head_list_text(const std::vector<int>& heads);

}  // namespace attn
