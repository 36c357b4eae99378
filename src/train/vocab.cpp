// Word-level vocabularies and their tokenizer.json (vocab.h).
#include "train/vocab.h"

#include <cctype>

#include "core/error.h"
#include "core/json.h"
#include "train/task.h"

namespace attn {
namespace {

// The special tokens of each family, in id order, and which of them the template puts around a text.
struct FamilySpecials {
    std::vector<std::string> tokens;
    std::string pad, unk, bos, eos, cls, sep, mask;
    std::vector<std::string> before, after;   // the post-processor's template: before $A after
};

FamilySpecials family_specials(ModelFamily f) {
    switch (f) {
        case ModelFamily::decoder:   // GPT-2 style, plus a <bos> every input starts with: a fixed place to rest
            return {{"<pad>", "<unk>", "<bos>", "<eos>"}, "<pad>", "<unk>", "<bos>", "<eos>", "", "", "", {"<bos>"}, {}};
        case ModelFamily::encoder:   // BERT's
            return {{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}, "[PAD]", "[UNK]", "", "", "[CLS]", "[SEP]", "[MASK]",
                    {"[CLS]"}, {"[SEP]"}};
        case ModelFamily::encoder_decoder:   // BART's ids: <s>=0, <pad>=1, </s>=2, <unk>=3
            return {{"<s>", "<pad>", "</s>", "<unk>", "<mask>"}, "<pad>", "<unk>", "<s>", "</s>", "", "", "<mask>",
                    {"<s>"}, {"</s>"}};
    }
    return {};
}

bool word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

}  // namespace

Vocab::Vocab(const std::vector<std::string>& words, ModelFamily family) : family_(family) {
    const FamilySpecials s = family_specials(family);
    auto add = [&](const std::string& t) {
        if (index_.count(t)) return;
        index_[t] = static_cast<int32_t>(tokens_.size());
        tokens_.push_back(t);
    };
    for (const std::string& t : s.tokens) add(t);
    for (const std::string& w : words) add(w);
    auto find = [&](const std::string& t) { return t.empty() ? -1 : index_.at(t); };
    pad = find(s.pad);
    unk = find(s.unk);
    bos = find(s.bos);
    eos = find(s.eos);
    cls = find(s.cls);
    sep = find(s.sep);
    mask = find(s.mask);
}

int32_t Vocab::id(const std::string& token) const {
    auto it = index_.find(token);
    if (it == index_.end()) throw Error("vocabulary: no token '" + token + "'");
    return it->second;
}

std::vector<int32_t> Vocab::encode_words(const std::vector<std::string>& words) const {
    const FamilySpecials s = family_specials(family_);
    std::vector<int32_t> ids;
    for (const std::string& t : s.before) ids.push_back(id(t));
    for (const std::string& w : words) ids.push_back(has(w) ? id(w) : unk);
    for (const std::string& t : s.after) ids.push_back(id(t));
    return ids;
}

std::string Vocab::text_of(const std::vector<int32_t>& ids) const {
    const FamilySpecials s = family_specials(family_);
    std::string text;
    bool glue = false;   // after an apostrophe: "didn ' t" reads "didn't"
    for (int32_t id : ids) {
        const std::string& t = token(id);
        const bool special = id == pad || id == bos || id == eos || id == cls || id == sep;
        if (special) continue;
        const bool apostrophe = t == "'";
        if (!text.empty() && !glue && !apostrophe) text += ' ';
        text += t;
        glue = apostrophe;
    }
    return text;
}

std::string Vocab::tokenizer_json() const {
    const FamilySpecials s = family_specials(family_);
    Json added = Json::array();
    for (const std::string& t : s.tokens)
        added.push_back({{"id", id(t)}, {"content", t}, {"single_word", false}, {"lstrip", false},
                         {"rstrip", false}, {"normalized", false}, {"special", true}});
    auto special = [](const std::string& t, int type) { return Json{{"SpecialToken", {{"id", t}, {"type_id", type}}}}; };
    auto sequence = [](const char* which, int type) { return Json{{"Sequence", {{"id", which}, {"type_id", type}}}}; };
    Json single = Json::array(), pair = Json::array(), specials = Json::object();
    for (const std::string& t : s.before) single.push_back(special(t, 0)), pair.push_back(special(t, 0));
    single.push_back(sequence("A", 0));
    pair.push_back(sequence("A", 0));
    for (const std::string& t : s.after) single.push_back(special(t, 0)), pair.push_back(special(t, 0));
    pair.push_back(sequence("B", 1));
    for (const std::string& t : s.after) pair.push_back(special(t, 1));
    for (const std::vector<std::string>* list : {&s.before, &s.after})
        for (const std::string& t : *list) specials[t] = {{"id", t}, {"ids", {id(t)}}, {"tokens", {t}}};
    Json vocab = Json::object();
    for (size_t i = 0; i < tokens_.size(); ++i) vocab[tokens_[i]] = static_cast<int>(i);
    Json root = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", added},
        {"normalizer", {{"type", "Lowercase"}}},
        {"pre_tokenizer", {{"type", "Whitespace"}}},
        {"post_processor", {{"type", "TemplateProcessing"}, {"single", single}, {"pair", pair}, {"special_tokens", specials}}},
        {"decoder", nullptr},
        {"model", {{"type", "WordLevel"}, {"vocab", vocab}, {"unk_token", s.unk}}},
    };
    return root.dump(2) + "\n";
}

std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> words;
    size_t i = 0;
    while (i < text.size()) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (std::isspace(c)) { ++i; continue; }
        const bool word = word_char(c);
        size_t j = i;
        while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])) &&
               word_char(static_cast<unsigned char>(text[j])) == word)
            ++j;
        std::string w = text.substr(i, j - i);
        for (char& ch : w) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        words.push_back(w);
        i = j;
    }
    return words;
}

}  // namespace attn
