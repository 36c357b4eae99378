// Fetching nn.Linear / nn.LayerNorm weights by name (see post_ln.h).
#include "model/post_ln.h"

namespace attn {

Dense dense_fetch(const WeightStore& store, const NameVariants& names, const std::string& base, int64_t n_out,
                  int64_t n_in, const std::string& why) {
    Dense d;
    d.w = matrix_fetch(store, names(base + ".weight"), {n_out, n_in}, WeightLayout::out_in, why);
    d.b = weight_fetch(store, names(base + ".bias"), {n_out}, why);
    return d;
}

Norm norm_fetch(const WeightStore& store, const NameVariants& names, const std::string& base, int64_t D,
                const std::string& why) {
    auto spellings = [&](const char* modern, const char* legacy) {
        std::vector<std::string> all = names(base + modern);
        for (const std::string& n : names(base + legacy)) all.push_back(n);
        return all;
    };
    return Norm{weight_fetch(store, spellings(".weight", ".gamma"), {D}, why),
                weight_fetch(store, spellings(".bias", ".beta"), {D}, why)};
}

}  // namespace attn
