// The status bar: one line naming the model, its size, the last trace time and the last error. It
// never wraps: what does not fit is cut with "…" and the whole text shows on hover.
#include <cstdio>
#include <string>
#include <vector>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/theme.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

struct StatusPart {
    std::string text;
    enum Look { normal, dim, error } look = normal;
};

// The longest prefix of `s` (whole UTF-8 characters) that, with "…", fits in `width` pixels.
std::string elide_to_width(const std::string& s, float width) {
    const char* ellipsis = "\xE2\x80\xA6";
    const float ellipsis_w = ImGui::CalcTextSize(ellipsis).x;
    size_t end = 0;
    for (size_t i = 0; i < s.size();) {
        size_t next = i + 1;
        while (next < s.size() && (static_cast<unsigned char>(s[next]) & 0xC0) == 0x80) ++next;
        if (ImGui::CalcTextSize(s.c_str(), s.c_str() + next).x + ellipsis_w > width) break;
        end = next;
        i = next;
    }
    return s.substr(0, end) + ellipsis;
}

}  // namespace

void show_status_bar(const StatusData& d) {
    std::vector<StatusPart> parts;
    char buf[256];
    // A link's request for a model from disk comes first: it explains why another model is showing.
    if (!d.link_warning.empty()) {
        parts.push_back({d.link_warning, StatusPart::error});
        parts.push_back({"|", StatusPart::dim});
    }
    if (d.model_name.empty()) {
        parts.push_back({tr("pictures.status.no_model"), StatusPart::dim});
    } else {
        char params[32];
        if (d.n_params >= 1000000)
            std::snprintf(params, sizeof params, tr("ui.status.m_params"), d.n_params / 1e6);
        else
            std::snprintf(params, sizeof params, tr("ui.status.k_params"), d.n_params / 1e3);
        parts.push_back({trf("pictures.status.model", {{"name", d.model_name},
                                                       {"architecture", d.architecture},
                                                       {"layers", std::to_string(d.n_layer)},
                                                       {"heads", std::to_string(d.n_head)},
                                                       {"params", params}})});
        if (d.random_weights) parts.push_back({tr("pictures.status.random_weights"), StatusPart::error});
    }
    parts.push_back({"|", StatusPart::dim});
    if (d.trace_ms >= 0.0 && d.n_target_token > 0) {
        std::snprintf(buf, sizeof buf, tr("ui.status.source_target_tokens_trace"), d.n_token, d.n_target_token, d.trace_ms);
        parts.push_back({buf});
    } else if (d.trace_ms >= 0.0) {
        std::snprintf(buf, sizeof buf, tr("ui.status.tokens_trace_ms"), d.n_token, d.trace_ms);
        parts.push_back({buf});
    } else {
        parts.push_back({tr("pictures.status.no_trace"), StatusPart::dim});
    }
    if (!d.notice.empty() && d.error.empty()) {
        parts.push_back({"|", StatusPart::dim});
        parts.push_back({d.notice});
    }
    if (!d.error.empty()) {
        parts.push_back({"|", StatusPart::dim});
        parts.push_back({d.error, StatusPart::error});
    }

    // Newlines in an error would make a second line: the bar shows them as spaces.
    for (StatusPart& p : parts)
        for (char& c : p.text)
            if (c == '\n' || c == '\r') c = ' ';
    const float right = ImGui::GetWindowContentRegionMax().x + ImGui::GetWindowPos().x;
    bool cut = false;
    const float ellipsis_w = ImGui::CalcTextSize("\xE2\x80\xA6").x;
    for (size_t i = 0; i < parts.size() && !cut; ++i) {
        if (i > 0) ImGui::SameLine();
        const float room = right - ImGui::GetCursorScreenPos().x;
        // A part with more after it leaves room for a "…", so a cut is always visible as one.
        const float reserve = i + 1 < parts.size() ? ImGui::GetStyle().ItemSpacing.x + ellipsis_w : 0.0f;
        std::string shown = parts[i].text;
        if (ImGui::CalcTextSize(shown.c_str()).x > room - reserve) {
            cut = true;
            if (room < ellipsis_w) break;   // only at absurd sizes: the hover still tells
            // A separator with nothing after it would read as a glitch: "…" says there is more.
            shown = shown == "|" ? "\xE2\x80\xA6" : elide_to_width(shown, room);
        }
        if (parts[i].look == StatusPart::dim)
            ImGui::TextDisabled("%s", shown.c_str());
        else if (parts[i].look == StatusPart::error)
            ImGui::TextColored(theme_error(), "%s", shown.c_str());
        else
            ImGui::TextUnformatted(shown.c_str());
        if (cut) widget_mark("status_cut");
    }
    if (ImGui::IsWindowHovered() && (cut || !d.error.empty())) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40.0f);
        for (const StatusPart& p : parts)
            if (p.text != "|") ImGui::TextUnformatted(p.text.c_str());
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }
}

}  // namespace attn
