// Token options of the CLI (see token_arg.h).
#include "cli/token_arg.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "cli/args.h"

namespace attn {

bool all_digits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

int32_t parse_token(const std::string& option, const std::string& value, const Model& model) {
    const int V = model.info().n_vocab;
    if (all_digits(value)) {
        errno = 0;
        const unsigned long long id = std::strtoull(value.c_str(), nullptr, 10);
        if (errno == ERANGE || id >= static_cast<unsigned long long>(V))
            throw UsageError{option + " " + value + " is outside the vocabulary (0.." + std::to_string(V - 1) + ")"};
        return static_cast<int32_t>(id);
    }
    if (value.empty()) throw UsageError{option + " is empty"};
    const Encoding e = model.tokenizer.encode(value, /*add_special_tokens=*/false);
    if (e.ids.size() == 1 && e.ids[0] < V) return e.ids[0];
    if (auto id = model.tokenizer.token_to_id(value); id && *id < V) return *id;
    std::string pieces;
    for (const std::string& p : e.tokens) pieces += (pieces.empty() ? "" : " | ") + p;
    throw UsageError{option + " '" + value + "' is " + std::to_string(e.ids.size()) + " tokens (" + pieces +
                     "), not one; give a single token or its id"};
}

}  // namespace attn
