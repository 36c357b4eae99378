// What the markers in token labels mean, for hovers: "·" (a space before the word), "##" (WordPiece's
// continuation), "\n" (a line break). A student sees "·the" and asks; the tooltip answers.
//
//   token_marker_hint("·the", PieceStyle::byte_level)
//       == "· marks a space before the word (GPT-2 writes it as \u0120)"
#pragma once
#include <initializer_list>
#include <string>

#include "ui/token_label.h"

namespace attn {

// The explanation for the markers in a label token_label made, or "" when it has none.
std::string token_marker_hint(const std::string& label, PieceStyle style);

// Draws the hints of these labels (each different one once) as dim lines of the current tooltip.
void show_token_hints(std::initializer_list<const std::string*> labels, PieceStyle style);

}  // namespace attn
