// Exports of what is on screen: the shown head as CSV/JSON (with the heatmap's token labels), the shown
// attention kind as .npy, the whole trace as safetensors or .npz. File names say what is inside, so a
// folder of exports stays readable.
#include <cstdio>

#include "model/trace_export.h"
#include "ui/app.h"
#include "ui/matrix_export.h"
#include "ui/picture.h"
#include "ui/token_label.h"

namespace attn {

namespace {

Bytes text_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::vector<std::string> labels_of(const TokenSeq& seq, int n, PieceStyle style) {
    std::vector<std::string> out;
    for (int i = 0; i < n && i < seq.size(); ++i) out.push_back(token_label(seq.pieces[i], style));
    return out;
}

std::string base_name(const App& app) {
    std::string name = app.model_name.empty() ? "attnscope" : app.model_name;
    for (char& c : name)   // a model label may be a path or hold characters file systems dislike
        if (c == '/' || c == '\\' || c == ':' || c == ' ') c = '_';
    return name;
}

}  // namespace

Expected<ExportFile> app_export_file(App& app, ExportKind kind) {
    if (!app.has_trace) return ErrorValue{"nothing to export yet: load a model and type some text"};
    const AttentionView view = attention_view(app.trace, app.selection.kind);
    const AttentionTensor& a = *view.attention;
    const std::string kind_name = attention_kind_name(app.selection.kind);
    const std::string base = base_name(app);
    char head_tag[64];
    std::snprintf(head_tag, sizeof head_tag, "-%s-L%d-H%d", kind_name.c_str(), app.selection.layer, app.selection.head);

    if (kind == ExportKind::csv || kind == ExportKind::json) {
        if (a.empty() || app.selection.layer >= a.n_layer || app.selection.head >= a.n_head)
            return ErrorValue{"no " + kind_name + " attention in this trace"};
        MatrixExport m;
        m.values = a.head(app.selection.layer, app.selection.head);
        m.rows = a.n_query;
        m.cols = a.n_key;
        const PieceStyle style = piece_style_for(app.trace);
        m.row_labels = labels_of(*view.queries, a.n_query, style);
        m.col_labels = labels_of(*view.keys, a.n_key, style);
        m.model = app.model_name;
        m.kind = kind_name;
        m.layer = app.selection.layer;
        m.head = app.selection.head;
        if (kind == ExportKind::csv) return ExportFile{base + head_tag + ".csv", text_bytes(matrix_to_csv(m))};
        return ExportFile{base + head_tag + ".json", text_bytes(matrix_to_json(m))};
    }
    if (kind == ExportKind::npy) {
        if (a.empty()) return ErrorValue{"no " + kind_name + " attention in this trace"};
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
    // The picture at the size of the window (what the user sees), or a slide-sized one headlessly.
    int width = 1600, height = 1000;
    if (ImGui::GetCurrentContext() && ImGui::GetIO().DisplaySize.x >= 64 && ImGui::GetIO().DisplaySize.y >= 64) {
        width = static_cast<int>(ImGui::GetIO().DisplaySize.x);
        height = static_cast<int>(ImGui::GetIO().DisplaySize.y);
    }
    Bytes png = picture_png(app, app.main_view, width, height);
    if (png.empty()) return ErrorValue{"could not encode the picture as PNG"};
    return ExportFile{base + "-" + main_view_name(app.main_view) + head_tag + ".png", std::move(png)};
}

bool app_export(App& app, ExportKind kind) {
    Expected<ExportFile> file = app_export_file(app, kind);
    if (!file) {
        app.action_error = "cannot export: " + file.error().message;
        return false;
    }
    if (!app.config.save_file) {
        app.action_error = "cannot export: this build has nowhere to save files";
        return false;
    }
    Expected<std::string> where = app.config.save_file(file->name, file->bytes);
    if (!where) {
        app.action_error = "cannot export " + file->name + ": " + where.error().message;
        return false;
    }
    app.action_error.clear();
    app.notice = *where;
    return true;
}

}  // namespace attn
