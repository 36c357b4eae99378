// Themes, font size, keyboard shortcuts, URL-fragment state and exports, driven through the real app
// frame on the gpt2-tiny and bart-tiny fixtures.
#include <doctest/doctest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "model/safetensors.h"
#include "platform/file_io.h"
#include "tests/fixture_path.h"
#include "tests/ui/ui_harness.h"
#include "ui/url_state.h"
#include <stb/stb_image.h>

using namespace attn;

namespace {

// One frame with a key held, as a backend would report it (GLFW's key codes in io.KeyMap).
void press_key(UiHarness& ui, ImGuiKey key) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyMap[key] = 300 + key;
    io.KeysDown[300 + key] = true;
    ui.frame();
    io.KeysDown[300 + key] = false;
    ui.frame();
}

void type_char(UiHarness& ui, char c) {
    ImGui::GetIO().AddInputCharacter(static_cast<unsigned>(c));
    ui.frame();
}

float luminance(const ImVec4& c) { return 0.2126f * c.x + 0.7152f * c.y + 0.0722f * c.z; }

ImVec2 centre(const std::array<float, 4>& r) { return ImVec2(r[0] + r[2] * 0.5f, r[1] + r[3] * 0.5f); }

}  // namespace

TEST_CASE("shortcuts move layer and head, change font size, view and theme") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "The animal didn't cross the street because it was too tired.";
    ui.load_fixture("gpt2-tiny");
    ui.frame();
    press_key(ui, ImGuiKey_RightArrow);
    CHECK(ui.app.selection.head == 1);
    press_key(ui, ImGuiKey_DownArrow);
    CHECK(ui.app.selection.layer == 1);
    press_key(ui, ImGuiKey_DownArrow);   // gpt2-tiny has 2 layers: stays on the last
    CHECK(ui.app.selection.layer == 1);
    press_key(ui, ImGuiKey_LeftArrow);
    press_key(ui, ImGuiKey_LeftArrow);
    CHECK(ui.app.selection.head == 0);

    const float before = ImGui::GetFontSize();
    type_char(ui, '+');
    CHECK(ui.app.font_size == doctest::Approx(18.0f));
    ui.frame();   // the next frame rebuilds the atlas at the new size
    CHECK_FALSE(ui.app.fonts_dirty);
    CHECK(ImGui::GetFontSize() > before);
    type_char(ui, '-');
    type_char(ui, '-');
    CHECK(ui.app.font_size == doctest::Approx(14.0f));

    type_char(ui, '2');
    CHECK(ui.app.main_view == MainView::grid);
    type_char(ui, '1');
    CHECK(ui.app.main_view == MainView::heatmap);

    CHECK(luminance(ImGui::GetStyle().Colors[ImGuiCol_WindowBg]) < 0.3f);
    type_char(ui, 't');
    CHECK(ui.app.theme == Theme::light);
    CHECK(luminance(ImGui::GetStyle().Colors[ImGuiCol_WindowBg]) > 0.7f);
    ui.frame();
}

TEST_CASE("URL fragment: round trip reproduces the view") {
    std::string fragment, text, target;
    std::vector<int32_t> decoder_ids;
    {   // one ImGui context at a time: the harness owns the current one
        UiHarness a(ImVec2(1280, 800));
        a.app.config.bundled_models = {"gpt2-tiny", "bart-tiny"};
        a.load_fixture("bart-tiny");
        app_set_text(a.app, "Caf\xC3\xA9 & friends = 100% fun?");
        app_set_target(a.app, "Hello world");
        a.app.selection.kind = AttentionKind::decoder;
        a.app.selection.layer = 1;
        a.app.selection.head = 2;
        a.app.main_view = MainView::lines;
        app_set_theme(a.app, Theme::light);
        app_set_font_size(a.app, 22.0f);
        a.app.selection.colormap = Colormap::magma;
        a.app.selection.auto_scale = true;
        fragment = url_state_format(a.app);
        text = a.app.text;
        target = a.app.target;
        decoder_ids = a.app.trace.decoder_tokens.ids;
    }
    CHECK(fragment.find("model=bart-tiny") != std::string::npos);
    CHECK(fragment.find(' ') == std::string::npos);
    CHECK(fragment.find("text=Caf%C3%A9%20%26%20friends%20%3D%20100%25%20fun%3F") != std::string::npos);

    UrlState st = url_state_parse("#" + fragment);
    REQUIRE(st.model);
    CHECK(*st.model == "bart-tiny");
    UiHarness b(ImVec2(1280, 800));
    b.load_fixture(st.model->c_str());
    app_apply_url_state(b.app, st);
    CHECK(b.app.text == text);
    CHECK(b.app.target == target);
    CHECK(b.app.selection.kind == AttentionKind::decoder);
    CHECK(b.app.selection.layer == 1);
    CHECK(b.app.selection.head == 2);
    CHECK(b.app.main_view == MainView::lines);
    CHECK(b.app.theme == Theme::light);
    CHECK(b.app.font_size == doctest::Approx(22.0f));
    CHECK(b.app.selection.colormap == Colormap::magma);
    CHECK(b.app.selection.auto_scale);
    CHECK(b.app.trace.decoder_tokens.ids == decoder_ids);
    b.frame();
}

TEST_CASE("URL fragment: bad values are ignored, out-of-range ones clamped") {
    UrlState st = url_state_parse("layer=abc&view=nope&kind=sideways&head=-1&font=999&theme=blue&junk&=x&text=%E6%B3%A8%ZZ%4");
    CHECK_FALSE(st.layer);
    CHECK_FALSE(st.view);
    CHECK_FALSE(st.kind);
    CHECK_FALSE(st.head);
    CHECK_FALSE(st.theme);
    REQUIRE(st.text);
    CHECK(*st.text == "\xE6\xB3\xA8%ZZ%4");
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "Hello";
    ui.load_fixture("gpt2-tiny");
    st.layer = 99;
    app_apply_url_state(ui.app, st);
    CHECK(ui.app.selection.layer == 1);          // clamped to the model's last layer
    CHECK(ui.app.font_size == doctest::Approx(48.0f));   // font=999 clamped
    CHECK(ui.app.text == "\xE6\xB3\xA8%ZZ%4");
    ui.frame();
    // A model loaded from disk is not in the bundled list: a link must not name it.
    CHECK(url_state_format(ui.app).find("model=") == std::string::npos);
}

TEST_CASE("exports: CSV and JSON hold the shown head with its labels") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "Hello, \"quoted\" world";
    ui.load_fixture("gpt2-tiny");
    ui.app.selection.layer = 1;
    ui.app.selection.head = 3;
    const AttentionTensor& a = ui.app.trace.attentions;

    Expected<ExportFile> csv = app_export_file(ui.app, ExportKind::csv);
    REQUIRE(csv.ok());
    CHECK(csv->name == "gpt2-tiny-self-L1-H3.csv");
    std::string text(csv->bytes.begin(), csv->bytes.end());
    // Header: the corners, then one column per key (Hello , ·" qu oted " ·world); quotes are doubled.
    CHECK(text.rfind("query id,query piece,query \\ key,Hello,\",\",\"·\"\"\",qu,oted,\"\"\"\",·world\r\n", 0) == 0);
    size_t lines = 0;
    for (char c : text) lines += c == '\n';
    CHECK(lines == static_cast<size_t>(a.n_query + 3));   // labels, ids and pieces of the keys, then the rows
    // Query 1 (','), key 0: parse the value back after its id, piece and label.
    size_t row = 0;
    for (int i = 0; i < 3 + 1; ++i) row = text.find('\n', row) + 1;
    std::string line = text.substr(row, text.find('\r', row) - row);
    const std::string start = std::to_string(ui.app.trace.tokens.ids[1]) + ",\",\",\",\",";
    REQUIRE(line.rfind(start, 0) == 0);
    float first = std::strtof(line.c_str() + start.size(), nullptr);
    CHECK(first == a.at(1, 3, 1, 0));

    Expected<ExportFile> json = app_export_file(ui.app, ExportKind::json);
    REQUIRE(json.ok());
    nlohmann::json j = nlohmann::json::parse(json->bytes.begin(), json->bytes.end());
    CHECK(j["layer"] == 1);
    CHECK(j["head"] == 3);
    CHECK(j["kind"] == "self");
    REQUIRE(j["weights"].size() == static_cast<size_t>(a.n_query));
    for (int t = 0; t < a.n_query; ++t)
        for (int s = 0; s < a.n_key; ++s) CHECK(j["weights"][t][s].get<float>() == a.at(1, 3, t, s));
    CHECK(j["queries"].size() == static_cast<size_t>(a.n_query));
}

TEST_CASE("exports: .npy and the whole trace as safetensors") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "Attention is all you need";
    ui.load_fixture("gpt2-tiny");
    const AttentionTensor& a = ui.app.trace.attentions;

    Expected<ExportFile> npy = app_export_file(ui.app, ExportKind::npy);
    REQUIRE(npy.ok());
    const Bytes& b = npy->bytes;
    REQUIRE(b.size() > 10);
    CHECK(std::memcmp(b.data(), "\x93NUMPY\x01\x00", 8) == 0);
    const size_t header_len = b[8] | (b[9] << 8);
    CHECK((10 + header_len) % 64 == 0);
    std::string header(b.begin() + 10, b.begin() + 10 + header_len);
    char expect_shape[64];
    std::snprintf(expect_shape, sizeof expect_shape, "'shape': (%d, %d, %d, %d)", a.n_layer, a.n_head, a.n_query, a.n_key);
    CHECK(header.find("'descr': '<f4'") != std::string::npos);
    CHECK(header.find(expect_shape) != std::string::npos);
    REQUIRE(b.size() == 10 + header_len + a.probs.size() * 4);
    CHECK(std::memcmp(b.data() + 10 + header_len, a.probs.data(), a.probs.size() * 4) == 0);

    Expected<ExportFile> st = app_export_file(ui.app, ExportKind::trace_safetensors);
    REQUIRE(st.ok());
    CHECK(st->name == "gpt2-tiny-trace.safetensors");
    auto parsed = safetensors_parse(std::make_shared<const Bytes>(st->bytes), st->name);
    REQUIRE_MESSAGE(parsed.ok(), parsed.error().message);
    const TensorView* att = parsed->find("attentions");
    REQUIRE(att);
    CHECK(tensor_to_f32(*att) == a.probs);
    REQUIRE(parsed->find("input_ids"));
    CHECK(parsed->find("last_logits"));

    Expected<ExportFile> npz = app_export_file(ui.app, ExportKind::trace_npz);
    REQUIRE(npz.ok());
    std::string zip(npz->bytes.begin(), npz->bytes.end());
    CHECK(zip.rfind("PK\x03\x04", 0) == 0);
    for (const char* name : {"input_ids.npy", "attentions.npy", "last_logits.npy"}) CHECK(zip.find(name) != std::string::npos);
}

TEST_CASE("exports: the Export menu hands the file to the platform, errors reach the status bar") {
    UiHarness ui(ImVec2(1280, 800));
    std::vector<std::string> saved;
    bool fail = false;
    ui.app.config.save_file = [&](const std::string& name, const Bytes& bytes) -> Expected<std::string> {
        if (fail) return make_error("disk full");
        saved.push_back(name);
        CHECK_FALSE(bytes.empty());
        return "saved " + name;
    };
    ui.app.text = "One two three";
    ui.load_fixture("gpt2-tiny");
    ui.frame();
    ui.click(centre(ui.app.widgets.export_button));
    ui.frame();
    REQUIRE(ui.app.widgets.export_items.size() >= 5);
    ui.click(centre(ui.app.widgets.export_items[2]));   // PNG first, then SVG, then CSV
    REQUIRE(saved.size() == 1);
    CHECK(saved[0] == "gpt2-tiny-self-L0-H0.csv");
    CHECK(ui.app.notice == "saved " + saved[0]);

    // PNG: the view rendered again off screen, between frames, at the main view's size.
    ui.click(centre(ui.app.widgets.export_button));
    ui.frame();
    ui.click(centre(ui.app.widgets.export_items[0]));
    REQUIRE(saved.size() == 2);
    CHECK(saved[1] == "gpt2-tiny-heatmap-self-L0-H0.png");
    Expected<ExportFile> png = app_export_file(ui.app, ExportKind::png);
    REQUIRE(png.ok());
    int w = 0, h = 0, n = 0;
    REQUIRE(stbi_info_from_memory(png->bytes.data(), static_cast<int>(png->bytes.size()), &w, &h, &n));
    CHECK(w == static_cast<int>(ui.app.widgets.main_view[2]));
    CHECK(h == static_cast<int>(ui.app.widgets.main_view[3]));
    CHECK(w < 1280);
    ui.frame();   // the app's own context is intact after the picture

    fail = true;
    CHECK_FALSE(app_export(ui.app, ExportKind::json));
    CHECK(ui.app.action_error.find("disk full") != std::string::npos);
    CHECK(ui.app.model);   // nothing the user loaded is lost
    ui.frame();
}
