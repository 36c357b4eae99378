// Draws one step of the lesson: its title and sentence, the matrix it is about as a small grid (values on
// hover; the query's row outlined) and that row's numbers printed; the softmax step adds the row sum, the
// last one every row's entropy. Draw only: the numbers are the analysis's (analysis/head_computation.h).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "imgui.h"
#include "ui/lesson_view.h"
#include "ui/signed_grid.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

constexpr int kRowNumbers = 10;   // printed of a row; the rest on hover

std::string number(float v, int digits = 2) {
    if (std::isinf(v)) return v < 0 ? "−∞" : "∞";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, static_cast<double>(v));
    std::string s = buf;
    if (s[0] == '-') s = "−" + s.substr(1);   // a real minus sign reads better than a hyphen
    return s == "−0.00" ? "0.00" : s;
}

std::vector<std::string> labels(const TokenSeq* seq, PieceStyle style, int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
        out.push_back(seq && i < seq->size() ? token_label(seq->pieces[i], style) : std::to_string(i));
    return out;
}

std::vector<std::string> dims(int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(std::to_string(i));
    return out;
}

float max_abs(const StepMatrix& m) {
    float v = 0.0f;
    for (float x : m.data)
        if (std::isfinite(x)) v = std::max(v, std::abs(x));
    return v > 0.0f ? v : 1.0f;
}

struct GridSpec {
    const StepMatrix* m = nullptr;
    const char* title = "";
    bool tokens_across = false;   // columns are key tokens (else vector dimensions)
    bool weights = false;         // [0, 1] weights on the attention's colormap
};

// One matrix as a grid; returns the clicked row or -1.
int draw_matrix(const LessonData& d, const GridSpec& g, int id, float height) {
    const HeadComputation& c = *d.computation;
    const LessonStrings& s = *d.strings;
    SignedGridData gd;
    gd.rows = g.m->rows;
    gd.cols = g.m->cols;
    gd.values = g.m->data.data();
    gd.vmax = g.weights ? 1.0f : max_abs(*g.m);
    gd.row_labels = labels(d.queries, d.piece_style, c.n_query);
    if (g.m == &c.k || g.m == &c.v) gd.row_labels = labels(d.keys, d.piece_style, c.n_key);
    gd.col_labels = g.tokens_across ? labels(d.keys, d.piece_style, c.n_key) : dims(g.m->cols);
    gd.height = height;
    gd.highlight_row = g.m == &c.k || g.m == &c.v ? -1 : d.query;
    gd.weights_map = g.weights ? &colormap_table(d.colormap) : nullptr;
    gd.masked_color = colormap_masked_color(d.colormap);
    const std::vector<std::string> row_labels = gd.row_labels, col_labels = gd.col_labels;
    const StepMatrix* m = g.m;
    gd.tooltip = [&, m](int r, int col) {
        const float v = m->at(r, col);
        std::string where = row_labels[r] + " → " + col_labels[col];
        if (std::isinf(v)) return where + ": " + s.hidden_cell;
        return where + ": " + number(v, 4);
    };
    ImGui::TextUnformatted(g.title);
    ImGui::PushID(id);
    const int clicked = show_signed_grid(gd);
    ImGui::PopID();
    const bool key_rows = g.m == &c.k || g.m == &c.v;   // rows are keys: nothing to pin
    return clicked >= 0 && !key_rows ? clicked / std::max(1, gd.cols) : -1;
}

// The query row of m printed: "token: value" across tokens, or the first values of a vector. One item
// per number, wrapped between items (ImGui's wrapping would break "0.08" after its point).
void print_row(const LessonData& d, const StepMatrix& m, bool tokens_across) {
    if (d.query < 0 || d.query >= m.rows) return;
    const std::vector<std::string> keys = labels(d.keys, d.piece_style, m.cols);
    std::vector<std::string> items, shown;
    for (int j = 0; j < m.cols && j < kRowNumbers; ++j) {
        const std::string v = number(m.at(d.query, j));
        shown.push_back(v);
        items.push_back((tokens_across ? keys[j] + ": " : std::string()) + v);
    }
    if (m.cols > kRowNumbers)
        items.push_back(lesson_fill(d.strings->more_values, {{"count", std::to_string(m.cols - kRowNumbers)}}));
    const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    const float gap = ImGui::CalcTextSize("   ").x;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            ImGui::SameLine(0.0f, gap);
            if (ImGui::GetCursorScreenPos().x + ImGui::CalcTextSize(items[i].c_str()).x > right) ImGui::NewLine();
        }
        ImGui::TextUnformatted(items[i].c_str());
    }
    if (d.shown_numbers) *d.shown_numbers = shown;
}

void draw_entropy(const LessonData& d) {
    const HeadComputation& c = *d.computation;
    const std::vector<std::string> rows = labels(d.queries, d.piece_style, c.n_query);
    if (!ImGui::BeginTable("##lesson_entropy", 3, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) return;
    std::string header = d.strings->entropy_columns;   // "a|b|c"
    for (int i = 0; i < 3; ++i) {
        const size_t bar = header.find('|');
        ImGui::TableSetupColumn(header.substr(0, bar).c_str());
        header = bar == std::string::npos ? "" : header.substr(bar + 1);
    }
    ImGui::TableHeadersRow();
    std::vector<std::string> shown;
    const float most = *std::max_element(c.max_bits.begin(), c.max_bits.end());
    for (int t = 0; t < c.n_query; ++t) {
        ImGui::TableNextRow();
        if (t == d.query) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(255, 200, 0, 70));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(rows[t].c_str());
        ImGui::TableNextColumn();
        const std::string text = lesson_fill(d.strings->entropy_row, {{"bits", number(c.entropy_bits[t])}, {"max", number(c.max_bits[t])}});
        ImGui::ProgressBar(most > 0.0f ? c.entropy_bits[t] / most : 0.0f, ImVec2(-1.0f, 0.0f), text.c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%s", number(c.max_bits[t]).c_str());
        if (t == d.query) shown = {number(c.entropy_bits[t]), number(c.max_bits[t])};
    }
    ImGui::EndTable();
    if (d.shown_numbers) *d.shown_numbers = shown;
}

std::string kind_label(const LessonStrings& s, const HeadComputation& c, bool encoder_only_stack) {
    switch (c.stack) {
    case HeadStack::decoder: return s.kind_decoder;
    case HeadStack::cross: return s.kind_cross;
    case HeadStack::self: break;
    }
    return encoder_only_stack ? s.kind_encoder : s.kind_self;
}

}  // namespace

LessonActions show_lesson(const LessonData& d) {
    LessonActions act;
    const LessonStrings& s = *d.strings;
    const int count = static_cast<int>(d.steps.size());
    const HeadStep step = count > 0 ? d.steps[std::clamp(d.index, 0, count - 1)] : HeadStep::input;
    if (d.shown_numbers) d.shown_numbers->clear();
    if (d.shown_row_sum) d.shown_row_sum->clear();
    // The buttons first and always (also without a model), so they never move between steps.
    if (!d.picture) {
        ImGui::BeginDisabled(d.index <= 0);
        if (ImGui::Button(s.previous)) act.step_delta = -1;
        ImGui::EndDisabled();
        widget_mark("lesson_prev");
        if (d.prev_rect) *d.prev_rect = last_item_rect();
        ImGui::SameLine();
        ImGui::BeginDisabled(d.index >= count - 1);
        if (ImGui::Button(s.next)) act.step_delta = +1;
        ImGui::EndDisabled();
        widget_mark("lesson_next");
        if (d.next_rect) *d.next_rect = last_item_rect();
        ImGui::SameLine();
    }
    ImGui::TextUnformatted(lesson_fill(s.step_counter, {{"index", std::to_string(d.index + 1)}, {"count", std::to_string(count)}}).c_str());
    if (!d.computation) {
        ImGui::TextWrapped("%s", d.error.empty() ? s.no_model : d.error.c_str());
        return act;
    }
    const HeadComputation& c = *d.computation;
    const LessonStepText& text = lesson_step_text(s, step);
    ImGui::SameLine();
    ImGui::TextDisabled("%s", lesson_fill(s.heading, {{"layer", std::to_string(c.layer)}, {"head", std::to_string(c.head)},
                                                      {"kind", kind_label(s, c, c.mask == ScoreMask::none)}}).c_str());
    ImGui::Separator();
    ImGui::TextUnformatted(text.title);
    const std::string d_head = std::to_string(c.d_head);
    std::string sentence = text.text;
    switch (step) {
    case HeadStep::input: {
        const char* t = c.stack == HeadStack::cross ? s.input_cross : c.pre_norm ? s.input_pre_norm : s.input_post_norm;
        sentence = lesson_fill(t, {{"T", std::to_string(c.n_query)}, {"D", std::to_string(c.d_model)}, {"layer", std::to_string(c.layer)}});
        break;
    }
    case HeadStep::gqa:
        sentence = lesson_fill(s.gqa_shared, {{"n_head", std::to_string(c.n_head)}, {"n_kv", std::to_string(c.n_kv_head)},
                                              {"kv", std::to_string(c.kv_head)}, {"first", std::to_string(c.shared_heads.front())},
                                              {"last", std::to_string(c.shared_heads.back())}});
        break;
    case HeadStep::scale:
        sentence = lesson_fill(c.scale_is_inverse_sqrt ? s.scale_inverse_sqrt : s.scale_other,
                               {{"d", d_head}, {"scale", number(c.scale, 3)}});
        break;
    case HeadStep::mask:
        sentence = c.stack == HeadStack::cross ? s.mask_cross : c.mask == ScoreMask::causal ? s.mask_causal : s.mask_none;
        break;
    default: sentence = lesson_fill(sentence.c_str(), {{"d", d_head}});
    }
    ImGui::TextWrapped("%s", sentence.c_str());
    ImGui::Spacing();

    const float line = ImGui::GetTextLineHeightWithSpacing();
    const float tall = std::min(ImGui::GetContentRegionAvail().y * 0.5f, std::max(8.0f * line, c.n_query * 1.2f * line));
    int clicked = -1;
    auto row_of = [&](int r) {
        if (r >= 0) clicked = r;
    };
    switch (step) {
    case HeadStep::input:
        row_of(draw_matrix(d, {&c.input, "", false, false}, 1, tall));
        ImGui::TextUnformatted(lesson_fill(s.query_row, {{"row", text.row}, {"token", labels(d.queries, d.piece_style, c.n_query)[d.query]},
                                                         {"position", std::to_string(d.query)}}).c_str());
        print_row(d, c.input, false);
        break;
    case HeadStep::qkv:
    case HeadStep::rope:
    case HeadStep::gqa: {
        const bool three = step == HeadStep::qkv;
        const GridSpec specs[3] = {{&c.q, "Q", false, false}, {&c.k, "K", false, false}, {&c.v, "V", false, false}};
        const int n = three ? 3 : step == HeadStep::rope ? 2 : 1;
        const int first = step == HeadStep::gqa ? 1 : 0;
        if (ImGui::BeginTable("##lesson_qkv", n)) {
            for (int i = 0; i < n; ++i) {
                ImGui::TableNextColumn();
                row_of(draw_matrix(d, specs[first + i], 10 + i, tall));
            }
            ImGui::EndTable();
        }
        ImGui::TextUnformatted(lesson_fill(s.query_row, {{"row", text.row}, {"token", labels(d.queries, d.piece_style, c.n_query)[d.query]},
                                                         {"position", std::to_string(d.query)}}).c_str());
        print_row(d, step == HeadStep::gqa ? c.k : c.q, false);
        break;
    }
    case HeadStep::scores:
    case HeadStep::scale:
    case HeadStep::mask:
    case HeadStep::softmax: {
        const StepMatrix& m = step == HeadStep::scores ? c.scores : step == HeadStep::scale ? c.scaled
                              : step == HeadStep::mask ? c.masked : c.probs;
        StepMatrix shown = m;
        if (step == HeadStep::softmax)   // the future cells grey, as in the heatmap (their weight is 0)
            for (size_t i = 0; i < shown.data.size(); ++i)
                if (std::isinf(c.masked.data[i])) shown.data[i] = c.masked.data[i];
        row_of(draw_matrix(d, {&shown, "", true, step == HeadStep::softmax}, 2, tall));
        ImGui::TextUnformatted(lesson_fill(s.query_row, {{"row", text.row}, {"token", labels(d.queries, d.piece_style, c.n_query)[d.query]},
                                                         {"position", std::to_string(d.query)}}).c_str());
        print_row(d, m, true);
        if (step == HeadStep::softmax) {
            double sum = 0.0;
            for (int j = 0; j < m.cols; ++j) sum += m.at(d.query, j);
            const std::string sum_text = number(static_cast<float>(sum));
            ImGui::TextUnformatted(lesson_fill(s.row_sum, {{"sum", sum_text}}).c_str());
            if (d.shown_row_sum) *d.shown_row_sum = sum_text;
        }
        break;
    }
    case HeadStep::context:
        row_of(draw_matrix(d, {&c.context, "", false, false}, 3, tall));
        ImGui::TextUnformatted(lesson_fill(s.query_row, {{"row", text.row}, {"token", labels(d.queries, d.piece_style, c.n_query)[d.query]},
                                                         {"position", std::to_string(d.query)}}).c_str());
        print_row(d, c.context, false);
        break;
    case HeadStep::entropy: draw_entropy(d); break;
    }
    if (!d.picture && step != HeadStep::entropy) ImGui::TextDisabled("%s", s.pick_row);
    act.clicked_row = clicked;
    return act;
}

}  // namespace attn
