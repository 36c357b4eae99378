// A task's word-level vocabulary and the tokenizer.json that reads it the same way: a WordLevel model,
// a Lowercase normalizer, the Whitespace pre-tokenizer (\w+|[^\w\s]+, so "didn't" is didn ' t), and a
// TemplateProcessing post-processor adding the family's special tokens ([CLS] ... [SEP] for encoders,
// <bos> for decoders, <s> ... </s> for encoder-decoder sources). The Hugging Face tokenizers library
// and AttnScope's own tokenizer both read it.
//
//   Vocab v({"the", "animal", "street"}, ModelFamily::encoder);   // specials first: [PAD] [UNK] [CLS] [SEP] [MASK]
//   std::vector<int32_t> ids = v.encode("the animal");            // with [CLS] / [SEP] as the tokenizer adds them
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attn {

enum class ModelFamily;   // train/task.h

class Vocab {
public:
    Vocab() = default;
    // words: lowercase tokens as the Whitespace pre-tokenizer yields them; duplicates are ignored.
    Vocab(const std::vector<std::string>& words, ModelFamily family);
    int size() const { return static_cast<int>(tokens_.size()); }
    int32_t id(const std::string& token) const;   // throws attn::Error naming the token when unknown
    bool has(const std::string& token) const { return index_.count(token) != 0; }
    const std::string& token(int32_t id) const { return tokens_.at(static_cast<size_t>(id)); }
    // The special tokens (-1 when the family has none of that kind).
    int32_t pad = -1, unk = -1, bos = -1, eos = -1, cls = -1, sep = -1, mask = -1;
    // Words -> ids with the family's specials around them, exactly as tokenizer.json's encode does.
    std::vector<int32_t> encode_words(const std::vector<std::string>& words) const;
    // ids -> the text a user would type (specials dropped, " ' " rejoined to "'").
    std::string text_of(const std::vector<int32_t>& ids) const;
    std::string tokenizer_json() const;
    ModelFamily family() const { return family_; }

private:
    std::vector<std::string> tokens_;
    std::map<std::string, int32_t> index_;
    ModelFamily family_{};
};

// Splits text the way the tokenizer's Lowercase + Whitespace steps do (ASCII): "The animal didn't" ->
// the, animal, didn, ', t.
std::vector<std::string> split_words(const std::string& text);

}  // namespace attn
