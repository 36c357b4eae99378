// A TinyLlama-style tokenizer.json written in the test: Prepend "▁" + Replace " " -> "▁" normalizers,
// no pre-tokenizer, BPE with byte_fallback over all 256 "<0xNN>" tokens (ids 3..258), the
// Replace/ByteFallback/Fuse/Strip decoder chain and the "<s> $A" template: lossless on any text.
// `pieces`: the vocabulary after the bytes, from id 259 ("\"▁\": 259, \"a\": 260, ..."); `merges`: the
// merges list's items ("\"▁ a\", \"a a\"").
#pragma once
#include <string>

namespace attn {

inline std::string llama2_tokenizer_json(const std::string& pieces, const std::string& merges) {
    std::string vocab = R"("<unk>": 0, "<s>": 1, "</s>": 2)";
    static const char* hex = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b)
        vocab += std::string(", \"<0x") + hex[b >> 4] + hex[b & 15] + ">\": " + std::to_string(3 + b);
    vocab += ", " + pieces;
    return R"({
      "version": "1.0",
      "added_tokens": [
        {"id": 0, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
        {"id": 1, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
        {"id": 2, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
      "normalizer": {"type": "Sequence", "normalizers": [
        {"type": "Prepend", "prepend": "▁"},
        {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
      "pre_tokenizer": null,
      "post_processor": {"type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                 {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
      "decoder": {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
        {"type": "ByteFallback"}, {"type": "Fuse"},
        {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
      "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "continuing_subword_prefix": null,
        "end_of_word_suffix": null, "fuse_unk": true, "byte_fallback": true, "ignore_merges": false,
        "vocab": {)" + vocab + R"(},
        "merges": [)" + merges + R"(]}
    })";
}

}  // namespace attn
