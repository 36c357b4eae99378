// tokenizer_from_json's fast reader (model/tokenizer/tokenizer_json_read.cpp) against the general path
// (the whole document through json_parse): the same vocabulary, merges and encodings on every fixture and
// on hand-made documents with repeated keys, inferred types and pair merges, and the same messages for
// bad files.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/json.h"
#include "fixture_path.h"
#include "model/tokenizer/components.h"
#include "model/tokenizer/tokenizer.h"
#include "platform/file_io.h"

using namespace attn;

namespace {

Expected<Tokenizer> general_path(const std::string& text, const std::string& label) {
    return catch_errors([&] { return tok::tokenizer_from_json_value(json_parse(text, label), label); });
}

const char* const kTexts[] = {"The quick brown fox jumps over the lazy dog.", "unbelievable abcab ba", "Hello, world! 1234",
                              "  spaces\tand\nlines ", "naïve café 東京"};

void check_same(const Tokenizer& fast, const Tokenizer& general) {
    REQUIRE(fast.vocab_size() == general.vocab_size());
    CHECK(fast.model_type() == general.model_type());
    for (int32_t id = 0; id < general.vocab_size(); ++id) {
        const std::string token = general.id_to_token(id);
        REQUIRE(fast.id_to_token(id) == token);
        if (!token.empty()) REQUIRE(fast.token_to_id(token) == general.token_to_id(token));
    }
    for (const char* text : kTexts) {
        CAPTURE(text);
        Encoding a = fast.encode(text, true), b = general.encode(text, true);
        CHECK(a.ids == b.ids);
        CHECK(a.tokens == b.tokens);
        CHECK(a.offsets == b.offsets);
    }
}

void check_same_text(const std::string& text) {
    Expected<Tokenizer> fast = tokenizer_from_json(text, "tokenizer.json");
    Expected<Tokenizer> general = general_path(text, "tokenizer.json");
    REQUIRE(fast.ok() == general.ok());
    if (!general.ok()) {
        CHECK(fast.error().message == general.error().message);
        return;
    }
    check_same(*fast, *general);
}

// A byte-level-free BPE document: model is spliced in, the rest fixed.
std::string bpe_doc(const std::string& model) {
    return R"({"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "Whitespace"},
              "post_processor": null, "decoder": null, "model": )" + model + "}";
}

const char* const kVocab = R"({"a": 0, "b": 1, "c": 2, "ab": 3, "ba": 4, "abc": 5, "[UNK]": 6})";

}  // namespace

TEST_CASE("fast tokenizer.json reader: every fixture builds the tokenizer the general path builds") {
    for (const char* name : {"gpt2-tiny", "gpt2-f16", "bert-tiny", "distilbert-tiny", "roberta-tiny", "bart-tiny",
                             "llama-tiny", "llama-bf16-sharded", "qwen2-tiny"}) {
        CAPTURE(name);
        Expected<Bytes> bytes = file_read(fixture_path(name) + "/tokenizer.json");
        REQUIRE(bytes.ok());
        check_same_text(string_from_bytes(*bytes));
    }
}

TEST_CASE("fast tokenizer.json reader: BPE takes vocab and merges as lists; other models get them back") {
    const std::string gpt2 = string_from_bytes(*file_read(fixture_path("gpt2-tiny") + "/tokenizer.json"));
    tok::VocabTables tables;
    std::optional<Json> root = tok::tokenizer_json_read(gpt2, tables);
    REQUIRE(root);
    CHECK(tables.has_vocab);
    CHECK(tables.has_merges);
    Json full = json_parse(gpt2, "tokenizer.json");
    CHECK(tables.vocab.size() == full["model"]["vocab"].size());
    CHECK(tables.merges.size() == full["model"]["merges"].size());
    CHECK((*root)["model"]["vocab"] == Json::object());   // a placeholder of the same kind
    CHECK((*root)["model"]["merges"] == Json::array());
    CHECK((*root)["pre_tokenizer"] == full["pre_tokenizer"]);   // everything else as json_parse gives it
    tok::vocab_tables_restore((*root)["model"], tables);
    CHECK((*root)["model"]["vocab"] == full["model"]["vocab"]);
    CHECK_FALSE(tables.has_vocab);
}

TEST_CASE("fast tokenizer.json reader: repeated keys, inferred type and pair merges as json_parse reads them") {
    // a token listed twice keeps its last id; id 5 is then named by two tokens (the larger wins)
    check_same_text(bpe_doc(R"({"type": "BPE", "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "ba": 4, "abc": 5, "a": 7, "zz": 5},
                               "merges": ["a b", "ab c"]})"));
    // vocab and merges given twice: the last of each counts
    check_same_text(bpe_doc(R"({"type": "BPE", "vocab": {"x": 0}, "merges": ["x x"], "vocab": )" + std::string(kVocab) +
                            R"(, "merges": ["b a", "a b"]})"));
    // no type: inferred BPE from merges (the general path then reads the restored lists)
    check_same_text(bpe_doc(R"({"vocab": )" + std::string(kVocab) + R"(, "merges": ["a b", "ab c"]})"));
    // merges as pairs, and a merge whose right side holds a space
    check_same_text(bpe_doc(R"({"type": "BPE", "vocab": {"a": 0, "b c": 1, "ab c": 2}, "merges": [["a", "b c"]]})"));
    check_same_text(bpe_doc(R"({"type": "BPE", "vocab": {"a": 0, "b c": 1, "ab c": 2}, "merges": ["a b c"]})"));
    // null merges, a second "model" replacing the first
    check_same_text(bpe_doc(R"({"type": "BPE", "vocab": )" + std::string(kVocab) + R"(, "merges": null})"));
    check_same_text(R"({"model": {"type": "BPE", "vocab": {"q": 0}, "merges": []}, "model": {"type": "BPE", "vocab": )" +
                    std::string(kVocab) + R"(, "merges": ["a b"]}})");
    // WordLevel with an object vocabulary: restored as JSON
    check_same_text(bpe_doc(R"({"type": "WordLevel", "vocab": )" + std::string(kVocab) + R"(, "unk_token": "[UNK]"})"));
}

TEST_CASE("fast tokenizer.json reader: bad files get the general path's messages") {
    const std::string vocab = kVocab;
    for (const std::string& model : std::vector<std::string>{
             R"({"type": "BPE", "vocab": {"a": 0.5}, "merges": []})",                 // non-integer id
             R"({"type": "BPE", "vocab": {"a": -1}, "merges": []})",                  // id out of range
             R"({"type": "BPE", "vocab": {"a": 99999999999}, "merges": []})",         // id out of range
             R"({"type": "BPE", "vocab": )" + vocab + R"(, "merges": ["ab"]})",       // no space
             R"({"type": "BPE", "vocab": )" + vocab + R"(, "merges": ["a q"]})",      // unknown token
             R"({"type": "BPE", "vocab": )" + vocab + R"(, "merges": ["c c"]})",      // unknown merged token
             R"({"type": "BPE", "vocab": )" + vocab + R"(, "merges": [["a"]]})",      // not a pair
             R"({"type": "BPE", "vocab": )" + vocab + R"(, "merges": [["a", "b", "c"]]})",
             R"({"type": "BPE", "vocab": )" + vocab + R"(, "merges": [3]})",
             R"({"type": "BPE", "vocab": )" + vocab + R"(, "merges": [{"a": "b"}]})",
             R"({"type": "BPE", "vocab": {"a": {"id": 1}}, "merges": []})",
             R"({"type": "BPE", "vocab": [["a", 0.0]], "merges": []})",               // vocab of the wrong kind
             R"({"type": "BPE", "vocab": )" + vocab + R"(, "merges": "a b"})",
             R"({"type": "BPE", "merges": []})",                                      // no vocab
         }) {
        CAPTURE(model);
        check_same_text(bpe_doc(model));
    }
    // declined by the fast reader (malformed, too deep): json_parse says what is wrong
    for (const std::string& text : {std::string("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0,}}"),
                                    std::string(200, '[') + std::string(200, ']')}) {
        CAPTURE(text);
        tok::VocabTables tables;
        CHECK_FALSE(tok::tokenizer_json_read(text, tables).has_value());
        check_same_text(text);
    }
    check_same_text("[1, 2]");   // read, then refused by the builder alike
    check_same_text("");
}
