// Pictures of the app's main view, headlessly: the app's own app_frame in picture-only layout, drawn by
// the software rasteriser with CPU heatmap textures. Used for PNG export (desktop and page, between
// frames) and `attnscope-cli render`. It never re-implements a view: whatever app_frame draws for
// `view` is the picture.
//
//   Bytes png = picture_png(app, MainView::heatmap, 1600, 1000);      // empty: width or height < 1
//   Bytes slide = picture_png(app, MainView::heatmap, 800, 500, 2);   // 1600 x 1000, sharp text
//
// Works with no ImGui context (the CLI: it builds a font atlas from app.config.fonts) and while the
// app's own context is current (it borrows that context's atlas and style, then restores it). The
// app's selection, view, widget rects and texture provider are left as they were. Call it between
// frames, never from inside app_frame (it runs app_frame itself): an Export button sets a flag and the
// platform loop renders the picture after ImGui::Render().
#pragma once
#include "core/file_set.h"
#include "ui/app.h"
#include "ui/soft_raster.h"

namespace attn {

struct Picture {
    SoftImage image;
    WidgetRects widgets;     // where the picture's widgets landed (e.g. the heatmap's cells)
    SoftRasterStats stats;
};
// The picture is laid out at width x height and drawn at `scale` times that (1, 2, 4...): the font
// atlas is built at scale times the font size, so 2x text is sharp, not stretched; widget rects stay
// in layout units. Empty when a side is < 1, scale < 1 or the image would pass kMaxPicturePixels.
Picture picture_render(App& app, MainView view, int width, int height, int scale = 1);
Bytes picture_png(App& app, MainView view, int width, int height, int scale = 1);

// 6400 x 4000 (a 1600 x 1000 picture at 4x): about 100 MB of RGBA, which a page can still afford.
constexpr long long kMaxPicturePixels = 6400LL * 4000LL;
inline bool picture_fits(int width, int height, int scale) {
    return width >= 1 && height >= 1 && scale >= 1 &&
           static_cast<long long>(width) * height * scale * scale <= kMaxPicturePixels;
}

}  // namespace attn
