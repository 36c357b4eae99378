// The code points the UI has to draw, so the font atlas bakes only those glyphs. Dear ImGui 1.86 bakes a
// static atlas: all ~30,000 CJK glyphs would cost seconds and a huge texture, so the atlas is rebuilt
// (between frames) with the characters actually in use whenever new ones appear. Pure: no ImGui.
//
//   GlyphSet used;
//   if (used.add_text("动物")) fonts_dirty = true;
//   glyph_ranges(used, {})   == {0x52A8, 0x52A8, 0x7269, 0x7269, 0}   (ImGui's range format)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace attn {

// Basic Multilingual Plane only: ImGui 1.86's ImWchar is 16 bits, so a code point above U+FFFF can
// never be a glyph (labels write it as <U+1F600>).
class GlyphSet {
public:
    // Adds the code points of UTF-8 text (controls and invalid bytes are skipped); true when one was new.
    bool add_text(const std::string& utf8);
    bool add(uint32_t code_point);
    bool contains(uint32_t code_point) const;
    int size() const { return count_; }
    // In increasing order.
    std::vector<uint32_t> code_points() const;

private:
    std::vector<uint64_t> bits_ = std::vector<uint64_t>(0x10000 / 64, 0);
    int count_ = 0;
};

// ImGui glyph ranges: `fixed` (pairs, no terminator) followed by the set's code points merged into
// runs, then 0. Overlaps are fine (ImGui reads ranges as a union).
std::vector<uint16_t> glyph_ranges(const GlyphSet& used, const std::vector<uint16_t>& fixed);

}  // namespace attn
