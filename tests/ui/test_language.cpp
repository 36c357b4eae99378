// The UI's language (core/i18n.h): the toolbar's switch, the URL state, the glyphs of the chosen table,
// and no string looked up in vain while every view is drawn in each language.
#include <doctest/doctest.h>

#include "tests/ui/ui_zoo_language.h"
#include "tests/ui/ui_harness.h"
#include "ui/url_state.h"
#include "ui/widget_marks.h"

using namespace attn;

namespace {

ImVec2 centre_of(const std::string& mark) {
    for (const WidgetMark& m : widget_marks())
        if (m.name == mark) return ImVec2(m.rect[0] + m.rect[2] * 0.5f, m.rect[1] + m.rect[3] * 0.5f);
    FAIL("no widget mark '" << mark << "'");
    return ImVec2(0, 0);
}

}  // namespace

TEST_CASE("language: the toolbar's switch changes the language, the link keeps it, the atlas gets its glyphs") {
    EnglishAfter restore;
    set_language(Language::en);
    std::string fragment;
    {
        UiHarness ui(ImVec2(1280, 800));
        ui.load_fixture("gpt2-tiny");
        ui.frame();
        ui.frame();
        CHECK(url_state_format(ui.app).find("lang=") == std::string::npos);   // English is the default
        // With a CJK font loaded the switch can name Chinese in its own script (the page, without the
        // font, says "Chinese" and fetches nothing: test_cjk_fonts.cpp).
        if (app_has_cjk_font(ui.app)) CHECK(app_font_has_glyphs("\xE4\xB8\xAD\xE6\x96\x87"));   // 中文
        ui.click(centre_of("language"));
        CHECK(current_language() == Language::zh);
        ui.frame();
        ui.frame();   // the atlas is rebuilt with the table's characters between frames
        if (app_has_cjk_font(ui.app)) CHECK(app_font_has_glyphs(tr("toolbar.export")));   // 导出
        fragment = url_state_format(ui.app);
        CHECK(fragment.find("lang=zh") != std::string::npos);
        ui.click(centre_of("language"));   // and back
        CHECK(current_language() == Language::en);
    }
    UiHarness b(ImVec2(1280, 800));
    b.load_fixture("gpt2-tiny");
    app_apply_url_state(b.app, url_state_parse(fragment));
    CHECK(current_language() == Language::zh);
    CHECK(url_state_parse("lang=xx").language.has_value() == false);   // an unknown code is ignored
}

TEST_CASE("language: every view drawn in every language asks for no string its table lacks") {
    EnglishAfter restore;
    for (const LanguageInfo& l : languages()) {
        CAPTURE(l.code);
        i18n_clear_missing();
        UiHarness ui(ImVec2(1280, 800));
        app_set_language(ui.app, l.language);
        ui.load_fixture("gpt2-tiny");
        for (MainView v : kMainViews) {
            ui.app.main_view = v;
            ui.frame();
            ui.frame();
        }
        for (const std::string& k : i18n_missing()) FAIL_CHECK("missing string " << k);
    }
}
