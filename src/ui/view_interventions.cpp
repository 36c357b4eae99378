// The interventions panel (right side, under the head statistics): ablate the selected head, knock out
// the pinned token's attention to one key, mask a token; the active list with a remove button each;
// and what changed: the top tokens' probabilities before -> after and the heads whose attention moved
// most. Requests go through app_intervene, which re-traces.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/app_interventions.h"
#include "ui/study_views.h"
#include "ui/theme.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

std::string label_at(const TokenSeq& seq, int t, PieceStyle style) {
    return t >= 0 && t < seq.size() ? std::to_string(t) + " " + token_label(seq.pieces[t], style) : std::to_string(t);
}

// A combo over the positions [0, n) of `seq`; true when the pick changed.
bool token_combo(const char* id, const TokenSeq& seq, int n, int* pick, PieceStyle style) {
    *pick = std::clamp(*pick, 0, std::max(0, n - 1));
    bool changed = false;
    if (ImGui::BeginCombo(id, label_at(seq, *pick, style).c_str())) {
        for (int t = 0; t < n; ++t)
            if (ImGui::Selectable(label_at(seq, t, style).c_str(), t == *pick)) {
                *pick = t;
                changed = true;
            }
        ImGui::EndCombo();
    }
    return changed;
}

std::string percent_two_digits(float p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2g%%", 100.0f * p);
    return buf;
}

// A table cell's probability as text over a bar (relative to the largest probability in the table).
void prob_cell(float p, float scale, ImU32 colour) {
    const ImVec2 a = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(a, ImVec2(a.x + w * std::min(1.0f, p / scale), a.y + h), colour);
    ImGui::TextUnformatted(percent_two_digits(p).c_str());
}

}  // namespace

void show_interventions_panel(App& app, PieceStyle style) {
    if (!app.model || !app.has_trace || app.picture_only) return;
    ImGui::PushTextWrapPos(0.0f);   // every line wraps at the panel's edge
    InterventionState& s = app.interventions;
    const ModelInfo& info = app.model->info();
    Selection& sel = app.selection;
    const TokenSeq& tokens = app.trace.tokens;
    const int T = tokens.size();
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::TextDisabled("%s", tr("ui.interventions.interventions"));
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", tr("ui.interventions.change_the_forward_pass"));
    Interventions iv = s.current;
    bool changed = false;
    if (info.encoder_decoder && sel.kind != AttentionKind::self) {
        ImGui::TextWrapped("%s", tr("ui.interventions.interventions_act_on_the"));
    } else {
        int mode = static_cast<int>(s.mode);
        ImGui::RadioButton(tr_id("ui.interventions.zero"), &mode, 0);
        ImGui::SameLine();
        ImGui::RadioButton(tr_id("ui.interventions.mean"), &mode, 1);
        s.mode = static_cast<AblationMode>(mode);
        char ablate[48];
        std::snprintf(ablate, sizeof ablate, tr("ui.interventions.ablate_l_h"), sel.layer, sel.head);
        if (ImGui::Button(ablate)) {
            iv.heads.erase(std::remove_if(iv.heads.begin(), iv.heads.end(),
                                          [&](const HeadAblation& a) { return a.layer == sel.layer && a.head == sel.head; }),
                           iv.heads.end());
            iv.heads.push_back({sel.layer, sel.head, s.mode});
            changed = true;
        }
        widget_mark("iv_ablate");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("ui.interventions.ablate_this_head_the"));

        const int q = sel.pinned_query;
        if (q >= 0 && q < T) {
            ImGui::Text(tr("ui.interventions.no_longer_looks_at"), token_label(tokens.pieces[q], style).c_str());
            ImGui::SetNextItemWidth(-1.0f);
            token_combo("##iv_key", tokens, info.causal ? q + 1 : T, &s.knockout_key, style);
            if (ImGui::Button(tr_id("ui.interventions.knock_out"))) {
                iv.knockouts.push_back({-1, q, s.knockout_key});
                changed = true;
            }
            widget_mark("iv_knockout");
        } else {
            ImGui::TextDisabled("%s", tr("ui.interventions.pin_a_row_click"));
        }
        ImGui::SetNextItemWidth(-1.0f);
        token_combo("##iv_mask", tokens, T, &s.mask_pick, style);
        if (ImGui::Button(tr_id("ui.interventions.mask_token"))) {
            if (std::find(iv.masked_tokens.begin(), iv.masked_tokens.end(), s.mask_pick) == iv.masked_tokens.end())
                iv.masked_tokens.push_back(s.mask_pick);
            changed = true;
        }
        widget_mark("iv_mask");
    }

    // The active list: one line each with a remove button.
    int remove_head = -1, remove_knockout = -1, remove_mask = -1;
    for (size_t i = 0; i < s.current.heads.size(); ++i) {
        ImGui::PushID(static_cast<int>(i));
        if (ImGui::SmallButton(tr_id("ui.interventions.x"))) remove_head = static_cast<int>(i);
        ImGui::SameLine();
        Interventions one;
        one.heads.push_back(s.current.heads[i]);
        ImGui::TextUnformatted(one.describe().c_str());
        ImGui::PopID();
    }
    for (size_t i = 0; i < s.current.knockouts.size(); ++i) {
        ImGui::PushID(1000 + static_cast<int>(i));
        if (ImGui::SmallButton(tr_id("ui.interventions.x_2"))) remove_knockout = static_cast<int>(i);
        ImGui::SameLine();
        const EdgeKnockout& k = s.current.knockouts[i];
        ImGui::Text("'%s' -/-> '%s'", label_at(tokens, k.query, style).c_str(), label_at(tokens, k.key, style).c_str());
        ImGui::PopID();
    }
    for (size_t i = 0; i < s.current.masked_tokens.size(); ++i) {
        ImGui::PushID(2000 + static_cast<int>(i));
        if (ImGui::SmallButton(tr_id("ui.interventions.x_3"))) remove_mask = static_cast<int>(i);
        ImGui::SameLine();
        ImGui::Text(tr("ui.interventions.mask"), label_at(tokens, s.current.masked_tokens[i], style).c_str());
        ImGui::PopID();
    }
    if (remove_head >= 0) iv.heads.erase(iv.heads.begin() + remove_head), changed = true;
    if (remove_knockout >= 0) iv.knockouts.erase(iv.knockouts.begin() + remove_knockout), changed = true;
    if (remove_mask >= 0) iv.masked_tokens.erase(iv.masked_tokens.begin() + remove_mask), changed = true;
    if (!s.current.empty()) {
        if (ImGui::Button(tr_id("ui.interventions.clear_all"))) {
            iv = Interventions{};
            changed = true;
        }
        widget_mark("iv_clear");
    }

    // What changed.
    s.effect_rows.clear();
    const InterventionEffect& fx = s.effect;
    if (!s.current.empty() && s.before_trace == app.trace_version && !fx.tokens.empty()) {
        const std::string at = label_at(app.trace.is_encoder_decoder() ? app.trace.decoder_tokens : tokens, fx.position, style);
        ImGui::TextDisabled(tr("ui.interventions.before_after_the_prediction"), at.c_str());
        float scale = 1e-12f;
        for (const TokenChange& c : fx.tokens) scale = std::max({scale, c.before, c.after});
        const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
        ImGui::PushTextWrapPos(-1.0f);   // numbers stay on one line
        if (ImGui::BeginTable("iv_effect", 4, flags)) {
            ImGui::TableSetupColumn(tr("ui.columns.token"));
            ImGui::TableSetupColumn(tr("ui.interventions.before"));
            ImGui::TableSetupColumn(tr("ui.interventions.after"));
            ImGui::TableSetupColumn(tr("ui.interventions.change"));
            ImGui::TableHeadersRow();
            for (const TokenChange& c : fx.tokens) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(token_label(c.piece, style).c_str());
                s.effect_rows.push_back(last_item_rect());
                ImGui::TableNextColumn();
                prob_cell(c.before, scale, ImGui::GetColorU32(ImGuiCol_FrameBgHovered));
                ImGui::TableNextColumn();
                prob_cell(c.after, scale, ImGui::GetColorU32(ImGuiCol_PlotHistogram, 0.6f));
                ImGui::TableNextColumn();
                ImGui::Text("%+.2g", 100.0f * (c.after - c.before));
            }
            ImGui::EndTable();
        }
        ImGui::PopTextWrapPos();
        ImGui::TextDisabled("%s", tr("ui.interventions.bars_relative_to_the"));
        if (fx.argmax_before != fx.argmax_after)
            ImGui::TextWrapped(tr("ui.interventions.the_top_prediction_changed"),
                               token_label(app.model->tokenizer.id_to_token(fx.argmax_before), style).c_str(),
                               token_label(app.model->tokenizer.id_to_token(fx.argmax_after), style).c_str());
        // The heads whose attention moved most (max |after - before| over their cells).
        std::vector<int> order(fx.attention_change.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return fx.attention_change[a] > fx.attention_change[b]; });
        if (!order.empty() && fx.attention_change[order[0]] > 0.0f) {
            ImGui::TextDisabled("%s", tr("ui.interventions.attention_moved_most_max"));
            const int H = app.trace.attentions.n_head;
            for (size_t i = 0; i < order.size() && i < 3 && fx.attention_change[order[i]] > 0.0f; ++i) {
                char label[64];
                std::snprintf(label, sizeof label, "L%d H%d: %.3f##moved", order[i] / H, order[i] % H, fx.attention_change[order[i]]);
                if (ImGui::Selectable(label)) {
                    sel.layer = order[i] / H;
                    sel.head = order[i] % H;
                    sel.head_mode = HeadMode::one;
                }
            }
        } else {
            ImGui::TextDisabled("%s", tr("ui.interventions.no_attention_weight_moved"));
        }
        ImGui::TextDisabled("%s", tr("ui.interventions.the_heatmap_can_show"));
    }
    ImGui::PopTextWrapPos();
    if (changed) app_intervene(app, iv);
}

}  // namespace attn
