#include "model/vocab_check.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace attn {

namespace {

using Entry = std::pair<int32_t, std::string>;   // (id, token), sorted by id

std::string count_of(size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string shared_ids(const std::vector<Entry>& e) {
    size_t count = 0;
    std::string first;
    for (size_t k = 1; k < e.size(); ++k) {
        if (e[k].first != e[k - 1].first || (k >= 2 && e[k - 2].first == e[k].first)) continue;
        if (count++ == 0)
            first = std::to_string(e[k].first) + " is '" + e[k - 1].second + "' and '" + e[k].second + "'";
    }
    if (count == 0) return {};
    return "tokenizer.json: " + count_of(count, "id belongs", "ids belong") + " to more than one token (first: " +
           first + "); such an id decodes as one of them only";
}

std::string missing_ids(const std::vector<Entry>& e) {
    if (e.empty()) return {};
    int64_t distinct = 0, first_hole = -1, expected = 0;
    for (size_t k = 0; k < e.size(); ++k) {
        if (k > 0 && e[k].first == e[k - 1].first) continue;
        if (first_hole < 0 && e[k].first != expected) first_hole = expected;
        expected = int64_t(e[k].first) + 1;
        ++distinct;
    }
    const int64_t largest = e.back().first;
    const int64_t holes = largest + 1 - distinct;
    if (holes == 0) return {};
    return "tokenizer.json: " + count_of(static_cast<size_t>(holes), "id", "ids") + " below the largest (" +
           std::to_string(largest) + ") " + (holes == 1 ? "belongs" : "belong") + " to no token (first: " +
           std::to_string(first_hole) + "); " + (holes == 1 ? "it decodes" : "they decode") + " to nothing";
}

// Fine-tunes sometimes add a token (a pad) without growing the embedding table. Such a model still
// works for every text that avoids the token, so it loads with a warning.
std::string beyond_rows(const std::vector<Entry>& e, int n_vocab) {
    auto it = std::lower_bound(e.begin(), e.end(), Entry{n_vocab, std::string()});
    const size_t count = static_cast<size_t>(e.end() - it);
    if (count == 0) return {};
    return "tokenizer.json: " + count_of(count, "token has", "tokens have") + " an id beyond the model's " +
           std::to_string(n_vocab) + " embedding rows (first: '" + it->second + "' = " + std::to_string(it->first) +
           "); a text that uses " + (count == 1 ? "it" : "them") + " cannot be traced";
}

}  // namespace

std::vector<std::string> vocab_warnings(const Tokenizer& tokenizer, int n_vocab) {
    std::vector<Entry> e;
    tokenizer.for_each_token([&](const std::string& token, int32_t id) { e.emplace_back(id, token); });
    std::sort(e.begin(), e.end());
    e.erase(std::unique(e.begin(), e.end()), e.end());   // an added token that is also in the vocabulary
    std::vector<std::string> lines;
    for (std::string line : {shared_ids(e), missing_ids(e), beyond_rows(e, n_vocab)})
        if (!line.empty()) lines.push_back(std::move(line));
    return lines;
}

}  // namespace attn
