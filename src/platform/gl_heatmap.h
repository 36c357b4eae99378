// GL implementation of the views' TextureProvider: uploads a (T, S) probability matrix as an R32F
// texture once per change, colours it with the heatmap shader into an RGBA8 texture (one texel per
// cell) and hands that to ImGui::Image. It does not draw labels or anything else.
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

private:
    struct Slot {
        GLuint values = 0;   // R32F (T, S): probabilities, -1 where masked
        GLuint colors = 0;   // RGBA8 (T, S): what ImGui draws
        GLuint framebuffer = 0;
        int rows = 0, cols = 0;
        uint64_t key = ~0ull;
    };
    void colorize(Slot& slot);

    std::vector<Slot> slots_;
    std::vector<float> staging_;   // (T, S) values with the mask applied
    GLuint program_ = 0, vao_ = 0, colormap_ = 0;
    GLint u_values_ = -1, u_colormap_ = -1, u_masked_ = -1;
};

}  // namespace attn
