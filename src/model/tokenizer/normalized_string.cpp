// NormalizedString edits and splits with HF's alignment rules, so token offsets map back to the
// original text exactly as HF computes them. It knows nothing about specific normalizers.
#include <algorithm>

#include "core/error.h"
#include "model/tokenizer/components.h"

namespace attn {
namespace tok {

NormalizedString ns_from(const std::string& original) {
    NormalizedString n;
    n.text = original;
    n.align.resize(original.size());
    for (size_t i = 0; i < original.size();) {
        size_t start = i;
        utf8_next(original, i);
        for (size_t k = start; k < i; ++k) n.align[k] = {static_cast<int>(start), static_cast<int>(i)};
    }
    return n;
}

void ns_transform_range(NormalizedString& n, size_t start, size_t end,
                        const std::vector<std::pair<char32_t, int>>& dest, size_t initial_offset) {
    // Byte sizes of the old characters in the range, consumed as dest replaces or removes them.
    std::vector<int> old_sizes;
    for (size_t i = start; i < end;) {
        size_t before = i;
        utf8_next(n.text, i);
        old_sizes.push_back(static_cast<int>(i - before));
    }
    size_t next_old = 0;
    size_t offset = start;
    for (; next_old < initial_offset && next_old < old_sizes.size(); ++next_old) offset += old_sizes[next_old];

    const Offsets at_start{n.original_start, n.original_start};
    auto old_align = [&](size_t idx) {
        if (n.align.empty()) return at_start;
        return n.align[std::min(idx, n.align.size() - 1)];
    };
    std::string text;
    std::vector<Offsets> align;
    text.reserve(end - start);
    align.reserve(end - start);
    for (const auto& [c, change] : dest) {
        const size_t idx = offset;
        const Offsets a = change > 0 ? (idx < 1 ? at_start : old_align(idx - 1)) : old_align(idx);
        if (change <= 0 && next_old < old_sizes.size()) offset += old_sizes[next_old++];
        for (int k = 0; change < 0 && k < -change && next_old < old_sizes.size(); ++k)
            offset += old_sizes[next_old++];
        const size_t before = text.size();
        utf8_append(text, c);
        align.insert(align.end(), text.size() - before, a);
    }
    n.text.replace(start, end - start, text);
    n.align.erase(n.align.begin() + static_cast<std::ptrdiff_t>(start),
                  n.align.begin() + static_cast<std::ptrdiff_t>(end));
    n.align.insert(n.align.begin() + static_cast<std::ptrdiff_t>(start), align.begin(), align.end());
}

void ns_transform(NormalizedString& n, const std::vector<std::pair<char32_t, int>>& dest, size_t initial_offset) {
    ns_transform_range(n, 0, n.text.size(), dest, initial_offset);
}

NormalizedString ns_slice(const NormalizedString& n, size_t start, size_t end) {
    NormalizedString s;
    s.text = n.text.substr(start, end - start);
    s.align.assign(n.align.begin() + static_cast<std::ptrdiff_t>(start),
                   n.align.begin() + static_cast<std::ptrdiff_t>(end));
    s.original_start = start < end ? n.align[start].first : n.original_start;
    return s;
}

void ns_prepend(NormalizedString& n, const std::string& s) {
    if (n.text.empty() || s.empty()) return;
    size_t first_end = 0;
    const char32_t first = utf8_next(n.text, first_end);
    std::vector<std::pair<char32_t, int>> dest;
    size_t i = 0;
    bool is_first = true;
    while (i < s.size()) {
        dest.emplace_back(utf8_next(s, i), is_first ? 0 : 1);
        is_first = false;
    }
    dest.emplace_back(first, 1);
    ns_transform_range(n, 0, first_end, dest, 0);
}

void ns_append(NormalizedString& n, const std::string& s) {
    if (n.text.empty() || s.empty()) return;
    size_t last = n.text.size() - 1;
    while (last > 0 && (static_cast<unsigned char>(n.text[last]) & 0xC0) == 0x80) --last;
    size_t i = last;
    std::vector<std::pair<char32_t, int>> dest{{utf8_next(n.text, i), 0}};
    for (size_t k = 0; k < s.size();) dest.emplace_back(utf8_next(s, k), 1);
    ns_transform_range(n, last, n.text.size(), dest, 0);
}

// HF replace(): each match becomes `content`, every new char aligned like the match's last byte.
// Built in one pass so a megabyte of spaces is linear, not one splice per match.
void ns_replace(NormalizedString& n, const std::string& pattern, const std::string& content) {
    if (pattern.empty() || n.text.find(pattern) == std::string::npos) return;
    std::string text;
    std::vector<Offsets> align;
    text.reserve(n.text.size());
    align.reserve(n.align.size());
    size_t pos = 0;
    while (pos < n.text.size()) {
        size_t hit = n.text.find(pattern, pos);
        if (hit == std::string::npos) hit = n.text.size();
        text.append(n.text, pos, hit - pos);
        align.insert(align.end(), n.align.begin() + static_cast<std::ptrdiff_t>(pos),
                     n.align.begin() + static_cast<std::ptrdiff_t>(hit));
        if (hit == n.text.size()) break;
        const Offsets a = n.align[hit + pattern.size() - 1];
        text += content;
        align.insert(align.end(), content.size(), a);
        pos = hit + pattern.size();
    }
    n.text = std::move(text);
    n.align = std::move(align);
}

void ns_filter(NormalizedString& n, const std::function<bool(char32_t)>& keep) {
    // HF walks backwards so each kept char carries the count of removed chars after it.
    std::u32string chars = utf8_decode(n.text);
    std::vector<std::pair<char32_t, int>> rev;
    int removed = 0;
    for (size_t k = chars.size(); k-- > 0;) {
        if (keep(chars[k])) {
            rev.emplace_back(chars[k], -removed);
            removed = 0;
        } else {
            ++removed;
        }
    }
    std::reverse(rev.begin(), rev.end());
    ns_transform(n, rev, static_cast<size_t>(removed));
}

void ns_map(NormalizedString& n, const std::function<char32_t(char32_t)>& f) {
    std::vector<std::pair<char32_t, int>> dest;
    for (size_t i = 0; i < n.text.size();) dest.emplace_back(f(utf8_next(n.text, i)), 0);
    ns_transform(n, dest, 0);
}

void ns_lowercase(NormalizedString& n) {
    std::vector<std::pair<char32_t, int>> dest;
    std::u32string lower;
    for (size_t i = 0; i < n.text.size();) {
        lower.clear();
        unicode_lowercase(utf8_next(n.text, i), lower);
        for (size_t k = 0; k < lower.size(); ++k) dest.emplace_back(lower[k], k > 0 ? 1 : 0);
    }
    ns_transform(n, dest, 0);
}

void ns_strip(NormalizedString& n, bool left, bool right) {
    std::u32string chars = utf8_decode(n.text);
    size_t leading = 0, trailing = 0;
    if (left)
        while (leading < chars.size() && unicode_is_white_space(chars[leading])) ++leading;
    if (right)
        while (trailing < chars.size() - leading && unicode_is_white_space(chars[chars.size() - 1 - trailing]))
            ++trailing;
    if (leading == 0 && trailing == 0) return;
    std::vector<std::pair<char32_t, int>> dest;
    for (size_t k = leading; k + trailing < chars.size(); ++k) {
        const bool last = k + trailing + 1 == chars.size();
        dest.emplace_back(chars[k], last ? -static_cast<int>(trailing) : 0);
    }
    ns_transform(n, dest, leading);
}

// Normalizes chunk by chunk (a chunk starts at each normalization boundary) so that every output
// char can be tied to the input chars it came from, as HF's alignment-aware normalizer does.
void ns_unicode_normalize(NormalizedString& n, NormalForm form) {
    const std::u32string chars = utf8_decode(n.text);
    std::vector<std::pair<char32_t, int>> dest;
    dest.reserve(chars.size());
    bool changed = false;
    for (size_t i = 0; i < chars.size();) {
        size_t j = i + 1;
        while (j < chars.size() && !unicode_is_normalization_boundary(chars[j], form)) ++j;
        const std::u32string in = chars.substr(i, j - i);
        const std::u32string out = unicode_normalize(in, form);
        changed = changed || out != in;
        const size_t n_in = in.size(), n_out = out.size();
        if (n_out >= n_in) {
            for (size_t k = 0; k < n_out; ++k) dest.emplace_back(out[k], k < n_in ? 0 : 1);
        } else {
            for (size_t k = 0; k + 1 < n_out; ++k) dest.emplace_back(out[k], 0);
            if (n_out > 0) dest.emplace_back(out[n_out - 1], -static_cast<int>(n_in - n_out));
        }
        i = j;
    }
    if (changed) ns_transform(n, dest, 0);
}

Offsets ns_original_offsets(const NormalizedString& n, size_t start, size_t end) {
    if (start == end) return {n.original_start + static_cast<int>(start), n.original_start + static_cast<int>(start)};
    if (end > n.align.size() || start > end) return {static_cast<int>(start), static_cast<int>(end)};
    return {n.align[start].first, n.align[end - 1].second};
}

// ---- Splitting

SplitBehavior split_behavior_from(const std::string& name, const std::string& label) {
    if (name == "Removed") return SplitBehavior::Removed;
    if (name == "Isolated") return SplitBehavior::Isolated;
    if (name == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
    if (name == "MergedWithNext") return SplitBehavior::MergedWithNext;
    if (name == "Contiguous") return SplitBehavior::Contiguous;
    throw Error(label + ": split behavior '" + name +
                "' is not supported (supported: Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)");
}

std::vector<Match> matches_by_char(const std::string& s, const std::function<bool(char32_t)>& pred) {
    if (s.empty()) return {{0, 0, false}};
    std::vector<Match> m;
    size_t last_offset = 0;
    size_t i = 0;
    while (i < s.size()) {
        const size_t b = i;
        const char32_t c = utf8_next(s, i);
        if (pred(c)) {
            if (last_offset < b) m.push_back({last_offset, b, false});
            m.push_back({b, i, true});
            last_offset = i;
        }
    }
    if (s.size() > last_offset) m.push_back({last_offset, s.size(), false});
    return m;
}

std::vector<Match> matches_from_spans(const std::string& s, const std::vector<std::pair<size_t, size_t>>& spans) {
    if (s.empty()) return {{0, 0, false}};
    std::vector<Match> m;
    size_t prev = 0;
    for (const auto& [a, b] : spans) {
        if (prev != a) m.push_back({prev, a, false});
        m.push_back({a, b, true});
        prev = b;
    }
    if (prev != s.size()) m.push_back({prev, s.size(), false});
    return m;
}

std::vector<Match> matches_literal(const std::string& s, const std::string& pattern) {
    std::vector<std::pair<size_t, size_t>> spans;
    if (!pattern.empty()) {
        for (size_t pos = s.find(pattern); pos != std::string::npos; pos = s.find(pattern, pos + pattern.size()))
            spans.emplace_back(pos, pos + pattern.size());
    }
    return matches_from_spans(s, spans);
}

void matches_invert(std::vector<Match>& m) {
    for (auto& x : m) x.is_match = !x.is_match;
}

std::vector<NormalizedString> ns_split(const NormalizedString& n, std::vector<Match> matches, SplitBehavior behavior) {
    struct Piece {
        size_t start, end;
        bool remove;
    };
    std::vector<Piece> pieces;
    bool previous_match = false;
    switch (behavior) {
        case SplitBehavior::Isolated:
            for (const auto& m : matches) pieces.push_back({m.start, m.end, false});
            break;
        case SplitBehavior::Removed:
            for (const auto& m : matches) pieces.push_back({m.start, m.end, m.is_match});
            break;
        case SplitBehavior::Contiguous:
            for (const auto& m : matches) {
                if (m.is_match == previous_match && !pieces.empty()) pieces.back().end = m.end;
                else pieces.push_back({m.start, m.end, false});
                previous_match = m.is_match;
            }
            break;
        case SplitBehavior::MergedWithPrevious:
            for (const auto& m : matches) {
                if (m.is_match && !previous_match && !pieces.empty()) pieces.back().end = m.end;
                else pieces.push_back({m.start, m.end, false});
                previous_match = m.is_match;
            }
            break;
        case SplitBehavior::MergedWithNext:
            for (size_t k = matches.size(); k-- > 0;) {
                const auto& m = matches[k];
                if (m.is_match && !previous_match && !pieces.empty()) pieces.back().start = m.start;
                else pieces.push_back({m.start, m.end, false});
                previous_match = m.is_match;
            }
            std::reverse(pieces.begin(), pieces.end());
            break;
    }
    std::vector<NormalizedString> out;
    out.reserve(pieces.size());
    for (const auto& p : pieces)
        if (!p.remove) out.push_back(ns_slice(n, p.start, p.end));
    return out;
}

void pretokenized_split(PreTokenized& p, const std::function<std::vector<NormalizedString>(size_t, NormalizedString&)>& fn) {
    PreTokenized next;
    next.reserve(p.size());
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i].has_tokens) {
            next.push_back(std::move(p[i]));
            continue;
        }
        for (auto& piece : fn(i, p[i].normalized)) {
            if (piece.text.empty()) continue;
            Split s;
            s.normalized = std::move(piece);
            next.push_back(std::move(s));
        }
    }
    p = std::move(next);
}

}  // namespace tok
}  // namespace attn
