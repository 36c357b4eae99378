// The view as a URL fragment, so a link reproduces what is on screen:
//   #model=gpt2-tiny&view=heatmap&kind=self&layer=1&head=3&cmap=magma&auto=1&theme=light&font=22&text=The%20cat
// Values are percent-encoded UTF-8. Parsing is forgiving: unknown keys and bad values are ignored (a
// hand-edited link must never break the page), so every field is optional.
#pragma once
#include <optional>
#include <string>

#include "ui/app.h"
#include "ui/colormap.h"

namespace attn {

struct UrlState {
    std::optional<std::string> model;   // a bundled model's name
    std::optional<MainView> view;
    std::optional<AttentionKind> kind;
    std::optional<int> layer, head;
    std::optional<Colormap> colormap;
    std::optional<bool> auto_scale;
    std::optional<Theme> theme;
    std::optional<float> font_size;
    std::optional<std::string> text, target;
};

UrlState url_state_parse(const std::string& fragment);   // with or without the leading '#'
// The app's state as a fragment (no '#'). The model is named only when it is a bundled one: a folder
// opened from disk cannot be reached through a link.
std::string url_state_format(const App& app);
// Applies everything but the model (loading it is the platform's job, before this call).
void app_apply_url_state(App& app, const UrlState& state);

std::string url_encode(const std::string& s);
std::string url_decode(const std::string& s);   // '+' stays '+'; bad escapes are kept as they are

}  // namespace attn
