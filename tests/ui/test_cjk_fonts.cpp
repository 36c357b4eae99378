// CJK glyphs baked on demand: after the app shows a text, the atlas has its characters (Traditional
// and Simplified Chinese, kana, Hangul); before a CJK font arrives (the page) labels show escapes and
// the app asks for the font once; split byte pieces read "动 1/2" on the chips and axis labels.
#include <doctest/doctest.h>

#include "platform/file_io.h"
#include "tests/ui/ui_harness.h"
#include "ui/draw_text.h"
#include "ui/token_chars.h"

using namespace attn;

namespace {

const char* const kCjkSamples[] = {
    "\xE7\xB9\x81\xE9\xAB\x94\xE5\xAD\x97",   // 繁體字
    "\xE9\xAC\xB1\xE9\xBE\x98",               // 鬱龘
    "\xE3\x81\x8B\xE3\x81\xAA",               // かな
    "\xE3\x82\xAB\xE3\x83\x8A",               // カナ
    "\xED\x95\x9C\xEA\xB8\x80",               // 한글
};
const char* const kDongWu = "\xE5\x8A\xA8\xE7\x89\xA9\xE6\xB2\xA1\xE6\x9C\x89\xE8\xBF\x87\xE9\xA9\xAC\xE8\xB7\xAF";   // 动物没有过马路

bool has_cjk_font(const UiHarness& ui) { return app_has_cjk_font(ui.app); }

std::string all_samples() {
    std::string s;
    for (const char* t : kCjkSamples) s += std::string(t) + " ";
    return s;
}

}  // namespace

TEST_CASE("the atlas bakes the CJK glyphs of the text it shows, and only after it shows them") {
    UiHarness ui(ImVec2(1280, 800));
    if (!has_cjk_font(ui)) {
        MESSAGE("no CJK font on this machine (tools/setup installs fonts-wqy-microhei); skipped");
        return;
    }
    ui.app.text = "The animal didn't cross the street.";
    ui.load_fixture("gpt2-tiny");
    ui.frame();
    CHECK_FALSE(app_font_has_glyphs("\xE9\xBE\x98"));   // 龘: not baked while nothing shows it
    app_set_text(ui.app, all_samples());
    ui.frame();   // the frame that first shows the text notes its code points...
    ui.frame();   // ...and the next one starts from the rebuilt atlas
    for (const char* t : kCjkSamples) {
        CAPTURE(t);
        CHECK(app_font_has_glyphs(t));
    }
    // Labels keep the glyphs (no <U+...> escape) now that the font has them.
    std::vector<std::string> labels =
        token_labels_for_font(ui.app.trace.tokens, ui.app.trace.tokens.size(), PieceStyle::byte_level, ImGui::GetFont());
    for (const std::string& l : labels) CHECK(l.find("<U+") == std::string::npos);
    CHECK(ImGui::GetFont()->FallbackChar == 0xFFFD);   // a glyph still missing draws as "\xEF\xBF\xBD", never "?"
}

TEST_CASE("without a CJK font the app asks for it once, labels escape until it comes, then glyphs render") {
    UiHarness ui(ImVec2(1280, 800));
    Expected<Bytes> cjk = file_read("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc");
    if (!cjk) {
        MESSAGE("no CJK font on this machine; skipped");
        return;
    }
    // As the page starts: only the Latin font, and a callback that fetches the CJK one.
    std::vector<FontFile> primary_only;
    for (FontFile& f : ui.app.config.fonts)
        if (f.role == FontFile::primary) primary_only.push_back(f);
    ui.app.config.fonts = primary_only;
    int requests = 0;
    ui.app.config.request_cjk_font = [&requests] { ++requests; };
    ui.app.fonts_dirty = true;
    ui.app.text = "The animal didn't cross the street.";
    ui.load_fixture("gpt2-tiny");
    ui.frame();
    ui.frame();
    CHECK(requests == 0);   // English text needs no CJK font

    app_set_text(ui.app, kDongWu);
    for (int i = 0; i < 3; ++i) ui.frame();
    CHECK(requests == 1);
    CHECK_FALSE(app_font_has_glyphs("\xE5\x8A\xA8"));
    std::vector<std::string> before =
        token_labels_for_font(ui.app.trace.tokens, ui.app.trace.tokens.size(), PieceStyle::byte_level, ImGui::GetFont());
    bool escaped = false;
    for (const std::string& l : before) escaped |= l.find("<U+52A8>") != std::string::npos;
    CHECK(escaped);   // "<U+52A8> 1/2": readable, never a box or "?"

    app_add_font(ui.app, FontFile{FontFile::cjk, "cjk.ttc", std::make_shared<const Bytes>(std::move(*cjk))});
    ui.frame();
    ui.frame();
    CHECK(app_font_has_glyphs(kDongWu));
    app_set_text(ui.app, all_samples());
    ui.frame();
    ui.frame();
    for (const char* t : kCjkSamples) CHECK(app_font_has_glyphs(t));
    CHECK(requests == 1);
}

TEST_CASE("chips of a split character are labelled by their character and tied by a bracket") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "The animal didn't cross the street.";
    ui.load_fixture("gpt2-tiny");
    app_set_text(ui.app, kDongWu);
    ui.frame();
    ui.frame();
    const std::vector<TokenChars> chars = token_chars(ui.app.trace.tokens, PieceStyle::byte_level);
    int split = -1;
    for (size_t i = 0; i < chars.size(); ++i)
        if (chars[i].joins_next) {
            split = static_cast<int>(i);
            break;
        }
    REQUIRE(split >= 0);
    REQUIRE(ui.app.widgets.chips.size() == chars.size());
    CHECK(chars[static_cast<size_t>(split)].label.find(" 1/") != std::string::npos);
    // The pieces of one character wrap as a group: never half a character at a row's end.
    for (size_t i = 0; i + 1 < chars.size(); ++i)
        if (chars[i].joins_next) CHECK(ui.app.widgets.chips[i][1] == ui.app.widgets.chips[i + 1][1]);
    // Hovering the chip lights its row, as every chip does.
    const auto& r = ui.app.widgets.chips[static_cast<size_t>(split)];
    ImVec2 at(r[0] + r[2] * 0.5f, r[1] + r[3] * 0.5f);
    ui.frame(at);
    ui.frame(at);
    CHECK(ui.app.selection.hover_query == split);
    // The heatmap's axis labels read the same: no "<E5 8A>" for a piece whose character completes.
    std::vector<std::string> labels = token_labels_for_font(ui.app.trace.tokens, ui.app.trace.tokens.size(),
                                                            PieceStyle::byte_level, ImGui::GetFont());
    for (const std::string& l : labels) CHECK(l.find("<E") == std::string::npos);
}

TEST_CASE("emoji and other code points above U+FFFF are written as <U+XXXX> in labels") {
    UiHarness ui(ImVec2(1280, 800));
    ui.frame();
    CHECK(label_for_font("ok \xF0\x9F\x98\x80", ImGui::GetFont()) == "ok <U+1F600>");
}
