// App lifecycle and per-frame layout: fonts and style at init, then a fixed layout computed from the
// window size (input panel left, heatmap right, status bar bottom). Running the model lives in
// app_model.cpp so this file (and the smoke test) need no model code.
#include "ui/app.h"

#include <algorithm>
#include <cstdio>

#include "imgui.h"
#include "ui/views.h"

namespace attn {

namespace {

// Latin, Greek, Cyrillic, general punctuation and arrows (·, …, →): what token labels need most.
const ImWchar kPrimaryRanges[] = {
    0x0020, 0x00FF, 0x0100, 0x024F, 0x0370, 0x03FF, 0x0400, 0x052F,
    0x2000, 0x206F, 0x2190, 0x21FF, 0x2580, 0x259F, 0,
};

void load_fonts(AppConfig& config) {
    ImGuiIO& io = ImGui::GetIO();
    bool have_primary = false;
    for (FontFile& f : config.fonts) {
        if (f.bytes.empty()) continue;
        if (f.role == FontFile::cjk && !have_primary) continue;   // a merge needs a base font
        ImFontConfig fc;
        fc.FontDataOwnedByAtlas = false;   // the bytes live in App::config for the atlas's lifetime
        fc.MergeMode = f.role == FontFile::cjk;
        const ImWchar* ranges = f.role == FontFile::cjk ? io.Fonts->GetGlyphRangesChineseSimplifiedCommon()
                                                        : kPrimaryRanges;
        std::snprintf(fc.Name, sizeof fc.Name, "%s", f.name.c_str());
        if (io.Fonts->AddFontFromMemoryTTF(f.bytes.data(), static_cast<int>(f.bytes.size()), config.font_size,
                                           &fc, ranges))
            have_primary = true;
    }
    if (!have_primary) {
        ImFontConfig fc;
        fc.SizePixels = config.font_size;
        io.Fonts->AddFontDefault(&fc);
    }
}

}  // namespace

void app_init(App& app, AppConfig config) {
    app.config = std::move(config);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;   // fixed layout: nothing to remember between runs
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 0.0f;
    style.WindowBorderSize = 0.0f;
    style.FrameRounding = 3.0f;
    load_fonts(app.config);
}

void app_show_trace(App& app, Trace trace, double trace_ms) {
    app.trace = std::move(trace);
    app.has_trace = true;
    app.trace_ms = trace_ms;
    ++app.trace_version;
    selection_clamp(app.selection, app.trace.attentions.n_layer, app.trace.attentions.n_head);
}

void app_frame(App& app) {
    ImGuiIO& io = ImGui::GetIO();
    const float W = io.DisplaySize.x, H = io.DisplaySize.y;
    const float status_h = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
    const float left_w = std::clamp(W * 0.28f, std::min(W * 0.5f, 260.0f), 420.0f);
    const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
    app.selection.hover_query = app.selection.hover_key = -1;

    const ModelInfo* info = app.model ? &app.model->info() : nullptr;
    const AttentionTensor& attn = app.trace.attentions;
    int n_layer = info ? info->n_layer : attn.n_layer;
    int n_head = info ? info->n_head : attn.n_head;
    int n_token = app.has_trace ? app.trace.tokens.size() : 0;

    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(left_w, std::max(1.0f, H - status_h)));
    if (ImGui::Begin("Input", nullptr, fixed)) {
        InputPanelData in;
        in.text = &app.text;
        in.text_generation = app.text_generation;
        in.n_layer = n_layer;
        in.n_head = n_head;
        in.n_token = n_token;
        in.n_ctx = info ? info->n_ctx : 0;
        in.truncated = app.truncated;
        if (show_input_panel(app.selection, in)) app_set_text(app, app.text);
    }
    ImGui::End();

    ImGui::SetNextWindowPos(ImVec2(left_w, 0));
    ImGui::SetNextWindowSize(ImVec2(std::max(1.0f, W - left_w), std::max(1.0f, H - status_h)));
    if (ImGui::Begin("Heatmap", nullptr, fixed)) {
        HeatmapData hd;
        hd.trace = app.has_trace ? &app.trace : nullptr;
        hd.trace_version = app.trace_version;
        hd.piece_style = piece_style_for(app.trace.architecture);
        hd.textures = app.config.textures;
        show_heatmap(app.selection, hd);
    }
    ImGui::End();

    ImGui::SetNextWindowPos(ImVec2(0, std::max(0.0f, H - status_h)));
    ImGui::SetNextWindowSize(ImVec2(std::max(1.0f, W), status_h));
    if (ImGui::Begin("Status", nullptr, fixed)) {
        StatusData sd;
        sd.model_name = app.model_name;
        if (info) {
            sd.architecture = info->architecture;
            sd.n_layer = info->n_layer;
            sd.n_head = info->n_head;
            sd.n_params = info->n_params;
        }
        sd.n_token = n_token;
        sd.trace_ms = app.has_trace ? app.trace_ms : -1.0;
        sd.error = app.load_error;
        if (!app.trace_error.empty()) sd.error += (sd.error.empty() ? "" : "; ") + app.trace_error;
        show_status_bar(sd);
    }
    ImGui::End();
}

void app_shutdown(App& app) {
    app.model.reset();
    app.trace = Trace{};
    app.has_trace = false;
}

}  // namespace attn
