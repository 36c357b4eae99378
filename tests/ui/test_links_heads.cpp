// Item 5-7 of issue 8 through the real app: links that carry the pin, Lines head toggles, flow
// threshold and view options (and mark a model opened from disk), the random-weights label, and the
// heatmap's head average and word-level view.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

#include "analysis/head_average.h"
#include "analysis/word_merge.h"
#include "model/safetensors.h"
#include "tests/ui/ui_harness.h"
#include "ui/token_chars.h"
#include "ui/url_state.h"

using namespace attn;

namespace {

const char* kText = "The animal didn't cross the street because it was crossing.";

}  // namespace

TEST_CASE("URL fragment: pin, Lines heads, flow threshold and pin, head average, words and value weighting round-trip") {
    std::string fragment;
    {
        UiHarness a(ImVec2(1280, 800));
        a.app.config.bundled_models = {"gpt2-tiny"};
        a.app.text = kText;
        a.load_fixture("gpt2-tiny");
        a.app.selection.pinned_query = 5;
        a.app.line_heads.on = {1, 0, 1, 1};
        a.app.flow.threshold = 0.25f;
        a.app.flow.pinned = 7;
        a.app.selection.head_mode = HeadMode::average_chosen;
        a.app.selection.averaged_heads = {0, 2, 3};
        a.app.selection.words = true;
        a.app.selection.value_weighted = true;
        fragment = url_state_format(a.app);
    }
    CHECK(fragment.find("pin=5") != std::string::npos);
    CHECK(fragment.find("lheads=0%2C2%2C3") != std::string::npos);
    CHECK(fragment.find("flow=0.25") != std::string::npos);
    CHECK(fragment.find("fpin=7") != std::string::npos);
    CHECK(fragment.find("heads=0%2C2%2C3") != std::string::npos);
    CHECK(fragment.find("words=1") != std::string::npos);
    CHECK(fragment.find("vw=1") != std::string::npos);

    UrlState st = url_state_parse(fragment);
    REQUIRE(st.pinned);
    CHECK(*st.pinned == 5);
    REQUIRE(st.line_heads);
    CHECK(*st.line_heads == std::vector<int>{0, 2, 3});
    REQUIRE(st.flow_threshold);
    CHECK(*st.flow_threshold == doctest::Approx(0.25f));
    CHECK(st.head_mode == HeadMode::average_chosen);
    CHECK(st.averaged_heads == std::vector<int>{0, 2, 3});
    CHECK(st.words == true);
    CHECK(st.value_weighted == true);

    UiHarness b(ImVec2(1280, 800));
    b.app.text = "Hello";
    b.load_fixture("gpt2-tiny");
    app_apply_url_state(b.app, st);
    CHECK(b.app.text == kText);
    CHECK(b.app.selection.pinned_query == 5);
    CHECK(b.app.flow.threshold == doctest::Approx(0.25f));
    CHECK(b.app.flow.pinned == 7);
    CHECK(b.app.selection.head_mode == HeadMode::average_chosen);
    CHECK(b.app.selection.averaged_heads == std::vector<int>{0, 2, 3});
    CHECK(b.app.selection.words);
    CHECK(b.app.selection.value_weighted);
    b.app.main_view = MainView::lines;
    b.frame();
    b.frame();   // the lines view keeps the linked toggles instead of resetting them to the selected head
    CHECK(b.app.line_heads.on == std::vector<char>{1, 0, 1, 1});
    b.app.main_view = MainView::flow;
    b.frame();
    CHECK(b.app.flow.pinned == 7);

    // "heads=all" and the defaults: nothing is written for what a fresh app already has.
    CHECK(url_state_parse("heads=all").head_mode == HeadMode::average_all);
    CHECK(url_state_parse("heads=one").head_mode == HeadMode::one);
}

TEST_CASE("URL fragment: bad pins, head lists, thresholds and flags are ignored") {
    UrlState st = url_state_parse("pin=-1&lheads=0,x&flow=1.5&fpin=abc&heads=1,,2&words=yes&vw=2&model=local:");
    CHECK_FALSE(st.pinned);
    CHECK_FALSE(st.line_heads);
    CHECK_FALSE(st.flow_threshold);
    CHECK_FALSE(st.flow_pinned);
    CHECK_FALSE(st.head_mode);
    CHECK_FALSE(st.words);
    CHECK_FALSE(st.value_weighted);
    CHECK_FALSE(st.local_model);
    CHECK_FALSE(st.model);
    for (const char* bad : {"flow=nan", "flow=-0.1", "flow=1e-2", "flow=0.1.2", "flow=.", "flow="})
        CHECK_FALSE(url_state_parse(bad).flow_threshold);
    CHECK(*url_state_parse("flow=.5").flow_threshold == doctest::Approx(0.5f));

    // In range for the parser but not for this trace (gpt2-tiny: 4 heads; the text has a few tokens).
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "Hello there";
    ui.load_fixture("gpt2-tiny");
    app_apply_url_state(ui.app, url_state_parse("pin=999&fpin=999&lheads=9,12&heads=7,8"));
    CHECK(ui.app.selection.pinned_query == -1);
    CHECK(ui.app.flow.pinned == -1);
    CHECK(ui.app.line_heads.on.empty());
    CHECK(ui.app.selection.head_mode == HeadMode::average_all);   // no valid head chosen: all of them
    ui.frame();
}

TEST_CASE("a model opened from disk: the link marks it, Copy link says so, the receiver is told") {
    std::string fragment;
    {
        UiHarness a(ImVec2(1280, 800));
        a.app.config.bundled_models = {"bert-tiny"};
        a.app.text = kText;
        a.load_fixture("gpt2-tiny");
        CHECK(url_state_format(a.app).find("model=") == std::string::npos);   // not bundled, not from disk
        app_mark_model_from_disk(a.app);
        a.frame();
        REQUIRE(a.app.widgets.copy_link[2] > 0.0f);
        a.click(ImVec2(a.app.widgets.copy_link[0] + 4, a.app.widgets.copy_link[1] + 4));   // the toolbar button
        CHECK(a.app.notice.find("cannot carry the model you opened from disk (gpt2-tiny)") != std::string::npos);
        fragment = ImGui::GetClipboardText();
        REQUIRE(fragment.size() > 1);
        CHECK(fragment[0] == '#');
        CHECK(fragment.find("model=local%3Agpt2-tiny") != std::string::npos);
        // Loading another model (the picker's) ends the mark.
        a.load_fixture("bert-tiny");
        CHECK_FALSE(a.app.model_from_disk);
        CHECK(url_state_format(a.app).find("model=bert-tiny") != std::string::npos);
        app_copy_link(a.app);
        CHECK(a.app.notice.find("disk") == std::string::npos);
    }
    UrlState st = url_state_parse(fragment);
    CHECK_FALSE(st.model);   // nothing for the platform to load by name
    REQUIRE(st.local_model);
    CHECK(*st.local_model == "gpt2-tiny");

    UiHarness b(ImVec2(1280, 800));
    b.app.config.bundled_models = {"bert-tiny"};
    b.app.text = "Hello";
    b.load_fixture("bert-tiny");   // what the page shows meanwhile
    app_apply_url_state(b.app, st);
    CHECK(b.app.text == kText);
    const std::string warning = app_link_warning(b.app);
    CHECK(warning.find("this link was made with a model opened from disk (gpt2-tiny): open that folder with Open model") !=
          std::string::npos);
    CHECK(warning.find("showing bert-tiny") != std::string::npos);
    // Passing the link on keeps the mark instead of naming the stand-in model.
    CHECK(url_state_format(b.app).find("model=local%3Agpt2-tiny") != std::string::npos);
    b.frame();
    b.load_fixture("gpt2-tiny");   // the reader opens the model: the warning goes
    CHECK(app_link_warning(b.app).empty());
}

TEST_CASE("random weights: every fixture is flagged at load; a scaled-up LM head is not") {
    for (const char* name : {"gpt2-tiny", "gpt2-f16", "llama-tiny", "qwen2-tiny", "bert-tiny", "roberta-tiny",
                             "distilbert-tiny", "bart-tiny", "llama-bf16-sharded"}) {
        INFO(name);
        UiHarness ui(ImVec2(1024, 768));
        ui.app.text = "Hello world";
        ui.load_fixture(name);
        CHECK(ui.app.random_weights);
        ui.frame();
    }
    // gpt2-tiny ties its LM head to the token embeddings: scaling them by 100 scales the logits by
    // 100 (the final layer norm undoes the scale on the input side), so predictions become peaked.
    Expected<FileSet> files = folder_read(fixture_path("gpt2-tiny"));
    REQUIRE(files.ok());
    Bytes weights = bytes_from_blob(*files->find("model.safetensors"));
    {
        Expected<SafetensorsFile> st = safetensors_parse(files->find_shared("model.safetensors"), "model.safetensors");
        REQUIRE(st.ok());
        const TensorView* wte = st->find("wte.weight");
        if (!wte) wte = st->find("transformer.wte.weight");
        REQUIRE(wte != nullptr);
        REQUIRE(wte->dtype == DType::F32);
        const size_t offset = static_cast<size_t>(wte->data - files->find("model.safetensors")->data());
        for (size_t i = 0; i < wte->nbytes; i += 4) {
            float v;
            std::memcpy(&v, weights.data() + offset + i, 4);
            v *= 100.0f;
            std::memcpy(weights.data() + offset + i, &v, 4);
        }
    }
    files->add("model.safetensors", std::move(weights));
    UiHarness ui(ImVec2(1024, 768));
    ui.app.config.random_models = {"gpt2-tiny"};
    ui.app.text = "Hello world";
    REQUIRE(app_load_model(ui.app, *files, "trained-gpt2"));
    CHECK_FALSE(ui.app.random_weights);
    ui.frame();
}

TEST_CASE("heatmap: the average of all / chosen heads is what reaches the texture; words merge pieces") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = kText;
    ui.load_fixture("gpt2-tiny");
    ui.app.selection.layer = 1;
    const AttentionTensor& a = ui.app.trace.attentions;
    const int T = a.n_query;
    ui.app.selection.head_mode = HeadMode::average_all;
    ui.frame();
    const NullTextures::SlotRecord& slot = ui.textures.slots[kSlotHeatmap];
    REQUIRE(slot.values.size() == static_cast<size_t>(T) * T);
    for (int t = 0; t < T; ++t)
        for (int s = 0; s < T; ++s) {
            double want = 0.0;
            for (int h = 0; h < a.n_head; ++h) want += a.at(1, h, t, s);
            CHECK(slot.values[static_cast<size_t>(t) * T + s] == doctest::Approx(want / a.n_head).epsilon(1e-5));
        }
    ui.app.selection.head_mode = HeadMode::average_chosen;
    ui.app.selection.averaged_heads = {1, 3};
    ui.frame();
    std::vector<float> want = head_average(a, 1, {1, 3});
    REQUIRE(ui.textures.slots[kSlotHeatmap].values.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) CHECK(ui.textures.slots[kSlotHeatmap].values[i] == doctest::Approx(want[i]));

    // Words: "Ġcross" .. "ing" pieces become one row; every row still sums to 1.
    ui.app.selection.head_mode = HeadMode::one;
    ui.app.selection.words = true;
    ui.frame();
    WordSpans w = word_spans(ui.app.trace.tokens.pieces, PieceConvention::byte_level);
    REQUIRE(w.size() < T);
    const NullTextures::SlotRecord& words = ui.textures.slots[kSlotHeatmap];
    REQUIRE(words.image.rows == w.size());
    REQUIRE(words.image.cols == w.size());
    for (int r = 0; r < w.size(); ++r) {
        double sum = 0.0;
        for (int c = 0; c < w.size(); ++c) sum += words.values[static_cast<size_t>(r) * w.size() + c];
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-4));
    }
    // Hovering the last word's row and clicking pins the word's first piece (chips and links use pieces).
    const auto& g = ui.app.widgets.heatmap_grid;
    const float cell = g[3] / w.size();
    ui.click(ImVec2(g[0] + cell * 0.5f, g[1] + cell * (w.size() - 0.5f)));
    CHECK(ui.app.selection.pinned_query == w.first[w.size() - 1]);
    ui.app.main_view = MainView::grid;   // every view still draws with the options on
    ui.frame();
    ui.app.main_view = MainView::heatmap;
    ui.app.selection.head_mode = HeadMode::average_all;
    ui.frame();
}

TEST_CASE("head table: one row per head of the selected layer; clicking a row shows that head alone") {
    UiHarness ui(ImVec2(1280, 900));
    ui.app.text = kText;
    ui.load_fixture("gpt2-tiny");
    ui.app.selection.layer = 1;
    ui.app.selection.head_mode = HeadMode::average_all;
    ui.frame();
    REQUIRE(ui.app.widgets.head_stats_rows.size() == 4);
    const auto& r = ui.app.widgets.head_stats_rows[2];
    ui.click(ImVec2(r[0] + r[2] * 0.5f, r[1] + r[3] * 0.5f));
    CHECK(ui.app.selection.head == 2);
    CHECK(ui.app.selection.layer == 1);
    CHECK(ui.app.selection.head_mode == HeadMode::one);
    ui.frame();
    const std::vector<float>& shown = ui.textures.slots[kSlotHeatmap].values;
    const AttentionTensor& a = ui.app.trace.attentions;
    REQUIRE(shown.size() == static_cast<size_t>(a.n_query) * a.n_key);
    CHECK(std::equal(shown.begin(), shown.end(), a.head(1, 2)));
}

TEST_CASE("Exports follow the heatmap's view options: JSON and SVG carry the head average, the picture title names it") {
    UiHarness h(ImVec2(1280, 800));
    h.app.text = kText;
    h.load_fixture("gpt2-tiny");
    h.app.selection.layer = 1;
    h.app.selection.head_mode = HeadMode::average_chosen;
    h.app.selection.averaged_heads = {0, 2};
    h.frame();
    const AttentionTensor& a = h.app.trace.attentions;
    const std::vector<float> mean = head_average(a, 1, {0, 2});

    Expected<ExportFile> json = app_export_file(h.app, ExportKind::json);
    REQUIRE(json);
    nlohmann::json j = nlohmann::json::parse(json->bytes.begin(), json->bytes.end());
    CHECK(j["heads"] == "average of heads 0,2");
    const int T = a.n_query;
    REQUIRE(j["weights"].size() == static_cast<size_t>(T));
    for (int t = 0; t < T; ++t)
        for (int s = 0; s < T; ++s)
            CHECK(j["weights"][t][s].get<float>() == doctest::Approx(mean[static_cast<size_t>(t) * T + s]).epsilon(1e-6));

    Expected<ExportFile> svg = app_export_file(h.app, ExportKind::svg);
    REQUIRE(svg);
    const std::string doc(svg->bytes.begin(), svg->bytes.end());
    CHECK(doc.find("average of heads 0,2") != std::string::npos);
    // The last row's last cell is the average's, not head 0's (they differ on a random model).
    CHECK(mean[static_cast<size_t>(T) * T - 1] != a.head(1, 0)[static_cast<size_t>(T) * T - 1]);

    // Words: the JSON's axes are the merged words ("crossing" is one entry).
    h.app.selection.head_mode = HeadMode::one;
    h.app.selection.words = true;
    h.frame();
    Expected<ExportFile> words = app_export_file(h.app, ExportKind::json);
    REQUIRE(words);
    nlohmann::json w = nlohmann::json::parse(words->bytes.begin(), words->bytes.end());
    CHECK(w["words"] == true);
    CHECK(static_cast<int>(w["queries"].size()) < T);
    bool has_crossing = false;
    for (const auto& q : w["queries"]) has_crossing |= q["label"].get<std::string>() == "\xC2\xB7" "crossing.";
    for (const auto& q : w["queries"]) has_crossing |= q["label"].get<std::string>() == "\xC2\xB7" "crossing";
    CHECK(has_crossing);
}

TEST_CASE("Exports label a split character as the screen does: CSV, JSON and SVG say 动 1/2, not <E5 8A>") {
    UiHarness h(ImVec2(1280, 800));
    h.app.text = "\xE5\x8A\xA8\xE7\x89\xA9";   // 动物: byte-level pieces split each character
    h.load_fixture("gpt2-tiny");
    h.frame();
    const std::vector<std::string> screen = token_display_labels(h.app.trace.tokens, h.app.trace.tokens.size(),
                                                                 piece_style_for(h.app.trace));
    REQUIRE(std::find(screen.begin(), screen.end(), "\xE5\x8A\xA8 1/2") != screen.end());

    Expected<ExportFile> json = app_export_file(h.app, ExportKind::json);
    REQUIRE(json);
    nlohmann::json j = nlohmann::json::parse(json->bytes.begin(), json->bytes.end());
    REQUIRE(j["queries"].size() == screen.size());
    for (size_t i = 0; i < screen.size(); ++i) CHECK(j["queries"][i]["label"].get<std::string>() == screen[i]);

    Expected<ExportFile> csv = app_export_file(h.app, ExportKind::csv);
    REQUIRE(csv);
    const std::string csv_text(csv->bytes.begin(), csv->bytes.end());
    CHECK(csv_text.find("\xE5\x8A\xA8 1/2") != std::string::npos);
    CHECK(csv_text.find("<E5") == std::string::npos);

    Expected<ExportFile> svg = app_export_file(h.app, ExportKind::svg);
    REQUIRE(svg);
    const std::string doc(svg->bytes.begin(), svg->bytes.end());
    CHECK(doc.find("\xE5\x8A\xA8 1/2") != std::string::npos);
    CHECK(doc.find("&lt;E5") == std::string::npos);
}
