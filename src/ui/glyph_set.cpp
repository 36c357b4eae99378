// A bitset over the BMP (8 KiB) so adding a long text every frame stays cheap.
#include "ui/glyph_set.h"

#include "ui/token_label.h"

namespace attn {

bool GlyphSet::add(uint32_t cp) {
    if (cp < 0x20 || cp > 0xFFFF || (cp >= 0x7F && cp < 0xA0)) return false;   // controls draw nothing
    uint64_t& word = bits_[cp / 64];
    const uint64_t bit = uint64_t{1} << (cp % 64);
    if (word & bit) return false;
    word |= bit;
    ++count_;
    return true;
}

bool GlyphSet::contains(uint32_t cp) const {
    return cp <= 0xFFFF && (bits_[cp / 64] >> (cp % 64) & 1) != 0;
}

bool GlyphSet::add_text(const std::string& utf8) {
    bool added = false;
    size_t i = 0;
    while (i < utf8.size()) {
        uint32_t cp = 0;
        int n = utf8_char_at(utf8, i, &cp);
        if (n == 0) {
            ++i;
            continue;
        }
        added |= add(cp);
        i += static_cast<size_t>(n);
    }
    return added;
}

std::vector<uint32_t> GlyphSet::code_points() const {
    std::vector<uint32_t> out;
    out.reserve(static_cast<size_t>(count_));
    for (uint32_t w = 0; w < bits_.size(); ++w)
        for (uint64_t bits = bits_[w]; bits; bits &= bits - 1) out.push_back(w * 64 + static_cast<uint32_t>(__builtin_ctzll(bits)));
    return out;
}

std::vector<uint16_t> glyph_ranges(const GlyphSet& used, const std::vector<uint16_t>& fixed) {
    std::vector<uint16_t> out(fixed);
    std::vector<uint32_t> cps = used.code_points();
    for (size_t i = 0; i < cps.size();) {
        size_t j = i;
        while (j + 1 < cps.size() && cps[j + 1] == cps[j] + 1) ++j;
        out.push_back(static_cast<uint16_t>(cps[i]));
        out.push_back(static_cast<uint16_t>(cps[j]));
        i = j + 1;
    }
    out.push_back(0);
    return out;
}

}  // namespace attn
