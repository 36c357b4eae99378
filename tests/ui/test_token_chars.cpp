// token_chars: which character of the text each byte piece belongs to (split CJK, byte fallback,
// stray bytes, special tokens), checked on hand-made pieces and on the real byte-level tokenizers.
#include <doctest/doctest.h>

#include "core/file_set.h"
#include "core/i18n.h"
#include "model/tokenizer/tokenizer.h"
#include "platform/file_io.h"
#include "tests/fixture_path.h"
#include "ui/token_chars.h"

using namespace attn;

namespace {

// Raw bytes -> a GPT-2 byte-level piece (bytes_to_unicode, written forwards here; the code under test
// reads it backwards).
std::string byte_level(const std::string& raw) {
    std::string out;
    for (unsigned char b : raw) {
        int next = 256, cp = -1;
        for (int k = 0; k < 256; ++k) {
            bool printable = (k >= 33 && k <= 126) || (k >= 161 && k <= 172) || (k >= 174 && k <= 255);
            int mapped = printable ? k : next++;
            if (k == b) cp = mapped;
        }
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    return out;
}

TokenSeq seq(std::vector<std::string> pieces) {
    TokenSeq s;
    s.pieces = std::move(pieces);
    for (size_t i = 0; i < s.pieces.size(); ++i) s.ids.push_back(static_cast<int32_t>(i));
    return s;
}

const std::string kDong = "\xE5\x8A\xA8";   // 动
const std::string kDe = "\xE7\x9A\x84";     // 的

}  // namespace

TEST_CASE("token_chars: a character split over two byte-level pieces is named in both") {
    auto tc = token_chars(seq({byte_level("\xE5\x8A"), byte_level("\xA8")}), PieceStyle::byte_level);
    REQUIRE(tc.size() == 2);
    CHECK(tc[0].label == kDong + " 1/2");
    CHECK(tc[1].label == kDong + " 2/2");
    CHECK(tc[0].bytes == "\xE5\x8A");
    REQUIRE(tc[0].chars.size() == 1);
    CHECK(tc[0].chars[0].text == kDong);
    CHECK(tc[0].chars[0].code_point == 0x52A8);
    CHECK(bytes_hex(tc[0].chars[0].bytes) == "E5 8A A8");
    CHECK(tc[0].chars[0].bytes_here == 2);
    CHECK(tc[1].chars[0].bytes_here == 1);
    CHECK(tc[1].chars[0].part == 2);
    CHECK(tc[1].chars[0].byte_offset == 2);
    CHECK(token_chars_describe(tc[0]) == std::vector<std::string>{kDong + "  U+52A8  E5 8A A8: this piece has E5 8A (part 1 of 2)"});
    CHECK(token_chars_describe(tc[1]) == std::vector<std::string>{kDong + "  U+52A8  E5 8A A8: this piece has A8 (part 2 of 2)"});
    CHECK(tc[0].joins_next);
    CHECK_FALSE(tc[0].joins_prev);
    CHECK(tc[1].joins_prev);
    CHECK_FALSE(tc[1].joins_next);
}

TEST_CASE("token_chars: whole characters beside a partial one, and a leading space") {
    auto tc = token_chars(seq({byte_level(kDe + "\xE5"), byte_level("\x8A\xA8" + kDe), byte_level(" \xE5"),
                               byte_level("\x8A\xA8")}),
                          PieceStyle::byte_level);
    REQUIRE(tc.size() == 4);
    CHECK(tc[0].label == kDe + "+" + kDong + " 1/2");
    CHECK(tc[1].label == kDong + " 2/2+" + kDe);
    CHECK(tc[2].label == "\xC2\xB7" + kDong + " 1/2");   // "·动 1/2": the space marker needs no "+"
    REQUIRE(tc[1].chars.size() == 2);
    CHECK(tc[1].chars[1].text == kDe);
    CHECK_FALSE(tc[1].chars[1].split());
    CHECK(tc[1].joins_prev);
    CHECK(token_chars_describe(tc[1]).size() == 2);   // each character its own line
    CHECK(token_chars_describe(tc[1])[1] == kDe + "  U+7684  E7 9A 84");
    CHECK_FALSE(tc[1].joins_next);   // 的 is whole: nothing carries on into the next piece
}

TEST_CASE("token_chars: SentencePiece byte fallback spreads a character over three pieces") {
    auto tc = token_chars(seq({"\xE2\x96\x81" "a", "<0xE5>", "<0x8A>", "<0xA8>"}), PieceStyle::sentencepiece);
    CHECK(tc[0].label == "\xC2\xB7" "a");
    CHECK(tc[1].label == kDong + " 1/3");
    CHECK(tc[2].label == kDong + " 2/3");
    CHECK(tc[3].label == kDong + " 3/3");
    CHECK(tc[2].joins_prev);
    CHECK(tc[2].joins_next);
}

TEST_CASE("token_chars: bytes that never complete stay hex; a special token breaks the stream") {
    auto cut = token_chars(seq({byte_level("a\xE5\x8A")}), PieceStyle::byte_level);   // text cut mid-character
    CHECK(cut[0].label == "a<E5 8A>");
    REQUIRE(cut[0].chars.size() == 3);
    CHECK(cut[0].chars[1].text.empty());
    CHECK_FALSE(cut[0].joins_next);
    CHECK(token_chars_describe(cut[0]) == std::vector<std::string>{"a  U+0061  61", "byte E5: not part of a whole character",
                                                                   "byte 8A: not part of a whole character"});

    // "\xE4\xBD\xA0" (你) is outside the byte alphabet: an added token, shown as it is, joined to nothing.
    auto special = token_chars(seq({byte_level("\xE5"), "\xE4\xBD\xA0", byte_level("\x8A\xA8")}), PieceStyle::byte_level);
    CHECK(special[0].label == "<E5>");
    CHECK(special[1].opaque);
    CHECK(special[1].label == "\xE4\xBD\xA0");
    CHECK(special[2].label == "<8A A8>");
    CHECK_FALSE(special[0].joins_next);
}

TEST_CASE("token_chars: pieces without a split character read exactly as token_label") {
    const std::vector<std::string> pieces = {"\xC4\xA0" "the", "The", "\xC4\x8A", "\xC4\x80", "<|endoftext|>",
                                             byte_level("\xE6\xB3\xA2"), byte_level("\xC3\xA9"), ""};
    auto tc = token_chars(seq(pieces), PieceStyle::byte_level);
    for (size_t i = 0; i < pieces.size(); ++i) CHECK(tc[i].label == token_label(pieces[i], PieceStyle::byte_level));
    CHECK(token_chars_describe(tc[0]) == std::vector<std::string>{"bytes 20 74 68 65"});
    auto wp = token_chars(seq({"##ing", "[CLS]", "x\x01"}), PieceStyle::plain);
    CHECK(wp[0].label == "##ing");
    CHECK(wp[2].label == "x<01>");
}

TEST_CASE("token_chars on the real byte-level tokenizers: the parts put the Chinese text back together") {
    const std::string text = "\xE5\x8A\xA8\xE7\x89\xA9\xE6\xB2\xA1\xE6\x9C\x89\xE8\xBF\x87\xE9\xA9\xAC\xE8\xB7\xAF"
                             "\xEF\xBC\x8C\xE5\x9B\xA0\xE4\xB8\xBA\xE5\xAE\x83\xE5\xA4\xAA\xE7\xB4\xAF\xE4\xBA\x86";
    for (const char* name : {"gpt2-tiny", "qwen2-tiny"}) {
        CAPTURE(name);
        Expected<FileSet> files = folder_read(fixture_path(name));
        REQUIRE(files.ok());
        Expected<Tokenizer> tok = tokenizer_load(*files);
        REQUIRE(tok.ok());
        Encoding e = tok->encode(text, false);
        TokenSeq s;
        s.ids = e.ids;
        s.pieces = e.tokens;
        auto tc = token_chars(s, PieceStyle::byte_level);
        std::string rebuilt;
        int split_parts = 0;
        for (const TokenChars& t : tc) {
            CHECK(t.label.find('<') == std::string::npos);   // no hex: every byte found its character
            for (const TokenChar& c : t.chars) {
                if (c.part == 1) rebuilt += c.text;
                if (c.split()) {
                    ++split_parts;
                    CHECK(t.label.find(c.text + " " + std::to_string(c.part) + "/" + std::to_string(c.parts)) !=
                          std::string::npos);
                }
            }
        }
        CHECK(rebuilt == text);
        CHECK(split_parts > 0);   // the tiny vocabularies do split these characters
    }
}

TEST_CASE("token_chars_describe: the hover lines in the UI's language (Chinese, then English again)") {
    struct EnglishAfter {
        ~EnglishAfter() { set_language(Language::en); }
    } restore;
    i18n_clear_missing();
    auto split = token_chars(seq({byte_level("\xE5\x8A"), byte_level("\xA8")}), PieceStyle::byte_level);
    auto cut = token_chars(seq({byte_level("a\xE5")}), PieceStyle::byte_level);
    auto ascii = token_chars(seq({"\xC4\xA0" "the"}), PieceStyle::byte_level);
    auto many = token_chars(seq({byte_level(kDe + kDe + kDe + kDong)}), PieceStyle::byte_level);
    set_language(Language::zh);
    CHECK(token_chars_describe(split[0]) == std::vector<std::string>{kDong + "  U+52A8  E5 8A A8：这个片段含 E5 8A（第 1 部分，共 2 部分）"});
    CHECK(token_chars_describe(cut[0])[1] == "字节 E5：不属于任何完整字符");
    CHECK(token_chars_describe(ascii[0]) == std::vector<std::string>{"字节 20 74 68 65"});
    CHECK(token_chars_describe(many[0], 3).back() == "……还有 1 个字符");
    set_language(Language::en);
    CHECK(token_chars_describe(many[0], 3).back() == "... 1 more characters");
    CHECK(token_chars_describe(split[1]) == std::vector<std::string>{kDong + "  U+52A8  E5 8A A8: this piece has A8 (part 2 of 2)"});
    CHECK(i18n_missing().empty());
}

TEST_CASE("token_chars_kept: the same pieces and style give the kept result; any other sequence its own") {
    const TokenSeq split = seq({byte_level("\xE5\x8A"), byte_level("\xA8")});
    const auto first = token_chars_kept(split, PieceStyle::byte_level);
    REQUIRE(first->size() == 2);
    CHECK((*first)[0].label == kDong + " 1/2");
    CHECK(token_chars_kept(split, PieceStyle::byte_level).get() == first.get());   // kept, not read again
    // The same length with one piece changed, and the same pieces in another style, are read anew.
    const TokenSeq other = seq({byte_level("\xE5\x8A"), "A"});   // the character never completes
    const auto changed = token_chars_kept(other, PieceStyle::byte_level);
    CHECK(changed.get() != first.get());
    CHECK((*changed)[0].label != kDong + " 1/2");
    CHECK((*changed)[0].label == token_chars(other, PieceStyle::byte_level)[0].label);
    const auto plain = token_chars_kept(split, PieceStyle::plain);
    CHECK(plain.get() != first.get());
    CHECK((*plain)[0].label == token_chars(split, PieceStyle::plain)[0].label);
    // A caller's copy outlives the cache moving on to many other sequences, and the result stays right.
    for (int i = 0; i < 10; ++i) token_chars_kept(seq({"x" + std::to_string(i)}), PieceStyle::plain);
    CHECK((*first)[1].label == kDong + " 2/2");
    const auto again = token_chars_kept(split, PieceStyle::byte_level);
    CHECK((*again)[0].label == kDong + " 1/2");
    CHECK(token_display_labels(split, 3, PieceStyle::byte_level) ==
          std::vector<std::string>{kDong + " 1/2", kDong + " 2/2", "#2"});
}
