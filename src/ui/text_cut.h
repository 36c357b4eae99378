// Words around the point where the context cut a long text, for the "the model reads up to ..."
// notice. Pure string functions (no ImGui, no model), tested directly.
//
//   text_before_cut("The animal didn't cross the street because", 34, 20) == "…cross the street"
#pragma once
#include <string>

namespace attn {

// The text just before byte `cut_byte` (clamped to the text, moved back to a character boundary):
// at most `max_chars` code points, starting at a word when one starts inside them, with "…" in front
// when there is more before. Newlines and tabs read as spaces.
std::string text_before_cut(const std::string& text, int cut_byte, int max_chars);

}  // namespace attn
