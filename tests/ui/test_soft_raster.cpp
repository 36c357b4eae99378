// The software rasteriser against pixels worked out by hand: solid rects land on exactly the pixels
// whose centres they cover, blending is src-alpha over, clip rects cut, textures are sampled per
// pixel, triangles sharing an edge cover it once, text leaves ink, and the display offset and
// framebuffer scale move and scale everything as the GL backend's projection does. Also the CPU
// heatmap colouring (the shader's rule).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "imgui.h"
#include "tests/ui/synthetic_trace.h"
#include "ui/colormap.h"
#include "ui/cpu_heatmap.h"
#include "ui/heatmap_cells.h"
#include "ui/soft_raster.h"

using namespace attn;

namespace {

constexpr ImU32 kBackground = IM_COL32(0, 0, 200, 255);

// A bare ImGui context whose foreground draw list the tests draw into, with the font atlas
// registered as the GL backend would upload it.
struct RasterScene {
    SoftTextures textures;
    ImGuiContext* previous = ImGui::GetCurrentContext();
    ImGuiContext* context = nullptr;

    explicit RasterScene(ImVec2 display) {
        context = ImGui::CreateContext();
        ImGui::SetCurrentContext(context);
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = display;
        io.DeltaTime = 1.0f / 60.0f;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
        io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(1)));
        textures.set(io.Fonts->TexID, SoftTexture{pixels, w, h, SoftFilter::linear});
        ImGui::NewFrame();
    }
    ~RasterScene() {
        ImGui::DestroyContext(context);
        ImGui::SetCurrentContext(previous);
    }
    ImDrawList* draw() { return ImGui::GetForegroundDrawList(); }
    // Ends the frame and rasterises it over kBackground (at `scale` pixels per display unit).
    SoftImage render(float scale = 1.0f) {
        ImGui::Render();
        ImDrawData* dd = ImGui::GetDrawData();
        dd->FramebufferScale = ImVec2(scale, scale);
        SoftImage img = soft_image_make(static_cast<int>(dd->DisplaySize.x * scale),
                                        static_cast<int>(dd->DisplaySize.y * scale), kBackground);
        soft_raster(*dd, textures, img);
        return img;
    }
};

ImU32 at(const SoftImage& img, int x, int y) {
    const uint8_t* p = img.pixel(x, y);
    return IM_COL32(p[0], p[1], p[2], p[3]);
}

bool close_to(const uint8_t* p, int r, int g, int b) {
    return std::abs(p[0] - r) <= 1 && std::abs(p[1] - g) <= 1 && std::abs(p[2] - b) <= 1;
}

}  // namespace

TEST_CASE("soft_raster: a filled rect covers exactly the pixels whose centres it contains") {
    RasterScene scene(ImVec2(64, 48));
    scene.draw()->AddRectFilled(ImVec2(10, 5), ImVec2(20, 15), IM_COL32(255, 0, 0, 255));
    scene.draw()->AddRectFilled(ImVec2(30.5f, 20.2f), ImVec2(33.5f, 22.6f), IM_COL32(0, 255, 0, 255));
    SoftImage img = scene.render();
    REQUIRE(img.width == 64);
    REQUIRE(img.height == 48);
    int red = 0, green = 0;
    for (int y = 0; y < 48; ++y)
        for (int x = 0; x < 64; ++x) {
            ImU32 c = at(img, x, y);
            bool in_red = x >= 10 && x < 20 && y >= 5 && y < 15;
            // Centres 30.5, 31.5, 32.5 lie in [30.5, 33.5) (left edge in, right out);
            // 20.5, 21.5, 22.5 in [20.2, 22.6).
            bool in_green = x >= 30 && x <= 32 && y >= 20 && y <= 22;
            CHECK(c == (in_red ? IM_COL32(255, 0, 0, 255) : in_green ? IM_COL32(0, 255, 0, 255) : kBackground));
            red += c == IM_COL32(255, 0, 0, 255);
            green += c == IM_COL32(0, 255, 0, 255);
        }
    CHECK(red == 100);
    CHECK(green == 3 * 3);
}

TEST_CASE("soft_raster: alpha blends src-alpha over the background") {
    RasterScene scene(ImVec2(16, 16));
    scene.draw()->AddRectFilled(ImVec2(0, 0), ImVec2(8, 8), IM_COL32(255, 0, 0, 128));
    scene.draw()->AddRectFilled(ImVec2(8, 8), ImVec2(16, 16), IM_COL32(255, 255, 255, 0));   // invisible
    SoftImage img = scene.render();
    // 255 * 128/255 = 128 red; 200 * (1 - 128/255) = 99.6 blue.
    CHECK(close_to(img.pixel(3, 3), 128, 0, 100));
    CHECK(img.pixel(3, 3)[3] == 255);
    CHECK(at(img, 12, 12) == kBackground);
    CHECK(at(img, 12, 3) == kBackground);
}

TEST_CASE("soft_raster: the clip rect cuts what is drawn inside it") {
    RasterScene scene(ImVec2(64, 48));
    scene.draw()->PushClipRect(ImVec2(12, 4), ImVec2(16, 40));
    scene.draw()->AddRectFilled(ImVec2(0, 0), ImVec2(64, 48), IM_COL32(255, 255, 0, 255));
    scene.draw()->PopClipRect();
    SoftImage img = scene.render();
    for (int y = 0; y < 48; ++y)
        for (int x = 0; x < 64; ++x)
            CHECK(at(img, x, y) == (x >= 12 && x < 16 && y >= 4 && y < 40 ? IM_COL32(255, 255, 0, 255) : kBackground));
}

TEST_CASE("soft_raster: a textured quad samples its texture (nearest) and multiplies by the vertex colour") {
    RasterScene scene(ImVec2(40, 40));
    // 2x2 texels: red, green / blue, half-transparent white.
    static const uint8_t texels[] = {255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 128};
    ImTextureID id = reinterpret_cast<ImTextureID>(static_cast<intptr_t>(7));
    scene.textures.set(id, SoftTexture{texels, 2, 2, SoftFilter::nearest});
    scene.draw()->AddImage(id, ImVec2(0, 0), ImVec2(40, 40));
    scene.draw()->AddImage(id, ImVec2(0, 0), ImVec2(20, 20), ImVec2(0, 0), ImVec2(0.5f, 0.5f), IM_COL32(255, 255, 255, 255));
    SoftImage img = scene.render();
    for (int y = 0; y < 40; y += 3)
        for (int x = 0; x < 40; x += 3) {
            const uint8_t* p = img.pixel(x, y);
            if (x < 20 && y < 20) CHECK(close_to(p, 255, 0, 0));
            else if (y < 20) CHECK(close_to(p, 0, 255, 0));
            else if (x < 20) CHECK(close_to(p, 0, 0, 255));
            else CHECK(close_to(p, 128, 128, 228));   // white at 128/255 over (0, 0, 200)
        }

    RasterScene tinted(ImVec2(8, 8));
    tinted.textures.set(id, SoftTexture{texels, 2, 2, SoftFilter::nearest});
    tinted.draw()->AddImage(id, ImVec2(0, 0), ImVec2(8, 8), ImVec2(0, 0), ImVec2(0.5f, 0.5f), IM_COL32(128, 255, 255, 255));
    CHECK(close_to(tinted.render().pixel(4, 4), 128, 0, 0));   // red texel x half-red vertex colour
}

TEST_CASE("soft_raster: triangles sharing an edge cover each pixel once (top-left rule)") {
    RasterScene scene(ImVec2(48, 48));
    ImDrawList* dl = scene.draw();
    dl->Flags &= ~ImDrawListFlags_AntiAliasedFill;   // no fringes: the bare triangles
    // A diamond split along its diagonal, translucent: a pixel drawn twice would come out redder.
    ImVec2 top(24, 4), right(44, 24), bottom(24, 44), left(4, 24);
    ImU32 half_red = IM_COL32(255, 0, 0, 128);
    dl->AddTriangleFilled(top, right, bottom, half_red);
    dl->AddTriangleFilled(top, bottom, left, half_red);
    SoftImage img = scene.render();
    int covered = 0;
    for (int y = 0; y < 48; ++y)
        for (int x = 0; x < 48; ++x) {
            const uint8_t* p = img.pixel(x, y);
            if (at(img, x, y) == kBackground) continue;
            ++covered;
            CHECK(close_to(p, 128, 0, 100));
        }
    CHECK(covered > 700);    // the diamond's area is 800
    CHECK(covered < 900);
    CHECK(close_to(img.pixel(24, 24), 128, 0, 100));   // on the shared diagonal
}

TEST_CASE("soft_raster: text leaves ink inside its box and nothing outside") {
    RasterScene scene(ImVec2(200, 40));
    const char* text = "Hello, attention";
    ImVec2 pos(10, 10), size = ImGui::CalcTextSize(text);
    scene.draw()->AddText(pos, IM_COL32(255, 255, 255, 255), text);
    SoftImage img = scene.render();
    int ink = 0, bright = 0, outside = 0;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x) {
            if (at(img, x, y) == kBackground) continue;
            bool inside = x >= pos.x - 1 && x < pos.x + size.x + 1 && y >= pos.y - 1 && y < pos.y + size.y + 1;
            ++(inside ? ink : outside);
            bright += img.pixel(x, y)[0] > 200;
        }
    CHECK(outside == 0);
    CHECK(ink > 100);
    CHECK(bright > 30);   // glyph stems are solid white, not a grey wash
}

TEST_CASE("soft_raster: display offset and framebuffer scale map like the GL projection") {
    RasterScene scene(ImVec2(32, 32));
    scene.draw()->AddRectFilled(ImVec2(4, 6), ImVec2(10, 8), IM_COL32(255, 0, 0, 255));
    SoftImage img = scene.render(2.0f);   // a retina-style 2x framebuffer
    REQUIRE(img.width == 64);
    int red = 0;
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x) {
            bool in = x >= 8 && x < 20 && y >= 12 && y < 16;
            CHECK((at(img, x, y) == IM_COL32(255, 0, 0, 255)) == in);
            red += in;
        }
    CHECK(red == 12 * 4);

    RasterScene shifted(ImVec2(32, 32));
    shifted.draw()->AddRectFilled(ImVec2(4, 6), ImVec2(10, 8), IM_COL32(255, 0, 0, 255));
    ImGui::Render();
    ImDrawData* dd = ImGui::GetDrawData();
    dd->DisplayPos = ImVec2(4, 6);   // the viewport starts where the rect does
    for (int n = 0; n < dd->CmdListsCount; ++n)
        for (ImDrawCmd& cmd : dd->CmdLists[n]->CmdBuffer) cmd.ClipRect = ImVec4(4, 6, 36, 38);
    SoftImage moved = soft_image_make(32, 32, kBackground);
    soft_raster(*dd, shifted.textures, moved);
    for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) CHECK((at(moved, x, y) == IM_COL32(255, 0, 0, 255)) == (x < 6 && y < 2));
}

TEST_CASE("soft_raster: an unregistered texture draws as white and is counted") {
    RasterScene scene(ImVec2(8, 8));
    scene.draw()->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(99)), ImVec2(0, 0), ImVec2(8, 8));
    ImGui::Render();
    SoftImage img = soft_image_make(8, 8, kBackground);
    SoftRasterStats stats = soft_raster(*ImGui::GetDrawData(), scene.textures, img);
    CHECK(stats.missing_textures == 1);
    CHECK(stats.rects == 1);
    CHECK(at(img, 4, 4) == IM_COL32(255, 255, 255, 255));
}

TEST_CASE("heatmap_colorize: colormap(value / vmax) per cell, masked future cells in the map's masked colour") {
    Trace t = make_synthetic_trace(1, 2, 9, true);
    HeatmapImage image;
    image.values = t.attentions.head(0, 1);
    image.rows = image.cols = 9;
    image.causal = true;
    std::vector<float> texels;
    int rows = 0, cols = 0;
    heatmap_cells(image, &texels, &rows, &cols);
    REQUIRE(rows == 9);
    for (Colormap map : {Colormap::viridis, Colormap::cividis}) {
        for (float vmax : {1.0f, 0.5f}) {
            std::vector<uint8_t> rgba(9 * 9 * 4);
            heatmap_colorize(texels.data(), 9, 9, map, vmax, rgba.data());
            for (int r = 0; r < 9; ++r)
                for (int c = 0; c < 9; ++c) {
                    const uint8_t* p = rgba.data() + (r * 9 + c) * 4;
                    ImU32 got = IM_COL32(p[0], p[1], p[2], p[3]);
                    ImU32 want = c > r ? colormap_masked_color(map)
                                       : colormap_color(colormap_table(map), image.values[r * 9 + c] / vmax);
                    CHECK(got == want);
                }
        }
    }
    std::vector<uint8_t> rgba(9 * 9 * 4);
    heatmap_colorize(texels.data(), 9, 9, Colormap::viridis, 1.0f, rgba.data());

    SoftTextures registry;
    CpuHeatmapTextures provider(&registry);
    image.key = 5;
    ImTextureID id = provider.heatmap_texture(0, image);
    REQUIRE(registry.find(id) != nullptr);
    CHECK(registry.find(id)->width == 9);
    CHECK(registry.find(id)->rgba[0] == rgba[0]);
    CHECK(provider.heatmap_texture(0, image) == id);
    CHECK(provider.colorized() == 1);   // same key: not coloured again
    image.key = 6;
    provider.heatmap_texture(0, image);
    CHECK(provider.colorized() == 2);
    image.colormap = Colormap::magma;   // a new map re-colours the same values
    provider.heatmap_texture(0, image);
    CHECK(provider.colorized() == 3);
}

TEST_CASE("heatmap_colorize: bad texels (and any NaN) in the bad colour, masked ones in the masked colour") {
    const std::vector<float> texels = {0.5f, kHeatmapBadTexel, kHeatmapMaskedTexel, std::nanf("")};
    std::vector<uint8_t> rgba(texels.size() * 4);
    for (Colormap map : kColormaps) {
        heatmap_colorize(texels.data(), 1, 4, map, 1.0f, rgba.data());
        CHECK(std::equal(rgba.begin() + 4, rgba.begin() + 8, kColormapBadRgba.begin()));
        CHECK(std::equal(rgba.begin() + 12, rgba.begin() + 16, kColormapBadRgba.begin()));
        const std::array<uint8_t, 4> masked = colormap_masked_rgba(map);
        CHECK(std::equal(rgba.begin() + 8, rgba.begin() + 12, masked.begin()));
        CHECK(!std::equal(rgba.begin(), rgba.begin() + 4, kColormapBadRgba.begin()));
    }
}
