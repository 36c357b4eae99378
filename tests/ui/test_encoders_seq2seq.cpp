// Smoke test on real encoder and encoder-decoder traces: bert-tiny with [MASK] (mask predictions),
// bart-tiny in every attention kind, and the Next token step on gpt2-tiny and bart-tiny; frames are
// drawn with the mouse swept over everything, through the same app calls the desktop and web apps use.
#include <doctest/doctest.h>

#include <cmath>

#include "platform/file_io.h"
#include "tests/fixture_path.h"
#include "tests/ui/ui_harness.h"
#include "ui/predictions.h"

using namespace attn;

namespace {

void check_top(const std::vector<TokenProb>& top) {
    REQUIRE(top.size() == 5);
    float sum = 0.0f;
    for (size_t i = 0; i < top.size(); ++i) {
        CHECK(top[i].prob > 0.0f);
        CHECK(!top[i].piece.empty());
        if (i > 0) CHECK(top[i].prob <= top[i - 1].prob);
        sum += top[i].prob;
    }
    CHECK(sum <= 1.0f + 1e-5f);
}

}  // namespace

TEST_CASE("top_k_softmax: order, ties to the lower id, probabilities of the whole row") {
    const float logits[] = {1.0f, 3.0f, 3.0f, -2.0f, 0.5f};
    std::vector<TokenProb> top = top_k_softmax(logits, 5, 3);
    REQUIRE(top.size() == 3);
    CHECK(top[0].id == 1);
    CHECK(top[1].id == 2);
    CHECK(top[2].id == 0);
    double z = 0;
    for (float l : logits) z += std::exp(l);
    CHECK(top[0].prob == doctest::Approx(std::exp(3.0) / z));
    CHECK(top_k_softmax(nullptr, 5, 3).empty());
    CHECK(top_k_softmax(logits, 5, 9).size() == 5);
}

TEST_CASE("ui smoke: bert-tiny, no causal mask, predictions for [MASK]") {
    const ImVec2 display(1280, 800);
    UiHarness ui(display);
    ui.app.text = "The capital of France is [MASK].";
    ui.load_fixture("bert-tiny");
    REQUIRE(ui.app.has_trace);
    CHECK_FALSE(ui.app.trace.attentions.causal);   // so the heatmap masks no cell
    REQUIRE(ui.app.mask_predictions.size() == 1);
    const MaskPrediction& mp = ui.app.mask_predictions[0];
    CHECK(ui.app.trace.tokens.pieces[mp.position] == "[MASK]");
    check_top(mp.top);
    CHECK(ui.app.next_predictions.empty());
    sweep(ui, display, 6);
    CHECK_FALSE(app_next_token(ui.app));            // encoders fill masks; they do not continue text
    CHECK_FALSE(ui.app.step_error.empty());

    app_set_text(ui.app, "[MASK] and [MASK] again");
    CHECK(ui.app.mask_predictions.size() == 2);
    sweep(ui, ImVec2(1024, 768), 6);
    app_set_text(ui.app, "no mask here");
    CHECK(ui.app.mask_predictions.empty());
    CHECK_NOTHROW(ui.frame());
}

TEST_CASE("ui smoke: roberta-tiny and distilbert-tiny masks") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "Paris is the <mask> of France.";
    ui.load_fixture("roberta-tiny");
    REQUIRE(ui.app.mask_predictions.size() == 1);
    check_top(ui.app.mask_predictions[0].top);
    CHECK_NOTHROW(ui.frame());
    ui.app.text = "Paris is the [MASK] of France.";
    ui.load_fixture("distilbert-tiny");
    REQUIRE(ui.app.mask_predictions.size() == 1);
    CHECK_NOTHROW(ui.frame());
}

TEST_CASE("ui smoke: bart-tiny, every attention kind, cross is target x source") {
    const ImVec2 display(1280, 800);
    UiHarness ui(display);
    ui.app.text = "The animal didn't cross the street.";
    ui.app.target = "The animal";
    ui.load_fixture("bart-tiny");
    REQUIRE(ui.app.has_trace);
    const Trace& t = ui.app.trace;
    const Model& m = *ui.app.model;
    REQUIRE(t.is_encoder_decoder());
    // The CLI's rule: [decoder_start, bos] + the target without specials.
    CHECK(t.decoder_tokens.ids[0] == m.info().decoder_start_token_id);
    CHECK(t.decoder_tokens.ids[1] == m.bos_token_id);
    CHECK(t.decoder_tokens.size() == 2 + static_cast<int>(m.tokenizer.encode("The animal", false).ids.size()));
    CHECK(t.tokens.ids == seq2seq_source_ids(m, ui.app.text));
    CHECK(t.cross_attentions.n_query == t.decoder_tokens.size());
    CHECK(t.cross_attentions.n_key == t.tokens.size());
    CHECK(ui.app.selection.kind == AttentionKind::cross);   // a fresh BART opens on what only it has
    check_top(ui.app.next_predictions);

    for (AttentionKind kind : {AttentionKind::self, AttentionKind::decoder, AttentionKind::cross}) {
        CAPTURE(attention_kind_name(kind));
        ui.app.selection.kind = kind;
        AttentionView v = attention_view(ui.app.trace, kind);
        CHECK(v.attention->n_query == v.queries->size());
        CHECK(v.attention->n_key == v.keys->size());
        CHECK(v.attention->causal == (kind == AttentionKind::decoder));
        ui.app.selection.layer = 1;
        ui.app.selection.head = 3;
        sweep(ui, display, 6);
        CHECK(ui.app.selection.layer == 1);
    }

    int before = ui.app.trace.decoder_tokens.size();
    int source = ui.app.trace.tokens.size();
    for (int i = 1; i <= 3; ++i) {
        REQUIRE_MESSAGE(app_next_token(ui.app), (ui.app.step_error + ui.app.trace_error));
        CHECK(ui.app.trace.decoder_tokens.size() == before + i);
        CHECK(ui.app.trace.tokens.size() == source);
        CHECK(ui.app.stepped_position == before + i - 1);
        sweep(ui, display, 6);
    }
    // Editing the source keeps the stepped target; editing the target re-tokenizes it.
    app_set_text(ui.app, "A different source.");
    CHECK(ui.app.trace.decoder_tokens.size() == before + 3);
    app_set_target(ui.app, "");
    CHECK(ui.app.trace.decoder_tokens.size() == 2);
    CHECK(ui.app.stepped_position == -1);
    CHECK_NOTHROW(sweep(ui, ImVec2(1024, 768), 6));
}

TEST_CASE("ui smoke: Next token on decoders grows the text by one token") {
    for (const char* name : {"gpt2-tiny", "llama-tiny", "qwen2-tiny"}) {
        CAPTURE(name);
        UiHarness ui(ImVec2(1280, 800));
        ui.app.text = "The animal didn't cross the street because";
        ui.load_fixture(name);
        check_top(ui.app.next_predictions);
        for (int i = 1; i <= 4; ++i) {
            int before = ui.app.trace.tokens.size();
            int32_t greedy = ui.app.next_predictions[0].id;
            REQUIRE_MESSAGE(app_next_token(ui.app), (ui.app.step_error + ui.app.trace_error));
            CHECK(ui.app.trace.tokens.size() == before + 1);
            CHECK(ui.app.trace.tokens.ids.back() == greedy);
            CHECK(ui.app.stepped_position == before);
            CHECK_NOTHROW(ui.frame(ImVec2(900, 300)));
        }
        int stepped = ui.app.trace.tokens.size();
        app_set_text(ui.app, ui.app.text);   // the user's edit: the text is tokenized again
        CHECK(ui.app.stepped_ids.empty());
        CHECK(ui.app.trace.tokens.size() > 0);
        CHECK(stepped > 0);
    }
}

TEST_CASE("ui smoke: the model picker's request comes after the frame") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "Hello [MASK] world";
    std::vector<std::string> requested;
    ui.app.config.bundled_models = {"gpt2-tiny", "bert-tiny", "bart-tiny"};
    ui.app.config.request_model = [&](const std::string& name) {
        requested.push_back(name);
        ui.load_fixture(name.c_str());
    };
    ui.load_fixture("gpt2-tiny");
    ui.frame();
    const auto& r = ui.app.widgets.model_picker;
    REQUIRE(r[2] > 0.0f);
    ImVec2 combo(r[0] + r[2] * 0.5f, r[1] + r[3] * 0.5f);
    ui.click(combo);                     // opens the combo
    ui.frame(combo);
    REQUIRE(ui.app.widgets.model_items.size() == 3);
    const auto& item = ui.app.widgets.model_items[2];
    ui.click(ImVec2(item[0] + 5, item[1] + item[3] * 0.5f));
    for (int i = 0; i < 3; ++i) ui.frame();
    REQUIRE(requested == std::vector<std::string>{"bart-tiny"});
    CHECK(ui.app.model_name == "bart-tiny");
    CHECK(ui.app.trace.is_encoder_decoder());
    sweep(ui, ImVec2(1280, 800), 6);
}
