// Tokenizer: builds the pipeline from tokenizer.json and runs HF's encode (added tokens -> normalizer
// -> pre-tokenizer -> model -> post-processor) and decode. Truncation, padding and pair inputs are not
// implemented (encode takes one text). Folder loading lives in tokenizer_files.cpp.
//
// Sections: added vocabulary | loading | encode/decode
#include "model/tokenizer/tokenizer.h"

#include <unordered_map>

#include "core/error.h"
#include "model/tokenizer/components.h"

namespace attn {

using tok::NormalizedString;
using tok::Offsets;
using tok::PreTokenized;
using tok::Split;
using tok::Token;

int32_t tok::token_id_checked(int64_t id, const std::string& token, const std::string& where) {
    if (id < 0 || id >= kConfigSizeMax)
        throw Error(where + ": \"" + token + "\" has id " + std::to_string(id) + ", out of range [0, " +
                    std::to_string(kConfigSizeMax) + ")");
    return static_cast<int32_t>(id);
}

uint64_t& tok::model_steps() {
    thread_local uint64_t steps = 0;
    return steps;
}

// ---- Added vocabulary (HF added_vocabulary.rs)

namespace {

struct AddedToken {
    std::string content;
    int32_t id = 0;
    bool special = false, single_word = false, lstrip = false, rstrip = false, normalized = true;
};

// Leftmost-longest matcher over a byte trie, like HF's Aho-Corasick with MatchKind::LeftmostLongest.
struct AddedMatcher {
    std::unordered_map<uint64_t, int32_t> children;
    std::vector<int32_t> node_token{-1};  // index into the token list, or -1

    void insert(const std::string& s, int32_t token_index) {
        if (s.empty()) return;
        int32_t node = 0;
        for (unsigned char b : s) {
            const uint64_t key = (static_cast<uint64_t>(node) << 8) | b;
            auto it = children.find(key);
            if (it == children.end()) {
                const auto next = static_cast<int32_t>(node_token.size());
                node_token.push_back(-1);
                children.emplace(key, next);
                node = next;
            } else {
                node = it->second;
            }
        }
        if (node_token[node] < 0) node_token[node] = token_index;
    }
    bool empty() const { return children.empty(); }

    // Longest pattern starting at i: (end, token index) or (i, -1).
    std::pair<size_t, int32_t> longest_at(const std::string& s, size_t i) const {
        int32_t node = 0;
        std::pair<size_t, int32_t> best{i, -1};
        for (size_t k = i; k < s.size(); ++k) {
            auto it = children.find((static_cast<uint64_t>(node) << 8) | static_cast<unsigned char>(s[k]));
            if (it == children.end()) break;
            node = it->second;
            if (node_token[node] >= 0) best = {k + 1, node_token[node]};
        }
        return best;
    }
};

bool ends_with_word(const std::string& s, size_t end) {
    if (end == 0) return false;
    size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t i = start;
    return unicode_is_word(utf8_next(s, i));
}

bool starts_with_word(const std::string& s, size_t start) {
    if (start >= s.size()) return false;
    size_t i = start;
    return unicode_is_word(utf8_next(s, i));
}

}  // namespace

struct TokenizerImpl {
    std::string label;
    std::vector<AddedToken> added;                       // in tokenizer.json order
    std::unordered_map<std::string, int32_t> added_by_content;
    std::unordered_map<int32_t, size_t> added_by_id;     // id -> index in `added`
    AddedMatcher raw_matcher, normalized_matcher;

    std::unique_ptr<tok::Normalizer> normalizer;
    std::unique_ptr<tok::PreTokenizer> pre_tokenizer;
    std::unique_ptr<tok::Model> model;
    std::unique_ptr<tok::PostProcessor> post_processor;
    std::unique_ptr<tok::Decoder> decoder;

    // HF find_matches + split_with_indices: cut `n` around added tokens; matched pieces get their id.
    std::vector<Split> split_on_added(const NormalizedString& n, const AddedMatcher& matcher) const {
        std::vector<Split> out;
        auto push = [&](size_t a, size_t b, int32_t token_index) {
            Split s;
            s.normalized = tok::ns_slice(n, a, b);
            if (token_index >= 0) {
                s.has_tokens = true;
                s.tokens.push_back(Token{added[token_index].id, s.normalized.text, {0, static_cast<int>(b - a)}});
            }
            out.push_back(std::move(s));
        };
        const std::string& s = n.text;
        if (matcher.empty() || s.empty()) {
            push(0, s.size(), -1);
            return out;
        }
        size_t start_offset = 0;
        size_t i = 0;
        while (i < s.size()) {
            auto [stop, index] = matcher.longest_at(s, i);
            if (index < 0) {
                ++i;
                continue;
            }
            size_t start = i;
            i = stop;  // the next search starts after this match even when it is discarded
            const AddedToken& t = added[index];
            if (t.single_word) {
                const bool start_space = start == 0 || !ends_with_word(s, start);
                const bool stop_space = stop == s.size() || !starts_with_word(s, stop);
                if (!start_space || !stop_space) continue;
            }
            if (t.lstrip) {
                size_t new_start = start;
                while (new_start > 0) {
                    size_t prev = new_start - 1;
                    while (prev > 0 && (static_cast<unsigned char>(s[prev]) & 0xC0) == 0x80) --prev;
                    size_t k = prev;
                    if (!unicode_is_white_space(utf8_next(s, k))) break;
                    new_start = prev;
                }
                start = std::max(new_start, start_offset);
            }
            if (t.rstrip) {
                while (stop < s.size()) {
                    size_t k = stop;
                    if (!unicode_is_white_space(utf8_next(s, k))) break;
                    stop = k;
                }
                i = stop;
            }
            if (start_offset < start) push(start_offset, start, -1);
            push(start, stop, index);
            start_offset = stop;
        }
        if (start_offset != s.size()) push(start_offset, s.size(), -1);
        return out;
    }

    // HF extract_and_normalize: split the raw text on non-normalized added tokens, normalize the
    // rest piece by piece, then split those on the normalized added tokens.
    PreTokenized extract_and_normalize(const std::string& text) const {
        PreTokenized out;
        for (auto& s : split_on_added(tok::ns_from(text), raw_matcher)) {
            if (s.normalized.text.empty()) continue;
            if (s.has_tokens) {
                out.push_back(std::move(s));
                continue;
            }
            if (normalizer) normalizer->normalize(s.normalized);
            for (auto& piece : split_on_added(s.normalized, normalized_matcher))
                if (!piece.normalized.text.empty()) out.push_back(std::move(piece));
        }
        return out;
    }
};

// ---- Loading

namespace {

std::unique_ptr<tok::Model> make_model_any(const Json& j, const std::string& label, const tok::VocabTables* tables) {
    if (!j.is_object()) throw Error(label + ": 'model' must be an object, found " + json_type_name(j));
    std::string type;
    if (j.contains("type") && !j["type"].is_null()) {
        type = json_get_string(j, "type", label + ": model");
    } else if (j.contains("merges")) {
        type = "BPE";
    } else if (j.contains("vocab") && j["vocab"].is_array()) {
        type = "Unigram";
    } else if (j.contains("continuing_subword_prefix") || j.contains("max_input_chars_per_word")) {
        type = "WordPiece";
    } else {
        type = "WordLevel";
    }
    if (type == "BPE") return tok::make_bpe(j, label, tables);
    if (type == "WordPiece") return tok::make_wordpiece(j, label);
    if (type == "Unigram") return tok::make_unigram(j, label);
    if (type == "WordLevel") return tok::make_wordlevel(j, label);
    throw Error(label + ": model type '" + type + "' is not supported (supported: BPE, WordPiece, Unigram, WordLevel)");
}

const Json& optional_key(const Json& j, const char* key) {
    static const Json null_json;
    auto it = j.find(key);
    return it == j.end() ? null_json : *it;
}

std::shared_ptr<TokenizerImpl> build_impl(const Json& root, const std::string& label, const tok::VocabTables* tables) {
    if (!root.is_object()) throw Error(label + ": expected a JSON object at the top level, found " + json_type_name(root));
    auto impl = std::make_shared<TokenizerImpl>();
    impl->label = label;
    impl->model = make_model_any(json_require(root, "model", label), label, tables);
    impl->normalizer = tok::make_normalizer(optional_key(root, "normalizer"), label);
    impl->pre_tokenizer = tok::make_pre_tokenizer(optional_key(root, "pre_tokenizer"), label);
    impl->post_processor = tok::make_post_processor(optional_key(root, "post_processor"), label);
    impl->decoder = tok::make_decoder(optional_key(root, "decoder"), label);

    const Json& added = optional_key(root, "added_tokens");
    if (!added.is_null() && !added.is_array()) throw Error(label + ": 'added_tokens' must be an array");
    if (added.is_array()) {
        for (const Json& a : added) {
            const std::string where = label + ": added_tokens";
            AddedToken t;
            t.content = json_get_string(a, "content", where);
            t.id = tok::token_id_checked(json_get_int(a, "id", where), t.content, where);
            t.special = json_get_bool_or(a, "special", false, where);
            t.single_word = json_get_bool_or(a, "single_word", false, where);
            t.lstrip = json_get_bool_or(a, "lstrip", false, where);
            t.rstrip = json_get_bool_or(a, "rstrip", false, where);
            t.normalized = json_get_bool_or(a, "normalized", !t.special, where);
            if (t.content.empty()) continue;
            impl->added_by_content[t.content] = t.id;
            impl->added_by_id[t.id] = impl->added.size();
            impl->added.push_back(t);
        }
    }
    // HF matches special tokens before classic ones when both could apply at the same place.
    std::vector<size_t> order;
    for (size_t k = 0; k < impl->added.size(); ++k)
        if (impl->added[k].special) order.push_back(k);
    for (size_t k = 0; k < impl->added.size(); ++k)
        if (!impl->added[k].special) order.push_back(k);
    for (size_t k : order) {
        const AddedToken& t = impl->added[k];
        if (!t.normalized) {
            impl->raw_matcher.insert(t.content, static_cast<int32_t>(k));
        } else {
            NormalizedString n = tok::ns_from(t.content);
            if (impl->normalizer) impl->normalizer->normalize(n);
            impl->normalized_matcher.insert(n.text, static_cast<int32_t>(k));
        }
    }
    return impl;
}

}  // namespace

Tokenizer::Tokenizer() = default;
Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

// The fast reader keeps a BPE vocabulary and its merges out of the JSON document; other models get
// them back as JSON. Whatever the fast reader declines goes through json_parse, whose errors name it.
Expected<Tokenizer> tokenizer_from_json(const std::string& json_text, const std::string& label) {
    return catch_errors([&]() {
        tok::VocabTables tables;
        std::optional<Json> root = tok::tokenizer_json_read(json_text, tables);
        if (!root) return tok::tokenizer_from_json_value(json_parse(json_text, label), label);
        auto model = root->is_object() ? root->find("model") : root->end();
        if (model != root->end() && model->is_object()) {
            auto type = model->find("type");
            if (type == model->end() || !type->is_string() || type->get_ref<const std::string&>() != "BPE")
                tok::vocab_tables_restore(*model, tables);
        }
        return tok::tokenizer_from_json_value(*root, label, &tables);
    });
}

Tokenizer tok::tokenizer_from_json_value(const Json& root, const std::string& label, const VocabTables* tables) {
    Tokenizer t;
    t.impl = build_impl(root, label, tables);
    return t;
}

// ---- Encode / decode

Encoding Tokenizer::encode(const std::string& input, bool add_special_tokens) const {
    Encoding e;
    if (!impl) return e;
    const std::string text = utf8_sanitize(input);
    PreTokenized p = impl->extract_and_normalize(text);
    if (impl->pre_tokenizer) impl->pre_tokenizer->pre_tokenize(p);
    for (Split& s : p) {
        if (!s.has_tokens) {
            s.tokens = impl->model->tokenize(s.normalized.text);
            s.has_tokens = true;
        }
        for (Token& t : s.tokens) {
            e.ids.push_back(t.id);
            e.offsets.push_back(tok::ns_original_offsets(s.normalized, static_cast<size_t>(t.offsets.first),
                                                         static_cast<size_t>(t.offsets.second)));
            e.tokens.push_back(std::move(t.value));
        }
    }
    if (impl->post_processor) impl->post_processor->process(e, add_special_tokens);
    return e;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
    if (!impl) return {};
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (int32_t id : ids) {
        auto a = impl->added_by_id.find(id);
        if (a != impl->added_by_id.end()) {
            const AddedToken& t = impl->added[a->second];
            if (skip_special_tokens && t.special) continue;
            tokens.push_back(t.content);
        } else if (auto s = impl->model->id_to_token(id)) {
            tokens.push_back(std::move(*s));
        }
    }
    if (!impl->decoder) {
        std::string out;
        for (size_t k = 0; k < tokens.size(); ++k) out += (k ? " " : "") + tokens[k];
        return out;
    }
    std::string out;
    for (const std::string& piece : impl->decoder->decode_chain(std::move(tokens))) out += piece;
    return out;
}

std::string Tokenizer::id_to_token(int32_t id) const {
    if (!impl) return {};
    auto a = impl->added_by_id.find(id);
    if (a != impl->added_by_id.end()) return impl->added[a->second].content;
    return impl->model->id_to_token(id).value_or("");
}

std::optional<int32_t> Tokenizer::token_to_id(const std::string& token) const {
    if (!impl) return std::nullopt;
    auto a = impl->added_by_content.find(token);
    if (a != impl->added_by_content.end()) return a->second;
    return impl->model->token_to_id(token);
}

int Tokenizer::vocab_size() const {
    if (!impl) return 0;
    int32_t largest = impl->model->max_id();
    for (const auto& t : impl->added) largest = std::max(largest, t.id);
    return largest + 1;
}

void Tokenizer::for_each_token(const std::function<void(const std::string&, int32_t)>& f) const {
    if (!impl) return;
    impl->model->for_each_token(f);
    for (const auto& t : impl->added) f(t.content, t.id);
}

std::string Tokenizer::model_type() const { return impl ? impl->model->type_name() : ""; }

bool Tokenizer::is_special(int32_t id) const {
    if (!impl) return false;
    auto a = impl->added_by_id.find(id);
    return a != impl->added_by_id.end() && impl->added[a->second].special;
}

std::vector<std::pair<int, int>> offsets_to_chars(const std::string& text, const Encoding& e) {
    // HF's BytesToCharOffsetConverter: byte -> index of the char containing it; an end at the text's
    // end maps past the last char; offsets starting past the end are left as they are.
    std::vector<int> char_of_byte(text.size(), 0);
    int chars = 0;
    for (size_t i = 0; i < text.size();) {
        const size_t start = i;
        utf8_next(text, i);
        for (size_t k = start; k < i; ++k) char_of_byte[k] = chars;
        ++chars;
    }
    std::vector<std::pair<int, int>> out;
    out.reserve(e.offsets.size());
    for (auto [a, b] : e.offsets) {
        const int n = static_cast<int>(text.size());
        if (a < 0 || a >= n || b < 0) {
            out.emplace_back(a, b);
            continue;
        }
        const int start = char_of_byte[a];
        int end;
        if (b < n) end = char_of_byte[b];
        else end = (b - 1 < n && b >= 1 ? char_of_byte[b - 1] : start) + 1;
        out.emplace_back(start, end);
    }
    return out;
}

}  // namespace attn
