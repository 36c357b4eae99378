// Presenter mode: one key, a button and a link turn it on; the type is big and sharp, the colours
// contrast 7:1 or more, the advanced panels and views are gone, and the toolbar fits at 1280x720.
#include <doctest/doctest.h>

#include <string>

#include "tests/ui/ui_harness.h"
#include "ui/presenter.h"
#include "ui/saved_page.h"
#include "ui/shortcuts.h"
#include "ui/url_state.h"
#include "ui/widget_marks.h"

using namespace attn;

namespace {

const WidgetMark* mark(const std::string& name) {
    for (const WidgetMark& m : widget_marks())
        if (m.name == name) return &m;
    return nullptr;
}

void frames(UiHarness& ui, int n = 3) {
    for (int i = 0; i < n; ++i) ui.frame();
}

void type_key(UiHarness& ui, char c) {
    ImGui::GetIO().AddInputCharacter(static_cast<unsigned>(c));
    ui.frame();
    frames(ui);   // the atlas is rebuilt between frames, then laid out at the new size
}

}  // namespace

TEST_CASE("presenter mode: P is free in the shortcut table and toggles it") {
    int with_p = 0;
    for (const Shortcut& s : kShortcuts)
        if (std::string(s.chars).find_first_of("pP") != std::string::npos) {
            ++with_p;
            CHECK(s.action == ShortcutAction::toggle_presenter);
        }
    CHECK(with_p == 1);
}

TEST_CASE("presenter mode: bigger atlas font, 7:1 contrast, fewer panels and views, present=1 in the link") {
    for (Theme theme : {Theme::dark, Theme::light}) {
        const std::string theme_name = theme == Theme::dark ? "dark" : "light";
        CAPTURE(theme_name);
        UiHarness ui(ImVec2(1280, 720));
        ui.app.config.bundled_models = {"gpt2-tiny"};
        ui.app.config.save_page = [] {};
        ui.app.text = "The cat sat on the mat. The cat sat on the";
        ui.load_fixture("gpt2-tiny");
        app_set_theme(ui.app, theme);
        ui.app.main_view = MainView::heads;
        frames(ui);
        const float normal_font = ImGui::GetFontSize();
        const float normal_contrast = style_min_text_contrast(ImGui::GetStyle());
        CHECK(normal_font < 26.0f);
        CHECK(normal_contrast < 7.0f);
        CHECK(mark("iv_ablate") != nullptr);
        CHECK(mark("train_panel") != nullptr);
        CHECK(mark("save_page") != nullptr);
        CHECK(ui.app.widgets.save_page != std::array<float, 4>{});
        CHECK(ui.app.main_view == MainView::heads);
        CHECK_FALSE(ui.app.widgets.head_stats_rows.empty());
        CHECK(url_state_format(ui.app).find("present=") == std::string::npos);

        type_key(ui, 'p');
        REQUIRE(ui.app.presenter);
        // The atlas itself was rebuilt at the large size (sharp glyphs), not scaled at draw time.
        CHECK(ImGui::GetFontSize() >= 26.0f);
        CHECK(ImGui::GetIO().Fonts->Fonts[0]->FontSize >= 26.0f);
        CHECK(ImGui::GetIO().FontGlobalScale == doctest::Approx(1.0f));
        CHECK(style_min_text_contrast(ImGui::GetStyle()) >= 7.0f);
        CHECK(ui.app.main_view == MainView::heatmap);   // the heads view is not a presenter view
        CHECK(mark("iv_ablate") == nullptr);
        CHECK(mark("train_panel") == nullptr);
        CHECK(mark("save_page") == nullptr);
        CHECK(mark("export") == nullptr);
        CHECK(ui.app.widgets.head_stats_rows.empty());
        // The page reports these rects to scripts: a hidden button has none (not last frame's).
        const std::array<float, 4> none{};
        CHECK(ui.app.widgets.save_page == none);
        CHECK(ui.app.widgets.export_button == none);
        CHECK(ui.app.widgets.copy_link == none);
        CHECK(ui.app.widgets.open_model == none);
        CHECK(ui.app.widgets.presenter != none);
        for (MainView v : kMainViews) {
            CAPTURE(main_view_name(v));
            CHECK((mark(main_view_info(v).mark) != nullptr) == presenter_shows_view(v));
        }
        // A hidden view asked for by its key stays hidden.
        type_key(ui, '8');
        CHECK(ui.app.main_view == MainView::heatmap);
        const std::string link = url_state_format(ui.app);
        CHECK(link.find("present=1") != std::string::npos);

        // The toolbar at 1280x720: every button inside the window and inside the bar, none clipped.
        const WidgetMark* picker = mark("model_picker");
        REQUIRE(picker);
        for (const char* name : {"model_picker", "language", "theme", "font_smaller", "font_bigger", "presenter", "help"}) {
            CAPTURE(name);
            const WidgetMark* m = mark(name);
            REQUIRE(m);
            CHECK(m->rect[0] >= 0.0f);
            CHECK(m->rect[0] + m->rect[2] <= m->window[0] + m->window[2] + 0.5f);
            CHECK(m->rect[1] >= m->window[1] - 0.5f);
            CHECK(m->rect[1] + m->rect[3] <= m->window[1] + m->window[3] + 0.5f);
            CHECK(m->window == picker->window);   // all in the toolbar window
        }

        // The button turns it off again: the normal size, colours, panels and link come back.
        const WidgetMark* button = mark("presenter");
        ui.click(ImVec2(button->rect[0] + button->rect[2] * 0.5f, button->rect[1] + button->rect[3] * 0.5f));
        frames(ui);
        CHECK_FALSE(ui.app.presenter);
        CHECK(ImGui::GetFontSize() == doctest::Approx(normal_font));
        CHECK(style_min_text_contrast(ImGui::GetStyle()) == doctest::Approx(normal_contrast));
        CHECK(mark("iv_ablate") != nullptr);
        CHECK(url_state_format(ui.app).find("present=") == std::string::npos);

        // A link with present=1 turns it on.
        app_apply_url_state(ui.app, url_state_parse(link));
        frames(ui);
        CHECK(ui.app.presenter);
        CHECK(ImGui::GetFontSize() >= 26.0f);
    }
}

TEST_CASE("presenter mode keeps the user's own font size for afterwards; the size follows the window") {
    UiHarness ui(ImVec2(1280, 720));
    ui.app.text = "Hello world";
    ui.load_fixture("gpt2-tiny");
    app_set_font_size(ui.app, 18.0f);
    frames(ui);
    app_set_presenter(ui.app, true);
    frames(ui);
    CHECK(ui.app.font_size == doctest::Approx(presenter_font_size(1280, 720)));
    ImGui::GetIO().DisplaySize = ImVec2(1920, 1080);
    frames(ui);
    CHECK(ui.app.font_size > presenter_font_size(1280, 720));
    app_set_presenter(ui.app, false);
    frames(ui);
    CHECK(ui.app.font_size == doctest::Approx(18.0f));
    CHECK(ui.app.font_chosen);
}

TEST_CASE("contrast_ratio: WCAG's values") {
    CHECK(contrast_ratio(ImVec4(1, 1, 1, 1), ImVec4(0, 0, 0, 1)) == doctest::Approx(21.0f));
    CHECK(contrast_ratio(ImVec4(0.5f, 0.5f, 0.5f, 1), ImVec4(0.5f, 0.5f, 0.5f, 1)) == doctest::Approx(1.0f));
    // #767676 on white is the classic 4.54:1.
    CHECK(contrast_ratio(ImVec4(118 / 255.0f, 118 / 255.0f, 118 / 255.0f, 1), ImVec4(1, 1, 1, 1)) ==
          doctest::Approx(4.54f).epsilon(0.01));
    CHECK(presenter_font_size(1280, 720) >= 26.0f);
    CHECK(presenter_font_size(800, 600) >= 26.0f);
}

TEST_CASE("Save as page: the toolbar's tooltip says the model limit") {
    const std::string tip = trf("present.save_page_tip", {{"limit", std::to_string(kSavedPageModelLimitMB)}});
    CHECK(tip.find("16 MB") != std::string::npos);
    CHECK(kSavedPageModelLimitBytes == 16LL * 1024 * 1024);
}
