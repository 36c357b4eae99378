// Which dot of a scatter plot the mouse points at: the nearest one within `reach` pixels, so small dots
// are still easy to hit. Shared by the head map and the similarity layout.
#pragma once
#include <cmath>
#include <vector>

#include "imgui.h"

namespace attn {

// Index of the point of `points` nearest to `mouse`, or -1 when none is within `reach`.
inline int scatter_pick(const std::vector<ImVec2>& points, ImVec2 mouse, float reach) {
    int best = -1;
    float best_d = reach;
    for (int i = 0; i < static_cast<int>(points.size()); ++i) {
        const float d = std::hypot(mouse.x - points[i].x, mouse.y - points[i].y);
        if (d <= best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

}  // namespace attn
