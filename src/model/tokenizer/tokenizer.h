// Tokenizer: Hugging Face tokenizer.json semantics (normalizer -> pre-tokenizer -> model ->
// post-processor; decoder), reproducing HF ids exactly. Components it does not implement are refused
// by name at load time, never approximated.
//
//   Expected<Tokenizer> tok = tokenizer_from_json(text, "tokenizer.json");
//   Encoding e = tok->encode("Hello world", /*add_special_tokens=*/true);
//   std::string back = tok->decode(e.ids, /*skip_special_tokens=*/false);
//
// PLACEHOLDER INTERFACE written before the implementation; the tokenizer work may extend it but keeps
// these names.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_set.h"

namespace attn {

struct Encoding {
    std::vector<int32_t> ids;
    std::vector<std::string> tokens;                 // vocabulary strings, e.g. "Ġworld"
    std::vector<std::pair<int, int>> offsets;        // byte offsets [start, end) into the input text
};

struct TokenizerImpl;

class Tokenizer {
public:
    Tokenizer();
    ~Tokenizer();
    Tokenizer(Tokenizer&&) noexcept;
    Tokenizer& operator=(Tokenizer&&) noexcept;

    Encoding encode(const std::string& text, bool add_special_tokens = true) const;
    std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens = false) const;
    std::string id_to_token(int32_t id) const;                 // "" when out of range
    std::optional<int32_t> token_to_id(const std::string& token) const;
    int vocab_size() const;                                     // largest id + 1, added tokens included
    std::string model_type() const;                             // "BPE", "WordPiece", "Unigram"
    bool is_special(int32_t id) const;

    std::shared_ptr<const TokenizerImpl> impl;
};

Expected<Tokenizer> tokenizer_from_json(const std::string& json_text, const std::string& label);
// tokenizer.json from a model folder (later also vocab.txt / vocab.json + merges.txt).
Expected<Tokenizer> tokenizer_load(const FileSet& files);

}  // namespace attn
