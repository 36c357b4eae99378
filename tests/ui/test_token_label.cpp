// Token labels: byte-level pieces, split UTF-8, control characters, SentencePiece bytes, elision.
#include <doctest/doctest.h>

#include "ui/token_label.h"

using namespace attn;

TEST_CASE("token_label byte_level: leading space, split multi-byte, controls") {
    CHECK(token_label("\xC4\xA0" "the", PieceStyle::byte_level) == "\xC2\xB7" "the");          // Ġthe -> ·the
    CHECK(token_label("The", PieceStyle::byte_level) == "The");
    CHECK(token_label("\xC3\xA6\xC2\xB3", PieceStyle::byte_level) == "<E6 B3>");               // æ³ -> <E6 B3>
    CHECK(token_label("\xC3\xA6\xC2\xB3\xC2\xA2", PieceStyle::byte_level) == "\xE6\xB3\xA2");  // whole 波
    CHECK(token_label("\xC4\x8A", PieceStyle::byte_level) == "\xE2\x86\xB5");                   // Ċ -> ↵
    CHECK(token_label("\xC4\x89", PieceStyle::byte_level) == "\\t");
    CHECK(token_label("\xC4\x80", PieceStyle::byte_level) == "<00>");                          // NUL byte
    CHECK(token_label("<|endoftext|>", PieceStyle::byte_level) == "<|endoftext|>");
    CHECK(token_label("\xC3\xA9" "t\xC3\xA9", PieceStyle::byte_level) == "<E9>t<E9>");         // Latin-1 bytes alone
    CHECK(token_label("\xC3\x83\xC2\xA9", PieceStyle::byte_level) == "\xC3\xA9");              // é
    CHECK(token_label("\xE4\xBD\xA0", PieceStyle::byte_level) == "\xE4\xBD\xA0");              // not byte-level: as is
}

TEST_CASE("token_label sentencepiece and plain") {
    CHECK(token_label("\xE2\x96\x81" "de", PieceStyle::sentencepiece) == "\xC2\xB7" "de");
    CHECK(token_label("<0xE6>", PieceStyle::sentencepiece) == "<E6>");
    CHECK(token_label("<0x0A>", PieceStyle::sentencepiece) == "\xE2\x86\xB5");
    CHECK(token_label("##ing", PieceStyle::plain) == "##ing");
    CHECK(token_label("a b", PieceStyle::plain) == "a\xC2\xB7" "b");
    CHECK(token_label("x\x01", PieceStyle::plain) == "x<01>");
    CHECK(token_label("\xFF\xFE", PieceStyle::plain) == "<FF FE>");
    CHECK(token_label("", PieceStyle::byte_level).empty());
}

TEST_CASE("piece_style_for and label_elide") {
    CHECK(piece_style_for("gpt2") == PieceStyle::byte_level);
    CHECK(piece_style_for("llama") == PieceStyle::sentencepiece);
    CHECK(piece_style_for("bert") == PieceStyle::plain);
    CHECK(label_elide("abc", 5) == "abc");
    CHECK(label_elide("abcdef", 3) == "abc\xE2\x80\xA6");
    CHECK(label_elide("\xE4\xBD\xA0\xE4\xBD\xA0\xE4\xBD\xA0", 2) == "\xE4\xBD\xA0\xE4\xBD\xA0\xE2\x80\xA6");
    CHECK(label_elide("abc", 3) == "abc");
}

TEST_CASE("piece style: the pieces decide, the architecture is the fallback") {
    Trace t;
    t.architecture = "llama";
    t.tokens.pieces = {"The", "\xC4\xA0" "cat"};   // Llama 3 style byte-level BPE
    CHECK(piece_style_for(t) == PieceStyle::byte_level);
    t.tokens.pieces = {"\xE2\x96\x81The", "\xE2\x96\x81" "cat"};   // Llama 2 style SentencePiece
    CHECK(piece_style_for(t) == PieceStyle::sentencepiece);
    t.tokens.pieces = {"x"};
    CHECK(piece_style_for(t) == PieceStyle::sentencepiece);   // no evidence: llama's usual convention
    t.architecture = "bert";
    CHECK(piece_style_for(t) == PieceStyle::plain);
}
