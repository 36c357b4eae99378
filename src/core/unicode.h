// Unicode support for the tokenizers: UTF-8 decoding, general categories and the binary properties
// HF tokenizers relies on (White_Space, Alphabetic, ...), simple+special lowercase, NFC/NFD/NFKC/NFKD.
// Tables are generated at build time from the Unicode Character Database; no locale, no case folding.
//
//   size_t i = 0;
//   char32_t c = utf8_next(text, i);           // invalid bytes decode to U+FFFD, one byte each
//   if (unicode_is_letter(c)) ...
//   std::u32string n = unicode_normalize(U"e\u0301", NormalForm::NFC);   // U"\u00e9"
#pragma once
#include <cstdint>
#include <string>

namespace attn {

// ---- UTF-8
// Decodes the code point at byte i and advances i. An invalid or truncated sequence yields U+FFFD
// and advances by one byte, so every input terminates and nothing is silently skipped.
char32_t utf8_next(const std::string& s, size_t& i);
void utf8_append(std::string& out, char32_t c);
int utf8_length(char32_t c);
std::string utf8_encode(const std::u32string& s);
std::u32string utf8_decode(const std::string& s);
// Rust's String::from_utf8_lossy: each maximal invalid subpart becomes one U+FFFD.
std::string utf8_sanitize(const std::string& s);
bool utf8_is_valid(const std::string& s);

// ---- Properties
enum class UnicodeCategory : uint8_t {
    Lu, Ll, Lt, Lm, Lo, Mn, Mc, Me, Nd, Nl, No, Pc, Pd, Ps, Pe, Pi, Pf, Po,
    Sm, Sc, Sk, So, Zs, Zl, Zp, Cc, Cf, Cs, Co, Cn
};
UnicodeCategory unicode_category(char32_t c);
bool unicode_is_letter(char32_t c);        // \p{L}
bool unicode_is_number(char32_t c);        // \p{N}; also Rust's char::is_numeric
bool unicode_is_mark(char32_t c);          // \p{M}
bool unicode_is_punctuation(char32_t c);   // \p{P}
bool unicode_is_other(char32_t c);         // \p{C}: Cc Cf Cs Co Cn
bool unicode_is_white_space(char32_t c);   // White_Space: regex \s, Rust char::is_whitespace
bool unicode_is_alphabetic(char32_t c);    // Alphabetic (DerivedCoreProperties)
bool unicode_is_word(char32_t c);          // Rust regex \w: Alphabetic, M, Nd, Pc, Join_Control
uint8_t unicode_combining_class(char32_t c);

// Rust char::to_lowercase: the UnicodeData mapping, or SpecialCasing's unconditional one (U+0130).
// Appends 1..3 code points.
void unicode_lowercase(char32_t c, std::u32string& out);

// ---- Normalization
enum class NormalForm { NFC, NFD, NFKC, NFKD };
std::u32string unicode_normalize(const std::u32string& s, NormalForm form);
// True when normalizing text that starts at c can be done independently of what precedes it
// (c is a starter whose quick-check value is Yes). Lets callers normalize chunk by chunk.
bool unicode_is_normalization_boundary(char32_t c, NormalForm form);

}  // namespace attn
