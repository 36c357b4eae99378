// Parsing the intervention flags (cli/intervention_args.h).
#include "cli/intervention_args.h"

#include <cctype>
#include <vector>

namespace attn {

const std::set<std::string> kInterventionOptions = {"--ablate", "--knockout", "--mask-token"};

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> parts(1);
    for (char c : s) {
        if (c == sep)
            parts.emplace_back();
        else
            parts.back() += c;
    }
    return parts;
}

// A non-negative decimal number, or -1 when `s` is not one.
int number(const std::string& s) {
    if (s.empty() || s.size() > 6) return -1;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    return std::stoi(s);
}

void check_range(const std::string& option, const std::string& value, const char* what, int v, int n,
                 const char* of) {
    if (v >= n)
        throw UsageError{option + " '" + value + "': " + what + " " + std::to_string(v) + " is outside the " + of +
                         " " + std::to_string(n) + " " + what + "s (0.." + std::to_string(n - 1) + ")"};
}

}  // namespace

Interventions interventions_from_args(const Args& args, const ModelInfo& info, int n_token) {
    Interventions iv;
    if (args.has("--ablate"))
        for (const std::string& v : split(args.get("--ablate"), ',')) {
            const std::vector<std::string> mode = split(v, ':');
            const std::vector<std::string> lh = split(mode[0], '.');
            const int layer = lh.size() == 2 ? number(lh[0]) : -1, head = lh.size() == 2 ? number(lh[1]) : -1;
            if (layer < 0 || head < 0 || mode.size() > 2 || (mode.size() == 2 && mode[1] != "mean" && mode[1] != "zero"))
                throw UsageError{"--ablate '" + v + "': expected LAYER.HEAD, LAYER.HEAD:zero or LAYER.HEAD:mean (e.g. 1.3:mean)"};
            check_range("--ablate", v, "layer", layer, info.n_layer, "model's");
            check_range("--ablate", v, "head", head, info.n_head, "model's");
            iv.heads.push_back({layer, head, mode.size() == 2 && mode[1] == "mean" ? AblationMode::mean : AblationMode::zero});
        }
    if (args.has("--knockout"))
        for (const std::string& v : split(args.get("--knockout"), ',')) {
            const std::vector<std::string> at = split(v, '@');
            const std::vector<std::string> qk = split(at[0], '>');
            const int q = qk.size() == 2 ? number(qk[0]) : -1, k = qk.size() == 2 ? number(qk[1]) : -1;
            const int layer = at.size() == 2 ? number(at[1]) : -1;
            if (q < 0 || k < 0 || at.size() > 2 || (at.size() == 2 && layer < 0))
                throw UsageError{"--knockout '" + v + "': expected QUERY>KEY or QUERY>KEY@LAYER (positions, e.g. 7>2@1)"};
            check_range("--knockout", v, "position", q, n_token, "input's");
            check_range("--knockout", v, "position", k, n_token, "input's");
            if (layer >= 0) check_range("--knockout", v, "layer", layer, info.n_layer, "model's");
            iv.knockouts.push_back({layer, q, k});
        }
    if (args.has("--mask-token"))
        for (const std::string& v : split(args.get("--mask-token"), ',')) {
            const int p = number(v);
            if (p < 0) throw UsageError{"--mask-token '" + v + "': expected a token position (e.g. 2)"};
            check_range("--mask-token", v, "position", p, n_token, "input's");
            iv.masked_tokens.push_back(p);
        }
    return iv;
}

}  // namespace attn
