// What the heatmap shows once the view options apply: the selected head, or the mean of all / chosen
// heads (analysis/head_average.h), of the pieces or of the words they form (analysis/word_merge.h).
// The app computes this before the heatmap draws; the heatmap draws whatever matrix it is handed.
// The word-merged tensor and the per-layer head table are cached per shown attention.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/head_summary.h"
#include "analysis/word_merge.h"
#include "model/trace.h"
#include "ui/selection.h"
#include "ui/token_label.h"

namespace attn {

struct HeadViewCache {
    uint64_t words_key = ~0ull;          // the shown-attention key the words below were merged for
    WordSpans query_words, key_words;
    AttentionTensor merged;              // (L, H, Wq, Wk)
    TokenSeq query_seq, key_seq;         // the words as token sequences (joined pieces), for labels
    std::vector<std::string> query_notes, key_notes;   // per word: "pieces: ·cross + ing"
    std::vector<float> average;          // (T, S) of the last average asked for
    uint64_t average_sig = ~0ull;        // which (attention, layer, heads) `average` is
    std::string heads_label;             // "average of heads 0,2,3"
    uint64_t stats_key = ~0ull;
    int stats_layer = -1;
    int stats_heads = 0;                 // heads in stats_layer (0 when it has none to show)
    std::vector<RowStats> stats;         // layer_head_summary of stats_layer: its first heads, so far
    double stats_longest_ms = 0.0;       // its longest step (a head) so far (frame_budget.h)
};

struct ShownAttention {
    const AttentionTensor* attention = nullptr;   // pieces' or words' tensor
    const TokenSeq* queries = nullptr;
    const TokenSeq* keys = nullptr;
    const WordSpans* query_words = nullptr;       // set when words are shown: maps pieces to words
    const WordSpans* key_words = nullptr;
    const float* matrix = nullptr;                // set: a head average (T, S) to show instead of one head
    const char* heads_label = nullptr;            // set with matrix
    const std::vector<std::string>* query_notes = nullptr;
    const std::vector<std::string>* key_notes = nullptr;
    uint64_t key = 0;                             // texture key of what is shown
};

PieceConvention piece_convention(PieceStyle style);

// `key` identifies the attention (shown_attention_key). Null attention or empty: returned as is.
ShownAttention head_view(HeadViewCache& cache, const AttentionTensor* attention, const TokenSeq* queries,
                         const TokenSeq* keys, const Selection& sel, uint64_t key, PieceStyle style);

// layer_head_summary of `layer` for the attention `key` names: begun afresh when they changed, then all
// heads at once with `at_once`, else only as far as head_stats_step has gone (stats_heads in all).
const std::vector<RowStats>& head_stats_cached(HeadViewCache& cache, const AttentionTensor& attention, int layer,
                                               uint64_t key, bool at_once = true);
// One more head of the cached layer's statistics, when some are missing for attention `key`; false when
// none was (finished, or begun for another attention).
bool head_stats_step(HeadViewCache& cache, const AttentionTensor& attention, uint64_t key);

}  // namespace attn
