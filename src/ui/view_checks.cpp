// The checks view (key C): pick a built-in suite, run it on the loaded model (progress and Cancel while it
// runs), then a layer x head grid of how many cases each head passes and a table of the cases (query ->
// expected vs distractors, pass/fail, best head, value). Clicking a case opens it in the heatmap; "Outline
// in head grid" asks the grid to outline the heads passing most cases. It only draws and sets requests
// in App::checks; app_checks.cpp acts on them.
#include <algorithm>
#include <cstdio>

#include "analysis/check_suites.h"
#include "core/i18n.h"
#include "imgui.h"
#include "ui/app.h"
#include "ui/app_checks.h"
#include "ui/colormap.h"
#include "ui/study_views.h"
#include "ui/theme.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

const char* scope_label(CheckScope s) {
    switch (s) {
        case CheckScope::head: return "head";
        case CheckScope::layer_average: return tr("ui.checks.layer_avg");
        case CheckScope::rollout: return "rollout";
        case CheckScope::attribution: return "attribution";
    }
    return "";
}

std::string joined(const std::vector<std::string>& parts, const char* sep) {
    std::string s;
    for (const std::string& p : parts) s += (s.empty() ? "" : sep) + p;
    return s;
}

// The suite picker, Run / Cancel and the progress of a run.
void show_controls(App& app) {
    ChecksState& s = app.checks;
    const auto& suites = builtin_check_suites();
    if (suites.empty()) return;
    s.suite_index = std::clamp(s.suite_index, 0, static_cast<int>(suites.size()) - 1);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tr("ui.checks.suite"));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10.0f);
    if (ImGui::BeginCombo("##check_suite", suites[s.suite_index].name)) {
        for (size_t i = 0; i < suites.size(); ++i)
            if (ImGui::Selectable(suites[i].name, static_cast<int>(i) == s.suite_index)) s.suite_index = static_cast<int>(i);
        ImGui::EndCombo();
    }
    widget_mark("checks_suite");
    ImGui::SameLine();
    if (s.run) {
        char overlay[160];
        std::snprintf(overlay, sizeof overlay, "%s", s.stage.c_str());
        ImGui::ProgressBar(s.progress, ImVec2(ImGui::GetFontSize() * 14.0f, 0.0f), overlay);
        ImGui::SameLine();
        if (ImGui::Button(tr_id("ui.common.cancel"))) s.cancel_requested = true;
        widget_mark("checks_cancel");
    } else {
        ImGui::BeginDisabled(!app.model);
        if (ImGui::Button(tr_id("ui.common.run"))) s.run_requested = true;
        widget_mark("checks_run");
        s.run_rect = last_item_rect();
        ImGui::EndDisabled();
    }
    if (s.has_result) {
        ImGui::SameLine();
        if (ImGui::Checkbox(tr_id("ui.checks.outline_in_head_grid"), &s.highlight) && s.highlight) app.main_view = MainView::grid;
        widget_mark("checks_highlight");
        s.highlight_rect = last_item_rect();
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tr("ui.checks.the_head_grid_outlines"));
    }
    Expected<CheckSuite> picked = parse_check_suite(suites[s.suite_index].json, suites[s.suite_index].file);
    if (picked && !picked->description.empty()) ImGui::TextDisabled("%s", picked->description.c_str());
}

// (L, H) cells coloured by the share of head cases each head passes, the count written inside; a click
// asks for that head in the grid.
void show_pass_grid(App& app, const CheckSuiteResult& r, int n_cases, bool picture) {
    const int L = r.n_layer, H = r.n_head;
    if (L <= 0 || H <= 0 || n_cases <= 0) return;
    const float fs = ImGui::GetFontSize();
    const float label_w = ImGui::CalcTextSize("L00").x + fs * 0.5f;
    const float avail = ImGui::GetContentRegionAvail().x - label_w;
    const float cell = std::clamp(avail / H, fs * 1.6f, fs * 2.6f);
    const float cell_h = std::min(cell, fs * 1.6f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const ColormapTable& cmap = colormap_table(app.selection.colormap);
    const std::vector<uint8_t> outlined = check_heads_passing_most(r);
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    for (int h = 0; h < H; ++h) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "H%d", h);
        dl->AddText(ImVec2(o.x + label_w + h * cell + (cell - ImGui::CalcTextSize(buf).x) * 0.5f, o.y), text, buf);
    }
    const float top = o.y + fs * 1.2f;
    for (int l = 0; l < L; ++l) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "L%d", l);
        dl->AddText(ImVec2(o.x, top + l * cell_h + (cell_h - fs) * 0.5f), text, buf);
        for (int h = 0; h < H; ++h) {
            const int i = l * H + h;
            const int n = r.head_pass_count[i];
            const float share = static_cast<float>(n) / n_cases;
            const ImVec2 a(o.x + label_w + h * cell, top + l * cell_h), b(a.x + cell - 2.0f, a.y + cell_h - 2.0f);
            dl->AddRectFilled(a, b, colormap_color(cmap, share));
            if (!outlined.empty() && outlined[i]) dl->AddRect(a, b, theme_accent(), 0.0f, 0, 2.0f);
            std::snprintf(buf, sizeof buf, "%d", n);
            const ImVec4 c = ImGui::ColorConvertU32ToFloat4(colormap_color(cmap, share));
            const bool bright = 0.3f * c.x + 0.59f * c.y + 0.11f * c.z > 0.5f;
            dl->AddText(ImVec2(a.x + (cell - 2.0f - ImGui::CalcTextSize(buf).x) * 0.5f, a.y + (cell_h - 2.0f - fs) * 0.5f),
                        bright ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255), buf);
            if (!picture && ImGui::IsMouseHoveringRect(a, b) && ImGui::IsWindowHovered()) {
                ImGui::SetTooltip(tr("ui.checks.l_h_passes_of"), l, h, n, n_cases);
                if (ImGui::IsMouseClicked(0)) app.checks.clicked_head = i;
            }
        }
    }
    ImGui::Dummy(ImVec2(label_w + H * cell, fs * 1.2f + L * cell_h + fs * 0.3f));
}

void show_cases(App& app, const CheckSuiteResult& r, bool picture) {
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("check_cases", 5, flags)) return;
    ImGui::TableSetupColumn(tr("ui.checks.case"), ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn(tr("ui.checks.query_expected_vs_distractors"), ImGuiTableColumnFlags_WidthStretch, 1.6f);
    // Fixed widths from their widest content: auto-fit would wrap "L1 H0" in the first frames.
    auto width = [](const char* widest) { return ImGui::CalcTextSize(widest).x + ImGui::GetFontSize() * 0.4f; };
    ImGui::TableSetupColumn(tr("ui.checks.result"), ImGuiTableColumnFlags_WidthFixed, width(tr("ui.checks.result")));
    const char* widest_best = "attribution";   // a width sample of the column's longest entry, never drawn
    ImGui::TableSetupColumn(tr("ui.checks.best"), ImGuiTableColumnFlags_WidthFixed, width(widest_best));
    ImGui::TableSetupColumn(tr("ui.checks.margin"), ImGuiTableColumnFlags_WidthFixed, width(tr("ui.checks.mass_2")));
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < r.cases.size(); ++i) {
        const CheckCaseResult& c = r.cases[i];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(static_cast<int>(i));
        if (picture) {
            ImGui::TextUnformatted(c.name.c_str());
        } else if (ImGui::Selectable(c.name.c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) {
            app.checks.clicked_case = static_cast<int>(i);
        }
        if (!picture && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("ui.checks.open_this_case_in"));
        ImGui::PopID();
        ImGui::TableNextColumn();
        if (!c.error.empty()) {
            ImGui::PushStyleColor(ImGuiCol_Text, theme_warning());
            ImGui::TextWrapped("%s", c.error.c_str());
            ImGui::PopStyleColor();
            continue;
        }
        std::string q = c.query_text + " \xE2\x86\x92 " + joined(c.expected_text, " + ");
        if (!c.distractor_text.empty()) q += tr("ui.checks.vs") + joined(c.distractor_text, ", ");
        ImGui::TextUnformatted(q.c_str());
        ImGui::TableNextColumn();
        ImGui::PushStyleColor(ImGuiCol_Text, c.pass ? theme_accent_vec() : theme_error());
        ImGui::TextUnformatted(c.pass ? tr("ui.checks.pass") : tr("ui.checks.fail"));
        ImGui::PopStyleColor();
        ImGui::TableNextColumn();
        if (c.scope == CheckScope::head && c.best >= 0)
            ImGui::Text(tr("ui.common.l_h"), c.best / c.n_head, c.best % c.n_head);
        else if (c.scope == CheckScope::layer_average && c.best >= 0)
            ImGui::Text(tr("ui.checks.l_avg"), c.best);
        else
            ImGui::TextUnformatted(scope_label(c.scope));
        ImGui::TableNextColumn();
        ImGui::Text("%+.3f%s", c.value, c.metric == CheckMetric::mass ? tr("ui.checks.mass") : "");
    }
    ImGui::EndTable();
}

}  // namespace

void show_checks_view(App& app, PieceStyle) {
    ChecksState& s = app.checks;
    const bool picture = app.picture_only;
    if (!picture) s.run_rect = s.highlight_rect = {};
    if (!picture) show_controls(app);
    if (!app.model && !s.has_result) {
        ImGui::TextWrapped("%s", tr("ui.checks.rule_based_checks_ask"));
        return;
    }
    if (!s.error.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, theme_error());
        ImGui::TextWrapped("%s", s.error.c_str());
        ImGui::PopStyleColor();
    }
    if (!s.has_result) {
        ImGui::TextDisabled("%s", s.run ? tr("ui.checks.running") : tr("ui.checks.press_run_to_check"));
        return;
    }
    const CheckSuiteResult& r = s.result;
    int passed = 0, errors = 0;
    for (const CheckCaseResult& c : r.cases) {
        passed += c.error.empty() && c.pass;
        errors += !c.error.empty();
    }
    ImGui::Text(tr("ui.checks.of_u_cases_pass"), r.suite.c_str(), passed, r.cases.size(),
                errors ? trf("pictures.checks.could_not_run", {{"n", std::to_string(errors)}}).c_str() : "",
                s.cancelled ? tr("ui.checks.cancelled") : "");
    ImGui::TextDisabled("%s", tr("ui.checks.a_case_passes_when"));
    if (app.random_weights)
        ImGui::TextColored(theme_warning(), "%s", tr("ui.checks.this_model_has_random"));
    const int n_head_cases = check_head_cases(r);
    if (n_head_cases > 0) {
        ImGui::TextDisabled(tr("ui.checks.cases_each_head_passes"), n_head_cases);
        show_pass_grid(app, r, n_head_cases, picture);
        std::string best;
        for (size_t i = 0; i < r.best_heads.size() && i < 5; ++i) {
            const int h = r.best_heads[i];
            if (r.head_pass_count[h] == 0) break;
            best += (best.empty() ? "" : ",  ") + ("L" + std::to_string(h / r.n_head) + " H" + std::to_string(h % r.n_head)) +
                    " (" + std::to_string(r.head_pass_count[h]) + ")";
        }
        ImGui::Text(tr("ui.checks.heads_passing_most"), best.empty() ? tr("ui.checks.none") : best.c_str());
    }
    show_cases(app, r, picture);
}

}  // namespace attn
