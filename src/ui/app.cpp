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
    if (!app.trace.is_encoder_decoder()) app.selection.kind = AttentionKind::self;
    const AttentionTensor& shown = *attention_view(app.trace, app.selection.kind).attention;
    selection_clamp(app.selection, shown.n_layer, shown.n_head);
}

namespace {

const char* heatmap_title(AttentionKind kind, bool encoder_decoder) {
    if (!encoder_decoder) return "";
    return kind == AttentionKind::decoder ? "Decoder self (target, causal)"
           : kind == AttentionKind::cross ? "Cross: target looks at source"
                                          : "Encoder self (source)";
}

void show_lines_view(App& app, const AttentionView& view, bool seq2seq, PieceStyle style) {
    if (seq2seq) ImGui::TextUnformatted(heatmap_title(app.selection.kind, seq2seq));
    LinesData ld;
    if (app.has_trace) {
        ld.attention = view.attention;
        ld.queries = view.queries;
        ld.keys = view.keys;
    }
    ld.keys_left = app.selection.kind == AttentionKind::cross;
    ld.piece_style = style;
    ld.heads = &app.line_heads;
    ld.left_rect = &app.widgets.lines_left;
    ld.right_rect = &app.widgets.lines_right;
    show_lines(app.selection, ld);
}

void show_flow_view(App& app, const AttentionView& view, bool seq2seq, PieceStyle style) {
    if (seq2seq) ImGui::TextUnformatted(heatmap_title(app.selection.kind, seq2seq));
    FlowData fd;
    if (app.has_trace) {
        fd.attention = view.attention;
        fd.tokens = view.queries;
    }
    if (app.selection.kind == AttentionKind::cross)
        fd.no_flow_reason = "Flow follows one self-attention stack through its layers; cross attention joins two "
                            "sequences. Pick encoder self or decoder self (left panel) to see its flow.";
    fd.trace_key = app.trace_version * 3 + static_cast<uint64_t>(app.selection.kind);
    fd.piece_style = style;
    fd.state = &app.flow;
    fd.top_nodes = &app.widgets.flow_top;
    show_flow(app.selection, fd);
}

void show_heatmap_view(App& app, const AttentionView& view, bool seq2seq, PieceStyle style) {
    HeatmapData hd;
    if (app.has_trace) {
        hd.attention = view.attention;
        hd.queries = view.queries;
        hd.keys = view.keys;
    }
    hd.title = heatmap_title(app.selection.kind, seq2seq);
    // The stepped token is a row of the decoder-side sequence: of every view of a decoder-only
    // model, of BART's decoder and cross views, never of its encoder view.
    if (!seq2seq || app.selection.kind != AttentionKind::self) hd.highlight_query = app.stepped_position;
    // Encoders: mark the (first) mask, the row whose prediction the side panel shows.
    if (!app.mask_predictions.empty()) hd.highlight_query = app.mask_predictions[0].position;
    hd.trace_version = app.trace_version * 3 + static_cast<uint64_t>(app.selection.kind);
    hd.piece_style = style;
    hd.textures = app.config.textures;
    show_heatmap(app.selection, hd);
}

}  // namespace

void app_frame(App& app) {
    ImGuiIO& io = ImGui::GetIO();
    const float W = io.DisplaySize.x, H = io.DisplaySize.y;
    const float status_h = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
    const float left_w = std::clamp(W * 0.28f, std::min(W * 0.5f, 260.0f), 420.0f);
    // The predictions panel takes room from the heatmap only when there is a model to predict with.
    const float right_w = app.model ? std::clamp(W * 0.22f, std::min(W * 0.25f, 200.0f), 340.0f) : 0.0f;
    const float main_h = std::max(1.0f, H - status_h);
    const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
    app.selection.hover_query = app.selection.hover_key = -1;

    const ModelInfo* info = app.model ? &app.model->info() : nullptr;
    const bool seq2seq = info && info->encoder_decoder;
    if (!seq2seq) app.selection.kind = AttentionKind::self;
    AttentionView view = attention_view(app.trace, app.selection.kind);
    int n_layer = view.attention->n_layer, n_head = view.attention->n_head;
    if (!app.has_trace && info) {
        n_layer = info->n_layer;
        n_head = info->n_head;
    }
    int n_token = app.has_trace ? app.trace.tokens.size() : 0;
    PieceStyle style = piece_style_for(app.trace.architecture);
    std::string picked;   // loaded after the frame: `info` and the trace must outlive every view below

    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(left_w, main_h));
    if (ImGui::Begin("Input", nullptr, fixed)) {
        ModelPickerData picker;
        picker.models = &app.config.bundled_models;
        picker.current = app.model_name;
        picker.rect = &app.widgets.model_picker;
        picker.item_rects = &app.widgets.model_items;
        picked = show_model_picker(picker);
        if (!app.config.bundled_models.empty()) ImGui::Separator();

        InputPanelData in;
        in.text = &app.text;
        in.text_generation = app.text_generation;
        in.target = seq2seq ? &app.target : nullptr;
        in.target_generation = app.target_generation;
        in.n_layer = n_layer;
        in.n_head = n_head;
        in.n_token = n_token;
        in.n_target_token = app.has_trace ? app.trace.decoder_tokens.size() : 0;
        in.n_ctx = info ? info->n_ctx : 0;
        in.truncated = app.truncated;
        if (info && !info->causal && !seq2seq) {
            in.has_mask_token = app.mask_predictions.empty();
            in.mask_token = app.model->tokenizer.token_to_id("[MASK]") ? "[MASK]" : "<mask>";
        }
        int edits = show_input_panel(app.selection, in);
        if (edits & input_edited_text) app_set_text(app, app.text);
        if (edits & input_edited_target) app_set_target(app, app.target);
    }
    ImGui::End();

    view = attention_view(app.trace, app.selection.kind);   // the panel may have changed the kind or the trace
    ImGui::SetNextWindowPos(ImVec2(left_w, 0));
    ImGui::SetNextWindowSize(ImVec2(std::max(1.0f, W - left_w - right_w), main_h));
    if (ImGui::Begin("Heatmap", nullptr, fixed)) {
        // One selection drives every view, so switching keeps the layer, head and kind.
        static const char* const labels[] = {"Heatmap", "Head grid", "Lines", "Flow"};
        for (MainView v : kMainViews) {
            if (v != kMainViews[0]) ImGui::SameLine();
            if (ImGui::RadioButton(labels[static_cast<int>(v)], app.main_view == v)) app.main_view = v;
        }
        ImGui::Separator();
        switch (app.main_view) {
        case MainView::heatmap: show_heatmap_view(app, view, seq2seq, style); break;
        case MainView::grid: ImGui::TextDisabled("Head grid: not built yet."); break;
        case MainView::lines: show_lines_view(app, view, seq2seq, style); break;
        case MainView::flow: show_flow_view(app, view, seq2seq, style); break;
        }
    }
    ImGui::End();

    if (right_w > 0.0f) {
        ImGui::SetNextWindowPos(ImVec2(W - right_w, 0));
        ImGui::SetNextWindowSize(ImVec2(right_w, main_h));
        if (ImGui::Begin("Predictions", nullptr, fixed)) {
            PredictionsData pd;
            pd.piece_style = style;
            pd.tokens = &app.trace.tokens;
            pd.masks = &app.mask_predictions;
            pd.next = &app.next_predictions;
            pd.can_step = info && (info->causal || seq2seq) && app.has_trace;
            const TokenSeq& stepped_seq = seq2seq ? app.trace.decoder_tokens : app.trace.tokens;
            if (app.stepped_position >= 0 && app.stepped_position < stepped_seq.size())
                pd.stepped_label = token_label(stepped_seq.pieces[app.stepped_position], style);
            if (info && !info->causal && !seq2seq)
                pd.hint = std::string("This model reads the whole text at once (no future mask). Put ") +
                          (app.model->tokenizer.token_to_id("[MASK]") ? "[MASK]" : "<mask>") +
                          " in the text to see what it would fill in.";
            pd.step_error = app.step_error;
            pd.next_rect = &app.widgets.next_token;
            if (show_predictions(pd)) app_next_token(app);
        }
        ImGui::End();
    }

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
        sd.n_target_token = app.has_trace ? app.trace.decoder_tokens.size() : 0;
        sd.trace_ms = app.has_trace ? app.trace_ms : -1.0;
        sd.error = app.load_error;
        if (!app.trace_error.empty()) sd.error += (sd.error.empty() ? "" : "; ") + app.trace_error;
        show_status_bar(sd);
    }
    ImGui::End();
    if (!picked.empty() && app.config.request_model) app.config.request_model(picked);
}

void app_shutdown(App& app) {
    app.model.reset();
    app.trace = Trace{};
    app.has_trace = false;
}

}  // namespace attn
