// The activation patching view (key 0): the clean text (the app's text) and a corrupted one of the same
// token length, Run (a PatchingJob stepped by app_interventions_frame), then how much of the clean -
// corrupted logit difference each patched site brings back: a layer x position map of the residual
// stream and a layer x head grid of head outputs, both on a diverging scale (1 = as clean).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "imgui.h"
#include "core/i18n.h"
#include "imgui_stdlib.h"
#include "ui/analysis_views.h"
#include "ui/app_interventions.h"
#include "ui/signed_grid.h"
#include "ui/study_views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

std::string quoted(const std::string& piece, PieceStyle style) { return "'" + token_label(piece, style) + "'"; }

std::string percent_one_decimal(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100.0f * v);
    return buf;
}

void show_result(App& app, const PatchingResult& r, bool partial, PieceStyle style) {
    const InterventionState& s = app.interventions;
    const TokenSeq& clean = s.clean_tokens;
    if (r.residual.empty() && r.heads.empty()) return;
    auto piece = [&](int id) { return app.model && s.result_model == app.model.get() ? app.model->tokenizer.id_to_token(id) : "#" + std::to_string(id); };
    const std::string answer = quoted(piece(r.answer), style), wrong = quoted(piece(r.wrong_answer), style);
    const float gap = r.clean_diff - r.corrupted_diff;
    const std::string at = r.position < clean.size() ? quoted(clean.pieces[r.position], style) : std::to_string(r.position);
    ImGui::TextWrapped(tr("ui.patching.after_the_clean_text"),
                       at.c_str(), answer.c_str(), wrong.c_str(), r.clean_diff, r.corrupted_diff, gap);
    if (std::fabs(gap) < 1e-6f)
        ImGui::TextWrapped("%s", tr("ui.patching.the_two_texts_give"));
    if (partial) ImGui::TextDisabled("%s", tr("ui.patching.filling_in_as_the"));

    const int L = r.n_layer, T = r.n_token, H = r.n_head;
    if (static_cast<int>(r.residual.size()) == (L + 1) * T) {
        ImGui::Spacing();
        ImGui::TextUnformatted(tr("ui.patching.residual_stream_state_x"));
        SignedGridData g;
        g.rows = L + 1;
        g.cols = T;
        g.values = r.residual.data();
        g.row_labels.push_back(tr("pictures.patching.embeddings"));
        for (int l = 0; l < L; ++l) g.row_labels.push_back(trf("pictures.patching.after_layer", {{"layer", std::to_string(l)}}));
        for (int t = 0; t < T && t < clean.size(); ++t) {
            std::string label = token_label(clean.pieces[t], style);
            if (t < s.corrupted_tokens.size() && s.corrupted_tokens.ids[t] != clean.ids[t])
                label += "/" + token_label(s.corrupted_tokens.pieces[t], style);
            g.col_labels.push_back(label);
        }
        g.row_title = tr("ui.patching.residual_stream_states_embeddings");
        g.col_title = tr("ui.patching.positions_clean_corrupted_where");
        g.height = std::min(ImGui::GetTextLineHeightWithSpacing() * 2.0f * (L + 1), 320.0f);
        g.legend_note = tr("ui.patching.red_the_patch_restores");
        g.tooltip = [&](int row, int col) {
            return trf("pictures.patching.cell_tooltip",
                       {{"token", g.col_labels[col]}, {"state", g.row_labels[row]}, {"percent", percent_one_decimal(r.residual[row * T + col])}});
        };
        show_signed_grid(g);
    }
    if (static_cast<int>(r.heads.size()) == L * H) {
        ImGui::Spacing();
        ImGui::TextUnformatted(tr("ui.patching.head_outputs_layer_x"));
        SignedGridData g;
        g.rows = L;
        g.cols = H;
        g.values = r.heads.data();
        for (int l = 0; l < L; ++l) g.row_labels.push_back(trf("pictures.patching.layer", {{"layer", std::to_string(l)}}));
        for (int h = 0; h < H; ++h) g.col_labels.push_back("H" + std::to_string(h));
        g.row_title = tr("pictures.patching.layers");
        g.col_title = tr("pictures.patching.heads");
        g.height = std::min(ImGui::GetTextLineHeightWithSpacing() * 2.0f * L, 320.0f);
        g.legend = false;
        g.tooltip = [&](int row, int col) {
            return trf("pictures.patching.head_tooltip",
                       {{"layer", std::to_string(row)}, {"head", std::to_string(col)}, {"percent", percent_one_decimal(r.heads[row * H + col])}});
        };
        const int clicked = show_signed_grid(g);
        if (clicked >= 0 && !app.picture_only) {
            app.selection.layer = clicked / H;
            app.selection.head = clicked % H;
            app.selection.head_mode = HeadMode::one;
        }
    }
}

}  // namespace

void show_patching_view(App& app, PieceStyle style) {
    InterventionState& s = app.interventions;
    ImGui::TextWrapped("%s", tr("ui.patching.activation_patching_run_a"));
    if (!app.picture_only) {
        ImGui::TextDisabled("%s", tr("ui.patching.clean_the_text_box"));
        ImGui::TextWrapped("%s", app.text.c_str());
        ImGui::TextDisabled("%s", tr("ui.patching.corrupted"));
        ImGui::PushID(s.corrupted_generation);
        ImGui::SetNextItemWidth(-1.0f);
        ImGui::InputText("##corrupted", &s.corrupted);
        ImGui::PopID();
        widget_mark("patch_corrupted");
        const PatchLengths n = app_patch_lengths(app);
        if (app.model && app.has_trace && n.clean != n.corrupted)
            ImGui::TextColored(ImVec4(1.0f, 0.42f, 0.38f, 1.0f),
                               tr("ui.patching.clean_has_tokens_corrupted"),
                               n.clean, n.corrupted);
        else if (app.model && app.has_trace && s.corrupted == app.text)
            ImGui::TextDisabled("%s", tr("ui.patching.the_texts_are_identical"));
        const bool running = static_cast<bool>(s.job);
        if (!running) {
            if (ImGui::Button(s.has_result ? tr("ui.patching.run_again") : tr("ui.common.run"))) s.run_requested = true;
            widget_mark("patch_run");
        }
        if (show_job_progress({running, s.progress, s.stage, nullptr, nullptr})) s.cancel_requested = true;
        if (!s.error.empty()) ImGui::TextColored(ImVec4(1.0f, 0.42f, 0.38f, 1.0f), "%s", s.error.c_str());
        if (s.cancelled) ImGui::TextDisabled("%s", tr("ui.patching.cancelled_the_cells_computed"));
    }
    if (s.job) {
        show_result(app, s.job->result(), true, style);
    } else if (s.has_result || s.cancelled) {
        show_result(app, s.result, false, style);
    } else if (app.picture_only) {
        ImGui::TextWrapped("%s", tr("ui.patching.not_run_yet_for"));
    }
}

}  // namespace attn
