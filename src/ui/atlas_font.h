// Adding a TrueType font to an ImGui atlas without ImGui's copy of its bytes.
#pragma once
#include <cstdint>
#include <vector>

#include "imgui.h"

namespace attn {

// Adds `ttf` to `atlas` as `config` says; the atlas reads the caller's bytes, which must outlive its
// builds (App::config's fonts, a caller's buffer). A font the atlas does not own (FontDataOwnedByAtlas
// false) ImGui copies at every AddFont: 5.5 MB with the CJK font, at every atlas rebuild (a language
// switch, new glyphs), and in the UI tests a fifth of their page faults. Added as owned, then marked not
// owned, it is neither copied nor freed: ImGui reads the flag only when adding a font and when clearing.
inline ImFont* atlas_add_font_borrowed(ImFontAtlas& atlas, const std::vector<uint8_t>& ttf, float size_px,
                                       ImFontConfig config, const ImWchar* ranges = nullptr) {
    config.FontDataOwnedByAtlas = true;
    const int configs = atlas.ConfigData.Size;
    ImFont* font = atlas.AddFontFromMemoryTTF(const_cast<uint8_t*>(ttf.data()), static_cast<int>(ttf.size()),
                                              size_px, &config, ranges);
    for (int i = configs; i < atlas.ConfigData.Size; ++i) atlas.ConfigData[i].FontDataOwnedByAtlas = false;
    return font;
}

}  // namespace attn
