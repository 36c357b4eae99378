// The head grid's tiles for the app: begun when the shown attention changes, made at once when small,
// else stepped within the frame's budget while the grid is shown.
#include "ui/app_grid.h"

#include "ui/app.h"
#include "ui/frame_budget.h"
#include "ui/grid_tiles.h"

namespace attn {

const GridTiles& app_grid_tiles(App& app) {
    GridTiles& tiles = app.grid_tiles;
    static const AttentionTensor none;
    const AttentionView view = attention_view(app.trace, app.selection.kind);
    const AttentionTensor& a = app.has_trace && view.attention ? *view.attention : none;
    const uint64_t key = app.has_trace ? shown_attention_key(app) + 1 : 0;   // 0 means none; a key may be 0
    if (tiles.key != key) grid_tiles_begin(tiles, a, key);
    const double weights = static_cast<double>(tiles.heads_total) * a.n_query * a.n_key;
    if (!tiles.complete() && !app_in_steps(app, weights))
        grid_tiles_step(tiles, a, tiles.heads_total - tiles.heads_done);
    return tiles;
}

double app_grid_frame(App& app, double budget_ms) {
    if (app.main_view != MainView::grid) return 0.0;   // only the grid waits for them
    const GridTiles& tiles = app_grid_tiles(app);
    if (tiles.complete()) return 0.0;
    const AttentionTensor& a = *attention_view(app.trace, app.selection.kind).attention;
    double longest = 0.0;
    return step_within_budget(budget_ms, longest, [&] { grid_tiles_step(app.grid_tiles, a, 1); },
                              [&] { return tiles.complete(); });
}

}  // namespace attn
