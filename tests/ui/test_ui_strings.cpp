// Switching languages changes every visible string: each view and panel is drawn in English and in
// Chinese, the text on screen is read back from the draw data (drawn_text.h), and no English text of
// the string tables may show in the Chinese rendering; no string may be missing from a table either.
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "core/i18n.h"
#include "tests/ui/ui_zoo_language.h"
#include "tests/ui/drawn_text.h"
#include "tests/ui/ui_harness.h"

using namespace attn;

namespace {

std::string without_spaces(const std::string& s) {
    std::string out;
    for (char c : s)
        if (c != ' ' && c != '\n' && c != '\t') out += c;
    return out;
}

// The pieces of an English template a reader would see verbatim, spaces removed (as drawn_text has
// them): split at {placeholders}, printf conversions and line breaks; only pieces with a few letters,
// so that a lone "L" or "x" does not count as English.
std::vector<std::string> visible_pieces(const std::string& text) {
    static const std::regex cut(R"(\{[a-z_]+\}|%[-+#0-9.]*(?:ll|l|z|h)?[diouxXeEfFgGaAcsp%]|\n)");
    std::vector<std::string> pieces;
    for (std::sregex_token_iterator it(text.begin(), text.end(), cut, -1), end; it != end; ++it) {
        const std::string p = without_spaces(*it);
        int letters = 0;
        for (char c : p) letters += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (letters >= 5) pieces.push_back(p);
    }
    return pieces;
}

// Every view, then the help window, in `language`: what was drawn.
std::string draw_everything(Language language, std::string* input_text) {
    UiHarness ui(ImVec2(1280, 800));
    app_set_language(ui.app, language);
    ui.load_fixture("gpt2-tiny");
    *input_text = ui.app.text;
    std::string seen;
    for (MainView v : kMainViews) {
        ui.app.main_view = v;
        ui.frame();
        ui.frame();
        seen += drawn_text();
    }
    ui.app.help_open = true;
    ui.frame();
    seen += drawn_text();
    return seen;
}

}  // namespace

TEST_CASE("ui strings: drawn_text reads back what ImGui drew") {
    UiHarness ui(ImVec2(640, 480));
    for (int frame = 0; frame < 2; ++frame) {   // a new window stays hidden for its first frame
        ImGui::NewFrame();
        ImGui::Begin("probe");
        ImGui::TextUnformatted("Hello world 42");
        ImGui::End();
        ImGui::Render();
    }
    CHECK(drawn_text().find("Helloworld42") != std::string::npos);
    CHECK(drawn_text().find("Hello world") == std::string::npos);   // spaces draw nothing
}

TEST_CASE("ui strings: every view drawn in Chinese shows no English text from the tables, and none is missing") {
    EnglishAfter restore;
    i18n_clear_missing();
    std::string input_en, input_zh;
    const std::string english = without_spaces(draw_everything(Language::en, &input_en));
    const std::string chinese = without_spaces(draw_everything(Language::zh, &input_zh));
    for (const std::string& k : i18n_missing()) FAIL_CHECK("missing string " << k);
    // What may legitimately read the same in both: the model's own text and tokens, and words the
    // Chinese tables keep on purpose (MLP, config.json, Spearman...).
    std::string kept = without_spaces(input_zh);
    for (const std::string& key : string_keys(Language::zh)) {
        const std::string zh = tr(Language::zh, key.c_str());
        // A Chinese text that is the English one, words and all, was never translated.
        if (zh == tr(Language::en, key.c_str()) && !visible_pieces(zh).empty()) FAIL_CHECK("'" << key << "' is not translated");
        kept += without_spaces(zh) + "\n";
    }
    int checked = 0;
    for (const std::string& key : string_keys(Language::en)) {
        for (const std::string& piece : visible_pieces(tr(Language::en, key.c_str()))) {
            if (english.find(piece) == std::string::npos) continue;   // not on screen in this walk
            ++checked;
            if (kept.find(piece) != std::string::npos) continue;
            if (chinese.find(piece) != std::string::npos)
                FAIL_CHECK("'" << key << "' still reads '" << piece << "' in Chinese");
        }
    }
    CHECK(checked > 30);   // the walk really saw the tables' English
    CHECK(english.find("Heatmap") != std::string::npos);   // the view switch, in English only
    CHECK(chinese.find("Heatmap") == std::string::npos);
}
