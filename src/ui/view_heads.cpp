// The heads view (key 8): a sortable table of every head (layer, head, pattern label, confidence, every
// statistic, importance) and the head map, every head a dot on two statistics the user picks, coloured by
// label; clicking a dot opens that head in the heatmap. Draws App::heads (heads_cache.h computes it).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "analysis/heads_report.h"
#include "core/i18n.h"
#include "imgui.h"
#include "ui/analysis_views.h"
#include "ui/app.h"
#include "ui/heads_cache.h"
#include "ui/study_views.h"
#include "ui/scatter_pick.h"
#include "ui/theme.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

// A large model's induction score of its self attention comes in steps after its load (heads_cache.h).
bool induction_being_measured(const App& app) {
    return app.selection.kind == AttentionKind::self && app_heads_induction_pending(app);
}

ImVec4 to_vec(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

void axis_combo(const char* label, const char* mark, int* stat) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9.0f);
    if (ImGui::BeginCombo(label, head_stat_label(static_cast<HeadStat>(*stat), current_language()))) {
        for (int k = 0; k < kHeadStatCount; ++k) {
            if (ImGui::Selectable(head_stat_label(static_cast<HeadStat>(k), current_language()), k == *stat)) *stat = k;
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", head_stat_what(static_cast<HeadStat>(k), current_language()));
        }
        ImGui::EndCombo();
    }
    widget_mark(mark);
}

const char* column_name(int column) {
    switch (column) {
        case kHeadColLayer: return "layer";
        case kHeadColHead: return "head";
        case kHeadColLabel: return "label";
        case kHeadColConfidence: return "conf";
        case kHeadColImportance: return "importance";
        default: return head_stat_label(static_cast<HeadStat>(column - kHeadColStat0), current_language());
    }
}

const char* column_tooltip(int column) {
    switch (column) {
        case kHeadColLabel: return tr("ui.heads.the_pattern_the_scorer");
        case kHeadColConfidence: return tr("ui.heads.the_label_s_score");
        case kHeadColImportance: return tr("ui.heads.d_score_d_head_2");
        case kHeadColLayer: case kHeadColHead: return tr("ui.heads.click_a_row_to");
        default: return head_stat_what(static_cast<HeadStat>(column - kHeadColStat0), current_language());
    }
}

void show_head_table(App& app, HeadsState& hs, const std::vector<float>* importance, ImVec2 size) {
    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit |
                                  ImGuiTableFlags_Borders;
    app.widgets.head_table_headers.assign(kHeadColCount, {});
    if (!ImGui::BeginTable("head_table", kHeadColCount, flags, size)) return;
    ImGui::TableSetupScrollFreeze(3, 1);
    for (int c = 0; c < kHeadColCount; ++c) {
        ImGuiTableColumnFlags f = c == kHeadColLayer ? ImGuiTableColumnFlags_DefaultSort : ImGuiTableColumnFlags_None;
        if (c >= kHeadColConfidence) f |= ImGuiTableColumnFlags_PreferSortDescending;
        ImGui::TableSetupColumn(column_name(c), f, 0.0f, static_cast<ImGuiID>(c));
    }
    // Headers one by one (what TableHeadersRow does) so each one's rect and tooltip are known.
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (int c = 0; c < kHeadColCount; ++c) {
        if (!ImGui::TableSetColumnIndex(c)) continue;
        ImGui::TableHeader(column_name(c));
        app.widgets.head_table_headers[c] = last_item_rect();
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", column_tooltip(c));
    }
    if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs()) {
        if (specs->SpecsDirty && specs->SpecsCount > 0) {
            hs.sort_column = static_cast<int>(specs->Specs[0].ColumnUserID);
            hs.sort_descending = specs->Specs[0].SortDirection == ImGuiSortDirection_Descending;
        }
        specs->SpecsDirty = false;
    }
    hs.order = head_table_order(hs.stats, hs.labels, importance, hs.sort_column, hs.sort_descending);
    Selection& sel = app.selection;
    for (int i : hs.order) {
        const HeadStats& s = hs.stats[i];
        const HeadLabel& l = hs.labels[i];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        char buf[48];
        std::snprintf(buf, sizeof buf, "L%d##head_row%d", s.layer, i);
        const bool selected = s.layer == sel.layer && s.head == sel.head && !app.picture_only;
        if (ImGui::Selectable(buf, selected, ImGuiSelectableFlags_SpanAllColumns) && !app.picture_only) {
            sel.layer = s.layer;
            sel.head = s.head;
            sel.head_mode = HeadMode::one;
        }
        app.widgets.head_table_rows.push_back(last_item_rect());
        ImGui::TableNextColumn();
        ImGui::Text(tr("ui.common.h"), s.head);
        ImGui::TableNextColumn();
        ImGui::TextColored(to_vec(head_label_color(l)), "%s", head_label_text(l, current_language()));
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", head_label_what(l, current_language()));
        ImGui::TableNextColumn();
        ImGui::Text("%.2f", l.confidence);
        for (int k = 0; k < kHeadStatCount; ++k) {
            ImGui::TableNextColumn();
            const float v = s.value[k];
            if (v < 0.0f) {
                ImGui::TextDisabled("-");
                if (ImGui::IsItemHovered()) {
                    const char* why = static_cast<HeadStat>(k) != HeadStat::induction ? tr("ui.heads.does_not_apply_to")
                                      : induction_being_measured(app) ? tr("ui.heads.induction_being_measured")
                                                                      : tr("ui.heads.not_measured_the_induction");
                    ImGui::SetTooltip("%s", why);
                }
            } else {
                ImGui::Text(static_cast<HeadStat>(k) == HeadStat::mean_distance || static_cast<HeadStat>(k) == HeadStat::entropy
                                ? "%.2f" : "%.3f", v);
            }
        }
        ImGui::TableNextColumn();
        if (importance && static_cast<size_t>(i) < importance->size()) {
            ImGui::Text("%.3g", (*importance)[i]);
        } else {
            ImGui::TextDisabled("-");
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("ui.heads.run_attributions"));
        }
    }
    ImGui::EndTable();
}

struct Range {
    float lo = 0, hi = 1;
    float at(float v) const { return hi > lo ? (v - lo) / (hi - lo) : 0.5f; }
};

Range range_of(const std::vector<HeadStats>& stats, int k) {
    Range r{FLT_MAX, -FLT_MAX};
    for (const HeadStats& s : stats) {
        r.lo = std::min(r.lo, s.value[k]);
        r.hi = std::max(r.hi, s.value[k]);
    }
    if (r.hi - r.lo < 1e-6f) {
        r.lo -= 0.5f;
        r.hi += 0.5f;
    }
    const float pad = (r.hi - r.lo) * 0.06f;
    return Range{r.lo - pad, r.hi + pad};
}

void show_head_map(App& app, HeadsState& hs, ImVec2 size) {
    const float fs = ImGui::GetFontSize();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    // The legend on the right: the patterns present, with their counts.
    // Heads with bad values (NaN statistics) have no place on the map; the legend counts them.
    int counts[kHeadPatternCount] = {};
    int bad = 0;
    const HeadLabel& bad_label = bad_values_label();
    for (const HeadLabel& l : hs.labels) (l.bad_values ? bad : counts[static_cast<int>(l.pattern)])++;
    float legend_w = bad ? ImGui::CalcTextSize(head_label_text(bad_label, current_language())).x : 0.0f;
    for (int p = 0; p < kHeadPatternCount; ++p)
        if (counts[p]) legend_w = std::max(legend_w, ImGui::CalcTextSize(head_pattern_label(static_cast<HeadPattern>(p), current_language())).x);
    legend_w += fs * 3.5f;
    const float left = fs * 3.5f, bottom = fs * 2.6f, top = fs * 1.4f;
    const ImVec2 p0(origin.x + left, origin.y + top);
    const ImVec2 p1(origin.x + std::max(left + fs * 6, size.x - legend_w - fs), origin.y + std::max(top + fs * 4, size.y - bottom));
    const int X = std::clamp(hs.map_x, 0, kHeadStatCount - 1), Y = std::clamp(hs.map_y, 0, kHeadStatCount - 1);
    const Range rx = range_of(hs.stats, X), ry = range_of(hs.stats, Y);
    dl->AddRect(p0, p1, dim);
    char buf[64];
    // Enough decimals that neighbouring ticks differ.
    auto decimals = [](const Range& r) { return std::clamp(static_cast<int>(std::ceil(-std::log10((r.hi - r.lo) / 4.0f))) + 1, 0, 4); };
    const int dx = decimals(rx), dy = decimals(ry);
    for (int i = 0; i <= 4; ++i) {   // ticks: five values along each axis
        const float f = i / 4.0f;
        const float x = p0.x + f * (p1.x - p0.x), y = p1.y - f * (p1.y - p0.y);
        std::snprintf(buf, sizeof buf, "%.*f", dx, rx.lo + f * (rx.hi - rx.lo));
        ImVec2 ts = ImGui::CalcTextSize(buf);
        dl->AddLine(ImVec2(x, p1.y), ImVec2(x, p1.y + fs * 0.3f), dim);
        dl->AddText(ImVec2(std::clamp(x - ts.x * 0.5f, origin.x, p1.x - ts.x), p1.y + fs * 0.3f), dim, buf);
        std::snprintf(buf, sizeof buf, "%.*f", dy, ry.lo + f * (ry.hi - ry.lo));
        ts = ImGui::CalcTextSize(buf);
        dl->AddLine(ImVec2(p0.x - fs * 0.3f, y), ImVec2(p0.x, y), dim);
        dl->AddText(ImVec2(p0.x - fs * 0.4f - ts.x, y - ts.y * 0.5f), dim, buf);
    }
    const char* x_title = head_stat_label(static_cast<HeadStat>(X), current_language());
    ImVec2 ts = ImGui::CalcTextSize(x_title);
    dl->AddText(ImVec2((p0.x + p1.x - ts.x) * 0.5f, p1.y + fs * 1.35f), text, x_title);
    std::snprintf(buf, sizeof buf, "%s \xE2\x86\x91", head_stat_label(static_cast<HeadStat>(Y), current_language()));
    dl->AddText(ImVec2(p0.x, origin.y), text, buf);

    const float r = std::clamp(fs * 0.32f, 3.0f, 9.0f);
    const int n = static_cast<int>(hs.stats.size());
    std::vector<ImVec2> at(n);
    app.widgets.head_map_dots.assign(n, {});
    auto placed = [&](int i) { return static_cast<size_t>(i) >= hs.labels.size() || !hs.labels[i].bad_values; };
    for (int i = 0; i < n; ++i) {
        const HeadStats& s = hs.stats[i];
        if (!placed(i)) {
            at[i] = ImVec2(-FLT_MAX, -FLT_MAX);   // never drawn, never picked
            continue;
        }
        at[i] = ImVec2(p0.x + rx.at(s.value[X]) * (p1.x - p0.x), p1.y - ry.at(s.value[Y]) * (p1.y - p0.y));
        app.widgets.head_map_dots[i] = {at[i].x - r, at[i].y - r, 2 * r, 2 * r};
    }
    const Selection& sel = app.selection;
    for (int i = 0; i < n; ++i) {
        if (!placed(i)) continue;
        dl->AddCircleFilled(at[i], r, head_pattern_color(hs.labels[i].pattern));
        dl->AddCircle(at[i], r, IM_COL32(0, 0, 0, 200));
        if (static_cast<size_t>(i) < hs.highlighted.size() && hs.highlighted[i])
            dl->AddCircle(at[i], r + 2.5f, IM_COL32(60, 220, 110, 255), 0, 2.0f);
    }
    const int selected = sel.layer * hs.n_head + sel.head;
    if (!app.picture_only && selected >= 0 && selected < n && placed(selected)) dl->AddCircle(at[selected], r + 4.0f, theme_accent(), 0, 2.5f);

    // Legend.
    float ly = p0.y;
    const float lx = p1.x + fs;
    for (int p = 0; p < kHeadPatternCount; ++p) {
        if (!counts[p]) continue;
        dl->AddCircleFilled(ImVec2(lx + r, ly + fs * 0.5f), r, head_pattern_color(static_cast<HeadPattern>(p)));
        std::snprintf(buf, sizeof buf, "%s (%d)", head_pattern_label(static_cast<HeadPattern>(p), current_language()), counts[p]);
        dl->AddText(ImVec2(lx + 2 * r + fs * 0.4f, ly), text, buf);
        ly += fs * 1.3f;
    }
    if (bad) {
        dl->AddCircleFilled(ImVec2(lx + r, ly + fs * 0.5f), r, head_label_color(bad_label));
        std::snprintf(buf, sizeof buf, "%s (%d)", head_label_text(bad_label, current_language()), bad);
        dl->AddText(ImVec2(lx + 2 * r + fs * 0.4f, ly), text, buf);
    }

    if (!app.picture_only) {
        ImGui::SetCursorScreenPos(ImVec2(p0.x - r, p0.y - r));
        ImGui::InvisibleButton("##head_map", ImVec2(p1.x - p0.x + 2 * r, p1.y - p0.y + 2 * r));
        if (ImGui::IsItemHovered()) {
            const int best = scatter_pick(at, ImGui::GetIO().MousePos, std::max(r * 1.8f, fs * 0.6f));
            if (best >= 0) {
                const HeadStats& s = hs.stats[best];
                const HeadLabel& l = hs.labels[best];
                dl->AddCircle(at[best], r + 3.0f, text, 0, 1.5f);
                ImGui::BeginTooltip();
                ImGui::Text(tr("ui.common.l_h"), s.layer, s.head);
                ImGui::SameLine();
                ImGui::TextColored(to_vec(head_label_color(l)), "%s", head_label_text(l, current_language()));
                ImGui::SameLine();
                ImGui::Text(tr("ui.common.confidence"), l.confidence);
                ImGui::TextUnformatted(head_label_what(l, current_language()));
                ImGui::Text("%s %.3f, %s %.3f", head_stat_label(static_cast<HeadStat>(X), current_language()), s.value[X], head_stat_label(static_cast<HeadStat>(Y), current_language()), s.value[Y]);
                ImGui::TextDisabled("%s", tr("ui.heads.click_to_open_it"));
                ImGui::EndTooltip();
                if (ImGui::IsItemClicked(ImGuiMouseButton_Left)) {
                    app.selection.layer = s.layer;
                    app.selection.head = s.head;
                    app.selection.head_mode = HeadMode::one;
                    app.main_view = MainView::heatmap;
                }
            }
        }
    }
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(std::max(1.0f, size.x), std::max(1.0f, p1.y - origin.y + bottom)));
}

}  // namespace

void show_heads_view(App& app, const AttentionView&, PieceStyle) {
    app.widgets.head_map_dots.clear();
    app.widgets.head_table_rows.clear();
    app.widgets.head_table_headers.clear();
    HeadsState& hs = app_heads_current(app);
    if (hs.stats.empty()) {
        ImGui::TextDisabled("%s", tr("ui.heads.heads"));
        if (!show_heads_pending(app)) ImGui::TextWrapped("%s", tr("ui.common.no_attention_to_show"));
        return;
    }
    const float fs = ImGui::GetFontSize();
    if (!app.picture_only) {
        ImGui::Text(tr("ui.heads.what_each_head_does"), hs.n_layer, hs.n_head);
        same_line_if_fits(ImGui::CalcTextSize("(?)").x);
        ImGui::TextDisabled("(?)");
        if (ImGui::IsItemHovered()) {
            ImGui::BeginTooltip();
            ImGui::PushTextWrapPos(fs * 32.0f);
            ImGui::TextUnformatted(kHeadsBosNote);
            if (!hs.induction_error.empty()) ImGui::Text(tr("ui.heads.induction_score"), hs.induction_error.c_str());
            else if (induction_being_measured(app))
                ImGui::TextUnformatted(tr("ui.heads.induction_being_measured"));
            else if (!hs.labels_have_induction)
                ImGui::TextUnformatted(tr("ui.heads.induction_measured_on_the"));
            ImGui::PopTextWrapPos();
            ImGui::EndTooltip();
        }
        const float combo_w = fs * 9.0f + ImGui::CalcTextSize("X").x + ImGui::GetStyle().ItemInnerSpacing.x;
        axis_combo("X##heads_map_x", "heads_map_x", &hs.map_x);
        same_line_if_fits(combo_w);
        axis_combo("Y##heads_map_y", "heads_map_y", &hs.map_y);
        const char* hint = tr("ui.heads.head_map_axes_click");
        same_line_if_fits(ImGui::CalcTextSize(hint).x);
        ImGui::TextDisabled("%s", hint);
    }
    const std::vector<float>* importance = app_heads_importance(app);
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float table_h = std::max(fs * 6.0f, avail.y * 0.42f);
    show_head_table(app, hs, importance, ImVec2(avail.x, table_h));
    ImGui::Spacing();
    const ImVec2 rest = ImGui::GetContentRegionAvail();
    show_head_map(app, hs, ImVec2(rest.x, std::max(fs * 10.0f, rest.y)));
}

}  // namespace attn
