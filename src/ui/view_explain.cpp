// The explanation view: the sentences (wrapped, numbers highlighted), each with a link to the panel that
// shows its evidence, and the faithfulness table (method x k, the most faithful method marked). Draws
// app.explain; app_explain_frame keeps it current.
#include <algorithm>
#include <cstdio>

#include "analysis/attribution_methods.h"
#include "core/i18n.h"
#include "imgui.h"
#include "ui/analysis_views.h"
#include "ui/app.h"
#include "ui/app_analysis.h"
#include "ui/study_views.h"
#include "ui/theme.h"
#include "ui/views.h"

namespace attn {

namespace {

struct Run {
    std::string text;
    bool number = false;
};

// The sentence cut into words (a word keeps its trailing space) and numbers, in order.
std::vector<Run> sentence_runs(const Explanation& e, int sentence) {
    const std::string& s = e.sentences[static_cast<size_t>(sentence)];
    std::vector<std::pair<size_t, size_t>> spans;
    for (const ExplanationNumber& n : e.number_info)
        if (n.sentence == sentence) spans.push_back({n.begin, n.end});
    std::sort(spans.begin(), spans.end());
    std::vector<Run> runs;
    auto words = [&](size_t a, size_t b) {
        while (a < b) {
            size_t sp = s.find(' ', a);
            size_t end = sp == std::string::npos || sp >= b ? b : sp + 1;
            runs.push_back(Run{s.substr(a, end - a), false});
            a = end;
        }
    };
    size_t at = 0;
    for (const auto& [b, e2] : spans) {
        words(at, b);
        runs.push_back(Run{s.substr(b, e2 - b), true});
        at = e2;
    }
    words(at, s.size());
    return runs;
}

// One sentence wrapped at the region's width, numbers on an accent background. Returns the numbers drawn.
void rich_sentence(const Explanation& e, int sentence, std::vector<std::string>* shown) {
    const float fs = ImGui::GetFontSize(), line_h = fs * 1.45f, pad = fs * 0.15f;
    const float avail = std::max(fs * 8.0f, ImGui::GetContentRegionAvail().x);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const ImU32 bg = (theme_accent() & 0x00ffffff) | 0x50000000;
    float x = 0.0f, y = 0.0f;
    for (const Run& r : sentence_runs(e, sentence)) {
        const float w = ImGui::CalcTextSize(r.text.c_str()).x;
        if (x > 0.0f && x + w > avail) {
            x = 0.0f;
            y += line_h;
        }
        const ImVec2 a(origin.x + x, origin.y + y + (line_h - fs) * 0.5f);
        if (r.number) {
            dl->AddRectFilled(ImVec2(a.x - pad, a.y - pad), ImVec2(a.x + w + pad, a.y + fs + pad), bg, fs * 0.2f);
            if (shown) shown->push_back(r.text);
        }
        dl->AddText(a, text, r.text.c_str());
        x += w + (r.number ? pad : 0.0f);
    }
    ImGui::Dummy(ImVec2(avail, y + line_h));
}

std::string link_label(const App& app, const ExplanationClaim& c) {
    switch (c.panel) {
        case ExplanationPanel::predictions: return tr("ui.explain.see_the_prediction_attributions");
        case ExplanationPanel::attributions: {
            const int m = attribution_method_index(c.method.c_str());
            return m >= 0 ? std::string(tr("ui.explain.see_attributions")) + kAttributionMethods[m].label : tr("ui.explain.see_attributions_2");
        }
        case ExplanationPanel::heads: {
            const char* key = c.stack == "cross"     ? "pictures.explain.see_head_cross"
                              : c.stack == "decoder" ? "pictures.explain.see_head_decoder"
                                                     : "pictures.explain.see_head";
            return trf(key, {{"layer", std::to_string(c.layer)}, {"head", std::to_string(c.head)}});
        }
        case ExplanationPanel::logit_lens: return tr("ui.explain.see_logit_lens");
        case ExplanationPanel::faithfulness:
        case ExplanationPanel::none: break;
    }
    (void)app;
    return "";
}

// Where a claim's evidence is: switch the main view and select what the claim is about.
void follow(App& app, const ExplanationClaim& c) {
    switch (c.panel) {
        case ExplanationPanel::predictions: app.main_view = MainView::attributions; break;
        case ExplanationPanel::attributions: {
            const int m = attribution_method_index(c.method.c_str());
            if (m >= 0) app.analysis.method = m;
            if (c.position >= 0) app.selection.pinned_query = c.position;
            app.main_view = MainView::attributions;
            break;
        }
        case ExplanationPanel::heads:
            app.selection.kind = c.stack == "cross" ? AttentionKind::cross : c.stack == "decoder" ? AttentionKind::decoder
                                                                                                  : AttentionKind::self;
            app.selection.layer = c.layer;
            app.selection.head = c.head;
            app.main_view = MainView::heads;
            break;
        case ExplanationPanel::logit_lens: app.main_view = MainView::lens; break;
        case ExplanationPanel::faithfulness:
        case ExplanationPanel::none: break;
    }
}

void faithfulness_table(const Faithfulness& f) {
    std::vector<int> ks;
    for (const FaithfulnessRow& r : f.rows)
        if (std::find(ks.begin(), ks.end(), r.k) == ks.end()) ks.push_back(r.k);
    if (ks.empty()) return;
    ImGui::TextWrapped(tr("ui.explain.faithfulness_the_drop_of"),
                       format_probability(f.full_prob).c_str());
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg;
    const int cols = 2 + static_cast<int>(ks.size());
    ImGui::PushTextWrapPos(-1.0f);
    if (ImGui::BeginTable("faithfulness", cols, flags)) {
        ImGui::TableSetupColumn(tr("pictures.explain.method"));
        for (int k : ks) ImGui::TableSetupColumn(trf("pictures.explain.k_suff_comp", {{"k", std::to_string(k)}}).c_str());
        ImGui::TableSetupColumn(tr("ui.explain.mean_comp_suff"));
        ImGui::TableHeadersRow();
        for (int m = 0; m < kNumAttributionMethods; ++m) {
            const std::string name = kAttributionMethods[m].name;
            const bool any = std::any_of(f.rows.begin(), f.rows.end(), [&](const FaithfulnessRow& r) { return r.method == name; });
            if (!any) continue;
            const bool best = name == f.best_method;
            ImGui::TableNextRow();
            if (best) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, (theme_accent() & 0x00ffffff) | 0x60000000);
            ImGui::TableNextColumn();
            ImGui::Text(best ? tr("ui.explain.most_faithful") : "%s", kAttributionMethods[m].label);
            for (int k : ks) {
                ImGui::TableNextColumn();
                for (const FaithfulnessRow& r : f.rows)
                    if (r.method == name && r.k == k)
                        ImGui::Text("%s / %s", format_probability(r.sufficiency).c_str(),
                                    format_probability(r.comprehensiveness).c_str());
            }
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(format_probability(faithfulness_mean_gap(f, name)).c_str());
        }
        ImGui::EndTable();
    }
    ImGui::PopTextWrapPos();
}

}  // namespace

void show_explain_view(App& app, PieceStyle) {
    ExplainState& s = app.explain;
    s.shown_numbers.clear();
    s.link_rects.clear();
    const bool seq2seq = app.model && app.model->info().encoder_decoder;
    const bool controls = !app.picture_only;

    if (controls) {
        ImGui::BeginDisabled(!s.has_explanation);
        if (ImGui::Button(tr_id("ui.explain.copy_text"))) ImGui::SetClipboardText(s.explanation.text().c_str());
        ImGui::EndDisabled();
        ImGui::SameLine();
    }
    ImGui::TextDisabled("%s", tr("ui.explain.every_number_below_is"));

    if (!seq2seq) {
        const std::string why = app_analysis_unavailable(app);
        if (!why.empty()) {
            ImGui::TextWrapped("%s", why.c_str());
            return;
        }
        if (!app_analysis_current(app)) {
            if (app.analysis.job) {
                ImGui::TextWrapped("%s", tr("ui.explain.computing_the_attributions_the"));
                if (controls && show_job_progress({true, app.analysis.progress, app.analysis.stage, nullptr, nullptr}))
                    app.analysis.cancel_requested = true;
            } else {
                ImGui::TextWrapped("%s", tr("ui.explain.the_attributions_for_this"));
                if (controls && ImGui::Button(tr_id("ui.common.run"))) app.analysis.run_requested = true;
            }
            return;
        }
    }
    if (!s.error.empty()) ImGui::TextColored(theme_error(), "%s", s.error.c_str());
    if (!s.has_explanation) return;

    const Explanation& e = s.explanation;
    ImGui::Spacing();
    for (int i = 0; i < static_cast<int>(e.sentences.size()); ++i) {
        ImGui::PushID(i);
        rich_sentence(e, i, &s.shown_numbers);
        const ExplanationClaim& c = e.claims[static_cast<size_t>(i)];
        const std::string label = link_label(app, c);
        std::array<float, 4> rect{};
        if (controls && !label.empty()) {
            ImGui::Indent(ImGui::GetFontSize());
            if (ImGui::SmallButton(label.c_str())) follow(app, c);
            rect = last_item_rect();
            ImGui::Unindent(ImGui::GetFontSize());
        }
        s.link_rects.push_back(rect);
        ImGui::Spacing();
        ImGui::PopID();
    }

    if (s.job && controls) {
        ImGui::Separator();
        ImGui::TextUnformatted(tr("ui.explain.measuring_faithfulness_one_forward"));
        if (show_job_progress({true, s.progress, s.stage, nullptr, nullptr})) s.job->cancel();
    }
    if (s.has_faithfulness && s.faithfulness_key == app.analysis.key && !seq2seq) {
        ImGui::Separator();
        faithfulness_table(s.faithfulness);
    }
}

}  // namespace attn
