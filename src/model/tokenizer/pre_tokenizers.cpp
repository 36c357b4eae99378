// Pre-tokenizers from tokenizer.json (ByteLevel, BertPreTokenizer, Metaspace, Whitespace,
// WhitespaceSplit, Digits, Punctuation, CharDelimiterSplit, Split, Sequence) with HF semantics.
// Split accepts a String pattern or one of the known regexes; other regexes are refused by name.
#include "core/error.h"
#include "model/tokenizer/components.h"

namespace attn {
namespace tok {

bool is_bert_punctuation(char32_t c) {
    if (c < 0x80) return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
    return unicode_is_punctuation(c);
}
bool is_bert_whitespace(char32_t c) { return c == '\t' || c == '\n' || c == '\r' || unicode_is_white_space(c); }
bool is_bert_control(char32_t c) {
    if (c == '\t' || c == '\n' || c == '\r') return false;
    return unicode_is_other(c);
}
bool is_chinese_char(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

namespace {

// ---- ByteLevel

struct ByteLevelPre : PreTokenizer {
    bool add_prefix_space = true;
    bool use_regex = true;
    void pre_tokenize(PreTokenized& p) const override {
        pretokenized_split(p, [&](size_t, NormalizedString& n) {
            if (add_prefix_space && (n.text.empty() || n.text[0] != ' ')) ns_prepend(n, " ");
            if (!use_regex) return std::vector<NormalizedString>{n};
            return ns_split(n, matches_from_spans(n.text, regex_find_all(RegexKind::Gpt2, n.text)),
                            SplitBehavior::Isolated);
        });
        // Every byte becomes its printable stand-in; later bytes of a char count as insertions.
        for (auto& s : p) {
            if (s.has_tokens) continue;
            std::vector<std::pair<char32_t, int>> dest;
            dest.reserve(s.normalized.text.size());
            const std::string& t = s.normalized.text;
            for (size_t i = 0; i < t.size();) {
                const size_t start = i;
                utf8_next(t, i);
                for (size_t k = start; k < i; ++k)
                    dest.emplace_back(byte_level_char(static_cast<uint8_t>(t[k])), k > start ? 1 : 0);
            }
            ns_transform(s.normalized, dest, 0);
        }
    }
};

// ---- Simple character-class splitters

struct CharSplit : PreTokenizer {
    std::function<bool(char32_t)> pred;
    SplitBehavior behavior;
    CharSplit(std::function<bool(char32_t)> p, SplitBehavior b) : pred(std::move(p)), behavior(b) {}
    void pre_tokenize(PreTokenized& p) const override {
        pretokenized_split(p, [&](size_t, NormalizedString& n) {
            return ns_split(n, matches_by_char(n.text, pred), behavior);
        });
    }
};

struct BertPre : PreTokenizer {
    void pre_tokenize(PreTokenized& p) const override {
        pretokenized_split(p, [](size_t, NormalizedString& n) {
            return ns_split(n, matches_by_char(n.text, unicode_is_white_space), SplitBehavior::Removed);
        });
        pretokenized_split(p, [](size_t, NormalizedString& n) {
            return ns_split(n, matches_by_char(n.text, is_bert_punctuation), SplitBehavior::Isolated);
        });
    }
};

struct WhitespacePre : PreTokenizer {
    void pre_tokenize(PreTokenized& p) const override {
        pretokenized_split(p, [](size_t, NormalizedString& n) {
            auto m = matches_from_spans(n.text, regex_find_all(RegexKind::Whitespace, n.text));
            matches_invert(m);
            return ns_split(n, std::move(m), SplitBehavior::Removed);
        });
    }
};

// ---- Metaspace

enum class PrependScheme { Always, First, Never };

struct MetaspacePre : PreTokenizer {
    std::string replacement = "\xE2\x96\x81";
    PrependScheme scheme = PrependScheme::Always;
    bool split = true;
    void pre_tokenize(PreTokenized& p) const override {
        pretokenized_split(p, [&](size_t, NormalizedString& n) {
            ns_replace(n, " ", replacement);
            const bool starts = n.text.compare(0, replacement.size(), replacement) == 0;
            if (!starts && (scheme == PrependScheme::Always || (scheme == PrependScheme::First && n.original_start == 0)))
                ns_prepend(n, replacement);
            if (!split) return std::vector<NormalizedString>{n};
            return ns_split(n, matches_literal(n.text, replacement), SplitBehavior::MergedWithNext);
        });
    }
};

// ---- Split

struct SplitPre : PreTokenizer {
    std::string literal;
    std::optional<RegexKind> regex;
    SplitBehavior behavior = SplitBehavior::Isolated;
    bool invert = false;
    void pre_tokenize(PreTokenized& p) const override {
        pretokenized_split(p, [&](size_t, NormalizedString& n) {
            auto m = regex ? matches_from_spans(n.text, regex_find_all(*regex, n.text)) : matches_literal(n.text, literal);
            if (invert) matches_invert(m);
            return ns_split(n, std::move(m), behavior);
        });
    }
};

struct SequencePre : PreTokenizer {
    std::vector<std::unique_ptr<PreTokenizer>> items;
    void pre_tokenize(PreTokenized& p) const override {
        for (const auto& t : items) t->pre_tokenize(p);
    }
};

PrependScheme prepend_scheme_from(const Json& j, const std::string& label) {
    PrependScheme scheme = PrependScheme::Always;
    auto ps = j.find("prepend_scheme");
    if (ps != j.end() && !ps->is_null()) {
        const std::string s = json_get_string(j, "prepend_scheme", label);
        if (s == "always") scheme = PrependScheme::Always;
        else if (s == "first") scheme = PrependScheme::First;
        else if (s == "never") scheme = PrependScheme::Never;
        else throw Error(label + ": Metaspace prepend_scheme '" + s + "' is not supported (supported: always, first, never)");
    }
    // Files from before prepend_scheme existed spell "never" as add_prefix_space: false.
    if (!json_get_bool_or(j, "add_prefix_space", true, label)) scheme = PrependScheme::Never;
    return scheme;
}

std::string single_char(const Json& j, const char* key, const std::string& fallback, const std::string& label) {
    std::string s = json_get_string_or(j, key, fallback, label);
    if (utf8_decode(s).size() != 1) throw Error(label + ": '" + key + "' must be a single character, found \"" + s + "\"");
    return s;
}

}  // namespace

std::string describe_pattern(const Json& pattern) {
    if (pattern.is_object()) {
        if (pattern.contains("String") && pattern["String"].is_string()) return "String \"" + pattern["String"].get<std::string>() + "\"";
        if (pattern.contains("Regex") && pattern["Regex"].is_string()) return "Regex \"" + pattern["Regex"].get<std::string>() + "\"";
    }
    return pattern.dump();
}

std::string json_type_of(const Json& j, const std::string& label) {
    if (!j.is_object()) throw Error(label + ": expected an object, found " + json_type_name(j));
    return json_get_string(j, "type", label);
}

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& j, const std::string& label) {
    if (j.is_null()) return nullptr;
    const std::string type = json_type_of(j, label);
    const std::string where = label + ": pre_tokenizer " + type;
    if (type == "ByteLevel") {
        auto t = std::make_unique<ByteLevelPre>();
        t->add_prefix_space = json_get_bool_or(j, "add_prefix_space", true, where);
        t->use_regex = json_get_bool_or(j, "use_regex", true, where);
        return t;
    }
    if (type == "BertPreTokenizer") return std::make_unique<BertPre>();
    if (type == "Whitespace") return std::make_unique<WhitespacePre>();
    if (type == "WhitespaceSplit")
        return std::make_unique<CharSplit>(unicode_is_white_space, SplitBehavior::Removed);
    if (type == "Punctuation")
        return std::make_unique<CharSplit>(is_bert_punctuation,
                                           split_behavior_from(json_get_string_or(j, "behavior", "Isolated", where), where));
    if (type == "Digits")
        return std::make_unique<CharSplit>(unicode_is_number, json_get_bool_or(j, "individual_digits", false, where)
                                                                  ? SplitBehavior::Isolated
                                                                  : SplitBehavior::Contiguous);
    if (type == "CharDelimiterSplit") {
        const char32_t d = utf8_decode(single_char(j, "delimiter", "", where))[0];
        return std::make_unique<CharSplit>([d](char32_t c) { return c == d; }, SplitBehavior::Removed);
    }
    if (type == "Metaspace") {
        auto t = std::make_unique<MetaspacePre>();
        t->replacement = single_char(j, "replacement", t->replacement, where);
        t->scheme = prepend_scheme_from(j, where);
        t->split = json_get_bool_or(j, "split", true, where);
        return t;
    }
    if (type == "Split") {
        auto t = std::make_unique<SplitPre>();
        const Json& pattern = json_require(j, "pattern", where);
        if (pattern.is_object() && pattern.contains("String") && pattern["String"].is_string()) {
            t->literal = pattern["String"].get<std::string>();
        } else if (pattern.is_object() && pattern.contains("Regex") && pattern["Regex"].is_string()) {
            t->regex = regex_kind_from_pattern(pattern["Regex"].get<std::string>());
            if (!t->regex)
                throw Error(where + ": regex pattern " + describe_pattern(pattern) +
                            " is not supported (supported: String patterns and the GPT-2, Llama-3/cl100k, Qwen2 "
                            "and Whitespace regexes)");
        } else {
            throw Error(where + ": pattern must be {\"String\": ...} or {\"Regex\": ...}, found " + pattern.dump());
        }
        t->behavior = split_behavior_from(json_get_string(j, "behavior", where), where);
        t->invert = json_get_bool_or(j, "invert", false, where);
        return t;
    }
    if (type == "Sequence") {
        auto t = std::make_unique<SequencePre>();
        const Json& items = json_require(j, "pretokenizers", where);
        if (!items.is_array()) throw Error(where + ": 'pretokenizers' must be an array");
        for (const Json& item : items)
            if (auto p = make_pre_tokenizer(item, label)) t->items.push_back(std::move(p));
        return t;
    }
    throw Error(label + ": pre_tokenizer type '" + type +
                "' is not supported (supported: ByteLevel, BertPreTokenizer, Metaspace, Whitespace, WhitespaceSplit, "
                "Digits, Punctuation, CharDelimiterSplit, Split, Sequence)");
}

}  // namespace tok
}  // namespace attn
