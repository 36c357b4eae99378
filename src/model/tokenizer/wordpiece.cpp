// WordPiece (greedy longest-match-first with a continuing-subword prefix, whole word -> unk when a
// piece is missing or the word is too long) and WordLevel (whole pre-token lookup) models.
#include <algorithm>
#include <unordered_map>

#include "core/error.h"
#include "model/tokenizer/components.h"

namespace attn {
namespace tok {

namespace {

struct Vocab {
    std::unordered_map<std::string, int32_t> to_id;
    std::unordered_map<int32_t, std::string> to_token;
    int32_t largest_id = -1;
    size_t longest_bytes = 0;   // of any entry: a longer substring never matches

    void load(const Json& j, const std::string& where) {
        const Json& vocab = json_require(j, "vocab", where);
        if (!vocab.is_object()) throw Error(where + ": 'vocab' must be an object of token -> id");
        to_id.reserve(vocab.size());
        for (auto it = vocab.begin(); it != vocab.end(); ++it) {
            if (!it.value().is_number_integer()) throw Error(where + ": vocab entry \"" + it.key() + "\" has a non-integer id");
            const int32_t id = token_id_checked(it.value().get<int64_t>(), it.key(), where);
            to_id[it.key()] = id;
            to_token[id] = it.key();
            largest_id = std::max(largest_id, id);
            longest_bytes = std::max(longest_bytes, it.key().size());
        }
    }
    std::optional<int32_t> find(const std::string& t) const {
        auto it = to_id.find(t);
        if (it == to_id.end()) return std::nullopt;
        return it->second;
    }
    std::optional<std::string> token(int32_t id) const {
        auto it = to_token.find(id);
        if (it == to_token.end()) return std::nullopt;
        return it->second;
    }
    void for_each(const std::function<void(const std::string&, int32_t)>& f) const {
        for (const auto& [token, id] : to_id) f(token, id);
    }
};

struct WordPiece : Model {
    Vocab vocab;
    std::string unk_token = "[UNK]";
    std::string prefix = "##";
    size_t max_input_chars_per_word = 100;

    std::vector<Token> unk(const std::string& s) const {
        auto id = vocab.find(unk_token);
        if (!id) return {};
        return {Token{*id, unk_token, {0, static_cast<int>(s.size())}}};
    }

    // A word over max_input_chars_per_word characters is one unk before any lookup (HF). Otherwise
    // each start tries only substrings no longer than the longest vocabulary entry (same result: a
    // longer one is in no vocabulary), so a word of n characters costs at most n * longest lookups,
    // even when a tokenizer.json sets max_input_chars_per_word to a billion.
    std::vector<Token> tokenize(const std::string& s) const override {
        if (utf8_decode(s).size() > max_input_chars_per_word) return unk(s);
        // Char boundaries, so the greedy search shrinks by whole characters.
        std::vector<size_t> bounds;
        for (size_t i = 0; i < s.size();) {
            bounds.push_back(i);
            utf8_next(s, i);
        }
        bounds.push_back(s.size());
        std::vector<Token> out;
        size_t start_k = 0;
        std::string sub;
        while (start_k + 1 < bounds.size()) {
            bool found = false;
            const size_t with_prefix = start_k > 0 ? prefix.size() : 0;
            const size_t reach = vocab.longest_bytes > with_prefix ? vocab.longest_bytes - with_prefix : 0;
            // The last boundary at most `reach` bytes after the start.
            size_t end_k = static_cast<size_t>(
                std::upper_bound(bounds.begin() + static_cast<std::ptrdiff_t>(start_k), bounds.end(), bounds[start_k] + reach) -
                bounds.begin() - 1);
            for (; end_k > start_k; --end_k) {
                sub.clear();
                if (start_k > 0) sub += prefix;
                sub.append(s, bounds[start_k], bounds[end_k] - bounds[start_k]);
                ++model_steps();
                if (auto id = vocab.find(sub)) {
                    out.push_back(Token{*id, sub, {static_cast<int>(bounds[start_k]), static_cast<int>(bounds[end_k])}});
                    found = true;
                    break;
                }
            }
            if (!found) return unk(s);
            start_k = end_k;
        }
        return out;
    }
    std::optional<int32_t> token_to_id(const std::string& t) const override { return vocab.find(t); }
    std::optional<std::string> id_to_token(int32_t id) const override { return vocab.token(id); }
    int32_t max_id() const override { return vocab.largest_id; }
    const char* type_name() const override { return "WordPiece"; }
    void for_each_token(const std::function<void(const std::string&, int32_t)>& f) const override { vocab.for_each(f); }
};

struct WordLevel : Model {
    Vocab vocab;
    std::string unk_token = "<unk>";
    std::vector<Token> tokenize(const std::string& s) const override {
        if (auto id = vocab.find(s)) return {Token{*id, s, {0, static_cast<int>(s.size())}}};
        if (auto id = vocab.find(unk_token)) return {Token{*id, unk_token, {0, static_cast<int>(s.size())}}};
        return {};
    }
    std::optional<int32_t> token_to_id(const std::string& t) const override { return vocab.find(t); }
    std::optional<std::string> id_to_token(int32_t id) const override { return vocab.token(id); }
    int32_t max_id() const override { return vocab.largest_id; }
    const char* type_name() const override { return "WordLevel"; }
    void for_each_token(const std::function<void(const std::string&, int32_t)>& f) const override { vocab.for_each(f); }
};

}  // namespace

std::unique_ptr<Model> make_wordpiece(const Json& j, const std::string& label) {
    const std::string where = label + ": model WordPiece";
    auto m = std::make_unique<WordPiece>();
    m->vocab.load(j, where);
    m->unk_token = json_get_string_or(j, "unk_token", m->unk_token, where);
    m->prefix = json_get_string_or(j, "continuing_subword_prefix", m->prefix, where);
    const int64_t max_chars = json_get_int_or(j, "max_input_chars_per_word", 100, where);
    m->max_input_chars_per_word = max_chars < 0 ? 0 : static_cast<size_t>(max_chars);
    return m;
}

std::unique_ptr<Model> make_wordlevel(const Json& j, const std::string& label) {
    const std::string where = label + ": model WordLevel";
    auto m = std::make_unique<WordLevel>();
    m->vocab.load(j, where);
    m->unk_token = json_get_string_or(j, "unk_token", m->unk_token, where);
    return m;
}

}  // namespace tok
}  // namespace attn
