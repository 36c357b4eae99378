// Pictures of the app's views: picture_png decodes (stb_image) to the requested size, the centre of
// every heatmap cell is colormap(value) (masked cells grey) where the app says its cells are, and the
// app is left as it was: same ImGui context, selection, widget rects and texture provider, with no
// hover leaking in from the app's last frame. Also with no ImGui context at all (the CLI's case).
#include <doctest/doctest.h>

#include <cstring>

#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "ui/colormap.h"
#include "ui/picture.h"
#include "ui/png_write.h"

using namespace attn;

namespace {

struct Decoded {
    int width = 0, height = 0;
    std::vector<uint8_t> rgba;
};

Decoded png_decode(const Bytes& png) {
    Decoded d;
    int channels = 0;
    stbi_uc* pixels = stbi_load_from_memory(png.data(), static_cast<int>(png.size()), &d.width, &d.height, &channels, 4);
    if (pixels) d.rgba.assign(pixels, pixels + static_cast<size_t>(d.width) * d.height * 4);
    stbi_image_free(pixels);
    return d;
}

ImU32 pixel(const Decoded& d, float x, float y) {
    const uint8_t* p = d.rgba.data() + (static_cast<size_t>(y) * d.width + static_cast<size_t>(x)) * 4;
    return IM_COL32(p[0], p[1], p[2], p[3]);
}

// Every cell centre of the shown head against the colormap; returns how many cells were checked.
int check_cells(const Decoded& img, const std::array<float, 4>& grid, const AttentionTensor& a, int layer, int head) {
    const int T = a.n_query, S = a.n_key;
    const float* probs = a.head(layer, head);
    int checked = 0;
    for (int t = 0; t < T; ++t)
        for (int s = 0; s < S; ++s) {
            float x = grid[0] + grid[2] * (s + 0.5f) / S, y = grid[1] + grid[3] * (t + 0.5f) / T;
            bool masked = a.causal && s > t + (S - T);
            ImU32 want = masked ? colormap_masked_color(Colormap::viridis)
                                : colormap_color(colormap_viridis(), probs[t * S + s]);
            CHECK_MESSAGE(pixel(img, x, y) == want, "cell (" << t << ", " << s << ")");
            ++checked;
        }
    return checked;
}

bool is_flat(const Decoded& d) {
    for (size_t i = 4; i < d.rgba.size(); i += 4)
        if (std::memcmp(&d.rgba[i], &d.rgba[0], 4) != 0) return false;
    return true;
}

}  // namespace

TEST_CASE("picture_png: heatmap cells are colormap(value) at the app's grid rect, size as asked") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.model_name = "synthetic";
    app_show_trace(ui.app, make_synthetic_trace(3, 4, 12, true), 0.1);
    ui.app.selection.layer = 2;
    ui.app.selection.head = 1;
    ui.frame();
    ui.frame(ImVec2(700, 400));   // the app's last frame hovers its heatmap: the picture must not
    const Selection before = ui.app.selection;
    const WidgetRects widgets_before = ui.app.widgets;
    ImGuiContext* context = ImGui::GetCurrentContext();
    TextureProvider* provider = ui.app.config.textures;

    Bytes png = picture_png(ui.app, MainView::heatmap, 900, 640);
    Picture picture = picture_render(ui.app, MainView::heatmap, 900, 640);
    Decoded img = png_decode(png);
    REQUIRE(img.width == 900);
    REQUIRE(img.height == 640);
    CHECK(img.rgba == picture.image.rgba);   // the PNG is the rendered image, losslessly
    CHECK(picture.stats.missing_textures == 0);
    const std::array<float, 4> grid = picture.widgets.heatmap_grid;
    REQUIRE(grid[2] > 12.0f);
    REQUIRE(grid[0] + grid[2] <= 900.0f);
    REQUIRE(grid[1] + grid[3] <= 640.0f);
    CHECK(check_cells(img, grid, ui.app.trace.attentions, 2, 1) == 12 * 12);
    CHECK(pixel(img, 2, 636) == pixel(img, 897, 636));   // nothing but background in the bottom corners

    // The app is as it was, and its next frame still works in its own context.
    CHECK(ImGui::GetCurrentContext() == context);
    CHECK(ui.app.config.textures == provider);
    CHECK(ui.app.main_view == MainView::heatmap);
    CHECK(!ui.app.picture_only);
    CHECK(ui.app.selection.hover_query == before.hover_query);
    CHECK(ui.app.selection.hover_key == before.hover_key);
    CHECK(ui.app.widgets.heatmap_grid == widgets_before.heatmap_grid);
    CHECK(ui.frame() > 0);
}

TEST_CASE("picture_png: every main view renders at its size, and not as one flat colour") {
    UiHarness ui(ImVec2(1024, 768));
    app_show_trace(ui.app, make_synthetic_trace(2, 4, 24, true), 0.1);
    ui.frame();
    for (MainView view : kMainViews) {
        CAPTURE(main_view_name(view));
        Decoded img = png_decode(picture_png(ui.app, view, 640, 400));
        REQUIRE(img.width == 640);
        REQUIRE(img.height == 400);
        CHECK(!is_flat(img));
        // Opaque everywhere: the view's window draws no background of its own (app_frame), the picture
        // starts filled with the theme's window colour at full alpha, as the app's frame clears to it.
        size_t translucent = 0;
        for (size_t i = 3; i < img.rgba.size(); i += 4) translucent += img.rgba[i] != 255;
        CHECK(translucent == 0);
        ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
        bg.w = 1.0f;
        CHECK(pixel(img, 639, 399) == ImGui::ColorConvertFloat4ToU32(bg));
    }
    CHECK(ui.app.main_view == MainView::heatmap);
    CHECK(picture_png(ui.app, MainView::heatmap, 0, 10).empty());
}

TEST_CASE("picture_png: works with no ImGui context (the CLI) and leaves none behind") {
    REQUIRE(ImGui::GetCurrentContext() == nullptr);
    App app;
    app.config.fonts = test_fonts();
    app.config.font_size = 18.0f;
    app_show_trace(app, make_synthetic_trace(2, 2, 7, false), 0.1);
    app.selection.head = 1;
    Picture picture = picture_render(app, MainView::heatmap, 700, 500);
    CHECK(ImGui::GetCurrentContext() == nullptr);
    REQUIRE(picture.image.width == 700);
    Decoded img = png_decode(png_encode_rgba(picture.image.rgba.data(), picture.image.width, picture.image.height));
    CHECK(check_cells(img, picture.widgets.heatmap_grid, app.trace.attentions, 0, 1) == 7 * 7);
    app_shutdown(app);
}
