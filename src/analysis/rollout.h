// Attention rollout (Abnar & Zuidema 2020) over one self-attention stack: the residual-adjusted,
// head-averaged attention of every layer, and their product from the input up. Pure functions of an
// AttentionTensor (not a Trace) so BART's encoder and decoder stacks work alike; cross attention has
// no rollout (its queries and keys are different sequences) and yields an empty result.
//
//   ResidualAttention ahat = residual_attention(trace.attentions);   // (L, T, T)
//   std::vector<double> r = attention_rollout(ahat);                  // (T, T): r[j*T + i]
//   double from_first = r[(T - 1) * T + 0];   // share of the last output that traces back to token 0
#pragma once
#include <vector>

#include "model/trace.h"

namespace attn {

// Ahat_l = norm_rows(0.5 * mean_h A_l + 0.5 * I): half the residual stream carries the token itself,
// half is mixed by attention. Every row sums to 1, so it reads as "where layer l's token k came from".
struct ResidualAttention {
    int n_layer = 0, n_token = 0;
    std::vector<double> values;   // (L, T, T): [l][k][i] = share of (l, k) that comes from (l-1, i)
    // (L, T), beside the rows made: 1 + the last i with a nonzero share in row k of layer l (k + 1 in a
    // causal model). Products with a row stop there: a hovered token's importance at T = 1024 read the
    // zeros of the upper triangle too, 12 M multiply-adds of which half added nothing. Empty: whole rows.
    std::vector<int> row_extent;

    bool empty() const { return values.empty(); }
    const double* layer(int l) const { return values.data() + static_cast<size_t>(l) * n_token * n_token; }
    double at(int l, int k, int i) const { return layer(l)[static_cast<size_t>(k) * n_token + i]; }
    int extent(int l, int k) const { return row_extent.empty() ? n_token : row_extent[static_cast<size_t>(l) * n_token + k]; }
};

// Empty when the attention is empty or not square (cross attention).
ResidualAttention residual_attention(const AttentionTensor& attention);
// The same a layer at a time (the same bits), for a caller that spreads a long trace over frames: begin
// sets *r's shape and reserves its values (reusing its memory; empty as above), then each layer, in order,
// appends its (T, T) block, so values holds the layers made so far.
//   residual_attention_begin(attention, &r);
//   for (int l = 0; l < r.n_layer; ++l) residual_attention_layer(attention, l, &r);
void residual_attention_begin(const AttentionTensor& attention, ResidualAttention* r);
void residual_attention_layer(const AttentionTensor& attention, int layer, ResidualAttention* r);
// Rows [row_begin, row_end) of a layer, appended the same way (rows in order, a layer's after the layers
// before it): one layer at T = 1024 is 8 MB of fresh doubles, about 30 ms, more than a frame.
void residual_attention_rows(const AttentionTensor& attention, int layer, int row_begin, int row_end,
                             ResidualAttention* r);

// R = Ahat_L @ ... @ Ahat_1, (T, T): R[j][i] = how much of output token j comes from input token i.
std::vector<double> attention_rollout(const ResidualAttention& ahat);

// Row j of Ahat_L @ ... @ Ahat_{l+1} for every l = 0..L, (L+1, T): [l][i] = how much of output token j
// passes through node (l, i). Row L is the indicator of j, row 0 is row j of the rollout. O(L T^2).
std::vector<double> rollout_importance(const ResidualAttention& ahat, int j);

}  // namespace attn
