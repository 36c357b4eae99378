// The model zoo in the explorer: the bundled-model table's order and default (zoo first, coref leading,
// the random fixtures last), the picker's labels and its "test models" heading, a zoo model opening on
// its card's example text and featured head (from the picker; not when loaded otherwise), the card
// panel, and the loss-curve PNG the trainer writes.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <stb/stb_image.h>

#include "model/generate.h"
#include "tests/ui/ui_click_mark.h"
#include "tests/ui/ui_harness.h"
#include "ui/bundled_models.h"
#include "ui/loss_curve.h"
#include "ui/widget_marks.h"
#include "ui/zoo_card.h"

using namespace attn;

namespace {

const char* const kCard = R"({"task": "coref", "summary": "who 'it' is, decided by the adjective after it",
  "family": "encoder", "class": "BertForMaskedLM", "command": "tools/train --task coref --out assets/models/coref --seed 1",
  "seed": 1, "steps": 3000, "held_out_accuracy": 0.991, "held_out_examples": 1000,
  "description": "Sentences from a small grammar.",
  "example_text": "the animal didn't cross the street because it was too tired",
  "featured": {"layer": 1, "head": 2, "query": "it"},
  "claims": [{"layer": 1, "head": 2, "pattern": "coreference", "metric": "coref_check_pass_rate",
              "value": 0.97, "min_value": 0.9, "statement": "it attends to the noun the adjective fits"}]})";

BundledModel zoo(const std::string& name, const std::string& card = "") { return {name, "/zoo/" + name, true, card}; }
BundledModel fixture(const std::string& name) { return {name, "/fixtures/" + name, false, ""}; }

std::vector<std::string> names(const std::vector<BundledModel>& models) {
    std::vector<std::string> n;
    for (const BundledModel& m : models) n.push_back(m.name);
    return n;
}

// bert-tiny's files with a card.json beside them: a zoo folder as the explorer reads one.
FileSet bert_with_card(const std::string& card) {
    Expected<FileSet> files = folder_read(fixture_path("bert-tiny"));
    REQUIRE_MESSAGE(files.ok(), files.error().message);
    files->add(kModelCardFile, bytes_from_string(card));
    return *files;
}

}  // namespace

TEST_CASE("bundled models: zoo first with coref leading, fixtures last in their order; the default is the first") {
    const std::vector<BundledModel> all = bundled_models_order(
        {fixture("gpt2-tiny"), zoo("induction"), fixture("bert-tiny"), zoo("coref"), zoo("agreement")});
    CHECK(names(all) == std::vector<std::string>{"coref", "agreement", "induction", "gpt2-tiny", "bert-tiny"});
    CHECK(bundled_model_default(all)->name == "coref");

    const std::vector<BundledModel> no_coref = bundled_models_order({fixture("gpt2-tiny"), zoo("mini-english"), zoo("brackets")});
    CHECK(bundled_model_default(no_coref)->name == "brackets");

    const std::vector<BundledModel> fixtures_only = bundled_models_order({fixture("gpt2-tiny"), fixture("bert-tiny")});
    CHECK(bundled_model_default(fixtures_only)->name == "gpt2-tiny");
    CHECK(bundled_model_default({}) == nullptr);
    CHECK(bundled_model_find(all, "induction")->dir == "/zoo/induction");
    CHECK(bundled_model_find(all, "nope") == nullptr);
}

TEST_CASE("bundled models: the build's table lists real model folders, fixtures as test models") {
    const std::vector<BundledModel>& table = bundled_models();
    REQUIRE(!table.empty());
    CHECK(names(table) == names(bundled_models_order(table)));   // generated in the order the picker shows
    bool seen_fixture = false;
    for (const BundledModel& m : table) {
        INFO(m.name);
        CHECK(std::filesystem::exists(m.dir + "/config.json"));
        if (m.zoo) CHECK(!seen_fixture);   // no zoo model after a fixture
        else seen_fixture = true;
        CHECK((m.zoo == !std::filesystem::exists(m.dir + "/reference.safetensors")));
        if (m.zoo) {
            Expected<ModelCard> card = model_card_parse(m.card_json, m.name + "/card.json");
            CHECK_MESSAGE(card.ok(), card.error().message);
        }
    }
    CHECK(bundled_model_find(table, "gpt2-tiny"));
    const BundledModel* first = bundled_model_default(table);
    if (bundled_model_find(table, "coref")) CHECK(first->name == "coref");
    else if (table.front().zoo) CHECK(first->zoo);
    else CHECK(first->name == "gpt2-tiny");   // no zoo yet: the explorer opens as it always did
}

TEST_CASE("bundled models: labels are the card's task and summary; fixtures and unreadable cards their name") {
    CHECK(bundled_model_label(zoo("coref", kCard)) == "coref: who 'it' is, decided by the adjective after it");
    CHECK(bundled_model_label(zoo("coref", R"({"task": "coref"})")) == "coref");
    CHECK(bundled_model_label(zoo("coref", "{not json")) == "coref");
    CHECK(bundled_model_label(zoo("coref")) == "coref");
    CHECK(bundled_model_label(fixture("gpt2-tiny")) == "gpt2-tiny");
}

TEST_CASE("a zoo model picked from the picker opens on its card's example and featured head; the panel shows it") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.config.bundled_models = {"coref", "gpt2-tiny"};
    ui.app.config.model_labels = {"coref: who 'it' is", "gpt2-tiny"};
    ui.app.config.random_models = {"gpt2-tiny"};
    ui.app.text = "hello there";
    // Loaded some other way (a link, Open model...): the card shows but the text and head stay.
    REQUIRE(app_load_model(ui.app, bert_with_card(kCard), "coref"));
    CHECK(ui.app.card.present);
    CHECK(ui.app.text == "hello there");
    CHECK(ui.app.selection.layer == 0);

    ui.app.open_card_for = "coref";   // what the picker sets before asking the platform for the model
    REQUIRE(app_load_model(ui.app, bert_with_card(kCard), "coref"));
    CHECK(ui.app.open_card_for.empty());
    CHECK(ui.app.text == "the animal didn't cross the street because it was too tired");
    CHECK(ui.app.selection.layer == 1);
    CHECK(ui.app.selection.head == 2);
    CHECK(ui.app.selection.head_mode == HeadMode::one);
    REQUIRE(ui.app.has_trace);
    CHECK(ui.app.trace.tokens.size() > 8);   // the example was traced
    // The card's query word is pinned: the inspector shows the row of "it".
    REQUIRE(ui.app.selection.pinned_query >= 0);
    CHECK(ui.app.trace.tokens.pieces[static_cast<size_t>(ui.app.selection.pinned_query)] == "it");
    CHECK(ui.app.card.card.featured_query == "it");

    for (int i = 0; i < 3; ++i) ui.frame();
    const std::array<float, 4>& r = ui.app.widgets.card_panel;
    CHECK(r[2] > 100.0f);
    CHECK(r[3] > 60.0f);
    CHECK(r[0] < 640.0f);   // the left panel
    REQUIRE(find_mark("card_example"));

    // "Show the example" puts the example and head back after the user moved away.
    ui.app.selection.layer = 0;
    app_set_text(ui.app, "something else");
    ui.frame();
    const WidgetMark* button = find_mark("card_example");
    REQUIRE(button);
    ui.click(ImVec2(button->rect[0] + button->rect[2] * 0.5f, button->rect[1] + button->rect[3] * 0.5f));
    CHECK(ui.app.text == "the animal didn't cross the street because it was too tired");
    CHECK(ui.app.selection.layer == 1);

    // A plain fixture: no card, no panel, and the text the user had stays.
    ui.app.open_card_for = "gpt2-tiny";
    ui.load_fixture("gpt2-tiny");
    CHECK(!ui.app.card.present);
    CHECK(ui.app.text == "the animal didn't cross the street because it was too tired");
    ui.frame();
    CHECK(ui.app.widgets.card_panel[2] == 0.0f);
}

TEST_CASE("an encoder-decoder zoo model opens with its own greedy translation of the example as the target") {
    UiHarness ui(ImVec2(1280, 800));
    Expected<FileSet> files = folder_read(fixture_path("bart-tiny"));
    REQUIRE(files.ok());
    files->add(kModelCardFile, bytes_from_string(R"({"task": "translate", "example_text": "the big dog chases a red cat",
        "featured": {"layer": 1, "head": 3}})"));
    ui.app.target = "left over from another model";
    ui.app.open_card_for = "translate";
    REQUIRE(app_load_model(ui.app, *files, "translate"));
    CHECK(ui.app.text == "the big dog chases a red cat");
    GenerateOptions options;
    options.max_new_tokens = std::max(8, ui.app.model->info().n_ctx - 2);
    Expected<std::vector<int32_t>> ids =
        model_generate_seq2seq(*ui.app.model, seq2seq_source_ids(*ui.app.model, ui.app.text), options);
    REQUIRE(ids.ok());
    CHECK(ui.app.target == ui.app.model->tokenizer.decode(*ids, true));
    CHECK(ui.app.selection.kind == AttentionKind::cross);
    CHECK(ui.app.selection.layer == 1);
    CHECK(ui.app.selection.head == 3);
    REQUIRE(ui.app.has_trace);
    for (int i = 0; i < 2; ++i) ui.frame();
}

TEST_CASE("a card that does not parse: the model still loads, the panel names the problem") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "the cat sat";
    ui.app.open_card_for = "coref";
    REQUIRE(app_load_model(ui.app, bert_with_card(R"({"task": "coref", "featured": {"layer": "one"}})"), "coref"));
    CHECK(ui.app.card.present);
    CHECK(ui.app.card.error.find("card.json") != std::string::npos);
    CHECK(ui.app.card.error.find("layer") != std::string::npos);
    CHECK(ui.app.text == "the cat sat");
    CHECK(ui.app.has_trace);
    for (int i = 0; i < 2; ++i) ui.frame();
    CHECK(ui.app.widgets.card_panel[3] > 0.0f);
}

TEST_CASE("the picker lists zoo models by label, then the fixtures under a test models heading") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.config.bundled_models = {"coref", "induction", "gpt2-tiny", "bert-tiny"};
    ui.app.config.model_labels = {"coref: who 'it' is", "induction: copies", "gpt2-tiny", "bert-tiny"};
    ui.app.config.random_models = {"gpt2-tiny", "bert-tiny"};
    ui.app.config.request_model = [](const std::string&) {};
    ui.load_fixture("gpt2-tiny");
    ui.frame();
    const std::array<float, 4> combo = ui.app.widgets.model_picker;
    REQUIRE(combo[2] > 0.0f);
    ui.click(ImVec2(combo[0] + combo[2] * 0.5f, combo[1] + combo[3] * 0.5f));
    ui.frame();
    const auto& items = ui.app.widgets.model_items;
    REQUIRE(items.size() == 4);
    // The heading and its separator sit between the last zoo model and the first fixture.
    const float gap_zoo = items[1][1] - items[0][1];
    const float gap_heading = items[2][1] - items[1][1];
    CHECK(gap_heading > gap_zoo * 1.8f);
    CHECK(items[3][1] - items[2][1] == doctest::Approx(gap_zoo));
    // Picking the first zoo model asks for it by name and marks it to open on its card.
    std::string asked;
    ui.app.config.request_model = [&asked](const std::string& name) { asked = name; };
    ui.click(ImVec2(items[0][0] + 10.0f, items[0][1] + items[0][3] * 0.5f));
    CHECK(asked == "coref");
    CHECK(ui.app.open_card_for == "coref");
}

TEST_CASE("loss curve PNG: the size asked for, the loss and accuracy drawn in their colours, bad input refused") {
    std::vector<TrainLogRow> rows;
    for (int step = 0; step <= 400; step += 10) {
        TrainLogRow r;
        r.step = step;
        r.loss = 4.0 * std::exp(-step / 80.0) + 0.02;
        r.train_accuracy = 1.0 - std::exp(-step / 60.0);
        r.held_out_accuracy = step % 100 == 0 ? 1.0 - std::exp(-step / 70.0) : -1.0;
        rows.push_back(r);
    }
    Expected<Bytes> png = loss_curve_png(rows, 640, 400);
    REQUIRE_MESSAGE(png.ok(), png.error().message);
    int w = 0, h = 0, channels = 0;
    stbi_uc* pixels = stbi_load_from_memory(png->data(), static_cast<int>(png->size()), &w, &h, &channels, 4);
    REQUIRE(pixels);
    CHECK(w == 640);
    CHECK(h == 400);
    auto count_near = [&](int r, int g, int b) {
        int n = 0;
        for (int i = 0; i < w * h; ++i) {
            const stbi_uc* p = pixels + i * 4;
            if (std::abs(p[0] - r) < 30 && std::abs(p[1] - g) < 30 && std::abs(p[2] - b) < 30) ++n;
        }
        return n;
    };
    const int blue = count_near(31, 119, 180), green = count_near(44, 160, 44), white = count_near(255, 255, 255);
    const int dark = count_near(30, 30, 35);
    stbi_image_free(pixels);
    CHECK(blue > 300);    // the loss curve and its axis labels
    CHECK(green > 200);   // held-out accuracy, its markers and axis
    CHECK(dark > 200);    // title, frame and step labels
    CHECK(white > w * h / 2);

    // A font the caller hands in is used (the CLI passes DejaVu); the picture is still the size asked for.
    Expected<Bytes> font = file_read("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    if (font) {
        Expected<Bytes> with_font = loss_curve_png(rows, 960, 540, &*font);
        REQUIRE(with_font.ok());
        CHECK(*with_font != *png);
        // ATTN_ZOO_SHOTS=DIR: the picture for a person to look at.
        if (const char* dir = std::getenv("ATTN_ZOO_SHOTS")) CHECK(file_write_atomic(std::string(dir) + "/loss_curve.png", *with_font).ok());
    }

    CHECK(loss_curve_png({}, 640, 400).error().message.find("no step") != std::string::npos);
    TrainLogRow nan_row;
    nan_row.loss = std::nan("");
    CHECK(!loss_curve_png({nan_row}, 640, 400).ok());
    CHECK(loss_curve_png(rows, 50, 400).error().message.find("200 to 4000") != std::string::npos);
    // No ImGui context was left behind, and a caller's context survives.
    CHECK(ImGui::GetCurrentContext() == nullptr);
    UiHarness ui(ImVec2(800, 600), false);
    ImGuiContext* mine = ImGui::GetCurrentContext();
    REQUIRE(loss_curve_png(rows, 300, 200).ok());
    CHECK(ImGui::GetCurrentContext() == mine);
}
