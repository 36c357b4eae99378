// A temporary ImGui context (sharing the app's font atlas when there is one) renders two frames of
// app_frame in picture-only layout (the first lays out: auto-sized text, SameLine decisions), and the
// second frame's draw data is rasterised. The mouse is nowhere, so nothing is hovered; everything the
// frames may touch in App is saved and put back.
#include "ui/picture.h"

#include <cfloat>
#include <memory>

#include "imgui.h"
#include "ui/cpu_heatmap.h"
#include "ui/png_write.h"

namespace attn {

namespace {

// Puts back the current ImGui context and the App fields a picture frame writes, even when a frame
// throws (the tests turn IM_ASSERT into exceptions).
struct PictureScope {
    App& app;
    ImGuiContext* previous = ImGui::GetCurrentContext();
    ImGuiContext* context = nullptr;
    std::unique_ptr<ImFontAtlas> own_atlas;   // no app context: ours, outliving `context`
    TextureProvider* textures;
    MainView main_view;
    bool picture_only;
    Selection selection;
    HeadToggles line_heads;
    WidgetRects widgets;

    explicit PictureScope(App& a)
        : app(a), textures(a.config.textures), main_view(a.main_view), picture_only(a.picture_only),
          selection(a.selection), line_heads(a.line_heads), widgets(a.widgets) {}
    ~PictureScope() {
        app.config.textures = textures;
        app.main_view = main_view;
        app.picture_only = picture_only;
        app.selection = selection;
        app.line_heads = line_heads;
        app.widgets = widgets;
        if (context) {
            ImGui::SetCurrentContext(context);
            ImGui::DestroyContext(context);
        }
        ImGui::SetCurrentContext(previous);
    }
};

}  // namespace

Picture picture_render(App& app, MainView view, int width, int height, int scale) {
    Picture picture;
    if (!picture_fits(width, height, scale)) return picture;
    PictureScope scope(app);

    // The style of the app's context when there is one (same theme), and its atlas too at 1x (same
    // glyphs). Otherwise, and at 2x or 4x, our own atlas at scale times the font size, shown at
    // 1/scale: the layout is the 1x layout, the glyphs are rasterised for the bigger canvas.
    ImFontAtlas* atlas = nullptr;
    ImGuiStyle style;
    float font_scale = 1.0f;
    std::vector<ImWchar> ranges;   // read when the atlas is baked below
    if (scope.previous) {
        style = ImGui::GetStyle();
        font_scale = ImGui::GetIO().FontGlobalScale;
    } else {
        app_style_apply(app, style);
    }
    if (scope.previous && scale == 1) {
        atlas = ImGui::GetIO().Fonts;
    } else {
        scope.own_atlas = std::make_unique<ImFontAtlas>();
        atlas = scope.own_atlas.get();
        app_collect_glyphs(app);   // the text's characters, before the atlas is baked
        ranges = app_font_ranges(app.glyphs);
        app_fonts_add(app.config, app.font_size * scale, *atlas, ranges.data());
        font_scale /= static_cast<float>(scale);
    }
    unsigned char* atlas_pixels = nullptr;
    int atlas_w = 0, atlas_h = 0;
    atlas->GetTexDataAsRGBA32(&atlas_pixels, &atlas_w, &atlas_h);
    SoftTextures textures;
    textures.set(atlas->TexID, SoftTexture{atlas_pixels, atlas_w, atlas_h, SoftFilter::linear});
    CpuHeatmapTextures heatmaps(&textures);

    scope.context = ImGui::CreateContext(atlas);
    ImGui::SetCurrentContext(scope.context);
    ImGui::GetStyle() = style;
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
    io.DeltaTime = 1.0f / 60.0f;
    io.FontGlobalScale = font_scale;
    io.DisplayFramebufferScale = ImVec2(static_cast<float>(scale), static_cast<float>(scale));
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;   // the rasteriser honours VtxOffset

    app.config.textures = &heatmaps;
    app.main_view = view;
    app.picture_only = true;
    for (int frame = 0; frame < 2; ++frame) {
        ImGui::NewFrame();
        app_frame(app);
        ImGui::Render();
    }
    // The theme's window colour, opaque, as the app's frame clears to it: the main view's window draws
    // no background of its own (app_frame's fixed panels).
    picture.image = soft_image_make(width * scale, height * scale, ImGui::GetColorU32(ImGuiCol_WindowBg) | IM_COL32_A_MASK);
    picture.stats = soft_raster(*ImGui::GetDrawData(), textures, picture.image);
    picture.widgets = app.widgets;
    return picture;
}

Bytes picture_png(App& app, MainView view, int width, int height, int scale) {
    Picture picture = picture_render(app, view, width, height, scale);
    if (picture.image.rgba.empty()) return {};
    return png_encode_rgba(picture.image.rgba.data(), picture.image.width, picture.image.height);
}

}  // namespace attn
