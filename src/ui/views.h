// The views: each is show_<thing>(selection, data) and draws into the current ImGui window. Data
// structs hold pointers into state owned elsewhere (the App's Trace); views copy nothing and load
// nothing.
#pragma once
#include <cstdint>
#include <string>

#include "model/trace.h"
#include "ui/selection.h"
#include "ui/texture_provider.h"
#include "ui/token_label.h"

namespace attn {

struct InputPanelData {
    std::string* text = nullptr;   // edited in place
    int text_generation = 0;       // changes when *text was replaced from outside the box
    int n_layer = 0, n_head = 0;
    int n_token = 0;
    int n_ctx = 0;
    bool truncated = false;        // the text was longer than the model's context
};
// Text box + layer/head steppers. Returns true when the text changed this frame.
bool show_input_panel(Selection& selection, const InputPanelData& data);

struct HeatmapData {
    const Trace* trace = nullptr;  // null or empty: a hint is shown instead
    uint64_t trace_version = 0;    // bumps whenever *trace is replaced (texture re-upload key)
    PieceStyle piece_style = PieceStyle::plain;
    TextureProvider* textures = nullptr;
    int texture_slot = 0;
};
// One attention head as a (queries x keys) heatmap with token labels, colorbar and hover tooltip.
void show_heatmap(Selection& selection, const HeatmapData& data);

struct StatusData {
    std::string model_name;        // empty: no model loaded
    std::string architecture;
    int n_layer = 0, n_head = 0;
    int64_t n_params = 0;
    int n_token = 0;
    double trace_ms = -1.0;        // < 0: no trace yet
    std::string error;             // last error, shown in red; the previous model stays usable
};
void show_status_bar(const StatusData& data);

}  // namespace attn
