// The app's side of the head grid's tiles (grid_tiles.h): made for the attention on screen and kept in
// App::grid_tiles, keyed on it. Small ones are made at once, and a picture makes them all; above
// App::step_above_weights they are made a few heads a frame by app_grid_frame while the grid is
// shown, and the grid draws those made so far.
#pragma once

namespace attn {

struct App;
struct GridTiles;

// The tiles of the shown attention as far as they are made (begun afresh when it changed).
const GridTiles& app_grid_tiles(App& app);
// Per frame, before the views: makes more of a large trace's tiles within `budget_ms` while the grid is
// shown (at least one head). Returns the milliseconds spent.
double app_grid_frame(App& app, double budget_ms);

}  // namespace attn
