// The app's side of the heads and similarity views and of the grid's badges: statistics, labels and
// similarity of the attention on screen, cached in App::heads and keyed on it; the induction score once
// per model, measured by app_heads_frame (never by a view). Also the pattern colours every view shares.
#pragma once
#include <string>
#include <vector>

#include "core/error.h"

#include "imgui.h"
#include "ui/heads_state.h"

namespace attn {

struct App;

// Statistics and labels of the shown attention (selection's kind), recomputed only when it changed: at
// once when small, else started as a job that app_heads_frame steps (stats empty until it is done).
// app_heads_frame also measures the induction score, which labels use once known.
HeadsState& app_heads_current(App& app);
// Whether a large trace's statistics are still being computed in steps (app_heads_frame), and how far.
bool app_heads_pending(const App& app, int* heads_done = nullptr, int* heads_total = nullptr);
// The same for the similarity of a large trace (only computed while the similarity view is shown).
bool app_heads_similarity_pending(const App& app, float* fraction = nullptr);
// Draws that progress ("Working out what each head does: 40 of 144 heads", or in the similarity view
// "Comparing every pair of heads..." over a bar) when pending; true if drawn.
bool show_heads_pending(const App& app);
// Whether the induction score of the model on screen is still to be measured: a large model's is measured
// in steps by app_heads_frame, a small one's at its first frame.
bool app_heads_induction_pending(const App& app);
// Before the model is replaced or freed: drops its induction score and any job still reading it (a new
// model can take the old one's address, so the score's model pointer alone cannot tell).
void app_heads_forget_model(App& app);
// The JSD matrix and MDS layout of the shown attention, recomputed only when it changed: at once when
// small, else started as a job app_heads_frame steps while the similarity view is shown (n = 0 until done).
const HeadSimilarity& app_heads_similarity(App& app);
// The head importance of the explained prediction when the Attributions job has it for this input
// (self attention only), else null.
const std::vector<float>* app_heads_importance(const App& app);

// The page's heads(): the CLI `heads` JSON (analysis/heads_report.h) for the trace and attention kind on
// screen, the induction score measured with the CLI's defaults. An error when no model or no trace.
Expected<std::string> app_heads_json(App& app, bool per_query);

// The head table's rows: head indices sorted by `column` (kHeadCol*), ties by layer then head;
// importance may be null (that column then keeps layer order).
std::vector<int> head_table_order(const std::vector<HeadStats>& stats, const std::vector<HeadLabel>& labels,
                                  const std::vector<float>* importance, int column, bool descending);

// One colour per pattern (kHeadPatternTable order), readable on the dark and the light theme.
ImU32 head_pattern_color(HeadPattern p);
// The pattern's badge ("PREV") in its colour on a dark plate, top-left at `at`; returns its size.
ImVec2 draw_head_badge(ImDrawList* dl, ImVec2 at, HeadPattern p, float font_size);
ImVec2 head_badge_size(HeadPattern p, float font_size);
// The same for a head's label: its pattern's, or "NaN" in the bad colour (colormap_bad_color) for a head
// with bad values.
ImU32 head_label_color(const HeadLabel& l);
ImVec2 draw_head_badge(ImDrawList* dl, ImVec2 at, const HeadLabel& l, float font_size);
ImVec2 head_badge_size(const HeadLabel& l, float font_size);

}  // namespace attn
