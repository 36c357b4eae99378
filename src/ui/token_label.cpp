// Piece -> readable label. Byte-level pieces are first mapped back to their bytes (the inverse of
// GPT-2's bytes_to_unicode), then the bytes are shown as UTF-8 where they form whole characters.
#include "ui/token_label.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace attn {

PieceStyle piece_style_for(const Trace& trace) {
    // The pieces say which convention the tokenizer uses better than the architecture does (Llama 2 is
    // SentencePiece, Llama 3 byte-level BPE): "Ġ"/"Ċ" (U+0120/U+010A) are byte-level, "▁" SentencePiece.
    for (const TokenSeq* seq : {&trace.tokens, &trace.decoder_tokens})
        for (const std::string& p : seq->pieces) {
            if (p.find("\xC4\xA0") != std::string::npos || p.find("\xC4\x8A") != std::string::npos)
                return PieceStyle::byte_level;
            if (p.find("\xE2\x96\x81") != std::string::npos) return PieceStyle::sentencepiece;
        }
    return piece_style_for(trace.architecture);
}

PieceStyle piece_style_for(const std::string& architecture) {
    if (architecture == "gpt2" || architecture == "roberta" || architecture == "bart" ||
        architecture == "qwen2")
        return PieceStyle::byte_level;
    if (architecture == "llama") return PieceStyle::sentencepiece;
    return PieceStyle::plain;
}

// Decodes one UTF-8 code point at s[i]; returns its length, or 0 when the bytes there are not a
// complete, valid sequence.
int utf8_char_at(const std::string& s, size_t i, uint32_t* cp) {
    auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
    uint8_t b = byte(i);
    int n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    uint32_t c = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        c = (c << 6) | (byte(i + k) & 0x3F);
    }
    static const uint32_t min_for_length[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min_for_length[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return n;
}

// GPT-2's byte -> code point table, inverted: code point -> byte, or -1.
static int byte_level_to_byte(uint32_t cp) {
    static const std::array<int, 324> table = [] {
        std::array<int, 324> t{};
        t.fill(-1);
        int next = 256;
        for (int b = 0; b < 256; ++b) {
            bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            t[printable ? b : next++] = b;
        }
        return t;
    }();
    return cp < table.size() ? table[cp] : -1;
}

static void append_hex_group(std::string& out, const std::vector<uint8_t>& bytes) {
    if (bytes.empty()) return;
    out += '<';
    char hex[4];
    for (size_t i = 0; i < bytes.size(); ++i) {
        std::snprintf(hex, sizeof hex, "%02X", bytes[i]);
        if (i) out += ' ';
        out += hex;
    }
    out += '>';
}

// Characters that change how the text around them shows without showing themselves: bidirectional
// controls (U+202E makes "gpj.exe" read "exe.jpg"), zero-width characters and the BOM, line and
// paragraph separators, tag characters (text hidden inside a flag emoji). A label shows their bytes.
static bool invisible_or_reordering(uint32_t cp) {
    return cp == 0xAD || cp == 0x61C || cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
           (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE007F);
}

// Bytes -> label: whole UTF-8 characters shown, everything else grouped into one <XX XX> per run.
std::string bytes_label(const std::string& bytes) {
    std::string out;
    std::vector<uint8_t> bad;
    size_t i = 0;
    while (i < bytes.size()) {
        uint32_t cp = 0;
        int n = utf8_char_at(bytes, i, &cp);
        if (n == 0) {
            bad.push_back(static_cast<uint8_t>(bytes[i++]));
            continue;
        }
        // A newline the user typed (Enter) shows as the key's own sign, which reads as a line break.
        const char* escape = cp == ' ' ? "\xC2\xB7" : cp == '\n' ? "\xE2\x86\xB5" : cp == '\t' ? "\\t" : cp == '\r' ? "\\r" : nullptr;
        bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || invisible_or_reordering(cp);
        if (control && !escape) {
            bad.insert(bad.end(), bytes.begin() + i, bytes.begin() + i + n);
        } else {
            append_hex_group(out, bad);
            bad.clear();
            if (escape) out += escape;
            else out.append(bytes, i, n);
        }
        i += n;
    }
    append_hex_group(out, bad);
    return out;
}

static bool byte_level_decode(const std::string& piece, std::string* bytes) {
    size_t i = 0;
    while (i < piece.size()) {
        uint32_t cp = 0;
        int n = utf8_char_at(piece, i, &cp);
        int b = n ? byte_level_to_byte(cp) : -1;
        if (b < 0) return false;
        bytes->push_back(static_cast<char>(b));
        i += n;
    }
    return true;
}

// "<0xE6>" -> byte 0xE6; anything else is not a byte piece.
static bool sentencepiece_byte(const std::string& piece, char* byte) {
    if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>') return false;
    unsigned value = 0;
    if (std::sscanf(piece.c_str() + 3, "%2x", &value) != 1) return false;
    *byte = static_cast<char>(value);
    return true;
}

std::string token_label(const std::string& piece, PieceStyle style) {
    if (style == PieceStyle::byte_level) {
        std::string bytes;
        // Added special tokens ("<|endoftext|>") decode fine too; a piece outside the byte alphabet
        // is shown as the text it is.
        if (byte_level_decode(piece, &bytes)) return bytes_label(bytes);
    } else if (style == PieceStyle::sentencepiece) {
        char byte = 0;
        if (sentencepiece_byte(piece, &byte)) return bytes_label(std::string(1, byte));
        std::string text;
        for (size_t i = 0; i < piece.size(); ++i) {
            if (piece.compare(i, 3, "\xE2\x96\x81") == 0) {   // U+2581 LOWER ONE EIGHTH BLOCK
                text += ' ';
                i += 2;
            } else {
                text += piece[i];
            }
        }
        return bytes_label(text);
    }
    return bytes_label(piece);
}

bool piece_bytes(const std::string& piece, PieceStyle style, std::string* bytes) {
    bytes->clear();
    if (style == PieceStyle::byte_level) {
        if (byte_level_decode(piece, bytes)) return true;
        *bytes = piece;
        return false;
    }
    char byte = 0;
    if (style == PieceStyle::sentencepiece && sentencepiece_byte(piece, &byte)) {
        *bytes = std::string(1, byte);
        return true;
    }
    for (size_t i = 0; i < piece.size(); ++i) {
        if (style == PieceStyle::sentencepiece && piece.compare(i, 3, "\xE2\x96\x81") == 0) {   // U+2581
            *bytes += ' ';
            i += 2;
        } else {
            *bytes += piece[i];
        }
    }
    return true;
}

std::string label_elide(const std::string& label, int max_chars) {
    size_t i = 0;
    int chars = 0;
    while (i < label.size()) {
        if (chars == max_chars) return label.substr(0, i) + "\xE2\x80\xA6";   // U+2026 …
        uint32_t cp = 0;
        int n = utf8_char_at(label, i, &cp);
        i += n ? n : 1;
        ++chars;
    }
    return label;
}

}  // namespace attn
