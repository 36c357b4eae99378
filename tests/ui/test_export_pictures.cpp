// Slide-ready pictures: the PNG at 1x/2x/4x is the same layout with sharper pixels, carries its title
// and colorbar, and draws no control (combo, checkbox, slider, button) in any view; the SVG writer
// escapes what it writes; CSV/JSON carry ids and raw pieces beside the labels.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "ui/colormap.h"
#include "ui/picture.h"
#include "ui/picture_title.h"
#include "ui/soft_raster.h"
#include "ui/svg_export.h"
#include "ui/svg_writer.h"

using namespace attn;

namespace {

const uint8_t* at(const SoftImage& img, float x, float y) { return img.pixel(static_cast<int>(x), static_cast<int>(y)); }

int distance(const uint8_t* p, ImU32 c) {
    const int r = c & 0xFF, g = (c >> 8) & 0xFF, b = (c >> 16) & 0xFF;
    return std::max({std::abs(p[0] - r), std::abs(p[1] - g), std::abs(p[2] - b)});
}

// The nearest colormap entry's distance: a colorbar pixel is a blend of two neighbouring entries.
int distance_to_colormap(const uint8_t* p, Colormap c) {
    int best = 255;
    for (int i = 0; i < 256; ++i) best = std::min(best, distance(p, colormap_color(colormap_table(c), i / 255.0f)));
    return best;
}

// Controls are drawn with these style colours; the test paints them magenta so any control shows.
void paint_controls_magenta(ImGuiStyle& style) {
    for (ImGuiCol c : {ImGuiCol_FrameBg, ImGuiCol_FrameBgHovered, ImGuiCol_FrameBgActive, ImGuiCol_Button,
                       ImGuiCol_ButtonHovered, ImGuiCol_ButtonActive, ImGuiCol_CheckMark, ImGuiCol_SliderGrab,
                       ImGuiCol_SliderGrabActive})
        style.Colors[c] = ImVec4(1.0f, 0.0f, 1.0f, 1.0f);
}

// Magenta, or magenta blended over the background (the scale controls draw their frames at 60%), in
// the rows from y0 down.
int magenta_pixels(const SoftImage& img, int y0 = 0) {
    int n = 0;
    for (int y = std::max(0, y0); y < img.height; ++y)
        for (int x = 0; x < img.width; ++x) {
            const uint8_t* p = img.pixel(x, y);
            n += p[0] > 110 && p[2] > 110 && p[1] < 45 && std::abs(p[0] - p[2]) < 25;
        }
    return n;
}

// Pixels in the rows [y0, y1) that differ from the top-left background pixel.
int ink_in_rows(const SoftImage& img, int y0, int y1) {
    int n = 0;
    for (int y = y0; y < y1 && y < img.height; ++y)
        for (int x = 0; x < img.width; ++x) n += std::memcmp(img.pixel(x, y), img.pixel(0, 0), 3) != 0;
    return n;
}

}  // namespace

TEST_CASE("picture at 1x, 2x, 4x: same layout, scale times the pixels, cells and colorbar from the colormap") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.model_name = "synthetic";
    ui.app.text = "The animal didn't cross";
    app_show_trace(ui.app, make_synthetic_trace(2, 3, 9, true), 0.1);
    ui.app.selection.layer = 1;
    ui.app.selection.head = 2;
    ui.frame();
    const float fs = ui.app.font_size;
    std::array<float, 4> grid_1x{};
    for (int scale : kPictureScales) {
        CAPTURE(scale);
        Picture p = picture_render(ui.app, MainView::heatmap, 600, 400, scale);
        REQUIRE(p.image.width == 600 * scale);
        REQUIRE(p.image.height == 400 * scale);
        CHECK(p.stats.missing_textures == 0);
        const std::array<float, 4> grid = p.widgets.heatmap_grid;   // layout units: the same at every scale
        if (scale == 1) grid_1x = grid;
        CHECK(grid == grid_1x);
        // Cell centres are colormap(weight) at scale times their layout position.
        const AttentionTensor& a = ui.app.trace.attentions;
        const int T = a.n_query;
        for (int t = 0; t < T; ++t)
            for (int s = 0; s <= t; ++s) {
                const float x = (grid[0] + grid[2] * (s + 0.5f) / T) * scale, y = (grid[1] + grid[3] * (t + 0.5f) / T) * scale;
                CHECK_MESSAGE(distance(at(p.image, x, y), colormap_color(colormap_viridis(), a.at(1, 2, t, s))) == 0,
                              "cell " << t << "," << s);
            }
        // The colorbar right of the cells: its top is the map's brightest colour, and every pixel down
        // the bar's middle is (a blend of neighbouring entries of) the colormap.
        const float bar_x = (grid[0] + grid[2] + fs * 1.2f + fs * 0.5f) * scale;
        CHECK(distance(at(p.image, bar_x, (grid[1] + 1.0f) * scale), colormap_color(colormap_viridis(), 1.0f)) <= 8);
        for (float y = grid[1] + 1.0f; y < grid[1] + grid[3] - 1.0f; y += 3.0f)
            CHECK_MESSAGE(distance_to_colormap(at(p.image, bar_x, y * scale), Colormap::viridis) <= 3, "bar at y " << y);
        // The title row above the picture: the caption's text is there.
        CHECK(ink_in_rows(p.image, 0, static_cast<int>(fs * 2.5f * scale)) > 50 * scale * scale);
    }
    CHECK(picture_render(ui.app, MainView::heatmap, 6400, 4000, 2).image.rgba.empty());   // over kMaxPicturePixels
    CHECK(picture_png(ui.app, MainView::heatmap, 600, 400, 0).empty());
}

TEST_CASE("pictures draw no controls in any view at any scale, while the screen does") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.model_name = "synthetic";
    app_show_trace(ui.app, make_synthetic_trace(2, 4, 10, true), 0.1);
    paint_controls_magenta(ImGui::GetStyle());
    for (MainView view : kMainViews) {
        CAPTURE(main_view_name(view));
        // The screen: the view's controls (colormap combo, Auto scale, head checkboxes, threshold slider).
        ui.app.main_view = view;
        ui.frame();
        ui.frame();
        SoftImage screen = soft_image_make(1280, 800, IM_COL32(0, 0, 0, 255));
        soft_raster(*ImGui::GetDrawData(), SoftTextures{}, screen);
        // Below the toolbar and the view switch: the view's own controls only.
        CHECK(magenta_pixels(screen, static_cast<int>(ui.app.widgets.main_view[1] + ui.app.font_size * 2.5f)) > 100);
        for (int scale : kPictureScales) {
            CAPTURE(scale);
            Picture p = picture_render(ui.app, view, 700, 450, scale);
            REQUIRE(p.image.width == 700 * scale);
            CHECK(magenta_pixels(p.image) == 0);
        }
    }
}

TEST_CASE("picture_title: model, view, layer and head, heads drawn, kind and the elided text") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.model_name = "gpt2-tiny";
    ui.app.text = std::string("first line\nsecond ") + std::string(200, 'x');
    app_show_trace(ui.app, make_synthetic_trace(2, 4, 6, true), 0.1);
    ui.app.selection.layer = 1;
    ui.app.selection.head = 3;
    PictureTitle t = picture_title(ui.app, MainView::heatmap);
    CHECK(t.heading == "gpt2-tiny  \xC2\xB7  heatmap  \xC2\xB7  layer 1, head 3");
    CHECK(t.text.find("first line \xE2\x86\xB5 second") != std::string::npos);
    CHECK(t.text.find("\xE2\x80\xA6") != std::string::npos);   // cut, with an ellipsis
    CHECK(t.text.size() < 120);
    ui.app.line_heads.on = {1, 0, 1, 0};
    CHECK(picture_title(ui.app, MainView::lines).heading.find("layer 1, heads 0, 2") != std::string::npos);
    CHECK(picture_title(ui.app, MainView::grid).heading.find("2 layers \xC3\x97 4 heads") != std::string::npos);
    ui.app.flow.threshold = 0.25f;
    CHECK(picture_title(ui.app, MainView::flow).heading.find("edges from 0.25") != std::string::npos);
}

TEST_CASE("svg writer: XML-escaped UTF-8 text, invalid bytes replaced, control characters dropped") {
    CHECK(xml_escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
    CHECK(xml_escape("\xE5\x8A\xA8\xE7\x89\xA9") == "\xE5\x8A\xA8\xE7\x89\xA9");   // 动物 as is
    CHECK(xml_escape("x\xE6\xB3y") == "x\xEF\xBF\xBDy");                             // half a character
    CHECK(xml_escape(std::string("a\x01\nb", 4)) == "ab");
    CHECK(base64_encode(Bytes{'M', 'a', 'n'}) == "TWFu");
    CHECK(base64_encode(Bytes{'M', 'a'}) == "TWE=");
    CHECK(base64_encode(Bytes{'M'}) == "TQ==");
    CHECK(svg_num(12.5f) == "12.5");
    CHECK(svg_num(3.0f) == "3");
    CHECK(svg_color(0x440154) == "#440154");
    SvgWriter svg;
    svg.text(1, 2, "\xC2\xB7the", 12, "end");
    const std::string doc = svg.finish(10, 20, "t<1>");
    CHECK(doc.find("<title>t&lt;1&gt;</title>") != std::string::npos);
    CHECK(doc.find("text-anchor=\"end\">\xC2\xB7the</text>") != std::string::npos);
}

TEST_CASE("exports: CSV and JSON carry each token's id and raw piece beside its label") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "Hello, world";
    ui.load_fixture("gpt2-tiny");
    const TokenSeq& tokens = ui.app.trace.tokens;
    REQUIRE(tokens.size() == 3);   // Hello , Ġworld
    Expected<ExportFile> json = app_export_file(ui.app, ExportKind::json);
    REQUIRE(json.ok());
    nlohmann::json j = nlohmann::json::parse(json->bytes.begin(), json->bytes.end());
    REQUIRE(j["queries"].size() == 3u);
    for (int i = 0; i < 3; ++i) {
        CHECK(j["queries"][i]["id"] == tokens.ids[i]);
        CHECK(j["queries"][i]["piece"] == tokens.pieces[i]);
        CHECK(j["keys"][i]["piece"] == tokens.pieces[i]);
        CHECK(j["queries"][i]["label"] == token_label(tokens.pieces[i], PieceStyle::byte_level));
    }
    Expected<ExportFile> csv = app_export_file(ui.app, ExportKind::csv);
    REQUIRE(csv.ok());
    const std::string text(csv->bytes.begin(), csv->bytes.end());
    std::vector<std::string> lines;
    for (size_t a = 0, b; (b = text.find("\r\n", a)) != std::string::npos; a = b + 2) lines.push_back(text.substr(a, b - a));
    REQUIRE(lines.size() == 3u + 3u);
    std::string ids = ",,key id", pieces = ",,key piece";
    for (int i = 0; i < 3; ++i) {
        ids += "," + std::to_string(tokens.ids[i]);
        const std::string& p = tokens.pieces[i];
        pieces += "," + (p.find(',') != std::string::npos ? "\"" + p + "\"" : p);
    }
    CHECK(lines[0].rfind("query id,query piece,query \\ key,", 0) == 0);
    CHECK(lines[1] == ids);
    CHECK(lines[2] == pieces);
    CHECK(lines[3].rfind(std::to_string(tokens.ids[0]) + "," + tokens.pieces[0] + ",Hello,", 0) == 0);
}

TEST_CASE("svg_picture: a rect per cell up to kSvgMaxCellRects, one embedded PNG of the cells past it") {
    for (int T : {12, 130}) {
        CAPTURE(T);
        Trace trace = make_synthetic_trace(1, 2, T, true);
        SvgInput in;
        in.attention = &trace.attentions;
        in.queries = in.keys = &trace.tokens;
        in.piece_style = PieceStyle::byte_level;
        in.head = 1;
        in.title.heading = "synthetic";
        const std::string svg = svg_picture(in);
        REQUIRE(svg.rfind("<?xml", 0) == 0);
        size_t rects = 0;
        for (size_t at = svg.find("data-weight="); at != std::string::npos; at = svg.find("data-weight=", at + 1)) ++rects;
        const bool big = T * T > kSvgMaxCellRects;
        CHECK(rects == (big ? 0u : static_cast<size_t>(T * T)));
        CHECK((svg.find("id=\"cells-image\"") != std::string::npos) == big);
        // Every label is there, escaped: the split CJK byte piece and the emoji come through as text.
        CHECK(svg.find(">" + xml_escape(token_label(trace.tokens.pieces[5], PieceStyle::byte_level)) + "</text>") != std::string::npos);
        CHECK(svg.find("\xF0\x9F\x98\x80</text>") != std::string::npos);
    }
    SvgInput none;
    CHECK(svg_picture(none).empty());
}
