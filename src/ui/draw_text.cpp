// Rotated labels: emit the glyph quads with ImFont::RenderText, then turn the new vertices about the
// start point. Glyph culling uses an unbounded rect so nothing is dropped before the rotation; the
// window's clip rect still scissors the result.
#include "ui/draw_text.h"

#include <algorithm>

#include "ui/token_chars.h"

#include <cstdio>

namespace attn {

std::string label_for_font(const std::string& label, const ImFont* font) {
    if (!font) return label;
    std::string out;
    const char* s = label.c_str();
    const char* end = s + label.size();
    while (s < end) {
        // Our decoder, not ImTextCharFromUtf8: with 16-bit ImWchar that one turns U+1F600 into U+FFFD,
        // which the atlas has, so an emoji would pass as drawable and show as "ï¿½".
        uint32_t cp = 0;
        int n = utf8_char_at(label, static_cast<size_t>(s - label.c_str()), &cp);
        if (n <= 0) {   // invalid UTF-8 (token_label never makes it): shown as its byte
            char buf[8];
            std::snprintf(buf, sizeof buf, "<%02X>", static_cast<unsigned>(static_cast<uint8_t>(*s)));
            out += buf;
            ++s;
            continue;
        }
        bool drawable = cp == ' ' || font->FindGlyphNoFallback(static_cast<ImWchar>(cp)) != nullptr;
        if (cp > IM_UNICODE_CODEPOINT_MAX) drawable = false;
        if (drawable) {
            out.append(s, n);
        } else {
            char buf[16];
            std::snprintf(buf, sizeof buf, "<U+%04X>", cp);
            out += buf;
        }
        s += n;
    }
    return out;
}

float draw_text_vertical(ImDrawList* draw_list, ImVec2 bottom_left, ImU32 color, const std::string& text) {
    ImFont* font = ImGui::GetFont();
    float size = ImGui::GetFontSize();
    const char* begin = text.c_str();
    const char* end = begin + text.size();
    float width = font->CalcTextSizeA(size, FLT_MAX, 0.0f, begin, end).x;
    // Unrotated, the text's top-left is at `origin`; after turning, its baseline side faces right.
    ImVec2 origin(bottom_left.x, bottom_left.y);
    int first = draw_list->VtxBuffer.Size;
    const ImVec4 no_cull(-1e9f, -1e9f, 1e9f, 1e9f);
    font->RenderText(draw_list, size, origin, color, no_cull, begin, end, 0.0f, false);
    for (int i = first; i < draw_list->VtxBuffer.Size; ++i) {
        ImVec2& p = draw_list->VtxBuffer[i].pos;
        float dx = p.x - origin.x, dy = p.y - origin.y;
        p = ImVec2(origin.x + dy, origin.y - dx);
    }
    return width;
}

std::vector<std::string> token_labels_for_font(const TokenSeq& tokens, int n, PieceStyle style, const ImFont* font) {
    // Through token_chars, so a piece of a split character reads "动 1/2" rather than "<E5 8A>".
    std::vector<std::string> labels = token_display_labels(tokens, n, style);
    for (std::string& l : labels) l = label_for_font(l, font);
    return labels;
}

float labels_widest(const std::vector<std::string>& labels) {
    float w = 0.0f;
    for (const std::string& l : labels) w = std::max(w, ImGui::CalcTextSize(label_elide(l, kLabelMaxChars).c_str()).x);
    return w;
}

}  // namespace attn
