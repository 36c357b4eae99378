// The model card panel in Chinese: each zoo model's card (assets/models/*/card.json, English as the
// trainer writes it) drawn by app_show_card_panel and read back from the draw data (drawn_text.h). In
// Chinese the task's summary, data paragraph and claims come from the tables (assets/strings/cards.*),
// each claim with its head and the numbers its English statement shows; no run of English words from the
// card's summary or statements is drawn (quoted examples are the model's own text and stay as they are).
// In English the card's own text is drawn as before; a card whose task the tables lack keeps its text.
#include <doctest/doctest.h>

#include <regex>

#include "core/i18n.h"
#include "tests/ui/ui_zoo_language.h"
#include "tests/ui/drawn_text.h"
#include "tests/ui/ui_harness.h"
#include "ui/bundled_models.h"
#include "tests/text_contains.h"

using namespace attn;

namespace {

const char* const kZoo[] = {"induction", "coref", "agreement", "translate", "brackets", "mini-english"};

std::string without_spaces(const std::string& s) {
    std::string out;
    for (char c : s)
        if (c != ' ' && c != '\n') out += c;
    return out;
}


// A zoo model and its card.
void load_zoo_card(UiHarness& ui, const std::string& name) {
    load_zoo(ui, name);
    REQUIRE(ui.app.card.present);
    REQUIRE(ui.app.card.error.empty());
}

// The card panel alone in a tall window (so no line is clipped), after app frames that noted the
// language's glyphs; what it drew, spaces removed.
std::string draw_card_panel(UiHarness& ui, Language language) {
    app_set_language(ui.app, language);
    ui.frame();
    ui.frame();
    for (int i = 0; i < 2; ++i) {   // a new window stays hidden for its first frame
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0.0f, 0.0f));
        ImGui::SetNextWindowSize(ImVec2(480.0f, 3900.0f));
        ImGui::Begin("card probe", nullptr, ImGuiWindowFlags_NoDecoration);
        ImGui::PushTextWrapPos(0.0f);   // as the left panel does
        app_show_card_panel(ui.app);
        ImGui::PopTextWrapPos();
        ImGui::End();
        ImGui::Render();
    }
    return without_spaces(drawn_text());
}

// Runs of two or more English words outside quotes, spaces removed (as drawn_text reads them).
std::vector<std::string> english_runs(const std::string& text) {
    static const std::regex quoted("\"[^\"]*\"");
    static const std::regex run("[A-Za-z']+(?: [A-Za-z']+)+");
    const std::string outside = std::regex_replace(text, quoted, "\"\"");
    std::vector<std::string> runs;
    for (std::sregex_iterator it(outside.begin(), outside.end(), run), end; it != end; ++it)
        if (without_spaces(it->str()).size() >= 6) runs.push_back(without_spaces(it->str()));
    return runs;
}

// The numbers a statement shows ("81.0%", "0.74", "300"): the Chinese sentence must show them too.
std::vector<std::string> numbers_in(const std::string& text) {
    static const std::regex number("[0-9]+(?:\\.[0-9]+)?%?");
    std::vector<std::string> out;
    for (std::sregex_iterator it(text.begin(), text.end(), number), end; it != end; ++it) out.push_back(it->str());
    return out;
}

// A template's fixed text between its {placeholders}, spaces removed.
std::vector<std::string> template_pieces(const std::string& text) {
    static const std::regex placeholder(R"(\{[a-z_]+\})");
    std::vector<std::string> pieces;
    for (std::sregex_token_iterator it(text.begin(), text.end(), placeholder, -1), end; it != end; ++it)
        if (!without_spaces(*it).empty()) pieces.push_back(without_spaces(*it));
    return pieces;
}

}  // namespace

TEST_CASE("card panel in Chinese: every zoo card's summary, claims and data from the tables, no English runs") {
    EnglishAfter restore;
    i18n_clear_missing();
    int runs_checked = 0, numbers_checked = 0;
    for (const std::string name : kZoo) {
        CAPTURE(name);
        UiHarness ui(ImVec2(1280, 4000));
        load_zoo_card(ui, name);
        const ModelCard card = ui.app.card.card;
        REQUIRE(card.task == name);
        REQUIRE(!card.claims.empty());
        const std::string drawn = draw_card_panel(ui, Language::zh);
        CAPTURE(drawn);
        const std::string task = "cards." + card.task;
        const std::string summary = tr(Language::zh, (task + ".summary").c_str());
        CHECK(contains(drawn, without_spaces(card.task + "：" + summary)));
        CHECK(contains(drawn, without_spaces(tr(Language::zh, (task + ".description").c_str()))));
        CHECK(!contains(drawn, without_spaces(card.summary)));
        CHECK(!contains(drawn, without_spaces(card.description)));
        CHECK(!std::regex_search(drawn, std::regex(R"(\{[a-z_]+\})")));   // every placeholder filled
        for (const HeadClaim& h : card.claims) {
            CAPTURE(h.metric);
            const std::string key = task + ".claim." + h.metric;
            const std::string zh = tr(Language::zh, key.c_str());
            // The line starts with the claim's head, then the Chinese sentence's first words.
            const std::vector<std::string> pieces = template_pieces(zh);
            REQUIRE(!pieces.empty());
            CHECK(contains(drawn, "L" + std::to_string(h.layer) + "H" + std::to_string(h.head) + "：" +
                                      (zh.rfind("{", 0) == 0 ? std::string() : pieces.front())));
            for (const std::string& piece : pieces) CHECK(contains(drawn, piece));
            for (const std::string& number : numbers_in(h.statement)) {
                ++numbers_checked;
                CHECK_MESSAGE(contains(drawn, number), number);
            }
            CHECK(!contains(drawn, without_spaces(h.statement)));
        }
        std::vector<std::string> runs = english_runs(card.summary);
        for (const HeadClaim& h : card.claims)
            for (const std::string& r : english_runs(h.statement)) runs.push_back(r);
        for (const std::string& r : runs) {
            ++runs_checked;
            CHECK_MESSAGE(!contains(drawn, r), "English drawn in Chinese: " << r);
        }
    }
    MESSAGE(runs_checked << " English runs, " << numbers_checked << " numbers checked");
    CHECK(runs_checked > 60);     // the check really saw the cards' English
    CHECK(numbers_checked >= 15);  // brackets, coref and translate statements carry numbers
    for (const std::string& k : i18n_missing()) FAIL_CHECK("missing string " << k);
}

TEST_CASE("card panel in Chinese: the claims' numbers are the card's, however a training turned out") {
    EnglishAfter restore;
    UiHarness ui(ImVec2(1280, 4000));
    load_zoo_card(ui, "brackets");
    // Another training's measurements: the Chinese sentence shows them as the English statement would.
    HeadClaim& h = ui.app.card.card.claims.at(0);
    h.layer = 3;
    h.head = 1;
    h.value = 0.9234;
    h.min_value = 0.89;
    const std::string drawn = draw_card_panel(ui, Language::zh);
    CHECK(contains(drawn, "L3H1：在第3层第1个头中"));
    CHECK(contains(drawn, "有92.3%做到这一点（声称：至少89%）"));

    load_zoo_card(ui, "coref");
    for (HeadClaim& c : ui.app.card.card.claims)
        if (c.metric == "builtin_coreference_pass_rate") c.value = 0.7;
        else if (c.metric == "coref_pronoun_focus") c.value = 0.456;
    const std::string coref = draw_card_panel(ui, Language::zh);
    CHECK(contains(coref, "10个单头用例中的7个"));
    CHECK(contains(coref, "平均得到的多0.46"));
}

TEST_CASE("card panel in English: the card's own texts, as before") {
    EnglishAfter restore;
    for (const std::string name : kZoo) {
        CAPTURE(name);
        UiHarness ui(ImVec2(1280, 4000));
        load_zoo_card(ui, name);
        const ModelCard& card = ui.app.card.card;
        const std::string drawn = draw_card_panel(ui, Language::en);
        CHECK(contains(drawn, without_spaces(card.task + ": " + card.summary)));
        CHECK(contains(drawn, without_spaces(card.description)));
        for (const HeadClaim& h : card.claims)
            CHECK(contains(drawn, without_spaces("L" + std::to_string(h.layer) + " H" + std::to_string(h.head) + ": " + h.statement)));
    }
}

TEST_CASE("card panel in Chinese: a card whose task or claim the tables do not know shows its own text") {
    EnglishAfter restore;
    i18n_clear_missing();
    UiHarness ui(ImVec2(1280, 4000));
    Expected<FileSet> files = folder_read(fixture_path("bert-tiny"));
    REQUIRE(files.ok());
    files->add(kModelCardFile, bytes_from_string(R"({"task": "sentiment", "summary": "is the review happy or sad",
      "description": "Film reviews from somewhere else.", "featured": {"layer": 1, "head": 0},
      "claims": [{"layer": 1, "head": 0, "pattern": "mood", "metric": "mood_rate", "value": 0.8, "min_value": 0.7,
                  "statement": "the last token attends to the adjectives"}]})"));
    REQUIRE(app_load_model(ui.app, *files, "sentiment"));
    std::string drawn = draw_card_panel(ui, Language::zh);
    CHECK(contains(drawn, "sentiment：isthereviewhappyorsad"));
    CHECK(contains(drawn, "L1H0：thelasttokenattendstotheadjectives"));
    CHECK(contains(drawn, "Filmreviewsfromsomewhereelse."));

    // A known task with a metric the tables lack: that claim keeps its statement, the rest is Chinese.
    load_zoo_card(ui, "agreement");
    ui.app.card.card.claims.at(0).metric = "some_new_metric";
    drawn = draw_card_panel(ui, Language::zh);
    CHECK(contains(drawn, without_spaces(ui.app.card.card.claims[0].statement)));
    CHECK(contains(drawn, without_spaces(tr(Language::zh, "cards.agreement.summary"))));
    for (const std::string& k : i18n_missing()) FAIL_CHECK("missing string " << k);
}
