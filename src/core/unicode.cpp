// UTF-8 codec, property lookups over the generated two-stage tables, lowercase and the four Unicode
// normalization forms (decompose, canonical reorder, compose; Hangul done algorithmically).
// It does not do case folding, grapheme segmentation or anything locale-specific.
#include "core/unicode.h"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace attn {
namespace unicode_tables {
extern const int kBlockShift;
extern const uint16_t kStage1[];
extern const uint16_t kStage2[];
extern const uint32_t kCcc[];
extern const int kCccCount;
extern const uint32_t kCanon_index[];
extern const uint32_t kCanon_pool[];
extern const int kCanon_count;
extern const uint32_t kCompat_index[];
extern const uint32_t kCompat_pool[];
extern const int kCompat_count;
extern const uint32_t kCompose[];
extern const int kComposeCount;
extern const uint32_t kLower[];
extern const int kLowerCount;
extern const uint32_t kLowerMulti[];
extern const int kLowerMultiCount;
}  // namespace unicode_tables

namespace ut = unicode_tables;

// ---- UTF-8

char32_t utf8_next(const std::string& s, size_t& i) {
    const size_t n = s.size();
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        i += 1;
        return b0;
    }
    int len = 0;
    char32_t c = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) { len = 2; c = b0 & 0x1F; min = 0x80; }
    else if ((b0 & 0xF0) == 0xE0) { len = 3; c = b0 & 0x0F; min = 0x800; }
    else if ((b0 & 0xF8) == 0xF0) { len = 4; c = b0 & 0x07; min = 0x10000; }
    else { i += 1; return 0xFFFD; }
    if (i + len > n) { i += 1; return 0xFFFD; }
    for (int k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) { i += 1; return 0xFFFD; }
        c = (c << 6) | (b & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid UTF-8.
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) { i += 1; return 0xFFFD; }
    i += len;
    return c;
}

int utf8_length(char32_t c) {
    if (c < 0x80) return 1;
    if (c < 0x800) return 2;
    if (c < 0x10000) return 3;
    return 4;
}

void utf8_append(std::string& out, char32_t c) {
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

std::string utf8_encode(const std::u32string& s) {
    std::string out;
    out.reserve(s.size());
    for (char32_t c : s) utf8_append(out, c);
    return out;
}

std::u32string utf8_decode(const std::string& s) {
    std::u32string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) out += utf8_next(s, i);
    return out;
}

bool utf8_is_valid(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        size_t before = i;
        char32_t c = utf8_next(s, i);
        if (c == 0xFFFD && i - before == 1 && static_cast<unsigned char>(s[before]) >= 0x80) return false;
    }
    return true;
}

std::string utf8_sanitize(const std::string& s) {
    if (utf8_is_valid(s)) return s;
    std::string out;
    out.reserve(s.size() + 8);
    const size_t n = s.size();
    for (size_t i = 0; i < n;) {
        size_t next = i;
        const char32_t c = utf8_next(s, next);
        if (!(c == 0xFFFD && next - i == 1 && static_cast<unsigned char>(s[i]) >= 0x80)) {
            out.append(s, i, next - i);
            i = next;
            continue;
        }
        // Invalid: skip the longest prefix of a well-formed sequence (Unicode "maximal subpart").
        const auto b0 = static_cast<unsigned char>(s[i]);
        int need = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) need = 1;
        else if (b0 >= 0xE0 && b0 <= 0xEF) { need = 2; if (b0 == 0xE0) lo = 0xA0; if (b0 == 0xED) hi = 0x9F; }
        else if (b0 >= 0xF0 && b0 <= 0xF4) { need = 3; if (b0 == 0xF0) lo = 0x90; if (b0 == 0xF4) hi = 0x8F; }
        size_t j = i + 1;
        for (int k = 0; k < need && j < n; ++k, ++j) {
            const auto b = static_cast<unsigned char>(s[j]);
            if (k == 0 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) break;
        }
        out += "\xEF\xBF\xBD";
        i = j;
    }
    return out;
}

// ---- Properties

namespace {

constexpr uint16_t kBitWhiteSpace = 1 << 5;
constexpr uint16_t kBitAlphabetic = 1 << 6;
constexpr uint16_t kBitJoinControl = 1 << 7;
constexpr uint16_t kBitNfdQcNo = 1 << 8;
constexpr uint16_t kBitNfkdQcNo = 1 << 9;
constexpr uint16_t kBitNfcQcNotYes = 1 << 10;
constexpr uint16_t kBitNfkcQcNotYes = 1 << 11;

uint16_t props(char32_t c) {
    if (c > 0x10FFFF) return static_cast<uint16_t>(UnicodeCategory::Cn);
    const uint32_t block = ut::kStage1[c >> ut::kBlockShift];
    return ut::kStage2[(block << ut::kBlockShift) + (c & ((1u << ut::kBlockShift) - 1))];
}

// Binary search in a flat table of records `stride` wide, keyed by the first field.
const uint32_t* find_record(const uint32_t* table, int count, int stride, uint32_t key) {
    int lo = 0, hi = count;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        uint32_t k = table[mid * stride];
        if (k == key) return table + mid * stride;
        if (k < key) lo = mid + 1; else hi = mid;
    }
    return nullptr;
}

}  // namespace

UnicodeCategory unicode_category(char32_t c) { return static_cast<UnicodeCategory>(props(c) & 31); }

bool unicode_is_letter(char32_t c) {
    auto k = unicode_category(c);
    return k <= UnicodeCategory::Lo;
}
bool unicode_is_mark(char32_t c) {
    auto k = unicode_category(c);
    return k >= UnicodeCategory::Mn && k <= UnicodeCategory::Me;
}
bool unicode_is_number(char32_t c) {
    auto k = unicode_category(c);
    return k >= UnicodeCategory::Nd && k <= UnicodeCategory::No;
}
bool unicode_is_punctuation(char32_t c) {
    auto k = unicode_category(c);
    return k >= UnicodeCategory::Pc && k <= UnicodeCategory::Po;
}
bool unicode_is_other(char32_t c) { return unicode_category(c) >= UnicodeCategory::Cc; }
bool unicode_is_white_space(char32_t c) { return (props(c) & kBitWhiteSpace) != 0; }
bool unicode_is_alphabetic(char32_t c) { return (props(c) & kBitAlphabetic) != 0; }
bool unicode_is_word(char32_t c) {
    const uint16_t p = props(c);
    if (p & (kBitAlphabetic | kBitJoinControl)) return true;
    auto k = static_cast<UnicodeCategory>(p & 31);
    return (k >= UnicodeCategory::Mn && k <= UnicodeCategory::Me) || k == UnicodeCategory::Nd ||
           k == UnicodeCategory::Pc;
}

uint8_t unicode_combining_class(char32_t c) {
    const uint32_t* r = find_record(ut::kCcc, ut::kCccCount, 2, c);
    return r ? static_cast<uint8_t>(r[1]) : 0;
}

void unicode_lowercase(char32_t c, std::u32string& out) {
    if (c < 0x80) {
        out += (c >= 'A' && c <= 'Z') ? c + 32 : c;
        return;
    }
    if (const uint32_t* m = find_record(ut::kLowerMulti, ut::kLowerMultiCount, 4, c)) {
        for (int k = 1; k < 4 && m[k]; ++k) out += static_cast<char32_t>(m[k]);
        return;
    }
    const uint32_t* r = find_record(ut::kLower, ut::kLowerCount, 2, c);
    out += r ? static_cast<char32_t>(r[1]) : c;
}

// ---- Normalization

namespace {

constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr int kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

void decompose_into(char32_t c, bool compat, std::u32string& out) {
    if (c >= kSBase && c < kSBase + kSCount) {
        const int s = static_cast<int>(c - kSBase);
        out += kLBase + s / kNCount;
        out += kVBase + (s % kNCount) / kTCount;
        if (s % kTCount) out += kTBase + s % kTCount;
        return;
    }
    if (c < 0xA0) {  // nothing below U+00A0 decomposes
        out += c;
        return;
    }
    if (compat) {
        if (const uint32_t* r = find_record(ut::kCompat_index, ut::kCompat_count, 3, c)) {
            for (uint32_t k = 0; k < r[2]; ++k) out += static_cast<char32_t>(ut::kCompat_pool[r[1] + k]);
            return;
        }
    }
    if (const uint32_t* r = find_record(ut::kCanon_index, ut::kCanon_count, 3, c)) {
        for (uint32_t k = 0; k < r[2]; ++k) out += static_cast<char32_t>(ut::kCanon_pool[r[1] + k]);
        return;
    }
    out += c;
}

// Primary composite of (a, b), or 0.
char32_t compose_pair(char32_t a, char32_t b) {
    if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
        return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
    if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase && b < kTBase + kTCount)
        return a + (b - kTBase);
    int lo = 0, hi = ut::kComposeCount;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        const uint32_t* r = ut::kCompose + mid * 3;
        if (r[0] == a && r[1] == b) return r[2];
        if (r[0] < a || (r[0] == a && r[1] < b)) lo = mid + 1; else hi = mid;
    }
    return 0;
}

}  // namespace

std::u32string unicode_normalize(const std::u32string& s, NormalForm form) {
    const bool compat = form == NormalForm::NFKC || form == NormalForm::NFKD;
    std::u32string d;
    d.reserve(s.size());
    for (char32_t c : s) decompose_into(c, compat, d);

    // Canonical ordering: stable sort of every run of non-starters by combining class.
    std::vector<uint8_t> ccc(d.size());
    for (size_t i = 0; i < d.size(); ++i) ccc[i] = unicode_combining_class(d[i]);
    for (size_t i = 0; i < d.size();) {
        if (ccc[i] == 0) { ++i; continue; }
        size_t j = i;
        while (j < d.size() && ccc[j] != 0) ++j;
        if (j - i > 1) {
            std::vector<std::pair<uint8_t, char32_t>> run;
            for (size_t k = i; k < j; ++k) run.emplace_back(ccc[k], d[k]);
            std::stable_sort(run.begin(), run.end(),
                             [](const auto& x, const auto& y) { return x.first < y.first; });
            for (size_t k = i; k < j; ++k) { ccc[k] = run[k - i].first; d[k] = run[k - i].second; }
        }
        i = j;
    }
    if (form == NormalForm::NFD || form == NormalForm::NFKD || d.empty()) return d;

    // Canonical composition (UAX #15): a character joins the last starter unless blocked.
    size_t starter = 0;
    int last_class = ccc[0] == 0 ? 0 : 256;
    size_t out = 1;
    for (size_t i = 1; i < d.size(); ++i) {
        const char32_t c = d[i];
        const int cls = ccc[i];
        const char32_t composite = (last_class < cls || last_class == 0) ? compose_pair(d[starter], c) : 0;
        if (composite && last_class != 256) {
            d[starter] = composite;
            continue;
        }
        if (cls == 0) starter = out;
        last_class = cls;
        d[out++] = c;
    }
    d.resize(out);
    return d;
}

bool unicode_is_normalization_boundary(char32_t c, NormalForm form) {
    const uint16_t p = props(c);
    uint16_t bit = 0;
    switch (form) {
        case NormalForm::NFC: bit = kBitNfcQcNotYes; break;
        case NormalForm::NFD: bit = kBitNfdQcNo; break;
        case NormalForm::NFKC: bit = kBitNfkcQcNotYes; break;
        case NormalForm::NFKD: bit = kBitNfkdQcNo; break;
    }
    return (p & bit) == 0 && unicode_combining_class(c) == 0;
}

}  // namespace attn
