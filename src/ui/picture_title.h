// The title a picture carries so a slide or a figure stands on its own: the model, the view and what
// of the attention it shows (layer and head, the heads drawn, or the flow's threshold), the attention
// kind for encoder-decoder models, and the text (elided), in the UI's language (pictures.title.* in the string
// tables). PNG captions and SVG titles both use it.
#pragma once
#include <string>

#include "ui/app.h"

namespace attn {

struct PictureTitle {
    std::string heading;   // "gpt2-tiny · heatmap · layer 1, head 3"
    std::string text;      // “The animal didn't cross…” (line breaks shown as ↵); "" with no text
};

// Code points of the text kept before "…".
constexpr int kTitleTextMaxChars = 90;

PictureTitle picture_title(const App& app, MainView view);

}  // namespace attn
