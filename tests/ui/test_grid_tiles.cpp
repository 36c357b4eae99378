// The head grid's tiles (ui/grid_tiles.h, ui/app_grid.h): every head's pooled texels equal the scalar
// pooling reference and its largest weight heatmap_max, however the work is stepped; a large trace's
// tiles come over several frames within the budget, blank and counted in the hint line until made;
// a new trace starts over; a picture makes them all at once.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include "tests/ui/drawn_text.h"
#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "ui/grid_tiles.h"
#include "ui/heatmap_cells.h"
#include "ui/picture.h"

using namespace attn;

namespace {

HeatmapImage full_head(const AttentionTensor& a, int i) {
    HeatmapImage image;
    image.values = a.head(i / a.n_head, i % a.n_head);
    image.rows = a.n_query;
    image.cols = a.n_key;
    image.causal = a.causal;
    image.max_side = kGridTileCells;
    return image;
}

}  // namespace

TEST_CASE("grid tiles: each head's pooled texels and largest weight, the same bits however they are stepped") {
    for (int T : {1, 20, 64, 65, 150})
        for (bool causal : {true, false}) {
            CAPTURE(T);
            CAPTURE(causal);
            Trace t = make_synthetic_trace(2, 3, T, causal);
            AttentionTensor& a = t.attentions;
            if (T > 1) a.probs[static_cast<size_t>(4) * T * T + T + 1] = NAN;   // head 4: a bad block
            for (int step : {1, 4, 100}) {
                CAPTURE(step);
                GridTiles tiles;
                grid_tiles_begin(tiles, a, 7);
                CHECK(tiles.key == 7);
                CHECK(tiles.heads_total == 6);
                CHECK(grid_tile(tiles, 0) == nullptr);
                int calls = 0;
                while (!tiles.complete()) {
                    const int before = tiles.heads_done;
                    grid_tiles_step(tiles, a, step);
                    CHECK(tiles.heads_done == std::min(6, before + step));
                    CHECK(grid_tile(tiles, tiles.heads_done) == nullptr);
                    ++calls;
                }
                CHECK(calls == (6 + step - 1) / step);
                for (int i = 0; i < 6; ++i) {
                    CAPTURE(i);
                    std::vector<float> want;
                    int rows = 0, cols = 0;
                    heatmap_cells_reference(full_head(a, i), &want, &rows, &cols);
                    CHECK(tiles.rows == rows);
                    CHECK(tiles.cols == cols);
                    CHECK(rows == std::min(T, (T + (T + 63) / 64 - 1) / ((T + 63) / 64)));
                    REQUIRE(grid_tile(tiles, i) != nullptr);
                    CHECK(std::memcmp(grid_tile(tiles, i), want.data(), want.size() * sizeof(float)) == 0);
                    CHECK(tiles.head_max[static_cast<size_t>(i)] == heatmap_max(full_head(a, i)));
                }
                const float* bad = grid_tile(tiles, 4);
                if (T > 1) CHECK(std::count(bad, bad + tiles.rows * tiles.cols, kHeatmapBadTexel) == 1);
            }
        }
    GridTiles tiles;   // no attention: nothing to make
    grid_tiles_begin(tiles, AttentionTensor{}, 3);
    CHECK(tiles.heads_total == 0);
    CHECK(tiles.complete());
}

TEST_CASE("ui: a large trace's grid tiles come a head a frame, blank and counted until made") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.main_view = MainView::grid;
    ui.app.step_above_weights = 0.0;   // every trace counts as large
    ui.app.trace_budget_ms = 0.0;           // one head a frame
    const Trace trace = make_synthetic_trace(4, 6, 24, true);
    app_show_trace(ui.app, trace, 1.0);
    ui.frame();
    CHECK(ui.app.grid_tiles.heads_done == 1);
    CHECK(ui.app.grid_tiles.heads_total == 24);
    CHECK(drawn_contains("Drawing the tiles: 1 of 24 heads"));
    CHECK(ui.textures.slots.count(kSlotGridTiles) == 1);       // made: drawn
    CHECK(ui.textures.slots.count(kSlotGridTiles + 1) == 0);   // not yet: a blank tile, no texture
    CHECK(ui.app.widgets.grid_tiles.size() == 24);             // every tile is laid out (and clickable)

    int frames = 1;
    while (!ui.app.grid_tiles.complete() && frames < 100) {
        ui.frame();
        ++frames;
    }
    CHECK(frames == 24);
    ui.frame();
    CHECK_FALSE(drawn_contains("Drawing the tiles"));
    CHECK(drawn_contains("Each tile is one head"));
    for (int i = 0; i < 24; ++i) {
        CAPTURE(i);
        REQUIRE(ui.textures.slots.count(kSlotGridTiles + i) == 1);
        const NullTextures::SlotRecord& r = ui.textures.slots[kSlotGridTiles + i];
        CHECK(r.uploads == 1);
        std::vector<float> want;
        int rows = 0, cols = 0;
        heatmap_cells_reference(full_head(ui.app.trace.attentions, i), &want, &rows, &cols);
        CHECK(r.values == want);
    }

    // A new trace of another shape starts over; the old tensor is never read again.
    app_show_trace(ui.app, make_synthetic_trace(2, 3, 10, false), 1.0);
    ui.frame();
    CHECK(ui.app.grid_tiles.heads_done == 1);
    CHECK(ui.app.grid_tiles.heads_total == 6);
    CHECK(drawn_contains("Drawing the tiles: 1 of 6 heads"));

    // A picture of the grid is never half-made: it makes the rest at once, and its tiles are coloured.
    const Picture p = picture_render(ui.app, MainView::grid, 800, 500);
    CHECK(ui.app.grid_tiles.complete());
    REQUIRE(p.widgets.grid_tiles.size() == 6);
    const std::array<float, 4>& last = p.widgets.grid_tiles[5];
    const uint8_t* px = p.image.pixel(static_cast<int>(last[0] + last[2] / 2), static_cast<int>(last[1] + last[3] / 2));
    CHECK_FALSE((px[0] == 40 && px[1] == 40 && px[2] == 40));

    // Other views make none; the default threshold makes a small trace's tiles before its first frame.
    ui.app.step_above_weights = App{}.step_above_weights;
    ui.app.main_view = MainView::heatmap;
    app_show_trace(ui.app, make_synthetic_trace(3, 4, 16, true), 1.0);
    for (int i = 0; i < 3; ++i) ui.frame();
    CHECK(ui.app.grid_tiles.heads_total == 6);   // still the last trace's
    ui.app.main_view = MainView::grid;
    ui.frame();
    CHECK(ui.app.grid_tiles.heads_total == 12);
    CHECK(ui.app.grid_tiles.complete());
}
