// The heads view, the similarity view and the grid's badges, through the app's real frames: sorting the
// head table by a header click changes the row order, clicking a dot of the head map (or the similarity
// layout, or a head of the layer strip) opens that head, every tile gets a badge, and the heads the
// checks mark are outlined.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "ui/heads_cache.h"

using namespace attn;

namespace {

// Pixels of draw-list vertices inside `r` with colour `c` (what was drawn there this frame).
int vertices_with_color(const std::array<float, 4>& r, ImU32 c, float margin) {
    int n = 0;
    ImDrawData* dd = ImGui::GetDrawData();
    for (int i = 0; i < dd->CmdListsCount; ++i)
        for (const ImDrawVert& v : dd->CmdLists[i]->VtxBuffer)
            if (v.col == c && v.pos.x >= r[0] - margin && v.pos.x <= r[0] + r[2] + margin && v.pos.y >= r[1] - margin &&
                v.pos.y <= r[1] + r[3] + margin)
                ++n;
    return n;
}

}  // namespace

TEST_CASE("heads view: table sorted by a header click, map dot click opens the head") {
    UiHarness ui(ImVec2(1400, 900));
    app_show_trace(ui.app, make_synthetic_trace(4, 6, 24, true), 1.0);
    ui.app.main_view = MainView::heads;
    ui.frame();
    ui.frame();
    const HeadsState& hs = ui.app.heads;
    REQUIRE(hs.stats.size() == 24);
    REQUIRE(hs.labels.size() == 24);
    REQUIRE(ui.app.widgets.head_map_dots.size() == 24);
    REQUIRE(ui.app.widgets.head_table_headers.size() == static_cast<size_t>(kHeadColCount));
    // Default: layer order.
    std::vector<int> layer_order(24);
    for (int i = 0; i < 24; ++i) layer_order[i] = i;
    CHECK(hs.order == layer_order);
    CHECK_FALSE(ui.app.widgets.head_table_rows.empty());

    // Click the "distance" header: rows sorted by mean distance (this column prefers descending first).
    const int col = kHeadColStat0 + static_cast<int>(HeadStat::mean_distance);
    const std::array<float, 4> header = ui.app.widgets.head_table_headers[col];
    REQUIRE(header[2] > 0);
    ui.click(center(header));
    ui.frame();
    CHECK(hs.sort_column == col);
    CHECK(hs.order != layer_order);
    auto dist = [&](int i) { return hs.stats[i].get(HeadStat::mean_distance); };
    for (size_t k = 1; k < hs.order.size(); ++k) {
        if (hs.sort_descending) CHECK(dist(hs.order[k - 1]) >= dist(hs.order[k]));
        else CHECK(dist(hs.order[k - 1]) <= dist(hs.order[k]));
    }
    // Clicking it again flips the direction.
    const bool before = hs.sort_descending;
    ui.click(center(header));
    ui.frame();
    CHECK(hs.sort_descending != before);

    // A dot of the map: head 4 (synthetic head h looks h+1 back, so dots differ per head).
    ui.app.selection.layer = 0;
    ui.app.selection.head = 0;
    ui.app.heads.map_x = static_cast<int>(HeadStat::mean_distance);
    ui.app.heads.map_y = static_cast<int>(HeadStat::entropy);
    ui.frame();
    const int target = 2 * 6 + 4;
    // Pick a dot no other dot overlaps (the nearest dot wins a click).
    const std::array<float, 4> dot = ui.app.widgets.head_map_dots[target];
    ui.click(center(dot));
    CHECK(ui.app.selection.layer * 6 + ui.app.selection.head ==
          [&] {   // the dot nearest the click: the one the view picks
              int best = 0;
              float bd = 1e9f;
              for (int i = 0; i < 24; ++i) {
                  const ImVec2 c = center(ui.app.widgets.head_map_dots[i]), t = center(dot);
                  const float d = std::hypot(c.x - t.x, c.y - t.y);
                  if (d <= bd) bd = d, best = i;   // ties: the dot drawn last, on top
              }
              return best;
          }());
    CHECK(ui.app.selection.head == 4);   // every layer of the synthetic trace has the same maps: dots coincide
    CHECK(ui.app.main_view == MainView::heatmap);
}

TEST_CASE("head table: importance column sorts by the attribution job's head importance") {
    std::vector<HeadStats> stats(3);
    std::vector<HeadLabel> labels(3);
    for (int i = 0; i < 3; ++i) stats[i].head = i;
    std::vector<float> importance = {0.2f, 0.9f, 0.5f};
    CHECK(head_table_order(stats, labels, &importance, kHeadColImportance, true) == std::vector<int>{1, 2, 0});
    CHECK(head_table_order(stats, labels, nullptr, kHeadColImportance, true) == std::vector<int>{0, 1, 2});
    labels[0].confidence = 0.5f;
    labels[1].confidence = 0.1f;
    labels[2].confidence = 0.9f;
    CHECK(head_table_order(stats, labels, nullptr, kHeadColConfidence, false) == std::vector<int>{1, 0, 2});
}

TEST_CASE("head grid: a badge on every tile, an outline on the highlighted heads") {
    UiHarness ui(ImVec2(1400, 900));
    app_show_trace(ui.app, make_synthetic_trace(3, 4, 16, true), 1.0);
    ui.app.main_view = MainView::grid;
    ui.frame();
    REQUIRE(ui.app.widgets.grid_tiles.size() == 12);
    const HeadsState& hs = ui.app.heads;
    REQUIRE(hs.labels.size() == 12);
    // Head 0 of the synthetic trace looks at the previous token: labelled so, with its badge.
    CHECK(hs.labels[0].pattern == HeadPattern::previous_token);
    ui.frame();
    for (int i = 0; i < 12; ++i) {
        CAPTURE(i);
        const ImU32 badge_text = [&] {   // the badge's text colour (the bright palette; the dark theme's)
            return head_pattern_color(hs.labels[i].pattern);
        }();
        CHECK(vertices_with_color(ui.app.widgets.grid_tiles[i], badge_text, 0.0f) > 0);
    }
    const ImU32 outline = IM_COL32(60, 220, 110, 255);
    CHECK(vertices_with_color(ui.app.widgets.grid_tiles[5], outline, 3.0f) == 0);
    ui.app.heads.highlighted.assign(12, 0);
    ui.app.heads.highlighted[5] = 1;
    ui.frame();
    CHECK(vertices_with_color(ui.app.widgets.grid_tiles[5], outline, 3.0f) > 0);
    CHECK(vertices_with_color(ui.app.widgets.grid_tiles[6], outline, 0.0f) == 0);
}

TEST_CASE("similarity view: matrix texture, layout dots and the layer strip open heads") {
    UiHarness ui(ImVec2(1400, 900));
    app_show_trace(ui.app, make_synthetic_trace(3, 4, 16, false), 1.0);
    ui.app.main_view = MainView::similarity;
    ui.app.selection.layer = 1;
    ui.frame();
    ui.frame();
    const HeadSimilarity& sim = ui.app.heads.similarity;
    REQUIRE(sim.n == 12);
    REQUIRE(ui.textures.slots.count(kSlotSimilarity) == 1);
    CHECK(ui.textures.slots[kSlotSimilarity].image.rows == 12);
    CHECK(ui.textures.slots[kSlotSimilarity].values == sim.jsd);
    REQUIRE(ui.app.widgets.similarity_dots.size() == 12);
    REQUIRE(ui.app.widgets.layer_heads.size() == 4);
    ui.click(center(ui.app.widgets.layer_heads[3]));
    CHECK(ui.app.selection.layer == 1);
    CHECK(ui.app.selection.head == 3);
    CHECK(ui.app.main_view == MainView::heatmap);
}
