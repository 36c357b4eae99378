// The views' budgeted lists (the lines view's lines, the flow graph's edges): keep the max_items greatest
// under `less`, sorted ascending so the strongest are drawn last, on top; *n_dropped (when given) gets how
// many went.
//
//   keep_strongest(lines, max_lines, lighter, &dropped);
#pragma once
#include <algorithm>
#include <cstddef>
#include <vector>

namespace attn {

template <class T, class Less>
void keep_strongest(std::vector<T>& items, size_t max_items, Less less, size_t* n_dropped) {
    if (items.size() > max_items) {
        const size_t drop = items.size() - max_items;
        std::nth_element(items.begin(), items.begin() + drop, items.end(), less);
        items.erase(items.begin(), items.begin() + drop);
        if (n_dropped) *n_dropped = drop;
    }
    std::sort(items.begin(), items.end(), less);
}

}  // namespace attn
