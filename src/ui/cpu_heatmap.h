// The CPU TextureProvider: colours a HeatmapImage with the colormap table into RGBA8 pixels (masked
// cells kMaskedRgba), exactly what the GL shader writes, and registers them with a SoftTextures so the
// software rasteriser can draw them. For pictures and benchmarks; the screen uses GlHeatmapRenderer.
//
//   SoftTextures textures;
//   CpuHeatmapTextures heatmaps(&textures);
//   app.config.textures = &heatmaps;      // views now get CPU textures
#pragma once
#include <memory>
#include <vector>

#include "ui/colormap.h"
#include "ui/soft_raster.h"
#include "ui/texture_provider.h"

namespace attn {

// (rows, cols, RGBA8) colours of `image`: colormap(value), or kMaskedRgba for future cells.
void heatmap_colorize(const HeatmapImage& image, const ColormapTable& colormap, uint8_t* rgba);

class CpuHeatmapTextures : public TextureProvider {
public:
    explicit CpuHeatmapTextures(SoftTextures* registry, const ColormapTable* colormap = &colormap_viridis())
        : registry_(registry), colormap_(colormap) {}
    ImTextureID heatmap_texture(int slot, const HeatmapImage& image) override;
    int colorized() const { return colorized_; }   // how many times a slot was (re)coloured

private:
    struct Slot {
        std::vector<uint8_t> rgba;   // (rows, cols, RGBA8)
        int rows = 0, cols = 0;
        uint64_t key = ~0ull;
    };
    std::vector<std::unique_ptr<Slot>> slots_;   // stable addresses: a slot's address is its ImTextureID
    SoftTextures* registry_;
    const ColormapTable* colormap_;
    int colorized_ = 0;
};

}  // namespace attn
