// GL implementation of the views' TextureProvider: uploads a (T, S) probability matrix (max-pooled for
// thumbnails) as an R32F texture once per change, colours it with the heatmap shader and the image's
// colormap LUT into an RGBA8 texture (one texel per cell) and hands that to ImGui::Image; a colormap
// or vmax change re-colours without re-uploading. It does not draw labels or anything else.
#pragma once
#include <string>
#include <vector>

#include "platform/gl.h"
#include "ui/texture_provider.h"

namespace attn {

class GlHeatmapRenderer : public TextureProvider {
public:
    // Needs a current GL context. False (with *error) when the shader does not build.
    bool init(std::string* error);
    void shutdown();
    ImTextureID heatmap_texture(int slot, const HeatmapImage& image) override;
    uint64_t generation() const override { return generation_; }

private:
    struct Slot {
        GLuint values = 0;   // R32F (rows, cols): probabilities (or pooled maxima), -1 where masked
        GLuint colors = 0;   // RGBA8 (rows, cols): what ImGui draws
        GLuint framebuffer = 0;
        int rows = 0, cols = 0;           // texels
        int image_rows = 0, image_cols = 0, max_side = 0;   // what they were made from
        uint64_t key = ~0ull;
        Colormap colormap = Colormap::viridis;
        float vmax = -1.0f;               // < 0: never coloured
    };
    void colorize(Slot& slot, Colormap colormap, float vmax);
    GLuint colormap_texture(Colormap colormap);

    std::vector<Slot> slots_;
    std::vector<float> staging_;   // texels: values with the mask applied, pooled for thumbnails
    GLuint program_ = 0, vao_ = 0;
    GLuint colormaps_[sizeof kColormaps / sizeof *kColormaps] = {};   // 256 x 1 LUTs, made on first use
    GLint u_values_ = -1, u_colormap_ = -1, u_masked_ = -1, u_bad_ = -1, u_vmax_ = -1;
    uint64_t generation_ = 0;   // counts uploads and colourings
};

}  // namespace attn
