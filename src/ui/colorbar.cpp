#include "ui/colorbar.h"

#include <algorithm>
#include <cstdio>

#include "core/i18n.h"
#include "ui/theme.h"

namespace attn {

// The colorbar spans [0, vmax] with the same table the texture uses; `vmax` < 1 only with auto scale.
void draw_colorbar(ImDrawList* dl, ImVec2 top_left, float height, float hovered_value, bool causal, Colormap colormap,
                   float vmax, bool bad_values) {
    const ColormapTable& cmap = colormap_table(colormap);
    float fs = ImGui::GetFontSize();
    float w = fs;
    const int segments = 64;
    for (int i = 0; i < segments; ++i) {
        float y0 = top_left.y + height * i / segments, y1 = top_left.y + height * (i + 1) / segments;
        ImU32 c_top = colormap_color(cmap, 1.0f - static_cast<float>(i) / segments);
        ImU32 c_bottom = colormap_color(cmap, 1.0f - static_cast<float>(i + 1) / segments);
        dl->AddRectFilledMultiColor(ImVec2(top_left.x, y0), ImVec2(top_left.x + w, y1), c_top, c_top, c_bottom, c_bottom);
    }
    ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    // Ticks a label line apart at least: a short bar (a one-row map in a small window) shows fewer.
    const int ticks = height >= fs * 4.4f ? 4 : height >= fs * 2.2f ? 2 : 1;
    for (int k = 0; k <= ticks; ++k) {
        float v = static_cast<float>(k) / ticks;
        float y = top_left.y + height * (1.0f - v);
        dl->AddLine(ImVec2(top_left.x + w, y), ImVec2(top_left.x + w + 4, y), text);
        char buf[16];
        std::snprintf(buf, sizeof buf, vmax * v >= 0.01f || k == 0 ? "%.2f" : "%.3f", vmax * v);
        dl->AddText(ImVec2(top_left.x + w + 6, y - fs * 0.5f), text, buf);
    }
    if (hovered_value >= 0.0f) {
        float y = top_left.y + height * (1.0f - std::min(hovered_value / vmax, 1.0f));
        dl->AddTriangleFilled(ImVec2(top_left.x - 2, y), ImVec2(top_left.x - 9, y - 5), ImVec2(top_left.x - 9, y + 5),
                              theme_outline(1.0f));
    }
    // The legend for masked cells sits under the bar so "grey" is never mistaken for "zero"; only
    // causal attention has them, so only its legend shows it.
    ImVec2 swatch(top_left.x, top_left.y + height + fs * 0.6f);
    if (causal) {
        dl->AddRectFilled(swatch, ImVec2(swatch.x + w, swatch.y + fs), colormap_masked_color(colormap));
        dl->AddText(ImVec2(swatch.x + w + 6, swatch.y), text, tr("pictures.colorbar.future"));
        dl->AddText(ImVec2(swatch.x + w + 6, swatch.y + fs), text, tr("pictures.colorbar.masked"));
        swatch.y += fs * 2.4f;
    }
    // Magenta is no weight: it marks cells computed from NaN or infinity.
    if (bad_values) {
        dl->AddRectFilled(swatch, ImVec2(swatch.x + w, swatch.y + fs), colormap_bad_color());
        dl->AddText(ImVec2(swatch.x + w + 6, swatch.y), text, tr("pictures.colorbar.bad"));
    }
}

float colorbar_legend_height(bool causal, bool bad_values) {
    const float fs = ImGui::GetFontSize();
    return (causal ? fs * 2.4f : 0.0f) + (bad_values ? fs * 1.6f : 0.0f);
}

// Room for the ticks and for the wider of the legend's two lines, in the language shown.
float colorbar_width() {
    const float legend = std::max({ImGui::CalcTextSize(tr("pictures.colorbar.future")).x,
                                   ImGui::CalcTextSize(tr("pictures.colorbar.masked")).x,
                                   ImGui::CalcTextSize(tr("pictures.colorbar.bad")).x});
    return ImGui::GetFontSize() * 2.8f + std::max(legend, ImGui::CalcTextSize("0.000").x);
}

}  // namespace attn
