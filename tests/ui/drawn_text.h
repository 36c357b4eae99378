// The text a frame drew, read back from ImGui's draw data: every glyph is a quad whose texture
// coordinates are that glyph's rectangle in the font atlas, so the quads give back the characters in
// the order they were drawn. Spaces draw nothing and are absent; each draw list ends with a newline.
// Tests use it to see what a user would read, in whatever language the UI speaks.
#pragma once
#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "imgui.h"

namespace attn {

inline void append_utf8(std::string& out, unsigned c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

// Call after ImGui::Render() (UiHarness::frame) and before the next frame.
inline std::string drawn_text() {
    struct Glyph {
        float u1, v1;
        unsigned codepoint;
    };
    std::map<std::pair<float, float>, Glyph> by_corner;
    for (const ImFont* font : ImGui::GetIO().Fonts->Fonts)
        for (const ImFontGlyph& g : font->Glyphs)
            if (g.Visible) by_corner[{g.U0, g.V0}] = Glyph{g.U1, g.V1, g.Codepoint};
    std::string out;
    const ImDrawData* dd = ImGui::GetDrawData();
    for (int l = 0; dd && l < dd->CmdListsCount; ++l) {
        const ImVector<ImDrawVert>& v = dd->CmdLists[l]->VtxBuffer;
        for (int i = 0; i + 3 < v.Size; ++i) {
            auto it = by_corner.find({v[i].uv.x, v[i].uv.y});
            if (it == by_corner.end() || v[i + 2].uv.x != it->second.u1 || v[i + 2].uv.y != it->second.v1) continue;
            append_utf8(out, it->second.codepoint);
            i += 3;
        }
        out += '\n';
    }
    return out;
}

// Whether the last frame drew `text` (its spaces aside: they draw nothing).
inline bool drawn_contains(std::string text) {
    text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
    return drawn_text().find(text) != std::string::npos;
}

}  // namespace attn
