// The predictions panel: "Prediction for [MASK]" (encoders) and "Next token" (decoders, BART) as
// labelled horizontal probability bars, plus the Next token button. Draws only: the probabilities
// come from the app, and stepping is the app's job when the button reports a press.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analysis/explanation.h"
#include "core/i18n.h"
#include "imgui.h"
#include "ui/colormap.h"
#include "ui/draw_text.h"
#include "ui/theme.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {


// One row per token: label, a bar, and the percentage. Bars are scaled to the top pick, not to 1: an
// untrained or tiny model spreads its probability thinly (0.3% each), and bars on a [0, 1] scale would
// all be invisible; the printed percentages keep the absolute numbers. `highlight` marks one row.
void token_bars(const char* id, const std::vector<TokenProb>& top, PieceStyle style, int highlight) {
    const float fs = ImGui::GetFontSize();
    const float label_w = fs * 6.0f, pct_w = fs * 4.4f;   // room for "0.0033%"
    const float bar_w = std::max(fs * 2.0f, ImGui::GetContentRegionAvail().x - label_w - pct_w);
    const float row_h = fs * 1.35f;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 origin = ImGui::GetCursorScreenPos();
    ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const float scale = top.empty() || !(top[0].prob > 0.0f) || !std::isfinite(top[0].prob) ? 1.0f : 1.0f / top[0].prob;
    for (size_t i = 0; i < top.size(); ++i) {
        const bool hot = static_cast<int>(i) == highlight;
        float y = origin.y + row_h * i;
        std::string label = label_elide(label_for_font(token_label(top[i].piece, style), ImGui::GetFont()), 9);
        ImVec2 ls = ImGui::CalcTextSize(label.c_str());
        dl->AddText(ImVec2(origin.x + label_w - fs * 0.4f - ls.x, y + (row_h - ls.y) * 0.5f), hot ? theme_accent() : text,
                    label.c_str());
        ImVec2 b0(origin.x + label_w, y + row_h * 0.15f);
        dl->AddRectFilled(b0, ImVec2(b0.x + bar_w, y + row_h * 0.85f), theme_outline(0.08f));
        // Logits gone bad (NaN weights, an overflow): the whole bar in the bad colour, never a length.
        const bool bad = !std::isfinite(top[i].prob);
        dl->AddRectFilled(b0, ImVec2(b0.x + (bad ? bar_w : std::max(1.0f, bar_w * std::min(1.0f, top[i].prob * scale))), y + row_h * 0.85f),
                          bad ? colormap_bad_color() : hot ? theme_accent() : IM_COL32(70, 140, 200, 255));
        // Two significant digits below 1% (format_probability, shared with the explanation): a 50k-token
        // vocabulary spreads an untrained model thinly, and "<0.1%" on every row would hide which guess leads.
        const std::string pct = bad ? std::string("NaN") : format_probability(top[i].prob);
        dl->AddText(ImVec2(b0.x + bar_w + fs * 0.3f, y + (row_h - fs) * 0.5f), hot ? theme_accent() : text, pct.c_str());
    }
    ImGui::PushID(id);
    ImGui::Dummy(ImVec2(label_w + bar_w + pct_w, row_h * top.size()));
    if (ImGui::IsItemHovered()) {
        int row = static_cast<int>((ImGui::GetIO().MousePos.y - origin.y) / row_h);
        if (row >= 0 && row < static_cast<int>(top.size()))
            ImGui::SetTooltip(tr("ui.predictions.id_probability"), token_label(top[row].piece, style).c_str(),
                              top[row].id, top[row].prob);
    }
    ImGui::PopID();
}

}  // namespace

bool show_predictions(const PredictionsData& d) {
    bool step = false;
    if (d.masks && !d.masks->empty()) {
        for (size_t m = 0; m < d.masks->size(); ++m) {
            const MaskPrediction& mp = (*d.masks)[m];
            ImGui::TextDisabled(tr("ui.predictions.prediction_for"), d.tokens && mp.position < d.tokens->size()
                                                         ? d.tokens->pieces[mp.position].c_str()
                                                         : tr("ui.predictions.mask"));
            ImGui::TextWrapped(tr("ui.predictions.what_the_model_would"), mp.position);
            ImGui::PushID(static_cast<int>(m));
            token_bars("mask", mp.top, d.piece_style, 0);
            ImGui::TextDisabled("%s", tr("ui.predictions.bars_relative_to_the"));
            ImGui::PopID();
            ImGui::Spacing();
        }
    }
    if (d.next && !d.next->empty()) {
        ImGui::TextDisabled("%s", tr("ui.predictions.next_token"));
        ImGui::TextWrapped("%s", tr("ui.predictions.most_likely_next_tokens"));
        token_bars("next", *d.next, d.piece_style, 0);
        ImGui::TextDisabled("%s", tr("ui.predictions.bars_relative_to_the"));
        ImGui::Spacing();
    }
    if (d.can_step) {
        ImGui::PushStyleColor(ImGuiCol_Button, theme_is_light() ? ImVec4(0.98f, 0.75f, 0.3f, 1.0f) : ImVec4(0.55f, 0.42f, 0.08f, 1.0f));
        step = ImGui::Button(tr_id("ui.predictions.next_token_2"), ImVec2(-FLT_MIN, ImGui::GetFrameHeight() * 1.4f));
        ImGui::PopStyleColor();
        if (d.next_rect) *d.next_rect = last_item_rect();
        widget_mark("next_token");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("ui.predictions.append_the_greedy_pick"));
        if (!d.stepped_label.empty()) {
            ImGui::TextUnformatted(tr("ui.predictions.added"));
            ImGui::SameLine();
            ImGui::TextColored(theme_accent_vec(), "%s",
                               label_for_font(d.stepped_label, ImGui::GetFont()).c_str());
        }
        if (!d.step_error.empty())
            ImGui::TextColored(theme_error(), "%s", d.step_error.c_str());
    }
    if ((!d.masks || d.masks->empty()) && (!d.next || d.next->empty()) && !d.hint.empty())
        ImGui::TextWrapped("%s", d.hint.c_str());
    return step;
}

}  // namespace attn
