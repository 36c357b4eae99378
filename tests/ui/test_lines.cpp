// The lines (head) view: the pure line selection (isolation, threshold, cap), then frames on synthetic
// traces up to T=256 and on real gpt2-tiny and bart-tiny traces, with one head and all heads on and a
// token hovered. The harness turns IM_ASSERTs into exceptions; every frame's largest draw list must
// stay under 16-bit indices (WebGL).
#include <doctest/doctest.h>

#include <string>

#include "platform/file_io.h"
#include "tests/fixture_path.h"
#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "ui/views.h"

using namespace attn;

namespace {

ImVec2 center_of_row(const std::array<float, 4>& r, int row, int n_rows) {
    return ImVec2(r[0] + r[2] * 0.5f, r[1] + r[3] * (row + 0.5f) / n_rows);
}

// Frames of the lines view: a mouse sweep, then a hover on each column's middle token. Checks the
// vertex limit on every frame and that hovering sets the shared selection: the left column is always
// the looking tokens (queries), the right one the tokens looked at (keys), in self and cross attention.
void exercise(UiHarness& ui, ImVec2 display, int n_left, int n_right) {
    for (int iy = 0; iy < 5; ++iy)
        for (int ix = 0; ix < 5; ++ix) CHECK(ui.frame(ImVec2(display.x * (ix + 0.5f) / 5, display.y * (iy + 0.5f) / 5)) < 65536);
    CHECK(ui.frame() < 65536);   // lays out the columns for the hovers below
    const auto left = ui.app.widgets.lines_left, right = ui.app.widgets.lines_right;
    if (display.x < 1024 || left[3] < 1.0f) return;   // tiny windows: the columns may be off screen
    CHECK(ui.frame(center_of_row(left, n_left / 2, n_left)) < 65536);
    CHECK(ui.app.selection.hover_query == n_left / 2);
    CHECK(ui.frame(center_of_row(right, n_right / 2, n_right)) < 65536);
    CHECK(ui.app.selection.hover_key == n_right / 2);
}

void all_heads(UiHarness& ui, bool on) {
    ui.frame();   // sizes the toggles to the shown attention
    std::fill(ui.app.line_heads.on.begin(), ui.app.line_heads.on.end(), on ? 1 : 0);
}

}  // namespace

TEST_CASE("attention_lines: heads, isolation, threshold and cap") {
    Trace t = make_synthetic_trace(2, 4, 16, true);
    const AttentionTensor& a = t.attentions;
    std::vector<char> one = {0, 1, 0, 0}, all = {1, 1, 1, 1};
    std::vector<AttentionLine> lines = attention_lines(a, 1, one, -1, -1, 0.01f, 100000);
    REQUIRE(!lines.empty());
    for (size_t i = 0; i < lines.size(); ++i) {
        CHECK(lines[i].head == 1);
        CHECK(lines[i].key <= lines[i].query);   // causal: nothing to the future
        CHECK(lines[i].weight >= 0.01f);
        CHECK(lines[i].weight == a.at(1, 1, lines[i].query, lines[i].key));
        if (i > 0) CHECK(lines[i - 1].weight <= lines[i].weight);   // strongest drawn last
    }
    for (const AttentionLine& l : attention_lines(a, 0, all, 5, -1, 0.0f, 100000)) CHECK(l.query == 5);
    for (const AttentionLine& l : attention_lines(a, 0, all, -1, 3, 0.0f, 100000)) CHECK(l.key == 3);
    CHECK(attention_lines(a, 0, all, 5, -1, 1e-12f, 100000).size() == 4 * 6);   // 4 heads x keys 0..5 (masked: 0)

    size_t dropped = 0;
    std::vector<AttentionLine> full = attention_lines(a, 0, all, -1, -1, 0.0f, 100000);
    std::vector<AttentionLine> capped = attention_lines(a, 0, all, -1, -1, 0.0f, 10, &dropped);
    REQUIRE(capped.size() == 10);
    CHECK(dropped == full.size() - 10);
    CHECK(capped.front().weight >= full[full.size() - 10].weight);   // the strongest ten survive
    CHECK(attention_lines(a, 7, all, -1, -1, 0.0f, 100).empty());      // bad layer: nothing, no crash
    CHECK(attention_lines(a, 0, {}, -1, -1, 0.0f, 100).empty());
}

TEST_CASE("head_color: 12 distinct colours, cycling") {
    for (int i = 0; i < 12; ++i)
        for (int j = i + 1; j < 12; ++j) CHECK(head_color(i) != head_color(j));
    CHECK(head_color(12) == head_color(0));
    CHECK(((head_color(3, 0.0f) >> IM_COL32_A_SHIFT) & 0xff) == 0);
}

TEST_CASE("ui smoke: lines view on synthetic traces up to T=256") {
    const ImVec2 displays[] = {ImVec2(1280, 800), ImVec2(320, 240)};
    for (ImVec2 display : displays)
        for (int T : {1, 7, 64, 256})
            for (bool causal : {true, false})
                for (bool every_head : {false, true}) {
                    CAPTURE(display.x);
                    CAPTURE(T);
                    CAPTURE(causal);
                    CAPTURE(every_head);
                    UiHarness ui(display);
                    ui.app.main_view = MainView::lines;
                    app_show_trace(ui.app, make_synthetic_trace(2, 12, T, causal), 0.5);
                    if (every_head) all_heads(ui, true);
                    CHECK_NOTHROW(exercise(ui, display, T, T));
                    CHECK(ui.textures.uploads == 0);   // the lines view never asks for GL
                }
}

TEST_CASE("ui smoke: lines view head toggles follow the selected head") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.main_view = MainView::lines;
    app_show_trace(ui.app, make_synthetic_trace(2, 4, 10, true), 0.1);
    ui.frame();
    CHECK(ui.app.line_heads.on == std::vector<char>{1, 0, 0, 0});   // default: the selected head only
    ui.app.selection.head = 2;
    ui.frame();
    CHECK(ui.app.line_heads.on == std::vector<char>{0, 0, 1, 0});   // one head on: it moves along
    ui.app.line_heads.on = {1, 0, 1, 0};
    ui.app.selection.head = 3;
    ui.frame();
    CHECK(ui.app.line_heads.on == std::vector<char>{1, 0, 1, 1});   // several on: the new one joins
    app_show_trace(ui.app, make_synthetic_trace(1, 2, 5, false), 0.1);
    ui.frame();
    CHECK(ui.app.line_heads.on.size() == 2);                        // a new head count resets them
    ui.app.main_view = MainView::heatmap;                           // and back: the heatmap still draws
    ui.frame();
    CHECK(ui.textures.uploads == 1);
}

TEST_CASE("ui smoke: lines view on gpt2-tiny at T=64 (the context)") {
    const ImVec2 display(1280, 800);
    UiHarness ui(display);
    ui.app.main_view = MainView::lines;
    std::string text;
    while (text.size() < 400) text += "The animal didn't cross the street because it was too tired. ";
    ui.app.text = text;
    ui.load_fixture("gpt2-tiny");
    const int T = ui.app.trace.tokens.size();
    CHECK(T == 64);
    CHECK(ui.app.truncated);
    for (bool every_head : {false, true}) {
        CAPTURE(every_head);
        if (every_head) all_heads(ui, true);
        CHECK_NOTHROW(exercise(ui, display, T, T));
    }
}

TEST_CASE("ui smoke: lines view on bart-tiny cross (target left, as in self attention) and decoder attention") {
    const ImVec2 display(1280, 800);
    UiHarness ui(display);
    ui.app.main_view = MainView::lines;
    std::string source;
    while (source.size() < 300) source += "The animal didn't cross the street because it was too tired. ";
    ui.app.text = source;
    ui.app.target = "The animal didn't cross the street because it was tired.";
    ui.load_fixture("bart-tiny");
    const int S = ui.app.trace.tokens.size(), T = ui.app.trace.decoder_tokens.size();
    CHECK(S > 32);
    for (AttentionKind kind : {AttentionKind::cross, AttentionKind::decoder, AttentionKind::self}) {
        CAPTURE(attention_kind_name(kind));
        ui.app.selection.kind = kind;
        const int n_query = kind == AttentionKind::self ? S : T;
        const int n_key = kind == AttentionKind::decoder ? T : S;
        for (bool every_head : {false, true}) {
            CAPTURE(every_head);
            all_heads(ui, every_head);
            if (!every_head) ui.app.line_heads.on[ui.app.selection.head] = 1;
            CHECK_NOTHROW(exercise(ui, display, n_query, n_key));
        }
    }
}
