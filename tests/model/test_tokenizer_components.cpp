// Hand-made tokenizer.json snippets for components the fixtures do not exercise (byte_fallback,
// Prepend/Replace normalizers, Metaspace prepend schemes, Split behaviours, Digits, the Llama-3/Qwen2
// regexes, added-token options, decoders), with expectations derived from HF's source semantics.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/unicode.h"
#include "model/llama2_tokenizer_json.h"
#include "model/tokenizer/components.h"
#include "model/tokenizer/tokenizer.h"

using namespace attn;

namespace {

Tokenizer make(const std::string& json) {
    Expected<Tokenizer> t = tokenizer_from_json(json, "tokenizer.json");
    REQUIRE_MESSAGE(t.ok(), t.error().message);
    return std::move(*t);
}

std::string error_of(const std::string& json) {
    Expected<Tokenizer> t = tokenizer_from_json(json, "tokenizer.json");
    REQUIRE_FALSE(t.ok());
    return t.error().message;
}

// Pieces (normalized text) a pre-tokenizer JSON produces for `text`.
std::vector<std::string> pieces(const std::string& pre_tokenizer_json, const std::string& text) {
    auto pre = tok::make_pre_tokenizer(json_parse(pre_tokenizer_json, "test"), "test");
    tok::PreTokenized p;
    tok::Split s;
    s.normalized = tok::ns_from(text);
    p.push_back(s);
    pre->pre_tokenize(p);
    std::vector<std::string> out;
    for (const auto& x : p) out.push_back(x.normalized.text);
    return out;
}

std::string normalized(const std::string& normalizer_json, const std::string& text) {
    auto n = tok::make_normalizer(json_parse(normalizer_json, "test"), "test");
    tok::NormalizedString s = tok::ns_from(text);
    n->normalize(s);
    return s.text;
}

std::vector<std::string> decoded_chain(const std::string& decoder_json, std::vector<std::string> tokens) {
    return tok::make_decoder(json_parse(decoder_json, "test"), "test")->decode_chain(std::move(tokens));
}

using Strings = std::vector<std::string>;
using Ids = std::vector<int32_t>;
using OffsetList = std::vector<std::pair<int, int>>;

// TinyLlama-style: Prepend + Replace normalizers, no pre-tokenizer, byte_fallback BPE, the
// Replace/ByteFallback/Fuse/Strip decoder chain, "<s> $A" template.
std::string llama2_json() {
    return llama2_tokenizer_json(R"("▁": 259, "h": 260, "e": 261, "l": 262, "o": 263, "▁h": 264, "▁he": 265, "ll": 266, "llo": 267, "▁hello": 268)",
                                 R"("▁ h", "l l", "▁h e", "ll o", "▁he llo")");
}

}  // namespace

TEST_CASE("tokenizer.h usage example") {
    const std::string text = R"({"model": {"type": "WordLevel", "unk_token": "?", "vocab": {"?": 0, "Hello": 1, "world": 2}},
                                 "pre_tokenizer": {"type": "WhitespaceSplit"}})";
    Expected<Tokenizer> tok = tokenizer_from_json(text, "tokenizer.json");
    REQUIRE(tok.ok());
    Encoding e = tok->encode("Hello world", /*add_special_tokens=*/true);
    std::string back = tok->decode(e.ids, /*skip_special_tokens=*/false);
    CHECK(e.ids == Ids{1, 2});
    CHECK(e.offsets == OffsetList{{0, 5}, {6, 11}});
    CHECK(back == "Hello world");
    CHECK(tok->model_type() == "WordLevel");
}

TEST_CASE("tokenizer Llama-2 style: Prepend/Replace normalizers, byte_fallback BPE, decoder chain") {
    Tokenizer t = make(llama2_json());
    Encoding e = t.encode("hello world", false);
    CHECK(e.tokens == Strings{"▁hello", "▁", "<0x77>", "o", "<0x72>", "l", "<0x64>"});
    CHECK(e.ids == Ids{268, 259, 3 + 0x77, 263, 3 + 0x72, 262, 3 + 0x64});
    // The prepended ▁ aligns with the first char, the replaced ▁ with the space it replaced.
    CHECK(e.offsets == OffsetList{{0, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}, {9, 10}, {10, 11}});
    CHECK(t.decode(e.ids) == "hello world");
    CHECK(t.encode("hello world", true).ids.front() == 1);

    // Multi-byte char through byte fallback and back.
    Encoding e2 = t.encode("hé", false);
    CHECK(e2.tokens == Strings{"▁h", "<0xC3>", "<0xA9>"});
    CHECK(t.decode(e2.ids) == "hé");
    // A lone continuation byte decodes to one U+FFFD per byte (HF ByteFallback).
    CHECK(t.decode({3 + 0xC3}) == "\xEF\xBF\xBD");

    // Each piece around an added token gets its own ▁ from Prepend (HF's legacy behaviour).
    Encoding e3 = t.encode("<s>hello", false);
    CHECK(e3.ids == Ids{1, 268});
    CHECK(t.decode(e3.ids, true) == "hello");
    CHECK(t.decode(e3.ids, false) == "<s> hello");
}

TEST_CASE("tokenizer Metaspace prepend_scheme always / first / never around an added token") {
    auto json = [](const std::string& scheme) {
        return R"({"added_tokens": [{"id": 6, "content": "<s>", "special": true, "normalized": false}],
          "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": ")" + scheme + R"(", "split": true},
          "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": ")" + scheme + R"(", "split": true},
          "model": {"type": "WordLevel", "unk_token": "<unk>",
            "vocab": {"<unk>": 0, "▁Hey": 1, "▁": 2, "friend": 3, "▁friend": 4, "Hey": 5, "<s>": 6}}})";
    };
    Tokenizer always = make(json("always")), first = make(json("first")), never = make(json("never"));
    CHECK(always.encode("Hey <s>friend", false).ids == Ids{1, 2, 6, 4});
    CHECK(first.encode("Hey <s>friend", false).ids == Ids{1, 2, 6, 3});
    CHECK(never.encode("Hey <s>friend", false).ids == Ids{5, 2, 6, 3});
    CHECK(first.decode({1, 2, 6, 3}) == "Hey <s>friend");
    CHECK(never.decode({5, 2, 6, 3}) == "Hey <s>friend");
    CHECK(always.decode({1, 4}) == "Hey friend");
    // Legacy files: add_prefix_space false means "never".
    auto legacy = tok::make_pre_tokenizer(
        json_parse(R"({"type": "Metaspace", "replacement": "▁", "add_prefix_space": false})", "t"), "t");
    tok::PreTokenized p{tok::Split{tok::ns_from("Hey friend"), false, {}}};
    legacy->pre_tokenize(p);
    REQUIRE(p.size() == 2);
    CHECK(p[0].normalized.text == "Hey");
    CHECK(p[1].normalized.text == "▁friend");
}

TEST_CASE("tokenizer Split behaviours, invert, Digits, Punctuation, Whitespace, BertPreTokenizer") {
    auto split = [](const std::string& behavior, bool invert = false) {
        return pieces(R"({"type": "Split", "pattern": {"String": "-"}, "behavior": ")" + behavior +
                          R"(", "invert": )" + (invert ? "true" : "false") + "}",
                      "the-final--countdown");
    };
    CHECK(split("Removed") == Strings{"the", "final", "countdown"});
    CHECK(split("Isolated") == Strings{"the", "-", "final", "-", "-", "countdown"});
    CHECK(split("MergedWithPrevious") == Strings{"the-", "final-", "-", "countdown"});
    CHECK(split("MergedWithNext") == Strings{"the", "-final", "-", "-countdown"});
    CHECK(split("Contiguous") == Strings{"the", "-", "final", "--", "countdown"});
    CHECK(split("Removed", true) == Strings{"-", "-", "-"});

    CHECK(pieces(R"({"type": "Digits", "individual_digits": true})", "Call 123 now") ==
          Strings{"Call ", "1", "2", "3", " now"});
    CHECK(pieces(R"({"type": "Digits", "individual_digits": false})", "Call 123 now") == Strings{"Call ", "123", " now"});
    CHECK(pieces(R"({"type": "Punctuation", "behavior": "Isolated"})", "Hi, you!") == Strings{"Hi", ",", " you", "!"});
    CHECK(pieces(R"({"type": "Whitespace"})", "Hey man!! How's it?") ==
          Strings{"Hey", "man", "!!", "How", "'", "s", "it", "?"});
    CHECK(pieces(R"({"type": "WhitespaceSplit"})", " a\tb  c ") == Strings{"a", "b", "c"});
    CHECK(pieces(R"({"type": "BertPreTokenizer"})", "Hey, you're $5!") ==
          Strings{"Hey", ",", "you", "'", "re", "$", "5", "!"});
    // SmolLM: Digits then byte-level with the GPT-2 regex.
    CHECK(pieces(R"({"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true},
                     {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}]})",
                 "in 2024") == Strings{"in", "Ġ", "2", "0", "2", "4"});
}

TEST_CASE("tokenizer regex matchers: GPT-2, Llama-3 and Qwen2 split patterns") {
    const std::string text = "Hello world's 12345 \n\n  foo!!\n";
    const std::string gpt2 =
        R"({"type": "Split", "behavior": "Isolated", "invert": false, "pattern": {"Regex": "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"}})";
    const std::string llama3 =
        R"({"type": "Split", "behavior": "Isolated", "invert": false, "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}})";
    const std::string qwen2 =
        R"({"type": "Split", "behavior": "Isolated", "invert": false, "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}})";
    CHECK(pieces(gpt2, text) == Strings{"Hello", " world", "'s", " 12345", " \n\n ", " foo", "!!", "\n"});
    CHECK(pieces(llama3, text) == Strings{"Hello", " world", "'s", " ", "123", "45", " \n\n", " ", " foo", "!!\n"});
    CHECK(pieces(qwen2, text) == Strings{"Hello", " world", "'s", " ", "1", "2", "3", "4", "5", " \n\n", " ", " foo", "!!\n"});
    CHECK(pieces(gpt2, "I'M") == Strings{"I", "'", "M"});
    CHECK(pieces(llama3, "I'M") == Strings{"I", "'M"});
    CHECK(pieces(llama3, "x\tyes") == Strings{"x", "\tyes"});

    const std::string other = R"({"type": "Split", "behavior": "Isolated", "invert": false, "pattern": {"Regex": "\\d+"}})";
    std::string message;
    try {
        tok::make_pre_tokenizer(json_parse(other, "t"), "tokenizer.json");
    } catch (const Error& e) {
        message = e.what();
    }
    CHECK(message.find("tokenizer.json: pre_tokenizer Split: regex pattern Regex \"\\d+\" is not supported") == 0);
}

TEST_CASE("tokenizer normalizers: Unicode forms, lowercase, strip, BertNormalizer") {
    CHECK(normalized(R"({"type": "NFC"})", "e\xCC\x81") == "\xC3\xA9");
    CHECK(normalized(R"({"type": "NFD"})", "\xC3\xA9") == "e\xCC\x81");
    CHECK(normalized(R"({"type": "NFKC"})", "\xEF\xAC\x81 x\xC2\xB2") == "fi x2");
    CHECK(normalized(R"({"type": "NFKD"})", "\xE2\x84\xAB") == "A\xCC\x8A");  // Angstrom sign
    CHECK(normalized(R"({"type": "NFC"})", "\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8") == "\xEA\xB0\x81");  // Hangul LVT
    CHECK(normalized(R"({"type": "Lowercase"})", "HeLLo \xC4\xB0\xCE\xA3") == "hello i\xCC\x87\xCF\x83");
    CHECK(normalized(R"({"type": "Strip", "strip_left": true, "strip_right": false})", "  a b  ") == "a b  ");
    CHECK(normalized(R"({"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}]})", "caf\xC3\xA9") == "cafe");
    CHECK(normalized(R"({"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true})",
                     "\tH\xC3\xA9llo\xE2\x80\x8B \xE4\xBD\xA0\xE5\xA5\xBD") == " hello  \xE4\xBD\xA0  \xE5\xA5\xBD ");
    CHECK(normalized(R"({"type": "BertNormalizer", "clean_text": false, "handle_chinese_chars": false, "strip_accents": null, "lowercase": false})",
                     "H\xC3\xA9llo") == "H\xC3\xA9llo");
}

TEST_CASE("tokenizer added tokens: lstrip, rstrip, single_word, normalized matching") {
    Tokenizer t = make(R"({
      "added_tokens": [
        {"id": 3, "content": "[CLS]", "special": true, "normalized": false},
        {"id": 4, "content": "[SEP]", "special": true, "normalized": false},
        {"id": 5, "content": "my", "special": false, "normalized": true, "lstrip": true, "rstrip": true},
        {"id": 6, "content": "name", "special": false, "normalized": true},
        {"id": 7, "content": "ony", "special": false, "normalized": true, "single_word": true}],
      "normalizer": {"type": "Lowercase"},
      "pre_tokenizer": {"type": "WhitespaceSplit"},
      "model": {"type": "WordLevel", "unk_token": "<unk>", "vocab": {"<unk>": 0, "is": 1, "anthony": 2}}})");
    const std::string text = "[CLS] My name is Anthony [SEP]";
    Encoding e = t.encode(text, false);
    CHECK(e.ids == Ids{3, 5, 6, 1, 2, 4});
    CHECK(e.tokens == Strings{"[CLS]", " my ", "name", "is", "anthony", "[SEP]"});
    CHECK(e.offsets == OffsetList{{0, 5}, {5, 9}, {9, 13}, {14, 16}, {17, 24}, {25, 30}});
    CHECK(t.decode(e.ids, true) == "my name is anthony");
    CHECK(t.decode(e.ids, false) == "[CLS] my name is anthony [SEP]");
    CHECK(t.encode("pony ony", false).ids == Ids{0, 7});
    CHECK(t.is_special(3));
    CHECK_FALSE(t.is_special(5));
    CHECK(t.vocab_size() == 8);
    CHECK(t.token_to_id("name") == 6);
    CHECK(t.id_to_token(2) == "anthony");
}

TEST_CASE("tokenizer Unigram byte_fallback and unknown pieces") {
    Tokenizer t = make(R"({
      "added_tokens": [{"id": 0, "content": "<unk>", "special": true, "normalized": false}],
      "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
      "decoder": {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true}]},
      "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": true, "vocab": [
        ["<unk>", 0.0], ["▁a", -1.0], ["a", -2.0], ["b", -2.0],
        ["<0xE2>", -5.0], ["<0x96>", -5.0], ["<0x81>", -5.0], ["<0xC3>", -5.0], ["<0xA9>", -5.0]]}})");
    Encoding e = t.encode("ab \xC3\xA9 \xC3\xBC", false);
    CHECK(e.tokens == Strings{"▁a", "b", "<0xE2>", "<0x96>", "<0x81>", "<0xC3>", "<0xA9>", "▁\xC3\xBC"});
    CHECK(e.ids == Ids{1, 3, 4, 5, 6, 7, 8, 0});
    // Byte-fallback tokens all carry the offsets of the unknown piece they spell.
    CHECK(e.offsets[2] == std::make_pair(2, 5));
    CHECK(e.offsets[6] == std::make_pair(2, 5));
    CHECK(t.decode({1, 3, 4, 5, 6, 7, 8}) == "ab \xC3\xA9");
}

TEST_CASE("tokenizer decoders: WordPiece, BPEDecoder, Strip, Fuse, CTC") {
    CHECK(decoded_chain(R"({"type": "WordPiece", "prefix": "##", "cleanup": true})",
                        {"hello", "##world", ",", "how", "are", "you", "?"}) ==
          Strings{"hello", "world", ",", " how", " are", " you", "?"});
    CHECK(decoded_chain(R"({"type": "BPEDecoder", "suffix": "</w>"})", {"hel", "lo</w>", "wor", "ld</w>"}) ==
          Strings{"hel", "lo ", "wor", "ld"});
    CHECK(decoded_chain(R"({"type": "Strip", "content": "H", "start": 1, "stop": 0})", {"Hey", " friend!", "HHH"}) ==
          Strings{"ey", " friend!", "HH"});
    CHECK(decoded_chain(R"({"type": "Strip", "content": "y", "start": 0, "stop": 5})", {"Hey", "yy"}) == Strings{"He", ""});
    CHECK(decoded_chain(R"({"type": "Fuse"})", {"a", "b", "c"}) == Strings{"abc"});
    CHECK(decoded_chain(R"({"type": "CTC", "pad_token": "<pad>", "word_delimiter_token": "|", "cleanup": true})",
                        {"<pad>", "h", "h", "e", "<pad>", "l", "l", "|", "o"}) == Strings{"h", "e", "l", " ", "o"});
}

TEST_CASE("tokenizer refuses unsupported components by name and reports malformed files") {
    const std::string model = R"("model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"})";
    CHECK(error_of(R"({"pre_tokenizer": {"type": "Whitespace2"}, )" + model + "}")
              .find("tokenizer.json: pre_tokenizer type 'Whitespace2' is not supported (supported: ByteLevel") == 0);
    CHECK(error_of(R"({"normalizer": {"type": "Precompiled", "precompiled_charsmap": "AAAA"}, )" + model + "}")
              .find("tokenizer.json: normalizer type 'Precompiled' is not supported") == 0);
    CHECK(error_of(R"({"decoder": {"type": "Nope"}, )" + model + "}").find("tokenizer.json: decoder type 'Nope'") == 0);
    CHECK(error_of(R"({"post_processor": {"type": "Nope"}, )" + model + "}").find("tokenizer.json: post_processor type 'Nope'") == 0);
    CHECK(error_of(R"({"model": {"type": "Morfessor", "vocab": {}}})").find("tokenizer.json: model type 'Morfessor' is not supported") == 0);
    CHECK(error_of(R"({"normalizer": null})") == "tokenizer.json: missing key 'model'");
    CHECK(error_of(R"({"model": )").find("tokenizer.json: malformed JSON") == 0);
    CHECK(error_of("[1, 2]").find("tokenizer.json: expected a JSON object") == 0);
    CHECK(error_of(R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}})")
              .find("tokenizer.json: model BPE: merge #0 uses \"b\" which is not in the vocabulary") == 0);
    CHECK(error_of(R"({"normalizer": {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}, )" + model + "}")
              .find("pattern Regex \" {2,}\" is not supported") != std::string::npos);

    FileSet empty;
    empty.label = "models/empty";
    Expected<Tokenizer> none = tokenizer_load(empty);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message.find("models/empty: no tokenizer found") == 0);
}

TEST_CASE("tokenizer loads vocab.txt and vocab.json+merges.txt folders like HF's slow->fast conversion") {
    FileSet bert;
    bert.add("vocab.txt", bytes_from_string("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n##s\n,\nworld\n"));
    Expected<Tokenizer> b = tokenizer_load(bert);
    REQUIRE_MESSAGE(b.ok(), b.error().message);
    CHECK(b->model_type() == "WordPiece");
    CHECK(b->encode("Hellos, World!", true).ids == Ids{2, 5, 6, 7, 8, 1, 3});
    CHECK(b->decode({2, 5, 6, 7, 8, 3}, true) == "hellos, world");

    FileSet gpt2;
    gpt2.add("vocab.json", bytes_from_string(R"({"h": 0, "i": 1, "Ġ": 2, "hi": 3, "Ġhi": 4, "<|endoftext|>": 5})"));
    gpt2.add("merges.txt", bytes_from_string("#version: 0.2\nh i\nĠ hi\n"));
    Expected<Tokenizer> g = tokenizer_load(gpt2);
    REQUIRE_MESSAGE(g.ok(), g.error().message);
    CHECK(g->encode("hi hi<|endoftext|>", true).ids == Ids{3, 4, 5});
    CHECK(g->decode({3, 4, 5}) == "hi hi<|endoftext|>");
}

TEST_CASE("tokenizer survives invalid UTF-8 and empty input") {
    Tokenizer t = make(llama2_json());
    const std::string bad = "he\xFF\xC3llo\xF0\x9F";
    Encoding e = t.encode(bad, false);
    CHECK(e.ids == t.encode("he\xEF\xBF\xBD\xEF\xBF\xBDllo\xEF\xBF\xBD", false).ids);
    CHECK(t.encode("", true).ids == Ids{1});
    CHECK(t.encode("", false).ids.empty());
    CHECK(utf8_sanitize("a\xE2\x82") == "a\xEF\xBF\xBD");   // truncated sequence: one U+FFFD
    CHECK(utf8_sanitize("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate: per byte
}
