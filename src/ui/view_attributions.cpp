// The Attributions panel: which input tokens mattered for one prediction, by the chosen method, and
// how far the methods agree. Draws the AttributionJob's result; the job runs in the app.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analysis/explanation.h"
#include "core/i18n.h"
#include "imgui.h"
#include "ui/analysis_views.h"
#include "ui/attribution_methods.h"
#include "ui/colormap.h"
#include "ui/draw_text.h"
#include "ui/theme.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

float max_abs(const std::vector<float>& v) {
    float m = 0.0f;
    for (float x : v) m = std::max(m, std::fabs(x));
    return m;
}

// Signed methods use the diverging map around 0; unsigned ones the user's sequential colormap.
ImU32 score_color(float v, float scale, bool is_signed, Colormap colormap) {
    if (is_signed) return colormap_signed_color(v, scale);
    return colormap_color(colormap_table(colormap), scale > 0.0f ? v / scale : 0.0f);
}

// Black or white text, whichever reads on `bg`.
ImU32 text_on(ImU32 bg) {
    const float r = ((bg >> IM_COL32_R_SHIFT) & 0xff) / 255.0f, g = ((bg >> IM_COL32_G_SHIFT) & 0xff) / 255.0f,
                b = ((bg >> IM_COL32_B_SHIFT) & 0xff) / 255.0f;
    return 0.2126f * r + 0.7152f * g + 0.0722f * b > 0.5f ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255);
}

std::string piece_label(const AttributionsData& d, int32_t id) {
    if (id < 0 || !d.piece_of) return "?";
    return label_for_font(token_label(d.piece_of(id), d.piece_style), ImGui::GetFont());
}

// Every method's score of one token, for the hover tooltip.
void token_tooltip(const AttributionsData& d, const std::vector<std::string>& labels, int t) {
    ImGui::BeginTooltip();
    ImGui::Text(tr("ui.attributions.position"), labels[static_cast<size_t>(t)].c_str(), t);
    for (const AttributionMethod& m : kAttributionMethods) {
        std::vector<float> s = m.scores(*d.result);
        if (static_cast<int>(s.size()) > t) ImGui::Text("%-28s %+.4g", m.label, s[static_cast<size_t>(t)]);
    }
    ImGui::EndTooltip();
}

// The tokens as chips in reading order, wrapped at the panel's edge, filled with their score's colour.
void colored_tokens(Selection& sel, const AttributionsData& d, const std::vector<std::string>& labels,
                    const std::vector<float>& s, float scale, bool is_signed) {
    const float fs = ImGui::GetFontSize(), pad = fs * 0.3f, gap = fs * 0.25f, row_h = fs * 1.6f;
    const float avail = std::max(fs * 4.0f, ImGui::GetContentRegionAvail().x);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    float x = 0.0f, y = 0.0f;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    int hovered = -1;
    for (size_t t = 0; t < labels.size(); ++t) {
        const std::string label = label_elide(labels[t], kLabelMaxChars);
        const float w = ImGui::CalcTextSize(label.c_str()).x + pad * 2.0f;
        if (x > 0.0f && x + w > avail) {
            x = 0.0f;
            y += row_h + gap;
        }
        const ImVec2 a(origin.x + x, origin.y + y), b(a.x + w, a.y + row_h);
        const ImU32 bg = t < s.size() ? score_color(s[t], scale, is_signed, sel.colormap) : theme_outline(0.1f);
        dl->AddRectFilled(a, b, bg, fs * 0.2f);
        const bool hot = static_cast<int>(t) == d.result->position || static_cast<int>(t) == sel.hover_query;
        if (hot) dl->AddRect(a, b, theme_accent(), fs * 0.2f, 0, 2.0f);
        dl->AddText(ImVec2(a.x + pad, a.y + (row_h - fs) * 0.5f), text_on(bg), label.c_str());
        if (mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y) hovered = static_cast<int>(t);
        x += w + gap;
    }
    ImGui::Dummy(ImVec2(avail, y + row_h));
    if (d.tokens_rect) *d.tokens_rect = last_item_rect();
    if (hovered >= 0 && ImGui::IsItemHovered()) {
        sel.hover_query = hovered;
        token_tooltip(d, labels, hovered);
    }
}

// One horizontal bar per token: signed bars grow left or right of a centre line.
void token_bars(Selection& sel, const AttributionsData& d, const std::vector<std::string>& labels,
                const std::vector<float>& s, float scale, bool is_signed) {
    const float fs = ImGui::GetFontSize(), row_h = fs * 1.3f;
    const float label_w = std::min(fs * 8.0f, labels_widest(labels) + fs * 0.5f), value_w = fs * 5.0f;
    const float bar_w = std::max(fs * 4.0f, ImGui::GetContentRegionAvail().x - label_w - value_w);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const float zero_x = origin.x + label_w + (is_signed ? bar_w * 0.5f : 0.0f);
    const float half = is_signed ? bar_w * 0.5f : bar_w;
    for (size_t t = 0; t < s.size() && t < labels.size(); ++t) {
        const float y = origin.y + row_h * t;
        const std::string label = label_elide(labels[t], 10);
        const ImVec2 ls = ImGui::CalcTextSize(label.c_str());
        const bool hot = static_cast<int>(t) == sel.hover_query;
        dl->AddText(ImVec2(origin.x + label_w - fs * 0.3f - ls.x, y + (row_h - ls.y) * 0.5f), hot ? theme_accent() : text,
                    label.c_str());
        const float len = scale > 0.0f ? half * std::min(1.0f, std::fabs(s[t]) / scale) : 0.0f;
        const float x0 = s[t] < 0.0f ? zero_x - len : zero_x, x1 = s[t] < 0.0f ? zero_x : zero_x + len;
        dl->AddRectFilled(ImVec2(x0, y + row_h * 0.15f), ImVec2(std::max(x1, x0 + 1.0f), y + row_h * 0.85f),
                          score_color(s[t], scale, is_signed, sel.colormap));
        const std::string value = format_score(s[t]);   // the explanation states scores the same way
        dl->AddText(ImVec2(origin.x + label_w + bar_w + fs * 0.3f, y + (row_h - fs) * 0.5f), text, value.c_str());
    }
    if (is_signed)
        dl->AddLine(ImVec2(zero_x, origin.y), ImVec2(zero_x, origin.y + row_h * s.size()), theme_outline(0.5f));
    ImGui::Dummy(ImVec2(label_w + bar_w + value_w, row_h * s.size()));
    if (ImGui::IsItemHovered()) {
        const int t = static_cast<int>((ImGui::GetIO().MousePos.y - origin.y) / row_h);
        if (t >= 0 && t < static_cast<int>(s.size())) {
            sel.hover_query = t;
            token_tooltip(d, labels, t);
        }
    }
}

// Each method's top token, and Spearman's rho between every pair: where the explanations agree.
void agreement_table(const AttributionsData& d, const std::vector<std::string>& labels) {
    std::vector<int> have;
    std::vector<std::vector<float>> scores;
    for (int m = 0; m < kNumAttributionMethods; ++m) {
        std::vector<float> s = kAttributionMethods[m].scores(*d.result);
        if (s.empty()) continue;
        have.push_back(m);
        scores.push_back(std::move(s));
    }
    if (have.size() < 2) return;
    ImGui::TextUnformatted(tr("ui.attributions.where_the_methods_agree"));
    const int cols = 2 + static_cast<int>(have.size());
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg;
    ImGui::PushTextWrapPos(-1.0f);   // one line per cell, as in the target table
    if (!ImGui::BeginTable("agreement", cols, flags)) {
        ImGui::PopTextWrapPos();
        return;
    }
    ImGui::TableSetupColumn(tr("pictures.explain.method"));
    ImGui::TableSetupColumn(tr("ui.attributions.top_token"));
    for (int m : have) ImGui::TableSetupColumn(kAttributionMethods[m].short_label);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < have.size(); ++i) {
        const AttributionMethod& m = kAttributionMethods[have[i]];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(m.short_label);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", m.label);
        ImGui::TableNextColumn();
        const int top = top_index(scores[i]);
        ImGui::TextUnformatted(top >= 0 && top < static_cast<int>(labels.size())
                                   ? label_elide(labels[static_cast<size_t>(top)], 10).c_str()
                                   : "-");
        for (size_t j = 0; j < have.size(); ++j) {
            ImGui::TableNextColumn();
            if (i == j) {
                ImGui::TextDisabled("-");
                continue;
            }
            const float rho = spearman(scores[i], scores[j]);
            // Agreement in the diverging map's colours: red agrees, blue disagrees.
            ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, (colormap_signed_color(rho, 1.0f) & 0x00ffffff) | 0x90000000);
            ImGui::Text("%+.2f", rho);
        }
    }
    ImGui::EndTable();
    ImGui::PopTextWrapPos();
}

// Target and foil from the top predictions: "why 'animal' and not 'street'?"
AttributionsActions target_picker(const AttributionsData& d) {
    AttributionsActions act;
    if (d.target_rects) d.target_rects->clear();
    if (d.foil_rects) d.foil_rects->clear();
    if (!d.candidates || d.candidates->empty()) return act;
    ImGui::TextUnformatted(tr("ui.attributions.explain_which_prediction_target"));
    const ImGuiTableFlags flags = ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg;
    // Token cells keep one line: the panel's wrap position would split a token the fit-to-content column
    // has not measured yet ("Cheroke" / "e").
    ImGui::PushTextWrapPos(-1.0f);
    if (!ImGui::BeginTable("targets", 4, flags)) {
        ImGui::PopTextWrapPos();
        return act;
    }
    ImGui::TableSetupColumn(tr("ui.columns.prediction"));
    ImGui::TableSetupColumn(tr("ui.columns.probability"));
    ImGui::TableSetupColumn(tr("ui.columns.target"));
    ImGui::TableSetupColumn(tr("ui.columns.foil"));
    ImGui::TableHeadersRow();
    const int top_id = d.candidates->front().id;
    for (size_t i = 0; i < d.candidates->size(); ++i) {
        const TokenProb& c = (*d.candidates)[i];
        ImGui::PushID(static_cast<int>(i));
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(piece_label(d, c.id).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(format_probability(c.prob).c_str());
        ImGui::TableNextColumn();
        const bool is_target = d.target == c.id || (d.target < 0 && c.id == top_id);
        if (ImGui::RadioButton("##target", is_target) && !is_target) act.target = c.id == top_id ? -1 : c.id;
        if (d.target_rects) d.target_rects->push_back(last_item_rect());
        ImGui::TableNextColumn();
        if (ImGui::RadioButton("##foil", d.foil == c.id) && d.foil != c.id) act.foil = c.id;
        if (d.foil_rects) d.foil_rects->push_back(last_item_rect());
        ImGui::PopID();
    }
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", tr("ui.attributions.no_foil"));
    ImGui::TableNextColumn();
    ImGui::TableNextColumn();
    ImGui::TableNextColumn();
    if (ImGui::RadioButton("##nofoil", d.foil < 0) && d.foil >= 0) act.foil = -1;
    if (d.foil_rects) d.foil_rects->insert(d.foil_rects->begin(), last_item_rect());
    widget_mark("attr_no_foil");
    ImGui::EndTable();
    ImGui::PopTextWrapPos();
    return act;
}

float label_w(const char* s) { return ImGui::CalcTextSize(s).x + ImGui::GetStyle().ItemInnerSpacing.x; }

}  // namespace

bool show_job_progress(const JobProgressData& d) {
    if (!d.running) {
        if (d.bar_rect) *d.bar_rect = {};
        if (d.cancel_rect) *d.cancel_rect = {};
        return false;
    }
    const float fs = ImGui::GetFontSize();
    const float cancel_w = ImGui::CalcTextSize(tr("ui.common.cancel")).x + ImGui::GetStyle().FramePadding.x * 2.0f;
    char overlay[160];
    std::snprintf(overlay, sizeof overlay, "%s  %.0f%%", d.stage.c_str(), d.progress * 100.0f);
    ImGui::ProgressBar(std::clamp(d.progress, 0.0f, 1.0f),
                       ImVec2(std::max(fs * 6.0f, ImGui::GetContentRegionAvail().x - cancel_w - fs), 0.0f), overlay);
    if (d.bar_rect) *d.bar_rect = last_item_rect();
    widget_mark("job_progress");
    ImGui::SameLine();
    const bool cancel = ImGui::Button(tr_id("ui.common.cancel"));
    if (d.cancel_rect) *d.cancel_rect = last_item_rect();
    widget_mark("job_cancel");
    return cancel;
}

AttributionsActions show_attributions(Selection& sel, const AttributionsData& d) {
    AttributionsActions act;
    if (d.tokens_rect) *d.tokens_rect = {};
    if (!d.unavailable.empty()) {
        ImGui::TextUnformatted(d.unavailable.c_str());
        return act;
    }
    const int method = std::clamp(d.method, 0, kNumAttributionMethods - 1);
    const AttributionMethod& m = kAttributionMethods[method];
    const float fs = ImGui::GetFontSize();

    ImGui::SetNextItemWidth(std::max(fs * 4.0f, std::min(fs * 14.0f, ImGui::GetContentRegionAvail().x - label_w(tr("ui.attributions.method")))));
    if (ImGui::BeginCombo(tr_id("ui.attributions.method"), m.label)) {
        for (int i = 0; i < kNumAttributionMethods; ++i)
            if (ImGui::Selectable(kAttributionMethods[i].label, i == method)) act.method = i;
        ImGui::EndCombo();
    }
    if (d.method_rect) *d.method_rect = last_item_rect();
    widget_mark("attr_method");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", m.what);
    int steps = d.ig_steps;
    same_line_if_fits(fs * 8.0f + label_w(tr("ui.attributions.ig_steps")));
    ImGui::SetNextItemWidth(fs * 8.0f);
    if (ImGui::SliderInt(tr_id("ui.attributions.ig_steps"), &steps, 4, 512, "%d", ImGuiSliderFlags_Logarithmic) && steps != d.ig_steps)
        act.ig_steps = steps;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("ui.attributions.integrated_gradients_points_on"));
    const char* run_label = d.result ? tr("ui.patching.run_again") : tr("ui.common.run");
    same_line_if_fits(ImGui::CalcTextSize(run_label).x + ImGui::GetStyle().FramePadding.x * 2.0f);
    ImGui::BeginDisabled(d.job.running);
    if (ImGui::Button(run_label)) act.run = true;
    ImGui::EndDisabled();
    if (d.run_rect) *d.run_rect = last_item_rect();
    widget_mark("attr_run");

    AttributionsActions picked = target_picker(d);
    act.target = picked.target;
    act.foil = picked.foil;
    if (show_job_progress(d.job)) act.cancel = true;
    if (!d.error.empty()) ImGui::TextColored(theme_error(), "%s", d.error.c_str());
    if (!d.result || !d.tokens) {
        if (!d.job.running) ImGui::TextDisabled("%s", tr("ui.attributions.press_run_to_see"));
        return act;
    }
    const Attribution& a = *d.result;
    std::vector<std::string> labels = token_labels_for_font(*d.tokens, d.tokens->size(), d.piece_style, ImGui::GetFont());
    ImGui::Separator();
    const std::string target = piece_label(d, a.target);
    const std::string at = a.position >= 0 && a.position < static_cast<int>(labels.size())
                               ? labels[static_cast<size_t>(a.position)]
                               : "?";
    if (a.foil >= 0)
        ImGui::Text(tr("ui.attributions.why_and_not_after"), target.c_str(),
                    piece_label(d, a.foil).c_str(), at.c_str(), a.position, a.score);
    else
        ImGui::Text(tr("ui.attributions.why_after_position_score"), target.c_str(), at.c_str(),
                    a.position, a.score, format_probability(std::exp(a.target_logprob)).c_str());
    if (d.cancelled) ImGui::TextColored(theme_warning(), "%s", tr("ui.attributions.cancelled_methods_not_finished"));

    std::vector<float> s = m.scores(a);
    const bool is_signed = m.is_signed || (!s.empty() && *std::min_element(s.begin(), s.end()) < 0.0f);
    const float scale = max_abs(s);
    if (s.empty()) {
        ImGui::TextDisabled(tr("ui.attributions.was_not_computed_for"), m.label);
    } else {
        ImGui::TextDisabled(is_signed ? tr("ui.attributions.red_pushes_towards_the")
                                      : tr("ui.attributions.brighter_matters_more_scale"),
                            scale);
        colored_tokens(sel, d, labels, s, scale, is_signed);
        if (method == kMethodIntegratedGradients && !a.integrated_gradients.empty()) {
            const float diff = a.score - a.baseline_logprob;
            ImGui::Text(tr("ui.attributions.completeness_gap_sum_ig"),
                        a.ig_completeness_gap, diff != 0.0f ? 100.0f * std::fabs(a.ig_completeness_gap / diff) : 0.0f,
                        diff);
            widget_mark("attr_gap");
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("%s", tr("ui.attributions.integrated_gradients_should_add"));
        }
        token_bars(sel, d, labels, s, scale, is_signed);
    }
    ImGui::Spacing();
    agreement_table(d, labels);
    return act;
}

}  // namespace attn
