// What the app keeps for the heads and similarity views: head statistics, labels, induction scores and
// the similarity of the current trace, keyed on it so redrawing never recomputes.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/head_patterns.h"
#include "analysis/head_similarity.h"

namespace attn {

// The head table's columns: layer, head, label, confidence, every statistic (kHeadStatTable), importance.
constexpr int kHeadColLayer = 0, kHeadColHead = 1, kHeadColLabel = 2, kHeadColConfidence = 3, kHeadColStat0 = 4,
              kHeadColImportance = kHeadColStat0 + kHeadStatCount, kHeadColCount = kHeadColImportance + 1;

struct HeadsState {
    uint64_t trace_key = 0;   // shown_attention_key of what the cached results describe; 0: none
    bool labels_have_induction = false;   // the labels were scored with the induction score in
    std::vector<HeadStats> stats;         // (L, H) of the shown attention
    std::vector<HeadLabel> labels;        // (L, H)
    int n_layer = 0, n_head = 0;

    // A new trace whose statistics are more work than this many attention weights (about 4 ns each on
    // one core) gets them in steps of whole heads, within the frame's budget (app_heads_frame: what the
    // grid's tiles leave of App::trace_budget_ms), so the first frame of a T = 1024 trace is not held up
    // for half a second. Until the job is done, stats and labels are empty and the views say how far it
    // is. The similarity likewise.
    double step_above_weights = 4e6;
    std::unique_ptr<HeadStatsJob> stats_job;
    uint64_t stats_job_key = 0;           // trace key the job computes
    double stats_job_longest_ms = 0.0;    // its longest step so far (frame_budget.h)

    // The induction score needs the model (a few forward passes on its own input): once per model. A large
    // model's (App::probe_in_steps_above_params, as for the random-weights probe) is measured in steps,
    // within what the frame's other jobs leave of its budget; until then `induction` is empty.
    const void* induction_model = nullptr;   // the Model it was measured on
    std::vector<float> induction;            // (L, H) of the model's (encoder's) self attention
    std::string induction_error;
    std::unique_ptr<InductionJob> induction_job;   // reads induction_model until done
    double induction_job_longest_ms = 0.0;

    uint64_t similarity_key = 0;   // trace key of `similarity`
    HeadSimilarity similarity;
    // The same in steps for a large trace (pairs of heads times weights above step_above_weights).
    std::unique_ptr<HeadSimilarityJob> similarity_job;
    uint64_t similarity_job_key = 0;
    double similarity_job_longest_ms = 0.0;
    bool similarity_names = true;   // "L1H3" beside each dot of the similarity layout

    // The head map's axes (HeadStat indices) and the head table's sort (column kHeadCol*, direction).
    int map_x = static_cast<int>(HeadStat::entropy);
    int map_y = static_cast<int>(HeadStat::mean_distance);
    int sort_column = kHeadColLayer;
    bool sort_descending = false;
    std::vector<int> order;   // rows of the table: head indices l * H + h in sorted order

    // (L, H) heads the Checks view found passing (its last run on this model): the head grid outlines
    // them. Empty: none. Written by the checks area, drawn by the grid.
    std::vector<uint8_t> highlighted;
};

}  // namespace attn
