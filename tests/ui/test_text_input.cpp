// The text input: the empty box (no trace, the main view says what to type), the context cut (how many
// tokens, where the cut falls, the quote), newlines in chips, the clipboard in the native ImGui box, and
// the room the page's HTML text areas get. Driven through the real app frame on the fixtures.
#include <doctest/doctest.h>

#include <string>

#include "tests/ui/ui_harness.h"
#include "ui/text_cut.h"
#include "ui/token_label.h"

using namespace attn;

namespace {

ImVec2 centre(const std::array<float, 4>& r) { return ImVec2(r[0] + r[2] * 0.5f, r[1] + r[3] * 0.5f); }

bool inside(const std::array<float, 4>& inner, const std::array<float, 4>& outer) {
    return inner[0] >= outer[0] && inner[1] >= outer[1] && inner[0] + inner[2] <= outer[0] + outer[2] + 0.5f &&
           inner[1] + inner[3] <= outer[1] + outer[3] + 0.5f;
}

// A key chord held for one frame, as the GLFW backend reports it (io.KeyMap / io.KeysDown in ImGui 1.86).
void press(UiHarness& ui, ImGuiKey key, bool ctrl) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyMap[key] = 300 + key;
    io.KeyCtrl = ctrl;
    io.KeysDown[300 + key] = true;
    ui.frame();
    io.KeysDown[300 + key] = false;
    ui.frame();
    io.KeyCtrl = false;
}

// The system clipboard as the platform backend would give it to ImGui.
std::string g_clipboard;
const char* clipboard_get(void*) { return g_clipboard.c_str(); }
void clipboard_set(void*, const char* text) { g_clipboard = text; }

std::string long_text(int words) {
    std::string text;
    for (int i = 0; i < words; ++i) text += "word" + std::to_string(i) + " ";
    return text;
}

}  // namespace

TEST_CASE("empty text box: no trace, the main view says what to type") {
    for (const char* model : {"gpt2-tiny", "llama-tiny", "bert-tiny", "bart-tiny"}) {
        CAPTURE(model);
        UiHarness ui(ImVec2(1280, 800));
        ui.app.text = "The animal didn't cross the street.";
        ui.load_fixture(model);
        ui.frame();
        CHECK(ui.app.widgets.empty_hint[2] == 0.0f);
        for (const char* blank : {"", "   \n\t "}) {
            app_set_text(ui.app, blank);
            // Llama would trace a lone BOS, BERT [CLS] [SEP]: nothing the user wrote.
            CHECK_FALSE(ui.app.has_trace);
            CHECK(app_waiting_for_text(ui.app));
            CHECK(ui.app.next_predictions.empty());
            CHECK(ui.app.trace_error.empty());
            for (MainView v : kMainViews) {
                ui.app.main_view = v;
                ui.frame();
                CHECK(ui.app.widgets.empty_hint[2] > 0.0f);
                CHECK(ui.app.widgets.chips.empty());
            }
            CHECK_FALSE(app_next_token(ui.app));
        }
        app_set_text(ui.app, "Hello world");
        REQUIRE(ui.app.has_trace);
        CHECK_FALSE(app_waiting_for_text(ui.app));
        ui.frame();
        CHECK(ui.app.widgets.empty_hint[2] == 0.0f);
        CHECK_FALSE(ui.app.widgets.chips.empty());
    }
}

TEST_CASE("text_before_cut quotes the last words before the cut") {
    const std::string text = "The animal didn't cross the street because it was too tired";
    const int street_end = static_cast<int>(text.find("street") + 6);
    CHECK(text_before_cut(text, street_end, 20) == "\xE2\x80\xA6" "cross the street");
    CHECK(text_before_cut(text, street_end + 1, 20) == "\xE2\x80\xA6" "cross the street");   // the space after
    CHECK(text_before_cut(text, 10, 20) == "The animal");                                    // from the start
    CHECK(text_before_cut(text, 0, 20).empty());
    CHECK(text_before_cut(text, 10000, 9) == "\xE2\x80\xA6" "tired");                         // clamped
    CHECK(text_before_cut("one\ntwo", 7, 20) == "one two");
    // A cut inside a character moves back to its start; a long word is cut, not dropped.
    const std::string cjk = "\xE5\x8A\xA8\xE7\x89\xA9\xE6\xB2\xA1\xE6\x9C\x89";   // 动物没有
    CHECK(text_before_cut(cjk, 7, 20) == "\xE5\x8A\xA8\xE7\x89\xA9");
    CHECK(text_before_cut(cjk, 12, 2) == "\xE2\x80\xA6" "\xE6\xB2\xA1\xE6\x9C\x89");
}

TEST_CASE("a text longer than the context: how long it was and where the cut falls") {
    for (const char* model : {"gpt2-tiny", "bert-tiny", "llama-tiny", "bart-tiny"}) {
        CAPTURE(model);
        UiHarness ui(ImVec2(1280, 800));
        ui.app.text = "short";
        ui.load_fixture(model);
        CHECK_FALSE(ui.app.truncated);
        CHECK(ui.app.text_cut_byte == -1);

        const int n_ctx = ui.app.model->info().n_ctx;
        const std::string text = long_text(n_ctx * 3);
        app_set_text(ui.app, text);
        REQUIRE(ui.app.has_trace);
        // The tokenizer's own count and offsets, not the app's: the notice must say the real numbers.
        const Encoding enc = ui.app.model->tokenizer.encode(text, true);
        CHECK(static_cast<int>(enc.ids.size()) > n_ctx);
        CHECK(ui.app.truncated);
        CHECK(ui.app.n_text_tokens >= static_cast<int>(enc.ids.size()));   // BART adds no more than its specials
        CHECK(ui.app.n_text_tokens <= static_cast<int>(enc.ids.size()) + 2);
        CHECK(ui.app.trace.tokens.size() == n_ctx);
        CHECK(ui.app.text_cut_byte == enc.offsets[static_cast<size_t>(n_ctx - 1)].second);
        // The last piece the model reads ends exactly at the cut.
        const std::string last = ui.app.trace.tokens.pieces.back();
        CHECK(ui.app.text_cut_byte > 0);
        CHECK(ui.app.text_cut_byte < static_cast<int>(text.size()));
        const std::string quote = text_before_cut(ui.app.text, ui.app.text_cut_byte, 24);
        REQUIRE(quote.size() > 3);
        std::string before = text.substr(0, static_cast<size_t>(ui.app.text_cut_byte));
        while (!before.empty() && before.back() == ' ') before.pop_back();
        CHECK(before.size() >= quote.size() - 3);
        CHECK(before.compare(before.size() - (quote.size() - 3), std::string::npos, quote.substr(3)) == 0);
        CHECK_NOTHROW(ui.frame());

        app_set_text(ui.app, "short again");
        CHECK_FALSE(ui.app.truncated);
        CHECK(ui.app.text_cut_byte == -1);
        CHECK(ui.app.n_text_tokens == ui.app.trace.tokens.size());
    }
}

TEST_CASE("a newline typed with Enter is kept and shows as a chip") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "one";
    ui.load_fixture("gpt2-tiny");
    app_set_text(ui.app, "first line\nsecond line");
    REQUIRE(ui.app.has_trace);
    bool seen = false;
    for (const std::string& piece : ui.app.trace.tokens.pieces)
        seen |= token_label(piece, piece_style_for(ui.app.trace)).find("\xE2\x86\xB5") != std::string::npos;   // ↵
    CHECK(seen);
    CHECK(ui.app.text.find('\n') != std::string::npos);
}

TEST_CASE("native text box: Ctrl+A, Ctrl+C and Ctrl+V go through the platform clipboard") {
    UiHarness ui(ImVec2(1280, 800));
    ImGuiIO& io = ImGui::GetIO();
    io.GetClipboardTextFn = clipboard_get;   // what ImGui_ImplGlfw installs (glfwGet/SetClipboardString)
    io.SetClipboardTextFn = clipboard_set;
    ui.app.text = "The animal didn't cross the street.";
    ui.load_fixture("gpt2-tiny");
    ui.frame();
    const std::array<float, 4> box = ui.app.widgets.text_box;
    REQUIRE(box[2] > 0.0f);
    CHECK(inside(ui.app.widgets.text_box_visible, box));
    ui.click(centre(box));
    REQUIRE(io.WantTextInput);
    g_clipboard.clear();
    press(ui, ImGuiKey_A, true);
    press(ui, ImGuiKey_C, true);
    CHECK(g_clipboard == "The animal didn't cross the street.");

    const int before = ui.app.trace.tokens.size();
    g_clipboard = "Pasted from another program: the cat sat on the mat, \xE5\x8A\xA8\xE7\x89\xA9.";
    press(ui, ImGuiKey_A, true);
    press(ui, ImGuiKey_V, true);
    CHECK(ui.app.text == g_clipboard);
    REQUIRE(ui.app.has_trace);
    CHECK(ui.app.trace.tokens.size() != before);
    CHECK(ui.app.model->tokenizer.encode(g_clipboard, true).ids == ui.app.trace.tokens.ids);

    press(ui, ImGuiKey_A, true);
    press(ui, ImGuiKey_X, true);   // cut: the box empties, the clipboard has the text
    CHECK(ui.app.text.empty());
    CHECK(g_clipboard.find("Pasted") == 0);
    CHECK_FALSE(ui.app.has_trace);
}

TEST_CASE("page mode: the panel keeps room for the HTML text area and edits nothing itself") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.config.html_text_boxes = true;
    ui.app.text = "The animal didn't cross the street.";
    ui.load_fixture("gpt2-tiny");
    ui.frame();
    const std::array<float, 4> box = ui.app.widgets.text_box;
    REQUIRE(box[2] > 100.0f);
    REQUIRE(box[3] > ImGui::GetFontSize() * 3);
    CHECK(ui.app.widgets.text_box_visible == box);   // nothing scrolls it away at this size
    CHECK(ui.app.widgets.target_box[2] == 0.0f);     // a decoder has one box
    ui.click(centre(box));
    CHECK_FALSE(ImGui::GetIO().WantTextInput);       // no ImGui box there: the page's text area takes keys
    ImGui::GetIO().AddInputCharacter('x');
    ui.frame();
    CHECK(ui.app.text == "The animal didn't cross the street.");
    // The chips sit below the box, not under the text area.
    REQUIRE_FALSE(ui.app.widgets.chips.empty());
    CHECK(ui.app.widgets.chips[0][1] >= box[1] + box[3]);
}

TEST_CASE("page mode: an encoder-decoder gets a source and a target text area") {
    UiHarness bart(ImVec2(1280, 800));
    bart.app.config.html_text_boxes = true;
    bart.app.text = "The animal didn't cross the street.";
    bart.load_fixture("bart-tiny");
    bart.frame();
    CHECK(bart.app.widgets.text_box[2] > 0.0f);
    CHECK(bart.app.widgets.target_box[2] > 0.0f);
    CHECK(bart.app.widgets.target_box[1] > bart.app.widgets.text_box[1] + bart.app.widgets.text_box[3]);
}
