// Text drawing helpers the views share: vertical (rotated) labels and labels made safe for the loaded
// font (a code point the font lacks is written as <U+XXXX>, never a blank box). Draw-list level only.
#pragma once
#include <string>
#include <vector>

#include "imgui.h"
#include "model/trace.h"
#include "ui/token_label.h"

namespace attn {

// label with every code point that `font` has no glyph for replaced by "<U+XXXX>".
std::string label_for_font(const std::string& label, const ImFont* font);

// Token labels are cut to this many code points on screen (the full text shows on hover).
constexpr int kLabelMaxChars = 14;

// Readable, font-safe labels for the first n tokens ("#i" past the end of the pieces).
std::vector<std::string> token_labels_for_font(const TokenSeq& tokens, int n, PieceStyle style, const ImFont* font);
// Width of the widest label once elided to kLabelMaxChars.
float labels_widest(const std::vector<std::string>& labels);

// Draws text turned 90 degrees counter-clockwise (reading bottom to top); `bottom_left` is where the
// first character starts. Returns the text's unrotated width.
float draw_text_vertical(ImDrawList* draw_list, ImVec2 bottom_left, ImU32 color, const std::string& text);

}  // namespace attn
