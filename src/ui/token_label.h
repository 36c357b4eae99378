// Readable labels for tokenizer pieces: GPT-2's byte-level "Ġthe" becomes "·the", bytes of a split
// multi-byte character become "<E6 B3>", control characters are escaped. Pure string functions (no
// ImGui), so they are tested directly; glyphs missing from the font are handled at draw time.
//
//   token_label("Ġthe", PieceStyle::byte_level)   == "·the"
//   token_label("æ³", PieceStyle::byte_level)      == "<E6 B3>"
#pragma once
#include <string>

#include "model/trace.h"

namespace attn {

enum class PieceStyle {
    plain,          // pieces are text as is (WordPiece "##ing" stays as it is: the ## is meaningful)
    byte_level,     // GPT-2 / RoBERTa / BART / Qwen2: each byte mapped to a printable code point
    sentencepiece,  // "▁" marks a leading space, "<0xE6>" is a raw byte
};

// Which convention a trace's pieces follow: seen in the pieces when they show it, else by architecture.
PieceStyle piece_style_for(const Trace& trace);
// Which convention an architecture's tokenizer usually uses ("gpt2" -> byte_level).
PieceStyle piece_style_for(const std::string& architecture);

// The label to show for one piece. Spaces become "·", a newline "↵", "\t" is written as an escape, other
// control bytes, invisible and bidirectional-control characters (ZWJ, BOM, U+202E) and invalid UTF-8
// become "<XX XX>".
std::string token_label(const std::string& piece, PieceStyle style);

// At most max_chars code points; longer labels end in "…".
std::string label_elide(const std::string& label, int max_chars);

// The bytes a piece stands for (byte-level and "<0xE6>" pieces decoded, "▁" as a space). False for a
// piece outside its style's byte alphabet (an added special token): *bytes is then the piece as is.
bool piece_bytes(const std::string& piece, PieceStyle style, std::string* bytes);
// The label of raw bytes: whole characters shown, other bytes as <XX XX>, spaces and controls escaped.
std::string bytes_label(const std::string& bytes);
// Length of the complete, valid UTF-8 character at s[i] (its code point in *cp), or 0.
int utf8_char_at(const std::string& s, size_t i, uint32_t* cp);

}  // namespace attn
