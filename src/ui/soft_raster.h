// A CPU renderer for ImGui's draw data: what ImGui's GL backend does (triangles, per-vertex colour times
// texture, src-alpha / one-minus-src-alpha blending, scissor clip rects, display offset and framebuffer
// scale), into an RGBA8 image, with no GL. It exists for pictures (PNG export, `attnscope-cli render`,
// CI); it does not replace the GL backend on screen.
//
//   SoftTextures textures;
//   textures.set(io.Fonts->TexID, SoftTexture{atlas_rgba, atlas_w, atlas_h, SoftFilter::linear});
//   SoftImage image = soft_image_make(1600, 1000, IM_COL32(20, 20, 23, 255));
//   ImGui::Render();
//   soft_raster(*ImGui::GetDrawData(), textures, image);
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "imgui.h"

namespace attn {

struct SoftImage {
    int width = 0, height = 0;
    std::vector<uint8_t> rgba;   // (height, width, RGBA8), top row first (PNG order)
    const uint8_t* pixel(int x, int y) const { return rgba.data() + (static_cast<size_t>(y) * width + x) * 4; }
};
// A width x height image filled with `background` (as ImGui packs colours: IM_COL32).
SoftImage soft_image_make(int width, int height, ImU32 background);

// GL_NEAREST for heatmap cells (crisp when enlarged); GL_LINEAR for the font atlas, as ImGui's GL
// backend uploads it: glyphs are oversampled 3x horizontally and placed at sub-pixel positions.
enum class SoftFilter { nearest, linear };

struct SoftTexture {
    const uint8_t* rgba = nullptr;   // (height, width, RGBA8), not owned
    int width = 0, height = 0;
    SoftFilter filter = SoftFilter::nearest;
};

// ImTextureID -> pixels: the font atlas and every heatmap texture a frame draws with.
class SoftTextures {
public:
    void set(ImTextureID id, const SoftTexture& texture) { textures_[id] = texture; }
    const SoftTexture* find(ImTextureID id) const {
        auto it = textures_.find(id);
        return it == textures_.end() ? nullptr : &it->second;
    }

private:
    std::unordered_map<ImTextureID, SoftTexture> textures_;
};

struct SoftRasterStats {
    int commands = 0;          // draw commands drawn (after skipping empty clip rects)
    int triangles = 0;         // rasterised one by one
    int rects = 0;             // axis-aligned quads filled directly (glyphs, images, solid rects)
    int missing_textures = 0;  // commands whose texture is not registered: drawn as if white
};

// Draws `draw_data` over `image`, which should be DisplaySize x FramebufferScale pixels (anything
// outside the image is clipped). Pixel centres are sampled at +0.5 as GL does, with the top-left fill
// rule, so adjacent triangles cover each pixel once.
SoftRasterStats soft_raster(const ImDrawData& draw_data, const SoftTextures& textures, SoftImage& image);

}  // namespace attn
