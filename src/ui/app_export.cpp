// Exports of what is on screen: the main view as a PNG (1x, 2x, 4x) or an SVG, the shown head as
// CSV/JSON (with the heatmap's token labels, the raw pieces and the ids), the shown attention kind as
// .npy, the whole trace as safetensors or .npz. File names say what is inside, so a
// folder of exports stays readable.
#include <cstdio>

#include "model/trace_export.h"
#include "core/i18n.h"
#include "ui/app.h"
#include "ui/app_interventions.h"
#include "ui/matrix_export.h"
#include "ui/picture.h"
#include "ui/picture_title.h"
#include "ui/svg_export.h"
#include "ui/token_chars.h"
#include "ui/token_label.h"

namespace attn {

namespace {

Bytes text_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::vector<MatrixToken> tokens_of(const TokenSeq& seq, int n, PieceStyle style) {
    std::vector<MatrixToken> out;
    const std::vector<std::string> labels = token_display_labels(seq, n, style);   // as the heatmap labels them
    for (int i = 0; i < n && i < seq.size(); ++i) {
        const std::string piece = i < static_cast<int>(seq.pieces.size()) ? seq.pieces[i] : "";
        out.push_back({labels[static_cast<size_t>(i)], piece, seq.ids[i]});
    }
    return out;
}

// The view's data as the SVG writer needs it: what the views draw from, read from the App.
SvgInput svg_input(const App& app, const AttentionView& view) {
    SvgInput in;
    in.view = app.main_view;
    in.attention = view.attention;
    in.queries = view.queries;
    in.keys = view.keys;
    in.piece_style = piece_style_for(app.trace);
    in.layer = app.selection.layer;
    in.head = app.selection.head;
    in.colormap = app.selection.colormap;
    in.auto_scale = app.selection.auto_scale;
    in.title = picture_title(app, app.main_view);
    in.heads_on = app.line_heads.on;
    in.keys_left = app.selection.kind == AttentionKind::cross;
    in.flow_threshold = app.flow.threshold;
    in.flow_pinned = app.flow.pinned;
    in.bad_values = !app.trace_warning.empty();
    return in;
}

std::string base_name(const App& app) {
    std::string name = app.model_name.empty() ? "attnscope" : app.model_name;
    for (char& c : name)   // a model label may be a path or hold characters file systems dislike
        if (c == '/' || c == '\\' || c == ':' || c == ' ') c = '_';
    return name;
}

}  // namespace

Expected<ExportFile> app_export_file(App& app, ExportKind kind, int scale) {
    if (!app.has_trace) return ErrorValue{tr("errors.nothing_to_export")};
    app_nonfinite_settle(app);   // a large trace's scan may still be running: the legend needs it
    // And the trace without the interventions, when the heatmap is to show before or change.
    if (app.interventions.show != InterventionShow::after) app_interventions_before_finish(app);
    const AttentionView view = attention_view(app.trace, app.selection.kind);
    const AttentionTensor& a = *view.attention;
    const std::string kind_name = attention_kind_name(app.selection.kind);
    const std::string base = base_name(app);
    char head_tag[64];
    std::snprintf(head_tag, sizeof head_tag, "-%s-L%d-H%d", kind_name.c_str(), app.selection.layer, app.selection.head);

    if (kind == ExportKind::csv || kind == ExportKind::json) {
        if (a.empty() || app.selection.layer >= a.n_layer || app.selection.head >= a.n_head)
            return ErrorValue{trf("errors.no_attention_in_trace", {{"kind", kind_name}})};
        // What the heatmap shows: with a head average or the word view on, that matrix, not the raw head.
        const PieceStyle style = piece_style_for(app.trace);
        const ShownAttention sh = head_view(app.head_views, &a, view.queries, view.keys, app.selection,
                                            shown_attention_key(app), style);
        const AttentionTensor& shown = *sh.attention;
        MatrixExport m;
        m.values = sh.matrix ? sh.matrix : shown.head(app.selection.layer, app.selection.head);
        m.rows = shown.n_query;
        m.cols = shown.n_key;
        m.row_tokens = tokens_of(*sh.queries, shown.n_query, style);
        m.col_tokens = tokens_of(*sh.keys, shown.n_key, style);
        m.model = app.model_name;
        m.kind = kind_name;
        m.layer = app.selection.layer;
        m.head = app.selection.head;
        if (sh.heads_label) m.heads = sh.heads_label;
        m.words = sh.query_words != nullptr;
        if (kind == ExportKind::csv) return ExportFile{base + head_tag + ".csv", text_bytes(matrix_to_csv(m))};
        return ExportFile{base + head_tag + ".json", text_bytes(matrix_to_json(m))};
    }
    if (kind == ExportKind::npy) {
        if (a.empty()) return ErrorValue{trf("errors.no_attention_in_trace", {{"kind", kind_name}})};
        return ExportFile{base + "-" + kind_name + "-attentions.npy",
                          npy_f32({a.n_layer, a.n_head, a.n_query, a.n_key}, a.probs.data())};
    }
    if (kind == ExportKind::trace_safetensors || kind == ExportKind::trace_npz) {
        Expected<Bytes> bytes = kind == ExportKind::trace_npz
                                    ? trace_to_npz(app.trace)
                                    : trace_to_safetensors(app.trace, {{"producer", "attnscope"},
                                                                       {"model", app.model_name},
                                                                       {"architecture", app.trace.architecture}});
        if (!bytes) return bytes.error();
        return ExportFile{base + (kind == ExportKind::trace_npz ? "-trace.npz" : "-trace.safetensors"), std::move(*bytes)};
    }
    const std::string picture_name = base + "-" + main_view_name(app.main_view) + head_tag;
    if (kind == ExportKind::svg) {
        if (!main_view_has_svg(app.main_view))
            return ErrorValue{trf("errors.no_vector_picture", {{"view", main_view_label(app.main_view)}})};
        if (app.main_view == MainView::flow && app.selection.kind == AttentionKind::cross)
            return ErrorValue{tr("errors.flow_no_cross_picture")};
        SvgInput in = svg_input(app, view);
        ShownAttention sh;   // the heatmap's view options (head average, words) apply to its picture too
        if (in.view == MainView::heatmap) {
            sh = head_view(app.head_views, view.attention, view.queries, view.keys, app.selection,
                           shown_attention_key(app), in.piece_style);
            in.attention = sh.attention;
            in.queries = sh.queries;
            in.keys = sh.keys;
            in.matrix = sh.matrix;
        }
        std::string svg = svg_picture(in);
        if (svg.empty()) return ErrorValue{trf("errors.no_attention_to_draw", {{"kind", kind_name}})};
        return ExportFile{picture_name + ".svg", Bytes(svg.begin(), svg.end())};
    }
    // The picture at the main view's size (what the user sees of it), or a slide-sized one headlessly,
    // times the chosen scale.
    if (scale == 0) scale = app.picture_scale;
    if (!picture_scale_ok(scale)) return ErrorValue{trf("errors.png_scale", {{"scale", std::to_string(scale)}})};
    int width = 1600, height = 1000;
    const std::array<float, 4>& shown = app.widgets.main_view;
    if (ImGui::GetCurrentContext() && shown[2] >= 64 && shown[3] >= 64) {
        width = static_cast<int>(shown[2]);
        height = static_cast<int>(shown[3]);
    }
    if (!picture_fits(width, height, scale))
        return ErrorValue{trf("errors.picture_too_large", {{"width", std::to_string(width * scale)}, {"height", std::to_string(height * scale)}})};
    Bytes png = picture_png(app, app.main_view, width, height, scale);
    if (png.empty()) return ErrorValue{tr("errors.png_encode")};
    return ExportFile{picture_name + (scale > 1 ? "@" + std::to_string(scale) + "x" : "") + ".png", std::move(png)};
}

bool app_export(App& app, ExportKind kind) {
    Expected<ExportFile> file = app_export_file(app, kind);
    if (!file) {
        app.action_error = trf("errors.cannot_export", {{"problem", file.error().message}});
        return false;
    }
    if (!app.config.save_file) {
        app.action_error = tr("errors.nowhere_to_save");
        return false;
    }
    Expected<std::string> where = app.config.save_file(file->name, file->bytes);
    if (!where) {
        app.action_error = trf("errors.cannot_export_file", {{"file", file->name}, {"problem", where.error().message}});
        return false;
    }
    app.action_error.clear();
    app.notice = *where;
    return true;
}

}  // namespace attn
