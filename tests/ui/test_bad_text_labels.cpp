// The bad-TEXT rows of the hostile-input catalog (issue 14), as the user sees them: token labels (the
// UI's code, so here rather than in tests/model/test_bad_text_catalog.cpp, which checks the tokens)
// show control, zero-width, BOM and bidirectional-control characters as visible bytes, never raw;
// labels of hundreds of combining marks are clamped; 100,000 characters are cut to the context with
// the notice, in English and Chinese; every hostile text traces in the real app and draws a frame.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/i18n.h"
#include "core/unicode.h"
#include "model/tokenizer/tokenizer.h"
#include "platform/file_io.h"
#include "tests/ui/drawn_text.h"
#include "tests/ui/ui_harness.h"
#include "ui/draw_text.h"
#include "ui/token_chars.h"
#include "ui/token_label.h"

using namespace attn;

namespace {

std::string repeat(const std::string& s, size_t times) {
    std::string out;
    for (size_t i = 0; i < times; ++i) out += s;
    return out;
}

// A character a label must never hold raw: it is invisible, breaks the line, or reorders the text
// around it (U+202E shows "photo\u202Egpj.exe" as "photoexe.jpg").
bool hazard(char32_t c) {
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x61C || (c >= 0x200B && c <= 0x200F) ||
           (c >= 0x2028 && c <= 0x202E) || (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF || (c >= 0xE0000 && c <= 0xE007F);
}

// The first hazardous character of a label as "U+XXXX", or "" when the label is safe to draw.
std::string first_hazard(const std::string& label) {
    if (!utf8_is_valid(label)) return "invalid UTF-8";
    for (char32_t c : utf8_decode(label))
        if (hazard(c)) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
            return buf;
        }
    return "";
}

// Every hostile text of the catalog (the tokenization side is tests/model/test_bad_text_catalog.cpp).
std::vector<std::string> hostile_texts() {
    return {
        std::string("a\0b", 3) + "\x1B[31mred\x1B[0m\r\nline\rover\x7F\x01",
        "zero\xE2\x80\x8Bwidth\xE2\x80\x8Cnon\xE2\x80\x8Djoin\xE2\x81\xA0wj\xEF\xBB\xBF" "bom\xE2\x80\xA8ls\xE2\x80\xA9ps",
        "photo\xE2\x80\xAEgpj.exe \xE2\x81\xA6iso\xE2\x81\xA9 \xE2\x81\xA7x\xE2\x81\xA8y\xE2\x81\xA9 \xE2\x80\xAB\xE2\x80\xAA\xE2\x80\xAC\xE2\x80\x8F\xE2\x80\x8E"
        " \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xD8\xB3\xD9\x84\xD8\xA7\xD9\x85",
        "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 \xF0\x9F\x87\xAB\xF0\x9F\x87\xB7 "
        "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xB3\xF3\xA0\x81\xA3\xF3\xA0\x81\xB4\xF3\xA0\x81\xBF",
        "bad \xFF\xFE \xED\xA0\x80 lone surrogate \xC3",
        "a" + repeat("\xCC\x81", 500) + " word",
    };
}

}  // namespace

TEST_CASE("text catalog (labels): control, zero-width, BOM and bidi characters show as bytes") {
    // One piece each, as a byte-level tokenizer has it (the bytes through GPT-2's byte alphabet) and plain.
    struct Case {
        const char* text;
        const char* label;
    };
    const Case cases[] = {
        {"\xE2\x80\xAE", "<E2 80 AE>"},   // U+202E RIGHT-TO-LEFT OVERRIDE
        {"\xE2\x81\xA6", "<E2 81 A6>"},   // U+2066 LEFT-TO-RIGHT ISOLATE
        {"\xE2\x81\xA9", "<E2 81 A9>"},   // U+2069 POP DIRECTIONAL ISOLATE
        {"\xE2\x80\x8F", "<E2 80 8F>"},   // U+200F RIGHT-TO-LEFT MARK
        {"\xE2\x80\x8B", "<E2 80 8B>"},   // U+200B ZERO WIDTH SPACE
        {"\xE2\x80\x8D", "<E2 80 8D>"},   // U+200D ZERO WIDTH JOINER
        {"\xEF\xBB\xBF", "<EF BB BF>"},   // U+FEFF BOM
        {"\xE2\x80\xA8", "<E2 80 A8>"},   // U+2028 LINE SEPARATOR
        {"\x1B", "<1B>"},                 // ESC
        {"\r", "\\r"},
        {"x\xE2\x80\xAEy", "x<E2 80 AE>y"},
        {"\xD7\xA9\xD7\x9C", "\xD7\xA9\xD7\x9C"},   // Hebrew letters: shown, the draw order is the font's job
    };
    for (const Case& c : cases) {
        CAPTURE(c.label);
        CHECK(token_label(c.text, PieceStyle::plain) == c.label);
        CHECK(bytes_label(c.text) == c.label);
    }
    CHECK(token_label(std::string("\0", 1), PieceStyle::plain) == "<00>");

    // Every token of every hostile text through every fixture tokenizer: the display labels (views and
    // exports) and the hover lines hold no raw hazard.
    for (const char* model : {"gpt2-tiny", "llama-tiny", "bert-tiny", "roberta-tiny"}) {
        CAPTURE(model);
        Expected<Bytes> json = file_read(fixture_path(std::string(model) + "/tokenizer.json"));
        REQUIRE(json.ok());
        Expected<Tokenizer> tok = tokenizer_from_json(string_from_bytes(*json), model);
        REQUIRE(tok.ok());
        for (const std::string& text : hostile_texts()) {
            const Encoding e = tok->encode(text, true);
            Trace trace;   // the style as the app finds it: from the pieces, else the architecture
            trace.architecture = std::string(model).substr(0, std::string(model).find('-'));
            trace.tokens.ids = e.ids;
            trace.tokens.pieces = e.tokens;
            const PieceStyle style = piece_style_for(trace);
            const TokenSeq& seq = trace.tokens;
            const std::vector<std::string> labels = token_display_labels(seq, seq.size(), style);
            REQUIRE(labels.size() == e.ids.size());
            for (size_t i = 0; i < labels.size(); ++i) {
                CAPTURE(e.tokens[i]);
                CHECK_MESSAGE(first_hazard(labels[i]).empty(), first_hazard(labels[i]));
                CHECK_MESSAGE(first_hazard(token_label(e.tokens[i], style)).empty(), labels[i]);
            }
            for (const TokenChars& tc : token_chars(seq, style))
                for (const std::string& line : token_chars_describe(tc)) CHECK_MESSAGE(first_hazard(line).empty(), line);
        }
    }
    // The Unigram fixture ("▁" pieces, SentencePiece style), whose unknown pieces keep their own text.
    Expected<Bytes> json = file_read(fixture_path("unigram-tokenizer.json"));
    REQUIRE(json.ok());
    Expected<Tokenizer> unigram = tokenizer_from_json(string_from_bytes(*json), "unigram");
    REQUIRE(unigram.ok());
    for (const std::string& text : hostile_texts())
        for (const std::string& piece : unigram->encode(text, false).tokens)
            CHECK_MESSAGE(first_hazard(token_label(piece, PieceStyle::sentencepiece)).empty(), piece);
}

TEST_CASE("text catalog (labels): hundreds of combining marks are clamped to the label size") {
    const std::string piece = "a" + repeat("\xCC\x81", 500);   // one piece, as an unknown piece may be
    const std::string label = token_label(piece, PieceStyle::plain);
    CHECK(label == piece);   // marks are text: shown, not escaped
    const std::string shown = label_elide(label, kLabelMaxChars);
    CHECK(utf8_decode(shown).size() == static_cast<size_t>(kLabelMaxChars) + 1);   // + "…"
    CHECK(shown.size() <= static_cast<size_t>(kLabelMaxChars) * 4 + 3);
    // The hover text too: at most 12 characters, then "... n more characters".
    TokenSeq seq;
    seq.ids = {0};
    seq.pieces = {piece};
    const std::vector<std::string> lines = token_chars_describe(token_chars(seq, PieceStyle::plain)[0]);
    CHECK(lines.size() <= 13);
    for (const std::string& line : lines) CHECK(line.size() < 200);
}

TEST_CASE("text catalog (app): every hostile text traces and draws; 100,000 characters are cut with the notice") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "short";
    ui.load_fixture("gpt2-tiny");
    const int n_ctx = ui.app.model->info().n_ctx;
    for (const std::string& text : hostile_texts()) {
        app_set_text(ui.app, text);
        CHECK(ui.app.has_trace);
        CHECK(ui.app.trace_error.empty());
        CHECK_NOTHROW(ui.frame());
    }

    std::string text;
    while (utf8_decode(text).size() < 100000) text += "The animal didn't cross the street because it was too tired. ";
    app_set_text(ui.app, text);
    REQUIRE(ui.app.has_trace);
    CHECK(ui.app.truncated);
    CHECK(ui.app.trace.tokens.size() == n_ctx);
    const int n_tokens = ui.app.n_text_tokens;
    CHECK(n_tokens == static_cast<int>(ui.app.model->tokenizer.encode(text, true).ids.size()));
    CHECK(n_tokens > 20000);
    for (Language language : {Language::en, Language::zh}) {
        app_set_language(ui.app, language);
        ui.frame();
        ui.frame();
        std::string seen;
        for (char c : drawn_text())
            if (c != ' ' && c != '\n') seen += c;
        // "Text cut to the first 64 of 13079 tokens: ..." / "文本被截到前 64 个（共 13079 个）词元：..."
        const std::string want = language == Language::en
                                     ? "Textcuttothefirst" + std::to_string(n_ctx) + "of" + std::to_string(n_tokens) + "tokens"
                                     : "\xE6\x96\x87\xE6\x9C\xAC\xE8\xA2\xAB\xE6\x88\xAA\xE5\x88\xB0\xE5\x89\x8D" + std::to_string(n_ctx);
        CAPTURE(language == Language::en ? "en" : "zh");
        CHECK(seen.find(want) != std::string::npos);
    }
    app_set_language(ui.app, Language::en);
}
