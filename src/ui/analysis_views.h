// The views about one prediction: Attributions (what mattered), Logit lens (what each layer would
// predict), Activations (how the residual stream grows), and the job progress strip. Like views.h:
// each draws data structs the app hands it (results of the AttributionJob) and reports what was
// clicked; the job itself, and any model call, stay in the app (app_analysis.cpp).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/attribution.h"
#include "imgui.h"
#include "model/trace.h"
#include "ui/predictions.h"
#include "ui/selection.h"
#include "ui/token_label.h"

namespace attn {

// SameLine when an item `w` wide still fits on this line; else it starts the next (projector fonts).
inline void same_line_if_fits(float w) {
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w <= right) ImGui::SameLine();
}

// The tokenizer's piece for an id (the app binds its model's tokenizer).
using PieceOf = std::function<std::string(int32_t id)>;

struct JobProgressData {
    bool running = false;
    float progress = 0.0f;                  // 0..1
    std::string stage;                      // "integrated gradients 12/32"
    std::array<float, 4>* bar_rect = nullptr;      // out: the bar's rect (x, y, w, h)
    std::array<float, 4>* cancel_rect = nullptr;   // out: the Cancel button's rect
};
// A progress bar naming the stage, and Cancel. Draws nothing when !running. True: Cancel pressed.
bool show_job_progress(const JobProgressData& data);

struct AttributionsData {
    const Attribution* result = nullptr;    // null: nothing computed yet for this input
    const TokenSeq* tokens = nullptr;       // the input (T)
    PieceStyle piece_style = PieceStyle::plain;
    PieceOf piece_of;
    int method = 2;                         // index in kAttributionMethods
    // Target and foil choices: the top predictions at the scored position, and the ids chosen
    // (-1: the model's own top prediction / no foil).
    const std::vector<TokenProb>* candidates = nullptr;
    int target = -1, foil = -1;
    int ig_steps = 32;
    JobProgressData job;
    std::string error;                      // the job failed: why
    std::string unavailable;                // the model cannot be explained (encoder-decoder): why
    bool cancelled = false;                 // the shown result stopped part-way
    // out: rects for browser tests (x, y, w, h)
    std::array<float, 4>* run_rect = nullptr;
    std::vector<std::array<float, 4>>* target_rects = nullptr;   // one per candidate
    std::vector<std::array<float, 4>>* foil_rects = nullptr;     // "none", then one per candidate
    std::array<float, 4>* method_rect = nullptr;
    std::array<float, 4>* tokens_rect = nullptr;                 // the coloured tokens
};
struct AttributionsActions {
    bool run = false;                       // Run pressed: recompute now
    bool cancel = false;
    int method = -1;                        // picked this frame, or -1
    int target = -2, foil = -2;             // picked this frame (-1: default / none), or -2
    int ig_steps = 0;                       // changed this frame, or 0
};
// The input tokens coloured by the chosen method's scores (diverging for signed methods), a bar per
// token, the method chooser, the target / foil picker, the methods' agreement table and the
// integrated-gradients completeness gap.
AttributionsActions show_attributions(Selection& selection, const AttributionsData& data);

struct LensData {
    const LogitLens* lens = nullptr;        // null or empty: a hint instead
    const TokenSeq* tokens = nullptr;
    PieceStyle piece_style = PieceStyle::plain;
    PieceOf piece_of;
    int position = -1;                      // the scored position (its column is marked)
    std::string target_label;               // the explained token, for the rank line's caption
    bool* after_attention = nullptr;        // in/out: show the lens after attention, before the MLP
    std::array<float, 4>* grid_rect = nullptr;   // out: the cells (x, y, w, h)
    std::string hint;                       // shown instead when there is no lens
};
// Rows = residual states (embeddings at the bottom, the model's output on top), columns = positions;
// each cell its top token, shaded by its probability; hover for the top-k; the final prediction's rank
// per layer as a line beside it.
void show_logit_lens(Selection& selection, const LensData& data);

enum class ActivationMode { hidden_norm, attn_vs_mlp };
struct ActivationsData {
    const ActivationSummary* summary = nullptr;
    const TokenSeq* tokens = nullptr;
    PieceStyle piece_style = PieceStyle::plain;
    ActivationMode* mode = nullptr;         // in/out
    int cell_layer = -1, cell_token = -1;   // the clicked cell whose neurons are listed
    const std::vector<Neuron>* neurons = nullptr;   // that cell's top MLP neurons (null: none yet)
    std::string neurons_error;
    std::array<float, 4>* grid_rect = nullptr;   // out: the cells (x, y, w, h)
    std::string hint;
};
// Tokens x layers heatmap of hidden-state norms, or of attention's share of what the sublayers add.
// Returns the clicked cell as (layer, token), or (-1, -1): the app then looks up its top neurons.
std::array<int, 2> show_activations(Selection& selection, const ActivationsData& data);

}  // namespace attn
