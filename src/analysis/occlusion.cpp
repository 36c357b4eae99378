#include "analysis/occlusion.h"

#include <algorithm>
#include <cstddef>

namespace attn {

std::vector<float> occluded_embeds(const std::vector<float>& embeds, int D, int token) {
    std::vector<float> out = embeds;
    const size_t begin = static_cast<size_t>(token) * D;
    if (token >= 0 && D > 0 && begin + D <= out.size()) std::fill(out.begin() + begin, out.begin() + begin + D, 0.0f);
    return out;
}

}  // namespace attn
