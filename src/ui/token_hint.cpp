// Marker explanations for token hovers. The wording names the tokenizer's own spelling, so the
// labels in a CSV export or a paper can be matched to what is on screen.
#include "ui/token_hint.h"

#include <vector>

#include "core/i18n.h"
#include "imgui.h"

namespace attn {

std::string token_marker_hint(const std::string& label, PieceStyle style) {
    std::string hint;
    auto add = [&](const char* line) { hint += (hint.empty() ? "" : "\n") + std::string(line); };
    if (label.rfind("\xC2\xB7", 0) == 0) {
        if (style == PieceStyle::byte_level)
            add(tr("ui.token_hint.space_gpt2"));
        else if (style == PieceStyle::sentencepiece)
            add(tr("ui.token_hint.space_sentencepiece"));
        else
            add(tr("ui.token_hint.space"));
    }
    if (style == PieceStyle::plain && label.size() > 2 && label.rfind("##", 0) == 0)
        add(tr("ui.token_hint.wordpiece"));
    if (label.find("\\n") != std::string::npos) add(tr("ui.token_hint.line_break"));
    return hint;
}

void show_token_hints(std::initializer_list<const std::string*> labels, PieceStyle style) {
    std::vector<std::string> shown;
    for (const std::string* l : labels) {
        if (!l) continue;
        std::string hint = token_marker_hint(*l, style);
        if (hint.empty()) continue;
        bool seen = false;
        for (const std::string& s : shown) seen = seen || s == hint;
        if (seen) continue;
        ImGui::TextDisabled("%s", hint.c_str());
        shown.push_back(hint);
    }
}

}  // namespace attn
