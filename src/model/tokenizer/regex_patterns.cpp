// Hand-written matchers for the few split regexes real tokenizer.json files use (GPT-2's,
// Llama-3/cl100k's, Qwen2's, and the Whitespace pre-tokenizer's), with Oniguruma's leftmost-first
// alternation and backtracking reproduced per alternative. Any other regex is refused by the caller.
#include "model/tokenizer/components.h"

namespace attn {
namespace tok {

namespace {

const char* const kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
const char* const kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kWhitespacePattern = R"(\w+|[^\w\s]+)";

bool is_ws(char32_t c) { return unicode_is_white_space(c); }
bool is_l(char32_t c) { return unicode_is_letter(c); }
bool is_n(char32_t c) { return unicode_is_number(c); }
bool is_other(char32_t c) { return !is_ws(c) && !is_l(c) && !is_n(c); }
bool is_crlf(char32_t c) { return c == '\r' || c == '\n'; }

// Case-insensitive ASCII letter test; U+017F (long s) folds to 's' under Unicode case folding.
bool ci_eq(char32_t c, char letter) {
    if (c == static_cast<char32_t>(letter) || c == static_cast<char32_t>(letter - 32)) return true;
    return letter == 's' && c == 0x17F;
}

// Length of a contraction at i ('s 't 're 've 'm 'll 'd), or 0.
size_t contraction(const std::u32string& c, size_t i, bool ignore_case) {
    const size_t n = c.size();
    if (c[i] != '\'' || i + 1 >= n) return 0;
    auto eq = [&](size_t k, char letter) {
        return k < n && (ignore_case ? ci_eq(c[k], letter) : c[k] == static_cast<char32_t>(letter));
    };
    if (eq(i + 1, 's') || eq(i + 1, 't') || eq(i + 1, 'm') || eq(i + 1, 'd')) {
        // 's 't come before 're 've 'm 'll 'd in the alternation; single letters never prefix the others.
        return 2;
    }
    if ((eq(i + 1, 'r') && eq(i + 2, 'e')) || (eq(i + 1, 'v') && eq(i + 2, 'e')) || (eq(i + 1, 'l') && eq(i + 2, 'l')))
        return 3;
    return 0;
}

template <class Pred>
size_t run(const std::u32string& c, size_t j, Pred p) {
    while (j < c.size() && p(c[j])) ++j;
    return j;
}

// \s+(?!\S) then \s+, as the tail of both GPT-2 and Llama-3 patterns. Returns end or i (no match).
size_t whitespace_tail(const std::u32string& c, size_t i) {
    if (!is_ws(c[i])) return i;
    const size_t j = run(c, i, is_ws);
    if (j == c.size()) return j;
    if (j - 1 > i) return j - 1;  // backtrack one so the next piece keeps its leading space
    return j;                     // \s+ alone
}

size_t match_gpt2(const std::u32string& c, size_t i) {
    if (size_t k = contraction(c, i, false)) return i + k;
    const size_t j = c[i] == ' ' ? i + 1 : i;
    if (j < c.size()) {
        if (is_l(c[j])) return run(c, j, is_l);
        if (is_n(c[j])) return run(c, j, is_n);
        if (is_other(c[j])) return run(c, j, is_other);
    }
    return whitespace_tail(c, i);
}

size_t match_llama3(const std::u32string& c, size_t i, bool digits_by_three) {
    const size_t n = c.size();
    if (size_t k = contraction(c, i, true)) return i + k;
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (!is_crlf(c[i]) && !is_l(c[i]) && !is_n(c[i]) && i + 1 < n && is_l(c[i + 1])) return run(c, i + 1, is_l);
    if (is_l(c[i])) return run(c, i, is_l);
    // \p{N}{1,3} (Llama-3) or \p{N} (Qwen2)
    if (is_n(c[i])) {
        const size_t limit = digits_by_three ? 3 : 1;
        size_t j = i;
        while (j < n && j - i < limit && is_n(c[j])) ++j;
        return j;
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
    {
        const size_t j = c[i] == ' ' ? i + 1 : i;
        if (j < n && is_other(c[j])) return run(c, run(c, j, is_other), is_crlf);
    }
    // \s*[\r\n]+ : the whitespace run up to and including its last \r or \n
    if (is_ws(c[i])) {
        const size_t j = run(c, i, is_ws);
        for (size_t k = j; k-- > i;)
            if (is_crlf(c[k])) return k + 1;
    }
    return whitespace_tail(c, i);
}

// \w+|[^\w\s]+
size_t match_whitespace(const std::u32string& c, size_t i) {
    if (unicode_is_word(c[i])) return run(c, i, unicode_is_word);
    if (!is_ws(c[i])) return run(c, i, [](char32_t x) { return !unicode_is_word(x) && !is_ws(x); });
    return i;
}

}  // namespace

std::optional<RegexKind> regex_kind_from_pattern(const std::string& pattern) {
    if (pattern == kGpt2Pattern) return RegexKind::Gpt2;
    if (pattern == kLlama3Pattern) return RegexKind::Llama3;
    if (pattern == kQwen2Pattern) return RegexKind::Qwen2;
    if (pattern == kWhitespacePattern) return RegexKind::Whitespace;
    return std::nullopt;
}

std::vector<std::pair<size_t, size_t>> regex_find_all(RegexKind kind, const std::string& s) {
    // Work on code points but report byte offsets.
    std::u32string c;
    std::vector<size_t> byte_at;
    c.reserve(s.size());
    byte_at.reserve(s.size() + 1);
    for (size_t i = 0; i < s.size();) {
        byte_at.push_back(i);
        c += utf8_next(s, i);
    }
    byte_at.push_back(s.size());

    std::vector<std::pair<size_t, size_t>> spans;
    size_t i = 0;
    while (i < c.size()) {
        size_t end = i;
        switch (kind) {
            case RegexKind::Gpt2: end = match_gpt2(c, i); break;
            case RegexKind::Llama3: end = match_llama3(c, i, true); break;
            case RegexKind::Qwen2: end = match_llama3(c, i, false); break;
            case RegexKind::Whitespace: end = match_whitespace(c, i); break;
        }
        if (end > i) {
            spans.emplace_back(byte_at[i], byte_at[end]);
            i = end;
        } else {
            ++i;
        }
    }
    return spans;
}

}  // namespace tok
}  // namespace attn
