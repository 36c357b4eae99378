// Fuzz target: tokenizer.json through both readers: tokenizer_from_json (the fast SAX reader, falling
// back to the general path) and the general path alone (json_parse + tokenizer_from_json_value). When a
// tokenizer builds, it encodes a short fixed text and decodes the ids back.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "core/json.h"
#include "model/tokenizer/components.h"
#include "model/tokenizer/tokenizer.h"

namespace {

void exercise(const attn::Tokenizer& tok) {
    const std::string text = "Hello, world! The cat's 12 naïve 😀 ZWJ 👩‍👩‍👧 [MASK] <s>\n\tend";
    for (bool specials : {true, false}) {
        attn::Encoding e = tok.encode(text, specials);
        (void)tok.decode(e.ids, false);
        (void)tok.decode(e.ids, true);
        (void)attn::offsets_to_chars(text, e);
    }
    for (int32_t id : {-1, 0, 1, tok.vocab_size() - 1, tok.vocab_size()}) {
        (void)tok.id_to_token(id);
        (void)tok.is_special(id);
    }
    (void)tok.decode({-5, 0, tok.vocab_size(), 1 << 30});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string json(reinterpret_cast<const char*>(data), size);
    attn::Expected<attn::Tokenizer> fast = attn::tokenizer_from_json(json, "tokenizer.json");
    if (fast) exercise(*fast);
    attn::Expected<attn::Tokenizer> general = attn::catch_errors([&]() {
        return attn::tok::tokenizer_from_json_value(attn::json_parse(json, "tokenizer.json"), "tokenizer.json");
    });
    if (general) exercise(*general);
    return 0;
}
