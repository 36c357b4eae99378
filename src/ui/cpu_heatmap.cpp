// Heatmap textures on the CPU. The value -> colour rule is the shader's (shaders/heatmap.frag): index
// = clamp(v, 0, 1) * 255 + 0.5 into the 256-entry table, masked cells flat kMaskedRgba.
#include "ui/cpu_heatmap.h"

#include <cstring>

namespace attn {

void heatmap_colorize(const HeatmapImage& image, const ColormapTable& colormap, uint8_t* rgba) {
    for (int t = 0; t < image.rows; ++t) {
        const float* row = image.values + static_cast<size_t>(t) * image.cols;
        uint8_t* out = rgba + static_cast<size_t>(t) * image.cols * 4;
        for (int s = 0; s < image.cols; ++s, out += 4) {
            if (heatmap_cell_masked(image, t, s)) {
                std::memcpy(out, kMaskedRgba, 4);
                continue;
            }
            ImU32 c = colormap_color(colormap, row[s]);
            for (int k = 0; k < 4; ++k) out[k] = static_cast<uint8_t>((c >> (8 * k)) & 0xFF);
        }
    }
}

ImTextureID CpuHeatmapTextures::heatmap_texture(int slot_index, const HeatmapImage& image) {
    if (slot_index < 0 || !image.values || image.rows <= 0 || image.cols <= 0) return ImTextureID{};
    while (static_cast<int>(slots_.size()) <= slot_index) slots_.push_back(std::make_unique<Slot>());
    Slot& slot = *slots_[static_cast<size_t>(slot_index)];
    ImTextureID id = static_cast<ImTextureID>(&slot);
    if (slot.key == image.key && slot.rows == image.rows && slot.cols == image.cols) return id;
    slot.rgba.resize(static_cast<size_t>(image.rows) * image.cols * 4);
    heatmap_colorize(image, *colormap_, slot.rgba.data());
    slot.rows = image.rows;
    slot.cols = image.cols;
    slot.key = image.key;
    ++colorized_;
    if (registry_) registry_->set(id, SoftTexture{slot.rgba.data(), slot.cols, slot.rows, SoftFilter::nearest});
    return id;
}

}  // namespace attn
