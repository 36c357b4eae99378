// The explanation view on real fixtures, through real frames: the numbers it highlights are the ones the
// Predictions panel and the Attributions table show for the same input, its links switch to the panel
// behind each claim with the right selection, the faithfulness table appears once its job finishes, and
// encoder-decoders get a forward-only explanation that says what is not available.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "analysis/attribution_methods.h"
#include "analysis/explanation.h"
#include "tests/ui/ui_harness.h"
#include "ui/app_analysis.h"
#include "ui/picture.h"

using namespace attn;

namespace {

bool shows(const UiHarness& ui, const std::string& number) {
    const auto& v = ui.app.explain.shown_numbers;
    return std::find(v.begin(), v.end(), number) != v.end();
}

// Frames until the explanation of the input on screen includes faithfulness (decoder-only and encoder models).
void run_until_explained(UiHarness& ui, int max_frames = 4000) {
    auto done = [&] {
        const ExplainState& s = ui.app.explain;
        return s.has_explanation && s.with_faithfulness && app_analysis_current(ui.app) && s.key == app_analysis_key(ui.app);
    };
    for (int i = 0; i < max_frames && !done(); ++i) ui.frame();
    REQUIRE(done());
    ui.frame();   // drawn with everything
}

// The explain view as a picture (what Export PNG saves): written to $ATTN_EXPLAIN_SHOTS/<name> when set,
// so the lead can look at it; the picture is checked to carry more than a blank page either way.
void picture(UiHarness& ui, const char* name) {
    const Bytes png = picture_png(ui.app, MainView::explain, 1280, 800);
    REQUIRE(png.size() > 10000);   // text and highlights compress to far more than a flat page
    if (const char* dir = std::getenv("ATTN_EXPLAIN_SHOTS")) {
        Expected<bool> ok = file_write_atomic(std::string(dir) + "/" + name, png);
        CHECK_MESSAGE(ok.ok(), ok.error().message);
    }
    ui.frame();   // the picture drew without links: draw the view again so its link rects are current
}

// The sentence index whose claim points at `panel`, or -1.
int sentence_for(const Explanation& e, ExplanationPanel panel) {
    for (size_t i = 0; i < e.claims.size(); ++i)
        if (e.claims[i].panel == panel) return static_cast<int>(i);
    return -1;
}

}  // namespace

TEST_CASE("ui: the explanation's numbers are the Predictions panel's and the Attributions table's (gpt2-tiny)") {
    UiHarness ui(ImVec2(1280, 800));
    ui.load_fixture("gpt2-tiny");
    app_set_text(ui.app, "The animal didn't cross the street because it was too");
    ui.app.main_view = MainView::explain;
    run_until_explained(ui);
    const ExplainState& s = ui.app.explain;
    CHECK(s.error.empty());
    const Explanation& e = s.explanation;
    REQUIRE(!e.sentences.empty());

    // The prediction: the Predictions panel's top row, as it prints it.
    REQUIRE(!ui.app.next_predictions.empty());
    CHECK(s.facts.target == ui.app.next_predictions[0].id);
    CHECK(shows(ui, format_probability(ui.app.next_predictions[0].prob)));
    // The tokens: the Attributions table's integrated-gradients values for the same tokens.
    REQUIRE(!s.facts.top_tokens.empty());
    CHECK(s.facts.top_tokens[0].first == "integrated_gradients");
    for (const RankedToken& t : s.facts.top_tokens[0].second)
        CHECK(shows(ui, format_score(ui.app.analysis.result.integrated_gradients[static_cast<size_t>(t.position)])));
    // Every stated number is drawn highlighted, in order.
    std::vector<std::string> stated;
    for (const ExplanationNumber& n : e.number_info) stated.push_back(n.text);
    CHECK(s.shown_numbers == stated);
    // The faithfulness table came from a finished job for this input.
    CHECK(s.faithfulness_key == ui.app.analysis.key);
    CHECK(s.facts.most_faithful == s.faithfulness.best_method);
    picture(ui, "explain-gpt2-tiny.png");

    // The heads claim opens the heads view on that head.
    const int heads = sentence_for(e, ExplanationPanel::heads);
    REQUIRE(heads >= 0);
    REQUIRE(s.link_rects.size() == e.sentences.size());
    const ExplanationClaim claim = e.claims[static_cast<size_t>(heads)];
    ui.click(center(s.link_rects[static_cast<size_t>(heads)]));
    CHECK(ui.app.main_view == MainView::heads);
    CHECK(ui.app.selection.layer == claim.layer);
    CHECK(ui.app.selection.head == claim.head);

    // The tokens claim opens Attributions with its method chosen.
    ui.app.analysis.method = 0;
    ui.app.main_view = MainView::explain;
    ui.frame();
    const int tokens = sentence_for(ui.app.explain.explanation, ExplanationPanel::attributions);
    REQUIRE(tokens >= 0);
    ui.click(center(ui.app.explain.link_rects[static_cast<size_t>(tokens)]));
    CHECK(ui.app.main_view == MainView::attributions);
    CHECK(ui.app.analysis.method == kMethodIntegratedGradients);

    // A new text: the explanation follows it.
    ui.app.main_view = MainView::explain;
    app_set_text(ui.app, "The cat sat on the");
    run_until_explained(ui);
    CHECK(ui.app.explain.key == app_analysis_key(ui.app));
    CHECK(shows(ui, format_probability(ui.app.next_predictions[0].prob)));
}

TEST_CASE("ui: the explanation of an encoder's mask prediction uses the mask panel's probability (bert-tiny)") {
    UiHarness ui(ImVec2(1280, 800));
    ui.load_fixture("bert-tiny");
    app_set_text(ui.app, "The animal didn't cross the street because it was [MASK].");
    ui.app.main_view = MainView::explain;
    run_until_explained(ui);
    REQUIRE(!ui.app.mask_predictions.empty());
    CHECK(ui.app.explain.facts.target == ui.app.mask_predictions[0].top[0].id);
    CHECK(shows(ui, format_probability(ui.app.mask_predictions[0].top[0].prob)));
    picture(ui, "explain-bert-tiny.png");
}

TEST_CASE("ui: an encoder-decoder is explained from forward passes and says what is missing (bart-tiny)") {
    UiHarness ui(ImVec2(1280, 800));
    ui.load_fixture("bart-tiny");
    app_set_text(ui.app, "The animal didn't cross the street");
    app_set_target(ui.app, "The animal");
    ui.app.main_view = MainView::explain;
    ui.frame();
    ui.frame();
    const ExplainState& s = ui.app.explain;
    REQUIRE_MESSAGE(s.has_explanation, s.error);
    CHECK(s.facts.forward_only);
    CHECK(s.explanation.text().find("not available") != std::string::npos);
    REQUIRE(!ui.app.next_predictions.empty());
    CHECK(s.facts.target == ui.app.next_predictions[0].id);
    CHECK(shows(ui, format_probability(ui.app.next_predictions[0].prob)));
    picture(ui, "explain-bart-tiny.png");
    const int heads = sentence_for(s.explanation, ExplanationPanel::heads);
    REQUIRE(heads >= 0);
    const ExplanationClaim claim = s.explanation.claims[static_cast<size_t>(heads)];
    ui.click(center(s.link_rects[static_cast<size_t>(heads)]));
    CHECK(ui.app.main_view == MainView::heads);
    CHECK(ui.app.selection.kind == (claim.stack == "cross" ? AttentionKind::cross : AttentionKind::decoder));
    CHECK(ui.app.selection.layer == claim.layer);
}

TEST_CASE("ui: the explain view without a model says what to do and offers its control") {
    UiHarness ui(ImVec2(1024, 700));
    ui.app.main_view = MainView::explain;
    ui.frame();
    CHECK_FALSE(ui.app.explain.has_explanation);
    CHECK(ui.app.explain.shown_numbers.empty());
}
