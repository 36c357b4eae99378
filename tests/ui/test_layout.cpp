// The projector layout: at every font size from 12 to 32 px and window sizes from 1024x768 to
// 1920x1080, on real gpt2-tiny and bart-tiny traces, every control lies inside the window, or inside a
// panel that scrolls far enough to reach it. Also: the panel arithmetic, the font that grows with the
// window until the user picks one, thinned labels that say so, a one-row cross heatmap of readable
// height, the status bar on one line, the "?" shortcut help and its README table, marker hints.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/i18n.h"
#include "tests/fixture_path.h"
#include "tests/ui/ui_click_mark.h"
#include "tests/ui/ui_harness.h"
#include "ui/app_layout.h"
#include "ui/label_thinning.h"
#include "ui/shortcuts.h"
#include "ui/token_hint.h"
#include "ui/widget_marks.h"

using namespace attn;

namespace {

const ImVec2 kDisplays[] = {ImVec2(1024, 768), ImVec2(1280, 720), ImVec2(1366, 768), ImVec2(1920, 1080)};
const float kFonts[] = {12, 16, 20, 24, 28, 32};

// Inside the window horizontally (nothing scrolls sideways); vertically inside the window's visible
// part, or, for a panel with a scrollbar, within the reach of its scroll range.
void check_reachable(const WidgetMark& m, ImVec2 display) {
    CAPTURE(m.name);
    const float tol = 1.0f;
    const auto& r = m.rect;
    const auto& w = m.window;
    CHECK(w[0] >= -tol);
    CHECK(w[1] >= -tol);
    CHECK(w[0] + w[2] <= display.x + tol);
    CHECK(w[1] + w[3] <= display.y + tol);
    CHECK(r[2] > 0.0f);
    CHECK(r[3] > 0.0f);
    CHECK(r[0] >= w[0] - tol);
    CHECK(r[0] + r[2] <= w[0] + w[2] + tol);
    const float top = r[1] + m.scroll_y;   // where it sits with the panel scrolled to the top
    CHECK(top >= w[1] - tol);
    const float reach = m.scrollable ? m.scroll_max_y : 0.0f;
    CHECK(top + r[3] <= w[1] + w[3] + reach + tol);
}

std::string read_text(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("app_auto_font_size: grows with the window, 12 to 28 px") {
    CHECK(app_auto_font_size(16, 1280, 720) == 16);
    CHECK(app_auto_font_size(16, 1024, 768) == 16);
    CHECK(app_auto_font_size(16, 1366, 768) == 16);
    CHECK(app_auto_font_size(16, 1920, 1080) == 24);
    CHECK(app_auto_font_size(16, 1920, 1200) == 24);
    CHECK(app_auto_font_size(16, 3840, 2160) == 28);
    CHECK(app_auto_font_size(16, 640, 480) == 16);
    CHECK(app_auto_font_size(8, 800, 600) == 12);   // never below 12
    CHECK(app_auto_font_size(32, 1280, 720) == 32); // a HiDPI base stays
}

TEST_CASE("app_layout: panels share the width; the inspector moves under the input at large fonts") {
    for (ImVec2 d : kDisplays)
        for (float fs : kFonts) {
            CAPTURE(d.x);
            CAPTURE(fs);
            LayoutInput in;
            in.width = d.x;
            in.height = d.y;
            in.font_size = fs;
            in.frame_height = fs + 6;
            in.window_padding_y = 8;
            AppLayout lay = app_layout(in);
            CHECK(lay.left_w + lay.right_w + lay.main_w == doctest::Approx(d.x));
            CHECK(lay.left_w <= d.x * 0.5f);
            CHECK(lay.main_w >= d.x * 0.45f);
            CHECK(lay.toolbar_h + lay.main_h + lay.status_h == doctest::Approx(d.y));
            CHECK(lay.stacked == (lay.right_w == 0.0f));
            if (!lay.stacked) CHECK(lay.main_w >= fs * kMinMainWidthInFonts);
            CHECK(lay.input_h <= lay.main_h);
        }
    LayoutInput in;
    in.width = 1280;
    in.height = 720;
    in.font_size = 16;
    CHECK_FALSE(app_layout(in).stacked);
    in.font_size = 28;
    CHECK(app_layout(in).stacked);
    in.has_right_panel = false;
    CHECK(app_layout(in).right_w == 0.0f);
    CHECK_FALSE(app_layout(in).stacked);
}

TEST_CASE("projector layout: every control reachable at 12-32 px and 1024x768 to 1920x1080") {
    for (const char* fixture : {"gpt2-tiny", "bart-tiny"}) {
        CAPTURE(fixture);
        const bool seq2seq = std::string(fixture) == "bart-tiny";
        UiHarness ui(ImVec2(1280, 720));
        ui.app.config.bundled_models = {"gpt2-tiny", "bart-tiny"};
        ui.app.config.load_folder = [](const std::string&) {};   // "Open model..." shows
        ui.app.config.save_file = [](const std::string& name, const Bytes&) -> Expected<std::string> { return name; };
        ui.app.text = "The animal didn't cross the street because it was too tired. It had walked all day.";
        if (seq2seq) ui.app.target = "The animal was too tired to cross.";
        ui.load_fixture(fixture);
        for (float fs : kFonts) {
            app_set_font_size(ui.app, fs);
            ui.frame();   // rebuilds the atlas at the new size
            REQUIRE(ImGui::GetFontSize() == doctest::Approx(fs));
            for (ImVec2 display : kDisplays)
                for (MainView view : kMainViews) {
                    CAPTURE(fs);
                    CAPTURE(display.x);
                    CAPTURE(display.y);
                    CAPTURE(main_view_name(view));
                    ImGui::GetIO().DisplaySize = display;
                    ui.app.main_view = view;
                    for (int i = 0; i < 3; ++i) ui.frame();   // scroll ranges follow the content of the frame before
                    std::vector<std::string> wanted = {"model_picker", "open_model", "theme", "font_smaller",
                                                       "font_bigger", "export", "help", "layer_prev", "layer_slider",
                                                       "layer_next", "head_prev", "head_slider", "head_next",
                                                       "next_token"};
                    // Every view's radio button, or (too many rows for the window) the view drop-down.
                    if (find_mark("view_switch")) wanted.push_back("view_switch");
                    else for (MainView v : kMainViews) wanted.push_back(main_view_info(v).mark);
                    if (seq2seq) {
                        for (const char* n : {"source_box", "target_box", "kind_self", "kind_decoder", "kind_cross"})
                            wanted.push_back(n);
                    } else {
                        wanted.push_back("text_box");
                    }
                    if (view == MainView::heatmap || view == MainView::grid) {
                        wanted.push_back("colormap");
                        wanted.push_back("auto_scale");
                    }
                    for (const std::string& name : wanted) {
                        const WidgetMark* m = find_mark(name);
                        CAPTURE(name);
                        REQUIRE(m != nullptr);
                        check_reachable(*m, display);
                    }
                    for (const WidgetMark& m : widget_marks()) check_reachable(m, display);
                    // The font followed the user's choice, not the window.
                    CHECK(ui.app.font_size == doctest::Approx(fs));
                }
        }
        // The heatmap's cells stay inside the window at the largest font in the smallest window.
        app_set_font_size(ui.app, 32);
        ImGui::GetIO().DisplaySize = ImVec2(1024, 768);
        ui.app.main_view = MainView::heatmap;
        for (int i = 0; i < 3; ++i) ui.frame();
        const auto g = ui.app.widgets.heatmap_grid;
        CHECK(g[2] > 50.0f);
        CHECK(g[3] > 20.0f);
        CHECK(g[0] + g[2] <= 1024.0f);
        CHECK(g[1] + g[3] <= 768.0f);
    }
}

TEST_CASE("the font grows with the window until the user picks a size, then stays") {
    UiHarness ui(ImVec2(1920, 1080));
    ui.app.text = "Hello world";
    ui.load_fixture("gpt2-tiny");
    ui.frame();
    CHECK(ui.app.font_size == doctest::Approx(24.0f));
    ui.frame();   // the atlas was rebuilt between frames
    CHECK(ImGui::GetFontSize() == doctest::Approx(24.0f));
    ImGui::GetIO().DisplaySize = ImVec2(1280, 720);
    ui.frame();
    CHECK(ui.app.font_size == doctest::Approx(16.0f));
    ImGui::GetIO().DisplaySize = ImVec2(1920, 1080);
    ui.frame();
    CHECK(ui.app.font_size == doctest::Approx(24.0f));
    ui.frame();   // laid out at the new size: the marks below are where A- now is
    // A- in the toolbar: the user's size wins from now on, whatever the window does.
    const WidgetMark* smaller = find_mark("font_smaller");
    REQUIRE(smaller);
    ui.click(ImVec2(smaller->rect[0] + smaller->rect[2] * 0.5f, smaller->rect[1] + smaller->rect[3] * 0.5f));
    CHECK(ui.app.font_size == doctest::Approx(22.0f));
    CHECK(ui.app.font_chosen);
    ImGui::GetIO().DisplaySize = ImVec2(1280, 720);
    ui.frame();
    ImGui::GetIO().DisplaySize = ImVec2(2560, 1440);
    ui.frame();
    CHECK(ui.app.font_size == doctest::Approx(22.0f));
}

TEST_CASE("thinned axis labels say so; a short text shows every label") {
    std::string text;
    while (text.size() < 400) text += "The animal didn't cross the street because it was too tired. ";
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = text;
    ui.load_fixture("gpt2-tiny");
    app_set_font_size(ui.app, 28);
    const struct { MainView view; const char* note; } views[] = {
        {MainView::heatmap, "heatmap_label_note"}, {MainView::lines, "lines_label_note"}, {MainView::flow, "flow_label_note"}};
    for (const auto& v : views) {
        CAPTURE(v.note);
        ui.app.main_view = v.view;
        for (int i = 0; i < 3; ++i) ui.frame();
        const WidgetMark* note = find_mark(v.note);
        REQUIRE(note != nullptr);
        check_reachable(*note, ImVec2(1024, 768));
    }
    app_set_text(ui.app, "Hello world");
    app_set_font_size(ui.app, 16);
    ImGui::GetIO().DisplaySize = ImVec2(1920, 1080);
    for (const auto& v : views) {
        CAPTURE(v.note);
        ui.app.main_view = v.view;
        for (int i = 0; i < 3; ++i) ui.frame();
        CHECK(find_mark(v.note) == nullptr);
    }
}

TEST_CASE("label_thinning_note and label_step") {
    CHECK(label_step(20.0f, 14.0f) == 1);
    CHECK(label_step(5.0f, 14.0f) == 3);
    CHECK(label_thinning_note(1, 1).empty());
    CHECK(label_thinning_note(1).empty());
    CHECK(label_thinning_note(3) == "every 3rd label shown (hover for all)");
    CHECK(label_thinning_note(2, 2) == "every 2nd label shown (hover for all)");
    CHECK(label_thinning_note(1, 11) == "every 11th column label shown (hover for all)");
    CHECK(label_thinning_note(21, 1) == "every 21st row label shown (hover for all)");
    CHECK(label_thinning_note(2, 4) == "every 2nd row label, every 4th column label shown (hover for all)");
}

TEST_CASE("cross attention with a one-token target: the heatmap row is readable, not a hairline") {
    UiHarness ui(ImVec2(1280, 720));
    std::string source;
    while (source.size() < 300) source += "The animal didn't cross the street because it was too tired. ";
    ui.app.text = source;
    ui.app.target = "";
    ui.load_fixture("bart-tiny");
    ui.app.selection.kind = AttentionKind::cross;
    ui.app.main_view = MainView::heatmap;
    for (int i = 0; i < 3; ++i) ui.frame();
    const int T = ui.app.trace.decoder_tokens.size(), S = ui.app.trace.tokens.size();
    REQUIRE(T <= 2);
    REQUIRE(S > 40);
    const auto g = ui.app.widgets.heatmap_grid;
    const float cell_w = g[2] / S, cell_h = g[3] / T;
    CHECK(cell_h >= ImGui::GetFontSize());   // a label line tall
    CHECK(cell_h > cell_w * 1.5f);           // taller than the columns are wide: no longer square
    // Hovering the middle of the last row still names that row.
    ui.frame(ImVec2(g[0] + (S / 2 + 0.5f) * cell_w, g[1] + g[3] - cell_h * 0.5f));
    CHECK(ui.app.selection.hover_query == T - 1);
    CHECK(ui.app.selection.hover_key == S / 2);
}

TEST_CASE("status bar: one line, cut with an ellipsis, the whole text on hover") {
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "Hello world";
    ui.load_fixture("gpt2-tiny");
    app_set_font_size(ui.app, 28);
    ui.app.action_error = "export.png: could not write the file because the folder /home/student/a/very/long/path/"
                          "that/goes/on/and/on is read-only; pick another folder and try again";
    ui.frame();
    ui.frame();
    const WidgetMark* cut = find_mark("status_cut");
    REQUIRE(cut != nullptr);
    check_reachable(*cut, ImVec2(1024, 768));
    CHECK(cut->rect[3] < ImGui::GetFontSize() * 1.6f);   // one line, not wrapped
    CHECK(cut->rect[1] >= 768 - ImGui::GetFrameHeight() - ImGui::GetStyle().WindowPadding.y * 2 - 1);
    ui.app.action_error.clear();
    ImGui::GetIO().DisplaySize = ImVec2(1920, 1080);
    app_set_font_size(ui.app, 16);
    ui.frame();
    ui.frame();
    CHECK(find_mark("status_cut") == nullptr);
}

TEST_CASE("\"?\" key and button show the shortcuts; Esc closes the help before it unpins") {
    UiHarness ui(ImVec2(1280, 720));
    ui.app.text = "Hello world";
    ui.load_fixture("gpt2-tiny");
    ui.frame();
    ImGui::GetIO().AddInputCharacter('?');
    ui.frame();
    CHECK(ui.app.help_open);
    ui.frame();
    ui.app.selection.pinned_query = 1;
    ImGuiIO& io = ImGui::GetIO();
    io.KeyMap[ImGuiKey_Escape] = 300 + ImGuiKey_Escape;
    io.KeysDown[300 + ImGuiKey_Escape] = true;
    ui.frame();
    io.KeysDown[300 + ImGuiKey_Escape] = false;
    ui.frame();
    CHECK_FALSE(ui.app.help_open);
    CHECK(ui.app.selection.pinned_query == 1);   // the first Esc only closed the help
    io.KeysDown[300 + ImGuiKey_Escape] = true;
    ui.frame();
    io.KeysDown[300 + ImGuiKey_Escape] = false;
    ui.frame();
    CHECK(ui.app.selection.pinned_query == -1);
    const WidgetMark* help = find_mark("help");
    REQUIRE(help);
    ui.click(ImVec2(help->rect[0] + help->rect[2] * 0.5f, help->rect[1] + help->rect[3] * 0.5f));
    CHECK(ui.app.help_open);
    ui.frame();
    // Typing "?" into the text box is text, not the shortcut.
    ui.app.help_open = false;
    ui.frame();
    const WidgetMark* box = find_mark("text_box");
    REQUIRE(box);
    ui.click(ImVec2(box->rect[0] + box->rect[2] * 0.5f, box->rect[1] + box->rect[3] * 0.5f));
    ImGui::GetIO().AddInputCharacter('?');
    ui.frame();
    ui.frame();
    CHECK_FALSE(ui.app.help_open);
    CHECK(ui.app.text.find('?') != std::string::npos);
}

TEST_CASE("every shortcut is in the README's table, with the same words") {
    const std::string readme = read_text(std::string(ATTN_FIXTURES_DIR) + "/../../README.md");
    REQUIRE(!readme.empty());
    for (const Shortcut& s : kShortcuts) {
        const std::string row = std::string("| `") + s.keys + "` | " + tr(Language::en, s.what) + " |";
        CAPTURE(row);
        CHECK(readme.find(row) != std::string::npos);
    }
}

TEST_CASE("token_marker_hint explains ·, ## and \\n") {
    CHECK(token_marker_hint("\xC2\xB7the", PieceStyle::byte_level) ==
          "\xC2\xB7 marks a space before the word (GPT-2 writes it as \xC4\xA0)");
    CHECK(token_marker_hint("\xC2\xB7the", PieceStyle::sentencepiece).find("\xE2\x96\x81") != std::string::npos);
    CHECK(token_marker_hint("the", PieceStyle::byte_level).empty());
    CHECK(token_marker_hint("##ing", PieceStyle::plain).find("WordPiece") != std::string::npos);
    CHECK(token_marker_hint("##", PieceStyle::plain).empty());   // the piece "##" itself is no marker
    CHECK(token_marker_hint("\\n", PieceStyle::byte_level).find("line break") != std::string::npos);
}
