// The head grid, pinning, token chips, the inspector and the colour scale, driven through the app's
// real frames: 12 layers x 12 heads x T=256 within 16-bit draw lists, a click on a recorded tile
// opens that head in the heatmap, rows and chips pin and unpin, hovering a chip sets the shared hover,
// and the colormap / vmax the views choose reach the TextureProvider.
#include <doctest/doctest.h>

#include <algorithm>

#include "imgui_internal.h"
#include "platform/file_io.h"
#include "tests/fixture_path.h"
#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "ui/heatmap_cells.h"

using namespace attn;

namespace {

// Esc down for one frame, then up (ImGui 1.86: keys through io.KeyMap / io.KeysDown).
void press_escape(UiHarness& ui) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyMap[ImGuiKey_Escape] = 256;
    io.KeysDown[256] = true;
    ui.frame();
    io.KeysDown[256] = false;
    ui.frame();
}

// A point over the main heatmap's cell (q, k). Found by sweeping: the hover the view reports under the
// mouse is the ground truth. Steps of 12 px: the cells of the 12-token trace it is used on are tens of
// pixels wide (6 px steps took 11 s of frames under the sanitisers).
ImVec2 find_cell(UiHarness& ui, int q, int k, ImVec2 display) {
    for (float y = 0; y < display.y; y += 12)
        for (float x = 0; x < display.x; x += 12) {
            ui.frame(ImVec2(x, y));
            if (ui.app.selection.hover_query == q && ui.app.selection.hover_key == k) return ImVec2(x, y);
        }
    return ImVec2(-1, -1);
}

}  // namespace

TEST_CASE("ui smoke: head grid at 12 layers x 12 heads x T=256") {
    const ImVec2 display(1400, 900);
    for (bool causal : {true, false})
        for (bool auto_scale : {false, true}) {
            CAPTURE(causal);
            CAPTURE(auto_scale);
            UiHarness ui(display);
            ui.app.main_view = MainView::grid;
            ui.app.selection.auto_scale = auto_scale;
            app_show_trace(ui.app, make_synthetic_trace(12, 12, 256, causal), 1.0);
            CHECK(ui.frame() < 65536);
            // 9.4 M weights: the tiles come over a few frames (test_grid_tiles.cpp), blank until made.
            for (int frames = 0; !ui.app.grid_tiles.complete() && frames < 200; ++frames) ui.frame();
            REQUIRE(ui.app.grid_tiles.complete());
            CHECK(ui.frame() < 65536);
            REQUIRE(ui.app.widgets.grid_tiles.size() == 144);
            // One slot per tile, thumbnails pooled to 64 x 64 texels.
            for (int i = 0; i < 144; ++i) {
                REQUIRE(ui.textures.slots.count(kSlotGridTiles + i) == 1);
                const NullTextures::SlotRecord& r = ui.textures.slots[kSlotGridTiles + i];
                CHECK(r.texel_rows == 64);
                CHECK(r.texel_cols == 64);
                CHECK(r.uploads == 1);
            }
            for (int iy = 0; iy < 6; ++iy)
                for (int ix = 0; ix < 6; ++ix)
                    CHECK(ui.frame(ImVec2(display.x * (ix + 0.5f) / 6, display.y * (iy + 0.5f) / 6)) < 65536);
            // Frames do not re-send tiles: only the hover preview slot changes.
            for (int i = 0; i < 144; ++i) CHECK(ui.textures.slots[kSlotGridTiles + i].uploads == 1);
            // Tiles are laid out as L rows x H columns, non-overlapping, left to right, top to bottom.
            const auto& t = ui.app.widgets.grid_tiles;
            CHECK(t[1][0] > t[0][0] + t[0][2] - 0.5f);
            CHECK(t[12][1] > t[0][1] + t[0][3] - 0.5f);
            CHECK(t[143][0] + t[143][2] <= display.x);
            CHECK(t[143][1] + t[143][3] <= display.y);
            if (auto_scale) {
                const AttentionTensor& a = ui.app.trace.attentions;
                HeatmapImage image;
                image.values = a.head(5, 7);
                image.rows = image.cols = 256;
                image.causal = causal;
                CHECK(ui.textures.slots[kSlotGridTiles + 5 * 12 + 7].image.vmax == heatmap_max(image));
            } else {
                CHECK(ui.textures.slots[kSlotGridTiles + 5 * 12 + 7].image.vmax == 1.0f);
            }
        }
}

TEST_CASE("ui smoke: clicking a grid tile selects that head and opens the heatmap") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.main_view = MainView::grid;
    app_show_trace(ui.app, make_synthetic_trace(4, 6, 20, true), 0.2);
    ui.frame();
    REQUIRE(ui.app.widgets.grid_tiles.size() == 24);
    ImVec2 at = center(ui.app.widgets.grid_tiles[2 * 6 + 3]);
    ui.frame(at);   // hover: the preview uses its own slot, the selection does not move yet
    CHECK(ui.app.selection.layer == 0);
    CHECK(ui.app.main_view == MainView::grid);
    CHECK(ui.textures.slots.count(kSlotGridPreview) == 1);
    CHECK(ui.textures.slots[kSlotGridPreview].image.values == ui.app.trace.attentions.head(2, 3));
    ui.click(at);
    CHECK(ui.app.selection.layer == 2);
    CHECK(ui.app.selection.head == 3);
    CHECK(ui.app.main_view == MainView::heatmap);
    ui.frame();
    CHECK(ui.textures.slots[kSlotHeatmap].image.values == ui.app.trace.attentions.head(2, 3));
}

TEST_CASE("ui smoke: head grid on bart-tiny encoder, decoder and cross attention") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.main_view = MainView::grid;
    ui.app.text = "The animal didn't cross the street because it was too tired.";
    ui.app.target = "The animal was tired.";
    ui.load_fixture("bart-tiny");
    for (AttentionKind kind : {AttentionKind::self, AttentionKind::decoder, AttentionKind::cross}) {
        CAPTURE(attention_kind_name(kind));
        ui.app.selection.kind = kind;
        CHECK(ui.frame() < 65536);
        const AttentionTensor& a = *attention_view(ui.app.trace, kind).attention;
        REQUIRE(ui.app.widgets.grid_tiles.size() == static_cast<size_t>(a.n_layer * a.n_head));
        // The last tile holds the last head's cells, the future tokens masked in the decoder's.
        const NullTextures::SlotRecord& r = ui.textures.slots[kSlotGridTiles + a.n_layer * a.n_head - 1];
        CHECK(r.image.texels);
        CHECK(r.image.rows == a.n_query);
        CHECK(r.image.cols == a.n_key);
        REQUIRE(r.values.size() == static_cast<size_t>(a.n_query) * a.n_key);
        const float* last = a.head(a.n_layer - 1, a.n_head - 1);
        for (int q = 0; q < a.n_query; ++q)
            for (int k = 0; k < a.n_key; ++k) {
                const bool masked = kind == AttentionKind::decoder && k > q;
                CHECK(r.values[static_cast<size_t>(q) * a.n_key + k] == (masked ? kHeatmapMaskedTexel : last[q * a.n_key + k]));
            }
        CHECK(ui.frame(center(ui.app.widgets.grid_tiles[0])) < 65536);
    }
    // Source and target chips: in cross attention a target chip is a query, a source chip a key.
    ui.app.selection.kind = AttentionKind::cross;
    ui.frame();
    REQUIRE(ui.app.widgets.chips.size() == static_cast<size_t>(ui.app.trace.tokens.size()));
    REQUIRE(ui.app.widgets.target_chips.size() == static_cast<size_t>(ui.app.trace.decoder_tokens.size()));
    ui.frame(center(ui.app.widgets.target_chips[2]));
    CHECK(ui.app.selection.hover_query == 2);
    CHECK(ui.app.selection.hover_key == -1);
    ui.frame(center(ui.app.widgets.chips[4]));
    CHECK(ui.app.selection.hover_query == -1);
    CHECK(ui.app.selection.hover_key == 4);
    ui.click(center(ui.app.widgets.chips[4]));
    CHECK(ui.app.selection.pinned_query == -1);   // a source token is no row of cross attention
    ui.click(center(ui.app.widgets.target_chips[2]));
    CHECK(ui.app.selection.pinned_query == 2);
}

TEST_CASE("ui smoke: clicking a heatmap row pins it; again or Esc unpins") {
    const ImVec2 display(1280, 800);
    UiHarness ui(display);
    app_show_trace(ui.app, make_synthetic_trace(2, 4, 12, true), 0.2);
    ui.frame();
    ImVec2 cell = find_cell(ui, 7, 3, display);
    REQUIRE(cell.x >= 0);
    CHECK(ui.app.selection.pinned_query == -1);
    ui.click(cell);
    CHECK(ui.app.selection.pinned_query == 7);
    ui.frame();   // the mouse gone: the pin stays
    CHECK(ui.app.selection.pinned_query == 7);
    CHECK(ui.app.selection.hover_query == -1);
    ui.click(cell);
    CHECK(ui.app.selection.pinned_query == -1);
    ui.click(cell);
    REQUIRE(ui.app.selection.pinned_query == 7);
    press_escape(ui);
    CHECK(ui.app.selection.pinned_query == -1);
    // A row label pins too (left of the cells, same row).
    ImVec2 label(-1, -1);
    for (float x = cell.x; x > 0 && label.x < 0; x -= 4) {
        ui.frame(ImVec2(x, cell.y));
        if (ui.app.selection.hover_query == 7 && ui.app.selection.hover_key == -1) label = ImVec2(x, cell.y);
    }
    REQUIRE(label.x >= 0);
    ui.click(label);
    CHECK(ui.app.selection.pinned_query == 7);
    // A shorter trace drops a pin that no longer exists.
    app_show_trace(ui.app, make_synthetic_trace(2, 4, 5, true), 0.2);
    CHECK(ui.app.selection.pinned_query == -1);
}

TEST_CASE("ui smoke: token chips hover and pin; the inspector follows the focused token") {
    UiHarness ui(ImVec2(1280, 800));
    const int T = 40;
    app_show_trace(ui.app, make_synthetic_trace(3, 4, T, true), 0.2);
    ui.frame();
    REQUIRE(ui.app.widgets.chips.size() == static_cast<size_t>(T));
    // Inspector with nothing pinned or hovered: the last token, (L * H) strips over all its keys.
    const NullTextures::SlotRecord& strips = ui.textures.slots[kSlotInspector];
    CHECK(strips.image.rows == 3 * 4);
    CHECK(strips.image.cols == T);
    CHECK(strips.values[1 * T + 5] == ui.app.trace.attentions.at(0, 1, T - 1, 5));

    ImVec2 chip = center(ui.app.widgets.chips[6]);
    ui.frame(chip);
    CHECK(ui.app.selection.hover_query == 6);
    CHECK(ui.app.selection.hover_key == 6);
    // A causal token sees keys 0..6 only: the strips stop there.
    CHECK(ui.textures.slots[kSlotInspector].image.cols == 7);
    CHECK(ui.textures.slots[kSlotInspector].values[(2 * 4 + 3) * 7 + 4] == ui.app.trace.attentions.at(2, 3, 6, 4));
    ui.click(chip);
    CHECK(ui.app.selection.pinned_query == 6);
    ui.frame(center(ui.app.widgets.chips[9]));   // hover elsewhere: the pinned token stays in focus
    CHECK(ui.app.selection.hover_query == 9);
    CHECK(ui.textures.slots[kSlotInspector].image.cols == 7);
    ui.click(chip);
    CHECK(ui.app.selection.pinned_query == -1);
    // Chips wrap inside the panel.
    for (const auto& r : ui.app.widgets.chips) CHECK(r[0] + r[2] <= 1280 * 0.28f + 1.0f);
}

namespace {

// The chip box's own window (a child of the input panel) as the last frame drew it.
ImGuiWindow* chip_box() {
    for (ImGuiWindow* w : GImGui->Windows)
        if (std::string(w->Name).find("##chips") != std::string::npos) return w;
    return nullptr;
}

}  // namespace

TEST_CASE("ui smoke: the chip box draws only the chips it shows, and a scrolled-to chip still hovers and pins") {
    UiHarness ui(ImVec2(1280, 800));
    int vertices[2] = {0, 0};
    for (int pass = 0; pass < 2; ++pass) {
        const int T = pass == 0 ? 60 : 600;   // both fill the box's six rows
        app_show_trace(ui.app, make_synthetic_trace(2, 2, T, true), 0.2);
        ui.frame();
        ui.frame();
        REQUIRE(ui.app.widgets.chips.size() == static_cast<size_t>(T));   // every chip's place is recorded
        REQUIRE(chip_box());
        vertices[pass] = chip_box()->DrawList->VtxBuffer.Size;
    }
    // Ten times the tokens, the same six rows on screen: about the same vertices (drawing all 600 made 5 times as many).
    CHECK(vertices[1] < vertices[0] * 3 / 2);
    // Scrolled to the end, the last chips are drawn and answer the pointer.
    ImGui::SetScrollY(chip_box(), chip_box()->ScrollMax.y);
    ui.frame();
    ui.frame();
    const auto& last = ui.app.widgets.chips[590];
    const ImGuiWindow* box = chip_box();
    REQUIRE(last[1] >= box->InnerClipRect.Min.y);
    REQUIRE(last[1] + last[3] <= box->InnerClipRect.Max.y);
    ui.frame(center(last));
    CHECK(ui.app.selection.hover_query == 590);
    ui.click(center(last));
    CHECK(ui.app.selection.pinned_query == 590);
}

TEST_CASE("ui smoke: colormap and scale reach the texture provider") {
    UiHarness ui(ImVec2(1280, 800));
    app_show_trace(ui.app, make_synthetic_trace(2, 3, 30, true), 0.2);
    ui.frame();
    NullTextures::SlotRecord& main = ui.textures.slots[kSlotHeatmap];
    CHECK(main.image.colormap == Colormap::viridis);
    CHECK(main.image.vmax == 1.0f);
    CHECK(main.uploads == 1);
    CHECK(main.colorings == 1);
    ui.app.selection.colormap = Colormap::inferno;
    ui.frame();
    CHECK(main.image.colormap == Colormap::inferno);
    CHECK(ui.textures.slots[kSlotInspector].image.colormap == Colormap::inferno);
    CHECK(main.uploads == 1);      // a new colormap re-colours, it does not re-send the values
    CHECK(main.colorings == 2);

    ui.app.selection.layer = 1;
    ui.app.selection.head = 2;
    ui.app.selection.auto_scale = true;
    ui.frame();
    const AttentionTensor& a = ui.app.trace.attentions;
    float expect = 0.0f;
    for (int q = 1; q < 30; ++q)
        for (int k = 0; k <= q; ++k) expect = std::max(expect, a.at(1, 2, q, k));
    CHECK(main.image.vmax == expect);
    CHECK(main.image.vmax < 1.0f);
    CHECK(main.uploads == 2);
    ui.frame();
    CHECK(main.colorings == 3);    // steady frames neither re-send nor re-colour
    ui.app.selection.auto_scale = false;
    ui.frame();
    CHECK(main.image.vmax == 1.0f);
    CHECK(main.uploads == 2);
    CHECK(main.colorings == 4);
}

TEST_CASE("ui smoke: grid, chips and inspector at small windows and tiny traces") {
    for (ImVec2 display : {ImVec2(320, 240), ImVec2(1024, 768)})
        for (int T : {1, 2, 7})
            for (MainView view : {MainView::grid, MainView::heatmap}) {
                CAPTURE(display.x);
                CAPTURE(T);
                CAPTURE(main_view_name(view));
                UiHarness ui(display);
                ui.app.main_view = view;
                ui.app.selection.auto_scale = T == 2;
                app_show_trace(ui.app, make_synthetic_trace(3, 5, T, T != 7), 0.1);
                ui.app.selection.pinned_query = T - 1;
                for (int iy = 0; iy < 5; ++iy)
                    for (int ix = 0; ix < 5; ++ix)
                        CHECK_NOTHROW(CHECK(ui.frame(ImVec2(display.x * (ix + 0.5f) / 5, display.y * (iy + 0.5f) / 5)) < 65536));
            }
}
