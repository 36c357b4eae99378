// vocab_warnings: a tokenizer whose ids are shared, have holes or run past the embedding rows loads (as
// in Hugging Face's tokenizers) with one warning line per problem; the cost follows the number of
// tokens, not the ids' values; ids at or past 2^24 are refused.
#include <doctest/doctest.h>

#include <string>

#include "model/tokenizer/tokenizer.h"
#include "model/vocab_check.h"
#include "text_contains.h"

using namespace attn;

namespace {

Tokenizer word_level(const std::string& vocab, const std::string& added = "[]") {
    const std::string json = R"({"model": {"type": "WordLevel", "unk_token": "a", "vocab": )" + vocab +
                             R"(}, "added_tokens": )" + added + "}";
    Expected<Tokenizer> t = tokenizer_from_json(json, "tokenizer.json");
    REQUIRE_MESSAGE(t.ok(), t.error().message);
    return std::move(*t);
}


}  // namespace

TEST_CASE("vocab_warnings: a clean vocabulary, an added token repeating a vocabulary entry: no warning") {
    CHECK(vocab_warnings(word_level(R"({"a": 0, "b": 1, "c": 2})"), 3).empty());
    CHECK(vocab_warnings(word_level(R"({"a": 0, "b": 1, "c": 2})", R"([{"id": 2, "content": "c", "special": true}])"), 3).empty());
    // Embedding rows beyond the tokenizer (padded tables, as Qwen2's) are fine.
    CHECK(vocab_warnings(word_level(R"({"a": 0, "b": 1})"), 64).empty());
}

TEST_CASE("vocab_warnings: shared ids, holes and ids past the embedding rows, one line each") {
    const std::vector<std::string> w = vocab_warnings(word_level(R"({"a": 0, "b": 1, "c": 1, "d": 4, "e": 7})"), 5);
    REQUIRE(w.size() == 3);
    CHECK(w[0] == "tokenizer.json: 1 id belongs to more than one token (first: 1 is 'b' and 'c'); such an id decodes as one of them only");
    CHECK(w[1] == "tokenizer.json: 4 ids below the largest (7) belong to no token (first: 2); they decode to nothing");
    CHECK(w[2] == "tokenizer.json: 1 token has an id beyond the model's 5 embedding rows (first: 'e' = 7); a text that uses it cannot be traced");
    // An added token can share an id too (it wins when decoding).
    const std::vector<std::string> added = vocab_warnings(word_level(R"({"a": 0, "b": 1})", R"([{"id": 1, "content": "<pad>"}])"), 2);
    REQUIRE(added.size() == 1);
    CHECK(contains(added[0], "(first: 1 is '<pad>' and 'b')"));
}

TEST_CASE("vocab_warnings: the largest id there may be costs what a small one does; past it, refused") {
    // 2^24 - 1: sixteen million holes, counted from the three tokens, not by walking the ids.
    const std::vector<std::string> w = vocab_warnings(word_level(R"({"a": 0, "b": 1, "z": 16777215})"), 2);
    REQUIRE(w.size() == 2);
    CHECK(contains(w[0], "16777213 ids below the largest (16777215) belong to no token (first: 2)"));
    CHECK(contains(w[1], "(first: 'z' = 16777215)"));
    for (const char* id : {"16777216", "2147483647", "-1"}) {
        Expected<Tokenizer> t = tokenizer_from_json(std::string(R"({"model": {"type": "WordLevel", "vocab": {"a": 0, "z": )") + id + "}}}",
                                                    "tokenizer.json");
        REQUIRE_FALSE(t.ok());
        CHECK(contains(t.error().message, std::string("\"z\" has id ") + id + ", out of range [0, 16777216)"));
    }
}
