// GlyphSet and glyph_ranges: the code points in use become the atlas's glyph ranges.
#include <doctest/doctest.h>

#include "ui/glyph_set.h"

using namespace attn;

TEST_CASE("GlyphSet: code points of UTF-8 text, each once; controls, emoji and bad bytes left out") {
    GlyphSet g;
    CHECK(g.add_text("\xE5\x8A\xA8\xE7\x89\xA9"));   // 动物
    CHECK_FALSE(g.add_text("\xE7\x89\xA9"));         // nothing new
    CHECK(g.size() == 2);
    CHECK(g.contains(0x52A8));
    CHECK(g.contains(0x7269));
    CHECK_FALSE(g.add_text("\n\t\x7F"));
    CHECK_FALSE(g.add_text("\xF0\x9F\x98\x80"));     // U+1F600: no 16-bit glyph can hold it
    CHECK_FALSE(g.add_text("\xE5\x8A"));             // half a character
    CHECK(g.size() == 2);
    CHECK(g.add_text("a"));
    CHECK(g.code_points() == std::vector<uint32_t>{'a', 0x52A8, 0x7269});
}

TEST_CASE("glyph_ranges: consecutive code points merge into one range, after the fixed ones") {
    GlyphSet g;
    g.add_text("\xE3\x81\x8B\xE3\x81\x8C\xE3\x81\x8D");   // かがき: U+304B..U+304D
    g.add_text("\xED\x95\x9C");                            // 한 U+D55C
    CHECK(glyph_ranges(g, {}) == std::vector<uint16_t>{0x304B, 0x304D, 0xD55C, 0xD55C, 0});
    CHECK(glyph_ranges(g, {0x20, 0xFF}) == std::vector<uint16_t>{0x20, 0xFF, 0x304B, 0x304D, 0xD55C, 0xD55C, 0});
    CHECK(glyph_ranges(GlyphSet(), {}) == std::vector<uint16_t>{0});
    GlyphSet edge;
    edge.add(0xFFFF);
    edge.add(0xFFFE);
    CHECK(glyph_ranges(edge, {}) == std::vector<uint16_t>{0xFFFE, 0xFFFF, 0});
}
