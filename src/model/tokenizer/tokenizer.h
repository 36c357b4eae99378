// Tokenizer: Hugging Face tokenizer.json semantics (normalizer -> pre-tokenizer -> model ->
// post-processor; decoder), reproducing HF ids exactly. Components it does not implement are refused
// by name at load time, never approximated.
//
//   Expected<Tokenizer> tok = tokenizer_from_json(text, "tokenizer.json");
//   Encoding e = tok->encode("Hello world", /*add_special_tokens=*/true);
//   std::string back = tok->decode(e.ids, /*skip_special_tokens=*/false);
//
// Input that is not valid UTF-8 is first made valid the way Rust's from_utf8_lossy does (each maximal
// invalid subpart becomes U+FFFD); offsets then refer to that repaired text. Offsets are byte offsets;
// offsets_to_chars() gives the character offsets HF's Python API reports.
#pragma once
#include <cstdint>
#include <functional>
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
    std::string model_type() const;                             // "BPE", "WordPiece", "Unigram", "WordLevel"
    bool is_special(int32_t id) const;
    // The model's vocabulary, then the added tokens (a token may come twice, once from each).
    void for_each_token(const std::function<void(const std::string&, int32_t)>& f) const;

    std::shared_ptr<const TokenizerImpl> impl;
};

// `label` names the file in error messages ("tokenizer.json: pre_tokenizer type 'X' is not supported ...").
Expected<Tokenizer> tokenizer_from_json(const std::string& json_text, const std::string& label);
// tokenizer.json from a model folder; without it, vocab.txt (BERT WordPiece, lowercasing unless
// tokenizer_config.json says do_lower_case: false) or vocab.json + merges.txt (GPT-2 byte-level BPE),
// built as HF's slow->fast conversion would.
Expected<Tokenizer> tokenizer_load(const FileSet& files);

// Byte offsets -> character offsets into `text`, exactly as HF's Python bindings convert them.
std::vector<std::pair<int, int>> offsets_to_chars(const std::string& text, const Encoding& e);

}  // namespace attn
