// The CPU TextureProvider: colours a HeatmapImage into RGBA8 pixels by exactly the GL shader's rule
// (shaders/heatmap.frag: the texels of heatmap_cells, value / vmax into the image's colormap table,
// masked texels in the map's masked colour) and registers them with a SoftTextures so the software
// rasteriser can draw them. For pictures and benchmarks; the screen uses GlHeatmapRenderer.
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

// Colours (rows, cols) texels from heatmap_cells (-1 = masked) into RGBA8.
void heatmap_colorize(const float* texels, int rows, int cols, Colormap colormap, float vmax, uint8_t* rgba);

class CpuHeatmapTextures : public TextureProvider {
public:
    explicit CpuHeatmapTextures(SoftTextures* registry) : registry_(registry) {}
    ImTextureID heatmap_texture(int slot, const HeatmapImage& image) override;
    int colorized() const { return colorized_; }   // how many times a slot was (re)coloured

private:
    struct Slot {
        std::vector<float> texels;   // what heatmap_cells made of the image
        std::vector<uint8_t> rgba;   // (rows, cols, RGBA8)
        int rows = 0, cols = 0;
        int image_rows = 0, image_cols = 0, max_side = 0;
        uint64_t key = ~0ull;
        Colormap colormap = Colormap::viridis;
        float vmax = -1.0f;
    };
    std::vector<std::unique_ptr<Slot>> slots_;   // stable addresses: a slot's address is its ImTextureID
    SoftTextures* registry_;
    int colorized_ = 0;
};

}  // namespace attn
