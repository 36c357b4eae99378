// Which characters of the text each token's bytes belong to. Byte-level BPE (GPT-2, Qwen2, RoBERTa,
// BART) and SentencePiece byte fallback ("<0xE5>") split a multi-byte character over several tokens;
// each token alone is then invalid UTF-8. Reading the pieces' bytes as one stream puts the character
// back together and says which part of it each token holds. Pure (no ImGui), so it is tested directly.
//
//   "动" is E5 8A A8; GPT-2 may split it as "åĬ" + "¨":
//   token_chars({"åĬ", "¨"}, byte_level)[0].label == "动 1/2", [1].label == "动 2/2"
//   a piece with whole characters before a partial one: "的" + E5 -> "的+动 1/2"; " " + E5 -> "·动 1/2"
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/trace.h"
#include "ui/token_label.h"

namespace attn {

// One character (or one stray byte) a token's bytes touch.
struct TokenChar {
    std::string text;      // the character as UTF-8 ("动"); empty for a byte that forms no valid character
    uint32_t code_point = 0;
    std::string bytes;     // all its bytes, also the ones other tokens hold
    int part = 1;          // this token holds part `part` of `parts`: the character spans `parts` tokens
    int parts = 1;
    int bytes_here = 0;    // how many of its bytes are in this token,
    int byte_offset = 0;   // starting at this index of `bytes`
    bool split() const { return parts > 1; }
};

struct TokenChars {
    std::string bytes;              // the bytes the piece stands for
    bool opaque = false;            // a piece outside the byte alphabet (added token): shown as it is
    std::vector<TokenChar> chars;   // in text order
    std::string label;              // readable: "·the", "动 1/2", "的+动 1/2", "<FF>" for bytes that never complete
    bool joins_prev = false;        // shares a split character with the token before / after it
    bool joins_next = false;
};

// One entry per piece of `tokens` (pieces of different tokens of a split character must be adjacent).
std::vector<TokenChars> token_chars(const TokenSeq& tokens, PieceStyle style);

// token_chars of a sequence, kept for the last few sequences asked for (compared piece by piece and
// style, so a new trace never gets old labels). Every view reads the same tokens' labels several times a
// frame (the input chips, the inspector, the heatmap, lines and flow labels); reading 1,024 tokens anew
// each time took 3 ms a frame in WebAssembly.
std::shared_ptr<const std::vector<TokenChars>> token_chars_kept(const TokenSeq& tokens, PieceStyle style);

// The readable labels of the first n tokens (token_chars' labels; "#i" past the end of the pieces): what
// every view and export shows, so a split character reads "动 1/2" on screen and in a CSV alike.
std::vector<std::string> token_display_labels(const TokenSeq& tokens, int n, PieceStyle style);

// The hover text of a token, one line per character: "动  U+52A8  E5 8A A8: this piece has E5 8A (part 1
// of 2)"; a byte that forms no character: "byte E5: not part of a whole character"; all-ASCII pieces
// just "bytes 20 74 68 65". At most max_lines characters, then "... n more characters". In the current
// language (pictures.token.* in the string tables).
std::vector<std::string> token_chars_describe(const TokenChars& tc, int max_lines = 12);

// "E5 8A A8": bytes in hex, space separated.
std::string bytes_hex(const std::string& bytes);

}  // namespace attn
