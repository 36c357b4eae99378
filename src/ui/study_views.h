// The views and panels about what heads do and why a prediction was made: the heads view (sortable head
// table and head map), head similarity, activation patching, rule-based checks, the explanation, and the
// interventions panel (right side, under the predictions). Each draws from App state its app_*_frame
// function keeps up to date; long work runs as a stepped job driven by those frame functions, never by a view.
#pragma once
#include "ui/token_label.h"

namespace attn {

struct App;
struct AttentionView;

// Per frame, before the views: start, step (within a few ms) or drop each area's jobs and caches.
// Head statistics, labels, induction scores, similarity: the jobs step within what earlier jobs (spent_ms)
// left of budget_ms (frame_budget.h).
void app_heads_frame(App& app, double budget_ms, double spent_ms);
// The jobs a user starts step within budget_ms (frame_budget.h: none when negative; the frame passes what
// the earlier jobs left).
void app_interventions_frame(App& app, double budget_ms);   // interventions' before/after traces, the patching job
void app_checks_frame(App& app, double budget_ms);          // the checks run
void app_explain_frame(App& app, double budget_ms);         // the explanation's faithfulness job

void show_heads_view(App& app, const AttentionView& view, PieceStyle style);
void show_similarity_view(App& app, const AttentionView& view, PieceStyle style);
void show_patching_view(App& app, PieceStyle style);
void show_checks_view(App& app, PieceStyle style);
void show_explain_view(App& app, PieceStyle style);
void show_interventions_panel(App& app, PieceStyle style);

}  // namespace attn
