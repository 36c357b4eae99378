// The one timing rule every benchmark here uses: the median of several rounds in milliseconds (the
// machine is shared and noisy; the median ignores the odd slow round, and tables report ratios taken
// within one run).
#pragma once
#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace attn {

inline double median_ms(const std::function<void()>& work, int rounds) {
    std::vector<double> ms;
    for (int r = 0; r < rounds; ++r) {
        auto start = std::chrono::steady_clock::now();
        work();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

}  // namespace attn
