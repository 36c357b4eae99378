// The bad-TEXT rows of the hostile-input catalog (issue 14), one TEST_CASE per row, each run through
// every tokenizer family the fixtures have: byte-level BPE (gpt2, llama, qwen2, roberta), WordPiece
// (bert), Unigram (unigram-tokenizer.json), plus a SentencePiece-style byte_fallback BPE written here
// (Llama 2's layout; no model fixture uses it). Every encoding is checked for real properties: ids in
// the vocabulary, offsets inside the (repaired) text, on character boundaries and never going back,
// decode giving the text back where the tokenizer is lossless. How labels show these texts is in
// tests/ui/test_bad_text_labels.cpp (the label code is the UI's).
//
// Time on one 100,000-character word is bounded by counting the models' inner steps
// (tok::model_steps()), never by a clock: BPE pops its merge queue at most 3 times per byte (O(n log n)
// with the heap), WordPiece looks up at most (characters x longest entry) substrings, Unigram walks at
// most (longest piece + 1) trie steps per byte.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/unicode.h"
#include "decoder_reference.h"
#include "model/llama2_tokenizer_json.h"
#include "model/tokenizer/components.h"
#include "model/tokenizer/tokenizer.h"
#include "platform/file_io.h"

using namespace attn;

namespace {

struct Family {
    std::string name;
    Tokenizer tok;
    bool lossless;        // decode(encode(text)) == text for any valid UTF-8 text
    size_t longest = 0;   // bytes of the longest vocabulary entry
};

Tokenizer tokenizer_of(const std::string& json, const std::string& label) {
    Expected<Tokenizer> t = tokenizer_from_json(json, label);
    REQUIRE_MESSAGE(t.ok(), t.error().message);
    return std::move(*t);
}

std::string fixture_text(const std::string& relative) {
    Expected<Bytes> b = file_read(fixture_path(relative));
    REQUIRE_MESSAGE(b.ok(), b.error().message);
    return string_from_bytes(*b);
}

// Llama 2 / TinyLlama layout (byte fallback: lossless), with pieces that make long runs merge.
std::string sentencepiece_json() {
    return llama2_tokenizer_json(R"("▁": 259, "a": 260, "e": 261, "l": 262, "o": 263, "▁a": 264, "aa": 265, "aaaa": 266, "ll": 267, "llo": 268)",
                                 R"("▁ a", "a a", "aa aa", "l l", "ll o")");
}

// bert-tiny's tokenizer.json with max_input_chars_per_word raised to a billion, as a hostile file may:
// the WordPiece search must stay bounded by the vocabulary, not by that setting.
std::string wordpiece_unlimited_json() {
    Json j = json_parse(fixture_text("bert-tiny/tokenizer.json"), "bert-tiny/tokenizer.json");
    j["model"]["max_input_chars_per_word"] = 1000000000;
    return j.dump();
}

size_t longest_entry(const Tokenizer& tok) {
    size_t longest = 0;
    for (int32_t id = 0; id < tok.vocab_size(); ++id) longest = std::max(longest, tok.id_to_token(id).size());
    return longest;
}

// Loaded once: gpt2's tokenizer.json is 3.5 MB.
std::vector<Family>& families() {
    static std::vector<Family> all = [] {
        std::vector<Family> f;
        for (const char* m : {"gpt2-tiny", "llama-tiny", "qwen2-tiny", "roberta-tiny"})
            f.push_back({m, tokenizer_of(fixture_text(std::string(m) + "/tokenizer.json"), m), true});
        f.push_back({"sentencepiece-style", tokenizer_of(sentencepiece_json(), "sentencepiece-style"), true});
        f.push_back({"bert-tiny", tokenizer_of(fixture_text("bert-tiny/tokenizer.json"), "bert-tiny"), false});
        f.push_back({"unigram", tokenizer_of(fixture_text("unigram-tokenizer.json"), "unigram"), false});
        for (Family& x : f) x.longest = longest_entry(x.tok);
        return f;
    }();
    return all;
}

bool char_boundary(const std::string& s, int at) {
    return at == static_cast<int>(s.size()) || (static_cast<unsigned char>(s[static_cast<size_t>(at)]) & 0xC0) != 0x80;
}

// A token's string is its id's vocabulary entry; HF's Unigram names an unknown piece by its own text.
bool names_token(const Family& f, const std::string& token, int32_t id) {
    if (token == f.tok.id_to_token(id)) return true;
    return f.tok.model_type() == "Unigram" && !f.tok.token_to_id(token);
}

// The properties every encoding of every text must have. Returns the encoding (without specials).
Encoding check_text(const Family& f, const std::string& text) {
    CAPTURE(f.name);
    const std::string repaired = utf8_sanitize(text);   // offsets refer to this (tokenizer.h)
    const Encoding e = f.tok.encode(text, /*add_special_tokens=*/false);
    REQUIRE(e.tokens.size() == e.ids.size());
    REQUIRE(e.offsets.size() == e.ids.size());
    CHECK(e.ids.size() <= repaired.size() + 1);   // never more tokens than bytes: memory is linear
    // One CHECK for all tokens (a 100,000-character text has tens of thousands): the first fault found.
    std::string fault;
    int last_start = 0, last_end = 0;
    for (size_t i = 0; i < e.ids.size() && fault.empty(); ++i) {
        const int32_t id = e.ids[i];
        const auto [start, end] = e.offsets[i];
        const char* bad = id < 0 || id >= f.tok.vocab_size()              ? "id outside the vocabulary"
                          : !names_token(f, e.tokens[i], id)               ? "token string is not its id's"
                          : start < 0 || start > end || end > static_cast<int>(repaired.size()) ? "offsets outside the text"
                          : start < last_start || end < last_end           ? "offsets go back"
                          : !char_boundary(repaired, start) || !char_boundary(repaired, end) ? "offsets split a character"
                                                                           : nullptr;
        if (bad)
            fault = "token " + std::to_string(i) + " (id " + std::to_string(id) + ", offsets " + std::to_string(start) +
                    ".." + std::to_string(end) + "): " + bad;
        last_start = start;
        last_end = end;
    }
    CHECK_MESSAGE(fault.empty(), fault);
    const std::string back = f.tok.decode(e.ids, false);
    CHECK(utf8_is_valid(back));
    if (f.lossless) CHECK(back == repaired);

    // With the special tokens too: what a trace reads. Only the specials are new.
    const Encoding with = f.tok.encode(text, /*add_special_tokens=*/true);
    int added = 0, outside = 0;
    for (int32_t id : with.ids) {
        outside += id < 0 || id >= f.tok.vocab_size() ? 1 : 0;
        added += f.tok.is_special(id) ? 1 : 0;
    }
    CHECK(outside == 0);
    CHECK(with.ids.size() <= e.ids.size() + static_cast<size_t>(added));
    return e;
}

std::string repeat(const std::string& s, size_t times) {
    std::string out;
    out.reserve(s.size() * times);
    for (size_t i = 0; i < times; ++i) out += s;
    return out;
}

// The structural work bound of one encode (see the file comment), by the model type.
uint64_t work_bound(const Family& f, const std::string& text) {
    const uint64_t bytes = utf8_sanitize(text).size() + 8;   // + what normalizers prepend ("▁")
    const std::string type = f.tok.model_type();
    if (type == "BPE") return 3 * bytes;
    if (type == "WordPiece") return bytes * f.longest;   // characters <= bytes
    return bytes * (f.longest + 1);                       // Unigram
}

}  // namespace

TEST_CASE("text catalog: empty and whitespace-only text") {
    const std::vector<std::string> texts = {"", " ", "   \t\n\r\n  ", "\xC2\xA0\xE3\x80\x80\xE2\x80\x83",   // NBSP, U+3000, em space
                                            repeat(" ", 10000), repeat("\n", 5000)};
    for (const Family& f : families())
        for (const std::string& text : texts) {
            CAPTURE(text.size());
            const Encoding e = check_text(f, text);
            if (text.empty()) CHECK(e.ids.empty());
            // Empty with specials: only the specials (BERT's [CLS] [SEP], Llama's <s>), nothing else.
            for (int32_t id : f.tok.encode("", true).ids) CHECK(f.tok.is_special(id));
            // BERT drops whitespace: nothing is left to read.
            if (f.tok.model_type() == "WordPiece") CHECK(e.ids.empty());
        }
}

TEST_CASE("text catalog: 100,000 characters are tokenized whole, and a trace reads the first n_ctx tokens") {
    std::string text;
    const std::string sentence = "The animal didn't cross the street because it was too tired. \xE5\x8A\xA8\xE7\x89\xA9 42! ";
    while (utf8_decode(text).size() < 100000) text += sentence;
    for (const Family& f : families()) {
        const uint64_t before = tok::model_steps();
        const Encoding e = check_text(f, text);
        CHECK(e.ids.size() > 1000);
        CHECK(tok::model_steps() - before <= 2 * work_bound(f, text));   // check_text encodes twice
    }
    // The trace: cut to the context, the cut said (the app and CLI show it), tensors sized by n_ctx only.
    for (const char* name : {"gpt2-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const int n_ctx = model->info().n_ctx;
        bool truncated = false;
        TraceOptions options;
        if (!model->info().causal) options.logit_positions = {-1};
        Expected<Trace> t = model_trace_text(*model, text, options, &truncated);
        REQUIRE_MESSAGE(t.ok(), t.error().message);
        CHECK(truncated);
        CHECK(t->tokens.size() == n_ctx);
        const std::vector<int32_t> all = model->tokenizer.encode(text, true).ids;
        CHECK(std::equal(t->tokens.ids.begin(), t->tokens.ids.end(), all.begin()));
        const AttentionTensor& a = t->attentions;
        CHECK(a.n_query == n_ctx);
        CHECK(a.probs.size() == static_cast<size_t>(a.n_layer) * a.n_head * n_ctx * n_ctx);
    }
}

TEST_CASE("text catalog: one 100,000-character word takes bounded work in BPE, WordPiece and Unigram") {
    const std::vector<std::string> words = {
        repeat("a", 100000),
        repeat("\xCA\x98", 100000),   // U+0298: in no vocabulary (bytes, unk or byte fallback)
    };
    for (const Family& f : families())
        for (const std::string& word : words) {
            CAPTURE(word.substr(0, 8));
            const uint64_t before = tok::model_steps();
            const Encoding e = check_text(f, word);   // encodes twice: with and without the specials
            const uint64_t steps = tok::model_steps() - before;
            MESSAGE(f.name << ": " << word.size() << " bytes -> " << e.ids.size() << " tokens, " << steps << " steps");
            CHECK(steps <= 2 * work_bound(f, word));
            CHECK(!e.ids.empty());
        }
    // WordPiece: a word over max_input_chars_per_word (100 in BERT) is one [UNK] before any lookup.
    const Family& bert = *std::find_if(families().begin(), families().end(), [](const Family& f) { return f.name == "bert-tiny"; });
    const uint64_t before = tok::model_steps();
    const Encoding e = bert.tok.encode(repeat("a", 100000), false);
    CHECK(tok::model_steps() == before);
    REQUIRE(e.ids.size() == 1);
    CHECK(e.tokens[0] == "[UNK]");
    CHECK(e.offsets[0] == std::make_pair(0, 100000));
    // A tokenizer.json that lifts that limit still costs at most (characters x longest entry) lookups:
    // the search never tries a substring longer than every vocabulary entry (it was n^2 / 2 = 5e9).
    Family unlimited{"wordpiece-unlimited", tokenizer_of(wordpiece_unlimited_json(), "wordpiece-unlimited"), false};
    unlimited.longest = longest_entry(unlimited.tok);
    for (const std::string& word : {repeat("a", 100000), repeat("ab", 50000)}) {
        const uint64_t start = tok::model_steps();
        const Encoding w = unlimited.tok.encode(word, false);
        CHECK(tok::model_steps() - start <= work_bound(unlimited, word));
        CHECK(!w.ids.empty());
    }
}

TEST_CASE("text catalog: invalid UTF-8 and lone surrogates (as JavaScript may pass them)") {
    // From the page: TextEncoder turns a lone surrogate into U+FFFD; Emscripten's stringToUTF8 writes it
    // as the 3 bytes ED A0 80 (not UTF-8). Both, and every other kind of bad byte.
    const std::vector<std::string> texts = {
        "\xFF\xFE", "ab\xC3", "\xC3(x", "\xED\xA0\x80", "a\xED\xB0\x80z", "\xED\xA0\xBD\xED\xB8\x80",   // a surrogate pair, CESU-8
        "\xC0\xAF\xE0\x80\xAF", "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\x80\x80\x80", "\xEF\xBF\xBD",
        "text \xE2\x82 in the middle \xF0\x9F\x98 of words", repeat("\xFF", 10000)};
    for (const Family& f : families())
        for (const std::string& text : texts) {
            CAPTURE(text);
            check_text(f, text);
        }
    CHECK(utf8_sanitize("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");   // one U+FFFD per byte, as Rust
}

TEST_CASE("text catalog: NUL, ESC, CR, zero-width and BOM characters") {
    const std::string text = std::string("a\0b", 3) + "\x1B[31mred\x1B[0m\r\nline\rover" +
                             "zero\xE2\x80\x8Bwidth\xE2\x80\x8Cnon\xE2\x80\x8Djoin\xE2\x81\xA0wj" +
                             "\xEF\xBB\xBF" "bom \xEF\xBB\xBF\x7F\x01\x1F";
    REQUIRE(text.size() > 3);
    REQUIRE(text[1] == '\0');
    for (const Family& f : families()) {
        check_text(f, text);
        check_text(f, "\xEF\xBB\xBF");          // only a BOM
        check_text(f, std::string(1000, '\0'));  // only NULs
    }
}

TEST_CASE("text catalog: bidirectional text and U+202E keep the logical order in tokens and offsets") {
    const std::string rlo = "\xE2\x80\xAE";   // U+202E RIGHT-TO-LEFT OVERRIDE
    const std::string text = "photo" + rlo + "gpj.exe \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xD8\xB3\xD9\x84\xD8\xA7\xD9\x85 " +
                             "\xE2\x81\xA6isolate\xE2\x81\xA9 \xE2\x81\xA7x\xE2\x81\xA8y\xE2\x81\xA9 \xE2\x80\xAB\xE2\x80\xAA\xE2\x80\xAC\xE2\x80\x8F\xE2\x80\x8E end";
    const size_t at = text.find(rlo);
    for (const Family& f : families()) {
        CAPTURE(f.name);
        const Encoding e = check_text(f, text);
        // The tokens before U+202E cover "photo" and nothing after it: the override reorders nothing.
        bool seen_after = false;
        for (size_t i = 0; i < e.ids.size(); ++i) {
            if (e.offsets[i].second <= static_cast<int>(at)) CHECK_FALSE(seen_after);
            else seen_after = true;
        }
        if (f.lossless) {
            // The override's own bytes are in the tokens, at its place in the text.
            bool covered = false;
            for (const auto& [s, t] : e.offsets) covered |= s <= static_cast<int>(at) && t >= static_cast<int>(at + 3);
            CHECK(covered);
        }
    }
}

TEST_CASE("text catalog: emoji with ZWJ, skin tones and flags") {
    const std::vector<std::string> texts = {
        "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7\xE2\x80\x8D\xF0\x9F\x91\xA6 family",   // 👨‍👩‍👧‍👦
        "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\xF0\x9F\x87\xAF\xF0\x9F\x87\xB5 flags",                                        // 🇫🇷🇯🇵
        "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xB3\xF3\xA0\x81\xA3\xF3\xA0\x81\xB4\xF3\xA0\x81\xBF",   // 🏴 + tags (Scotland)
        "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD \xE2\x9D\xA4\xEF\xB8\x8F \xF0\x9F\x87\xBA",   // 👍🏽 ❤️ and a lone regional indicator
        repeat("\xF0\x9F\x91\xA8\xE2\x80\x8D", 2000)};
    for (const Family& f : families())
        for (const std::string& text : texts) {
            CAPTURE(text.substr(0, 40));
            check_text(f, text);
        }
}

TEST_CASE("text catalog: hundreds of combining marks on one letter") {
    const std::string marks = repeat("\xCC\x81", 500);                         // U+0301 x 500
    const std::string zalgo = repeat("Z\xCC\xB7\xCC\xA2\xCD\x9B\xCC\x9B\xCD\x8A" "a\xCC\xB8\xCD\x9D", 300);
    for (const Family& f : families()) {
        CAPTURE(f.name);
        const Encoding e = check_text(f, "a" + marks + " word");
        check_text(f, marks);   // marks with nothing to sit on
        check_text(f, zalgo);
        CHECK(!e.ids.empty());
    }
}
