// Heatmap textures on the CPU, by the shader's rule (shaders/heatmap.frag): index = clamp(v / vmax, 0,
// 1) * 255 + 0.5 into the 256-entry table, masked texels the map's masked colour, bad (NaN/Inf) texels
// the bad colour.
#include "ui/cpu_heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ui/heatmap_cells.h"

namespace attn {

void heatmap_colorize(const float* texels, int rows, int cols, Colormap colormap, float vmax, uint8_t* rgba) {
    const ColormapTable& table = colormap_table(colormap);
    const std::array<uint8_t, 4> masked = colormap_masked_rgba(colormap);
    if (!(vmax > 0.0f)) vmax = 1.0f;
    const size_t n = static_cast<size_t>(rows) * cols;
    for (size_t i = 0; i < n; ++i, rgba += 4) {
        const float v = texels[i];
        if (v == kHeatmapBadTexel || !std::isfinite(v)) {
            std::memcpy(rgba, kColormapBadRgba.data(), 4);
            continue;
        }
        if (v < 0.0f) {
            std::memcpy(rgba, masked.data(), 4);
            continue;
        }
        const int index = static_cast<int>(std::clamp(v / vmax, 0.0f, 1.0f) * 255.0f + 0.5f);
        std::memcpy(rgba, table.data() + index * 4, 4);
    }
}

ImTextureID CpuHeatmapTextures::heatmap_texture(int slot_index, const HeatmapImage& image) {
    if (slot_index < 0 || !image.values || image.rows <= 0 || image.cols <= 0) return ImTextureID{};
    while (static_cast<int>(slots_.size()) <= slot_index) slots_.push_back(std::make_unique<Slot>());
    Slot& slot = *slots_[static_cast<size_t>(slot_index)];
    ImTextureID id = static_cast<ImTextureID>(&slot);
    const float vmax = image.vmax > 0.0f ? image.vmax : 1.0f;
    const bool new_values = slot.key != image.key || slot.image_rows != image.rows || slot.image_cols != image.cols ||
                            slot.max_side != image.max_side;
    if (!new_values && slot.colormap == image.colormap && slot.vmax == vmax) return id;
    if (new_values) {
        heatmap_cells(image, &slot.texels, &slot.rows, &slot.cols);
        slot.key = image.key;
        slot.image_rows = image.rows;
        slot.image_cols = image.cols;
        slot.max_side = image.max_side;
    }
    slot.rgba.resize(static_cast<size_t>(slot.rows) * slot.cols * 4);
    heatmap_colorize(slot.texels.data(), slot.rows, slot.cols, image.colormap, vmax, slot.rgba.data());
    slot.colormap = image.colormap;
    slot.vmax = vmax;
    ++colorized_;
    if (registry_) registry_->set(id, SoftTexture{slot.rgba.data(), slot.cols, slot.rows, SoftFilter::nearest});
    return id;
}

}  // namespace attn
