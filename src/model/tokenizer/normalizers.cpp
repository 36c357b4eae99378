// Normalizers from tokenizer.json: BertNormalizer, NFC/NFD/NFKC/NFKD, Lowercase, Strip, StripAccents,
// Replace (String patterns), Prepend, Append, ByteLevel, Sequence. Precompiled (SentencePiece
// charsmap) and regex Replace patterns are refused by name rather than approximated.
#include "core/error.h"
#include "model/tokenizer/components.h"

namespace attn {
namespace tok {

namespace {

struct BertNorm : Normalizer {
    bool clean_text = true, handle_chinese_chars = true, strip_accents = true, lowercase = true;
    void normalize(NormalizedString& n) const override {
        if (clean_text) {
            ns_filter(n, [](char32_t c) { return !(c == 0 || c == 0xFFFD || is_bert_control(c)); });
            ns_map(n, [](char32_t c) { return is_bert_whitespace(c) ? U' ' : c; });
        }
        if (handle_chinese_chars) {
            std::vector<std::pair<char32_t, int>> dest;
            bool any = false;
            for (size_t i = 0; i < n.text.size();) {
                const char32_t c = utf8_next(n.text, i);
                if (is_chinese_char(c)) {
                    dest.insert(dest.end(), {{U' ', 0}, {c, 1}, {U' ', 1}});
                    any = true;
                } else {
                    dest.emplace_back(c, 0);
                }
            }
            if (any) ns_transform(n, dest, 0);
        }
        if (strip_accents) {
            ns_unicode_normalize(n, NormalForm::NFD);
            ns_filter(n, [](char32_t c) { return unicode_category(c) != UnicodeCategory::Mn; });
        }
        if (lowercase) ns_lowercase(n);
    }
};

struct UnicodeNorm : Normalizer {
    NormalForm form;
    explicit UnicodeNorm(NormalForm f) : form(f) {}
    void normalize(NormalizedString& n) const override { ns_unicode_normalize(n, form); }
};

struct LowercaseNorm : Normalizer {
    void normalize(NormalizedString& n) const override { ns_lowercase(n); }
};

struct StripNorm : Normalizer {
    bool left = true, right = true;
    void normalize(NormalizedString& n) const override { ns_strip(n, left, right); }
};

struct StripAccentsNorm : Normalizer {
    void normalize(NormalizedString& n) const override {
        ns_filter(n, [](char32_t c) { return unicode_category(c) != UnicodeCategory::Mn; });
    }
};

struct ReplaceNorm : Normalizer {
    std::string pattern, content;
    void normalize(NormalizedString& n) const override { ns_replace(n, pattern, content); }
};

struct PrependNorm : Normalizer {
    std::string prefix;
    void normalize(NormalizedString& n) const override {
        if (!n.text.empty()) ns_prepend(n, prefix);
    }
};

struct AppendNorm : Normalizer {
    std::string suffix;
    void normalize(NormalizedString& n) const override {
        if (!n.text.empty()) ns_append(n, suffix);
    }
};

struct ByteLevelNorm : Normalizer {
    void normalize(NormalizedString& n) const override {
        std::vector<std::pair<char32_t, int>> dest;
        const std::string& t = n.text;
        for (size_t i = 0; i < t.size();) {
            const size_t start = i;
            utf8_next(t, i);
            for (size_t k = start; k < i; ++k)
                dest.emplace_back(byte_level_char(static_cast<uint8_t>(t[k])), k > start ? 1 : 0);
        }
        ns_transform(n, dest, 0);
    }
};

struct SequenceNorm : Normalizer {
    std::vector<std::unique_ptr<Normalizer>> items;
    void normalize(NormalizedString& n) const override {
        for (const auto& x : items) x->normalize(n);
    }
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const Json& j, const std::string& label) {
    if (j.is_null()) return nullptr;
    const std::string type = json_type_of(j, label);
    const std::string where = label + ": normalizer " + type;
    if (type == "BertNormalizer") {
        auto n = std::make_unique<BertNorm>();
        n->clean_text = json_get_bool_or(j, "clean_text", true, where);
        n->handle_chinese_chars = json_get_bool_or(j, "handle_chinese_chars", true, where);
        n->lowercase = json_get_bool_or(j, "lowercase", true, where);
        // strip_accents: null means "follow lowercase", as in HF.
        n->strip_accents = json_get_bool_or(j, "strip_accents", n->lowercase, where);
        return n;
    }
    if (type == "NFC") return std::make_unique<UnicodeNorm>(NormalForm::NFC);
    if (type == "NFD") return std::make_unique<UnicodeNorm>(NormalForm::NFD);
    if (type == "NFKC") return std::make_unique<UnicodeNorm>(NormalForm::NFKC);
    if (type == "NFKD") return std::make_unique<UnicodeNorm>(NormalForm::NFKD);
    if (type == "Lowercase") return std::make_unique<LowercaseNorm>();
    if (type == "StripAccents") return std::make_unique<StripAccentsNorm>();
    if (type == "ByteLevel") return std::make_unique<ByteLevelNorm>();
    if (type == "Strip") {
        auto n = std::make_unique<StripNorm>();
        n->left = json_get_bool_or(j, "strip_left", true, where);
        n->right = json_get_bool_or(j, "strip_right", true, where);
        return n;
    }
    if (type == "Replace") {
        const Json& pattern = json_require(j, "pattern", where);
        if (!(pattern.is_object() && pattern.contains("String") && pattern["String"].is_string()))
            throw Error(where + ": pattern " + describe_pattern(pattern) +
                        " is not supported (only {\"String\": ...} patterns are)");
        auto n = std::make_unique<ReplaceNorm>();
        n->pattern = pattern["String"].get<std::string>();
        n->content = json_get_string(j, "content", where);
        return n;
    }
    if (type == "Prepend") {
        auto n = std::make_unique<PrependNorm>();
        n->prefix = json_get_string(j, "prepend", where);
        return n;
    }
    if (type == "Append") {
        auto n = std::make_unique<AppendNorm>();
        n->suffix = json_get_string(j, "append", where);
        return n;
    }
    if (type == "Sequence") {
        auto n = std::make_unique<SequenceNorm>();
        const Json& items = json_require(j, "normalizers", where);
        if (!items.is_array()) throw Error(where + ": 'normalizers' must be an array");
        for (const Json& item : items)
            if (auto x = make_normalizer(item, label)) n->items.push_back(std::move(x));
        return n;
    }
    throw Error(label + ": normalizer type '" + type +
                "' is not supported (supported: BertNormalizer, NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, "
                "Replace, Prepend, Append, ByteLevel, Sequence)");
}

}  // namespace tok
}  // namespace attn
