// App lifecycle and per-frame layout: fonts and style at init, then a fixed layout computed from the
// window size (input panel left, heatmap right, status bar bottom). Running the model lives in
// app_model.cpp so this file (and the smoke test) need no model code.
#include "ui/app.h"

#include "analysis/nonfinite.h"
#include "core/i18n.h"
#include "ui/app_interventions.h"

#include <algorithm>
#include <cstdio>

#include "imgui.h"
#include "ui/app_analysis.h"
#include "ui/app_flow.h"
#include "ui/app_grid.h"
#include "ui/app_layout.h"
#include "ui/app_lessons.h"
#include "ui/app_train.h"
#include "ui/atlas_font.h"
#include "ui/draw_text.h"
#include "ui/frame_budget.h"
#include "ui/head_options.h"
#include "ui/lesson_view.h"
#include "ui/heads_cache.h"
#include "ui/picture_title.h"
#include "ui/presenter.h"
#include "ui/shortcuts.h"
#include "ui/study_views.h"
#include "ui/text_cut.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

void app_fonts_add(const AppConfig& config, float size, ImFontAtlas& atlas, const ImWchar* ranges) {
    bool have_primary = false;
    for (const FontFile& f : config.fonts) {
        if (!f.present()) continue;
        if (f.role == FontFile::cjk && !have_primary) continue;   // a merge needs a base font
        ImFontConfig fc;   // the bytes live in App::config for the atlas's lifetime
        fc.MergeMode = f.role == FontFile::cjk;
        std::snprintf(fc.Name, sizeof fc.Name, "%s", f.name.c_str());
        // Both get the same ranges: a merge never overwrites a glyph the primary font already gave.
        if (atlas_add_font_borrowed(atlas, *f.bytes, size, fc, ranges)) have_primary = true;
    }
    if (!have_primary) {
        ImFontConfig fc;
        fc.SizePixels = size;
        atlas.AddFontDefault(&fc);
    }
}

// ImGui's own dark or light colours with our flat layout, and paddings scaled with the text so a
// projector-sized font does not sit in cramped boxes.
void app_style_apply(const App& app, ImGuiStyle& style) {
    style = ImGuiStyle();
    if (app.theme == Theme::light)
        ImGui::StyleColorsLight(&style);
    else
        ImGui::StyleColorsDark(&style);
    style.WindowRounding = 0.0f;
    style.WindowBorderSize = 0.0f;
    style.FrameRounding = 3.0f;
    if (app.presenter) presenter_style_colors(style, app.theme == Theme::light);
    style.ScaleAllSizes(app.font_size / 16.0f);
}

void app_init(App& app, AppConfig config) {
    app.config = std::move(config);
    app.font_size = app.config.font_size;
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;   // fixed layout: nothing to remember between runs
    app_style_apply(app, ImGui::GetStyle());
    app.font_ranges = app_font_ranges(app.glyphs);
    app_fonts_add(app.config, app.font_size, *io.Fonts, app.font_ranges.data());
}

void app_set_theme(App& app, Theme theme) {
    app.theme = theme;
    app_style_apply(app, ImGui::GetStyle());
}

void app_set_language(App& app, Language language) {
    // A notice ("loaded coref") was worded in the language of its moment: it goes rather than stay in
    // the old language. Problems (load_error, action_error) stay: they say what the user must still know.
    if (language != current_language()) app.notice.clear();
    set_language(language);
    app.glyphs_language = -1;   // app_collect_glyphs adds the table's characters before the next frame draws
}

void app_set_font_size(App& app, float size) {
    app.font_chosen = true;   // from now on the window size no longer picks the font
    size = std::clamp(size, 10.0f, 48.0f);
    if (size == app.font_size) return;
    app.font_size = size;
    app.fonts_dirty = true;
    app_style_apply(app, ImGui::GetStyle());
}

void app_rebuild_fonts(App& app) {
    ImGui::GetIO().Fonts->Clear();
    app.font_ranges = app_font_ranges(app.glyphs);
    app_fonts_add(app.config, app.font_size, *ImGui::GetIO().Fonts, app.font_ranges.data());
    app.fonts_dirty = false;
    ImGui::GetIO().Fonts->Build();   // now, so the check below sees the new glyphs
    app_fonts_check_missing(app);
}

void app_show_trace(App& app, Trace trace, double trace_ms) {
    app.trace = std::move(trace);
    app.has_trace = true;
    app.trace_ms = trace_ms;
    // Both sequences of an encoder-decoder (the next edit's estimate counts both too).
    app.trace_ms_per_token = trace_ms / static_cast<double>(std::max<size_t>(1, app.trace.tokens.size() + app.trace.decoder_tokens.size()));
    ++app.trace_version;
    // Once per trace, not per frame: where NaN/Inf first appeared, for the status bar. Without hidden
    // states that is every attention weight: 600 MB at 12 x 12 heads and T = 1024, so a large trace is
    // read over the next frames.
    app.trace_warning.clear();
    app.nonfinite_scan = std::make_shared<NonFiniteScan>(app.trace);
    app.nonfinite_version = app.trace_version;
    if (app.nonfinite_scan->values_total() <= app.step_above_weights) app_nonfinite_settle(app);
    if (!app.trace.is_encoder_decoder()) app.selection.kind = AttentionKind::self;
    const AttentionTensor& shown = *attention_view(app.trace, app.selection.kind).attention;
    selection_clamp(app.selection, shown.n_layer, shown.n_head);
    if (app.selection.pinned_query >= shown.n_query) app.selection.pinned_query = -1;
    app_collect_glyphs(app);   // so the next frame already draws the new tokens' characters
}

namespace {

// The scan, if it is still for the shown trace (app.trace may have been replaced or cleared since).
NonFiniteScan* nonfinite_scan_current(App& app) {
    if (app.nonfinite_scan && !app_nonfinite_pending(app)) app.nonfinite_scan.reset();   // made for an older trace
    return app.nonfinite_scan.get();
}

void nonfinite_finish(App& app) {
    const NonFinite bad = app.nonfinite_scan->result();
    app.trace_warning = bad.found ? nonfinite_message(bad) : "";
    app.nonfinite_scan.reset();
}

}  // namespace

double app_nonfinite_frame(App& app, double budget_ms, double spent_ms) {
    NonFiniteScan* scan = nonfinite_scan_current(app);
    if (!scan) return 0.0;
    // Half of what is read at once: 2 M values (8 MB), 1-4 ms.
    const size_t step_values = static_cast<size_t>(std::max(1.0, app.step_above_weights / 2));
    const double spent = step_within_budget(budget_left_for(budget_ms, spent_ms, app.nonfinite_longest_ms), app.nonfinite_longest_ms,
                                            [&] { scan->step(step_values); }, [&] { return scan->done(); });
    if (scan->done()) nonfinite_finish(app);
    return spent;
}

bool app_nonfinite_pending(const App& app) {
    return app.nonfinite_scan && app.has_trace && app.nonfinite_version == app.trace_version;
}

bool app_view_pending(const App& app) {
    const InterventionState& iv = app.interventions;   // the heatmap's before / change, still in steps
    const bool before_pending = iv.before_job && iv.before_job_trace == app.trace_version &&
                                app.main_view == MainView::heatmap && iv.show != InterventionShow::after;
    return app_heads_pending(app) || before_pending || (app.main_view == MainView::similarity && app_heads_similarity_pending(app)) ||
           (app.main_view == MainView::grid && !app.grid_tiles.complete()) ||
           (app.main_view == MainView::flow && !flow_state_ready(app.flow));
}

void app_nonfinite_settle(App& app) {
    NonFiniteScan* scan = nonfinite_scan_current(app);
    if (!scan) return;
    scan->step(scan->values_total());
    nonfinite_finish(app);
}

namespace {

const char* heatmap_title(AttentionKind kind, bool encoder_decoder) {
    if (!encoder_decoder) return "";
    return kind == AttentionKind::decoder ? tr("ui.app.decoder_self_target_causal")
           : kind == AttentionKind::cross ? tr("ui.app.cross_target_looks_at")
                                          : tr("ui.app.encoder_self_source");
}

void show_lines_view(App& app, const AttentionView& view, bool seq2seq, PieceStyle style) {
    if (seq2seq && !app.picture_only) ImGui::TextUnformatted(heatmap_title(app.selection.kind, seq2seq));
    LinesData ld;
    if (app.has_trace) {
        ld.attention = view.attention;
        ld.queries = view.queries;
        ld.keys = view.keys;
    }
    ld.piece_style = style;
    ld.heads = &app.line_heads;
    ld.left_rect = &app.widgets.lines_left;
    ld.right_rect = &app.widgets.lines_right;
    ld.picture = app.picture_only;
    show_lines(app.selection, ld);
}

// The grid's tiles use the same texture keys as the heatmap, so opening a tile reuses nothing stale.
void show_grid_view(App& app, const AttentionView& view, bool seq2seq) {
    GridData gd;
    if (app.has_trace) gd.attention = view.attention;
    gd.title = heatmap_title(app.selection.kind, seq2seq);
    gd.trace_version = shown_attention_key(app);
    gd.tiles = &app_grid_tiles(app);
    gd.textures = app.config.textures;
    gd.tile_rects = &app.widgets.grid_tiles;
    // Head importance of the explained prediction, once computed for this input (self attention only).
    if (app.selection.kind == AttentionKind::self && app_analysis_current(app) && !app.picture_only) {
        gd.head_importance = &app.analysis.result.head_importance;
        gd.head_ablation = &app.analysis.result.head_ablation;
    }
    gd.head_labels = &app_heads_current(app).labels;
    gd.highlighted = &app.heads.highlighted;
    gd.picture = app.picture_only;
    gd.bad_values = !app.trace_warning.empty();
    // A tile answers an open lesson's "which head?" (the grid stays); otherwise it opens in the heatmap.
    if (show_grid(app.selection, gd) && !app_lessons_take_head_click(app, app.selection.layer, app.selection.head))
        app.main_view = MainView::heatmap;
}

void show_flow_view(App& app, const AttentionView& view, bool seq2seq, PieceStyle style) {
    if (seq2seq && !app.picture_only) ImGui::TextUnformatted(heatmap_title(app.selection.kind, seq2seq));
    app_flow_current(app);
    FlowData fd;
    if (app.has_trace) {
        fd.attention = view.attention;
        fd.tokens = view.queries;
    }
    if (app.selection.kind == AttentionKind::cross)
        fd.no_flow_reason = tr("ui.app.flow_follows_one_self");
    fd.trace_key = shown_attention_key(app);
    fd.piece_style = style;
    fd.state = &app.flow;
    fd.top_nodes = &app.widgets.flow_top;
    fd.picture = app.picture_only;
    fd.slider_rect = &app.widgets.flow_slider;
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
    hd.trace_version = shown_attention_key(app);
    hd.piece_style = style;
    hd.textures = app.config.textures;
    hd.grid_rect = &app.widgets.heatmap_grid;
    hd.picture = app.picture_only;
    hd.bad_values = !app.trace_warning.empty();
    if (!app_intervention_heatmap(app, hd)) app_show_heatmap(app, hd);   // under interventions: before / change
}

// What the toolbar shows; built before the layout, which needs to know whether it takes two rows.
ToolbarData toolbar_data(App& app) {
    // The toolbar sets the rects of the buttons it draws; a button it hides (presenter mode, no model)
    // must not keep last frame's rect, or scripts and tests would click where nothing is.
    app.widgets.open_model = app.widgets.copy_link = app.widgets.save_page = app.widgets.export_button = {};
    app.widgets.export_items.clear();
    ToolbarData td;
    td.picker.models = &app.config.bundled_models;
    td.picker.labels = &app.config.model_labels;
    td.picker.current = app.model_name;
    td.picker.rect = &app.widgets.model_picker;
    td.picker.item_rects = &app.widgets.model_items;
    td.picker.random = &app.config.random_models;
    td.picker.current_random = app.model && app.random_weights;
    td.can_copy_link = static_cast<bool>(app.model);
    td.copy_link_rect = &app.widgets.copy_link;
    td.save_page_rect = &app.widgets.save_page;
    td.presenter_rect = &app.widgets.presenter;
    // The switch names the next language in its own script ("中文"), so a reader who knows only that
    // language finds it; until a CJK font is loaded (the page fetches it only when text needs it) it
    // says "Chinese" instead, so an English page does not download 5 MB for two characters.
    const LanguageInfo& next = language_info(static_cast<Language>((static_cast<size_t>(current_language()) + 1) % languages().size()));
    td.next_language = next.language;
    td.next_language_label = app_font_has_glyphs(next.name) ? next.name : next.english_name;
    td.can_open_model = app.config.open_model || app.config.load_folder;
    td.light_theme = app.theme == Theme::light;
    td.font_size = app.font_size;
    td.presenter = app.presenter;
    td.can_save_page = static_cast<bool>(app.config.save_page) && app.model;
    td.has_trace = app.has_trace && static_cast<bool>(app.config.save_file);
    td.can_export_png = true;
    td.picture_scale = app.picture_scale;
    td.open_rect = &app.widgets.open_model;
    td.export_rect = &app.widgets.export_button;
    td.export_item_rects = &app.widgets.export_items;
    return td;
}

// Model loads and exports picked in the toolbar run after the frame (see app_after_render): the views
// drawn below still point into the current model and trace.
void show_toolbar_window(App& app, const ToolbarData& td, float width, float height, ImGuiWindowFlags flags,
                         std::string* picked) {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(width, height));
    if (ImGui::Begin(tr_id("ui.app.toolbar"), nullptr, flags)) {
        ToolbarActions act = show_toolbar(td);
        *picked = act.picked_model;
        if (act.open_model && app.config.open_model) app.config.open_model();
        else if (act.open_model) app.folder_prompt.open_requested = true;
        if (act.toggle_theme) app_set_theme(app, app.theme == Theme::dark ? Theme::light : Theme::dark);
        if (act.pick_language >= 0) app_set_language(app, static_cast<Language>(act.pick_language));
        if (act.font_step) app_set_font_size(app, app.font_size + 2.0f * act.font_step);
        if (act.export_kind >= 0) app.pending_export = act.export_kind;
        if (act.picture_scale > 0) app.picture_scale = act.picture_scale;
        if (act.copy_link) app_copy_link(app);
        if (act.toggle_help) app.help_open = !app.help_open;
        if (act.toggle_presenter) app_set_presenter(app, !app.presenter);
        if (act.save_page && app.config.save_page) app.config.save_page();
        app.folder_prompt.list_folders = app.config.list_folders;
        app.folder_prompt.is_model_folder = app.config.is_model_folder;
        std::string folder = show_folder_prompt(app.folder_prompt);
        if (!folder.empty()) app.pending_folder = folder;
    }
    ImGui::End();
}

// The picture's caption: which model, view and attention, and the text, so a handout stands on its own.
void show_picture_caption(const App& app) {
    PictureTitle title = picture_title(app, app.main_view);
    ImGui::TextUnformatted(title.heading.c_str());
    if (!title.text.empty()) ImGui::TextDisabled("%s", label_for_font(title.text, ImGui::GetFont()).c_str());
}

}  // namespace

// The view switch: one radio button per view, wrapping at the window's edge; when they would take more
// than two rows (projector fonts in a small window), a drop-down instead, so the view keeps its room.
static void show_view_switch(App& app) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const float left = ImGui::GetCursorScreenPos().x;
    const float right_edge = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    auto width = [&](MainView v) {
        return ImGui::GetFrameHeight() + style.ItemInnerSpacing.x + ImGui::CalcTextSize(main_view_label(v)).x;
    };
    // Presenter mode lists only its own views (kPresenterViews).
    auto listed = [&](MainView v) { return !app.presenter || presenter_shows_view(v); };
    int rows = 1;
    float x = left;
    for (MainView v : kMainViews) {
        if (!listed(v)) continue;
        if (x > left && x + width(v) > right_edge) {
            ++rows;
            x = left;
        }
        x += width(v) + style.ItemSpacing.x;
    }
    if (rows > 2) {
        ImGui::SetNextItemWidth(std::min(right_edge - left, ImGui::CalcTextSize(main_view_label(MainView::attributions)).x * 2.0f));
        if (ImGui::BeginCombo("##view", main_view_label(app.main_view))) {
            for (MainView v : kMainViews)
                if (listed(v) && ImGui::Selectable(main_view_label(v), app.main_view == v)) app.main_view = v;
            ImGui::EndCombo();
        }
        widget_mark("view_switch");
        return;
    }
    for (MainView v : kMainViews) {
        if (!listed(v)) continue;
        const char* label = main_view_label(v);
        if (v != kMainViews[0] && ImGui::GetItemRectMax().x + style.ItemSpacing.x + width(v) <= right_edge)
            ImGui::SameLine();
        if (ImGui::RadioButton(label, app.main_view == v)) app.main_view = v;
        widget_mark(main_view_info(v).mark);
    }
}

void app_frame(App& app) {
    ImGuiIO& io = ImGui::GetIO();
    const float W = io.DisplaySize.x, H = io.DisplaySize.y;
    const bool panels = !app.picture_only;   // a picture is the main view alone
    if (!panels) app_nonfinite_settle(app);  // drawn in one go: its legend shows any bad values
    // Until the user picks a size, the text grows with the window (presenter-friendly at 1920x1080).
    if (panels && !app.font_chosen) {
        const float auto_size = app.presenter ? presenter_font_size(W, H) : app_auto_font_size(app.config.font_size, W, H);
        if (auto_size != app.font_size) {
            app.font_size = auto_size;
            app.fonts_dirty = true;   // the atlas follows between frames, as after A+
            app_style_apply(app, ImGui::GetStyle());
        }
    }
    // Before any view reads the trace: a finished retrace shows this frame. Then a large model's
    // random-weights probe, once its first trace shows.
    double first_ms = app_trace_job_frame(app);
    first_ms += app_probe_frame(app);
    widget_marks_clear();
    const ImGuiStyle& imgui_style = ImGui::GetStyle();
    const ToolbarData toolbar = toolbar_data(app);
    LayoutInput li;
    li.width = W;
    li.height = H;
    li.font_size = ImGui::GetFontSize();
    li.frame_height = ImGui::GetFrameHeight();
    li.window_padding_y = imgui_style.WindowPadding.y;
    li.item_spacing_y = imgui_style.ItemSpacing.y;
    li.has_right_panel = app.model || app.has_trace;
    li.toolbar_rows = panels ? toolbar_rows(toolbar, W) : 1;
    AppLayout lay = app_layout(li);
    if (!panels) {
        lay = AppLayout{};
        lay.main_w = W;
        lay.main_h = std::max(1.0f, H);
    }
    const float toolbar_h = lay.toolbar_h, status_h = lay.status_h, left_w = lay.left_w, right_w = lay.right_w;
    const float main_h = lay.main_h;
    // No background: the panels tile the display, which the frame clears to the window colour (a picture
    // starts filled with it), so their own fills only drew the same pixels again. Under a software
    // rasteriser (SwiftShader in a browser without a usable GPU) fill is what a frame costs: the heatmap
    // at T = 1024 took 67 ms of its work per drawn 1600 x 1000 frame with them and 36 ms without.
    const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoBackground |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
    // Side panels and the picture scroll (with a visible scrollbar) when a large font makes their
    // content taller than the window; the toolbar and status bar are sized to fit instead.
    const ImGuiWindowFlags scrolling = fixed & ~ImGuiWindowFlags_NoScrollbar;
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
    PieceStyle style = piece_style_for(app.trace);
    std::string picked;   // loaded after the frame: `info` and the trace must outlive every view below
    if (panels) {
        app_handle_shortcuts(app, n_layer, n_head);
        // A key or a link may ask for a view presenter mode hides: the heatmap stands in.
        if (app.presenter && !presenter_shows_view(app.main_view)) app.main_view = MainView::heatmap;
        // What is on screen first (the grid's tiles or the flow graph, the layer's table), then the head
        // statistics. A retrace in flight (or the probe) went first: these jobs, for the trace it replaces,
        // get what it left (with a budget of their own, a T = 1024 grid's tiles doubled a frame's retrace).
        double spent = first_ms;
        const double left_ms = budget_left_for(app.trace_budget_ms, spent, 0.0);
        spent += app_grid_frame(app, left_ms) + app_flow_frame(app, left_ms);
        spent += app_head_stats_frame(app, app.trace_budget_ms, spent);
        spent += app_nonfinite_frame(app, app.trace_budget_ms, spent);
        // The jobs a user starts (interventions' trace without them and patching, attributions, checks,
        // the explanation's faithfulness) share the same budget, in turn (each had one of its own: typing
        // during a checks run spent both).
        auto counted = [&](auto run) {   // adds what run's steps took to `spent`
            const double before = frame_steps_ms();
            run();
            spent += frame_steps_ms() - before;
        };
        auto user_job = [&](double longest_ms, auto step) {
            counted([&] { step(budget_left_for(app.trace_budget_ms, spent, longest_ms)); });
        };
        counted([&] { app_heads_frame(app, app.trace_budget_ms, spent); });
        // The interventions' trace without them first (it completes what is on screen), then patching.
        const InterventionState& iv = app.interventions;
        user_job(iv.before_job ? iv.before_longest_step_ms : iv.longest_step_ms, [&](double ms) { app_interventions_frame(app, ms); });
        user_job(app.analysis.longest_step_ms, [&](double ms) { app_analysis_frame(app, main_view_is_analysis(app.main_view), ms); });
        user_job(app.checks.longest_step_ms, [&](double ms) { app_checks_frame(app, ms); });
        user_job(app.explain.longest_step_ms, [&](double ms) { app_explain_frame(app, ms); });
        show_toolbar_window(app, toolbar, W, toolbar_h, fixed, &picked);
    }
    // Last and smallest: a matrix or two of the new model's packing (what is on screen comes first).
    app_pack_weights_frame(app, app.trace_budget_ms / 2);

    app.widgets.text_box = app.widgets.text_box_visible = {};   // stay zero unless a box is drawn below
    app.widgets.target_box = app.widgets.target_box_visible = {};
    if (panels) ImGui::SetNextWindowPos(ImVec2(0, toolbar_h));
    if (panels) ImGui::SetNextWindowSize(ImVec2(left_w, lay.input_h));
    if (panels && ImGui::Begin(tr_id("ui.app.input"), nullptr, scrolling)) {
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
        if (app.has_trace) {
            in.tokens = &app.trace.tokens;
            if (seq2seq) in.target_tokens = &app.trace.decoder_tokens;
        }
        in.n_text_tokens = app.n_text_tokens;
        if (app.text_cut_byte >= 0) in.cut_quote = text_before_cut(app.text, app.text_cut_byte, 24);
        in.html_text_boxes = app.config.html_text_boxes;
        in.text_rect = &app.widgets.text_box;
        in.text_visible = &app.widgets.text_box_visible;
        in.target_rect = &app.widgets.target_box;
        in.target_visible = &app.widgets.target_box_visible;
        in.chip_rects = &app.widgets.chips;
        in.target_chip_rects = &app.widgets.target_chips;
        in.piece_style = style;
        if (info && !info->causal && !seq2seq) {
            in.has_mask_token = app.mask_predictions.empty();
            in.mask_token = app.model->tokenizer.token_to_id("[MASK]") ? "[MASK]" : "<mask>";
        }
        ImGui::PushTextWrapPos(0.0f);   // every line of text wraps at the panel's edge, whatever the font
        int edits = show_input_panel(app.selection, in);
        app_show_lessons_panel(app);
        app_show_card_panel(app);
        if (!app.presenter) app_show_train_panel(app);   // presenter mode hides the advanced panels
        ImGui::PopTextWrapPos();
        if (edits & input_edited_text) app_set_text(app, app.text);
        if (edits & input_edited_target) app_set_target(app, app.target);
    }
    if (panels) ImGui::End();

    view = attention_view(app.trace, app.selection.kind);   // the panel may have changed the kind or the trace
    ImGui::SetNextWindowPos(ImVec2(left_w, toolbar_h));
    ImGui::SetNextWindowSize(ImVec2(lay.main_w, main_h));
    if (ImGui::Begin(tr_id("ui.app.heatmap"), nullptr, panels ? scrolling : fixed)) {
        app.widgets.main_view = {ImGui::GetWindowPos().x, ImGui::GetWindowPos().y, ImGui::GetWindowWidth(),
                                 ImGui::GetWindowHeight()};
        // One selection drives every view, so switching keeps the layer, head and kind.
        if (panels) show_view_switch(app);
        if (panels && app.analysis.job && !main_view_is_analysis(app.main_view) &&
            show_job_progress({true, app.analysis.progress, app.analysis.stage, nullptr, nullptr}))
            app.analysis.cancel_requested = true;   // the job goes on while another view is shown
        if (!panels) show_picture_caption(app);
        ImGui::Separator();
        ImGui::PushTextWrapPos(0.0f);
        app.widgets.empty_hint = {};
        if (app_waiting_for_text(app)) app.widgets.empty_hint = show_empty_text_hint(seq2seq);
        else switch (app.main_view) {
        case MainView::heatmap: show_heatmap_view(app, view, seq2seq, style); break;
        case MainView::grid: show_grid_view(app, view, seq2seq); break;
        case MainView::lines: show_lines_view(app, view, seq2seq, style); break;
        case MainView::flow: show_flow_view(app, view, seq2seq, style); break;
        case MainView::attributions:
        case MainView::lens:
        case MainView::activations: app_show_analysis_view(app, app.main_view, style); break;
        case MainView::heads: show_heads_view(app, view, style); break;
        case MainView::similarity: show_similarity_view(app, view, style); break;
        case MainView::patching: show_patching_view(app, style); break;
        case MainView::checks: show_checks_view(app, style); break;
        case MainView::explain: show_explain_view(app, style); break;
        case MainView::lesson: show_lesson_view(app, view, style); break;
        }
        ImGui::PopTextWrapPos();
    }
    ImGui::End();

    if (right_w > 0.0f || (panels && lay.stacked)) {
        if (lay.stacked) {   // under the input panel, so the picture keeps the window's width
            ImGui::SetNextWindowPos(ImVec2(0, toolbar_h + lay.input_h));
            ImGui::SetNextWindowSize(ImVec2(left_w, std::max(1.0f, main_h - lay.input_h)));
        } else {
            ImGui::SetNextWindowPos(ImVec2(W - right_w, toolbar_h));
            ImGui::SetNextWindowSize(ImVec2(right_w, main_h));
        }
        if (ImGui::Begin(tr_id("ui.app.predictions"), nullptr, scrolling)) {
            ImGui::PushTextWrapPos(0.0f);
            InspectorData id;
            if (app.has_trace) {
                id.attention = view.attention;
                id.queries = view.queries;
                id.keys = view.keys;
            }
            id.trace_version = shown_attention_key(app);
            id.piece_style = style;
            id.textures = app.config.textures;
            show_inspector(app.selection, id);
            ImGui::PopTextWrapPos();
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
                pd.hint = trf("ui.app.reads_whole_text",
                              {{"mask", app.model->tokenizer.token_to_id("[MASK]") ? "[MASK]" : "<mask>"}});
            pd.step_error = app.step_error;
            pd.next_rect = &app.widgets.next_token;
            ImGui::PushTextWrapPos(0.0f);
            const bool step = show_predictions(pd);
            ImGui::PopTextWrapPos();
            if (!app.presenter) {   // presenter mode hides the heads table and the interventions
                app_show_head_stats(app, view);   // below the predictions: Next token stays in view
                show_interventions_panel(app, style);
            } else {
                app.widgets.head_stats_rows.clear();   // no stale rows for scripts to click
            }
            show_inspector_row_stats(app.selection, id);
            if (step) app_next_token(app);
        }
        ImGui::End();
    }

    if (panels) ImGui::SetNextWindowPos(ImVec2(0, std::max(0.0f, H - status_h)));
    if (panels) ImGui::SetNextWindowSize(ImVec2(std::max(1.0f, W), status_h));
    // The status bar alone keeps its background (one strip): in a window too short for the layout ImGui
    // makes the panels above it at least WindowMinSize tall, and their contents run under it.
    if (panels && ImGui::Begin(tr_id("ui.app.status"), nullptr, fixed & ~ImGuiWindowFlags_NoBackground)) {
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
        sd.notice = app.notice;
        int traced = 0, trace_steps = 0, heads_done = 0, heads_total = 0;
        if (app_tracing(app, &traced, &trace_steps))
            sd.notice = trf("ui.status.tracing", {{"done", std::to_string(traced)}, {"total", std::to_string(trace_steps)}});
        else if (app_heads_pending(app, &heads_done, &heads_total))
            sd.notice = trf("ui.status.head_statistics", {{"done", std::to_string(heads_done)}, {"total", std::to_string(heads_total)}});
        sd.error = app_error_text(app);
        sd.random_weights = app.model && app.random_weights;
        sd.link_warning = app_link_warning(app);
        show_status_bar(sd);
    }
    if (panels) ImGui::End();
    if (panels) show_shortcut_help(&app.help_open);
    if (!picked.empty() && app.config.request_model) {
        app.open_card_for = picked;   // a zoo model opens on its card's example and head
        app.config.request_model(picked);
    }
    app.widgets.popup_open = ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId);
}

bool app_in_steps(const App& app, double weights) { return !app.picture_only && weights > app.step_above_weights; }

uint64_t shown_attention_key(const App& app) {
    return app.trace_version * 3 + static_cast<uint64_t>(app.selection.kind);
}

std::string app_error_text(const App& app) {
    std::string error;
    for (const std::string* e : {&app.load_error, &app.load_warning, &app.trace_error, &app.trace_warning, &app.action_error})
        if (!e->empty()) error += (error.empty() ? "" : "; ") + *e;
    return error;
}

void app_after_render(App& app) {
    app_collect_glyphs(app);
    if (!app.pending_folder.empty() && app.config.load_folder) app.config.load_folder(app.pending_folder);
    app.pending_folder.clear();
    if (app.pending_export >= 0) app_export(app, static_cast<ExportKind>(app.pending_export));
    app.pending_export = -1;
    app_train_after_render(app);   // a slice of training steps, and the explorer follows the weights
}

void app_shutdown(App& app) {
    app.trace_job.reset();
    app.probe_job.reset();
    app_heads_forget_model(app);
    app.model.reset();
    app.trace = Trace{};
    app.has_trace = false;
}

}  // namespace attn
