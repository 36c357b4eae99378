// The induction task: its data (a copied span at a random offset, every other word distinct, labels only
// on the copy), and its trained zoo model (tests/train/zoo_model.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "train/task.h"
#include "train/tasks.h"

using namespace attn;

namespace {

// Positions (after <bos>) of the copy's source and the copy, recovered from the ids: the only repeated
// words. Fails the test when more than one span repeats.
struct Repeat {
    int source = -1, copy = -1, length = 0;
};
Repeat find_repeat(const std::vector<int32_t>& ids) {
    Repeat r;
    for (int t = 1; t < static_cast<int>(ids.size()); ++t)
        for (int s = 1; s < t; ++s)
            if (ids[static_cast<size_t>(s)] == ids[static_cast<size_t>(t)]) {
                if (r.copy < 0) {
                    r.source = s;
                    r.copy = t;
                }
                CHECK(t - s == r.copy - r.source);   // one period only: a single copied span
                r.length = t - r.copy + 1;
            }
    return r;
}

}  // namespace

TEST_CASE("induction data: one span copied at a varying offset, labels only on the copy, deterministic") {
    const Task& task = task_induction();
    CHECK(task.name() == "induction");
    CHECK(task.family() == ModelFamily::decoder);
    CHECK(task.size().n_layer == 2);
    Rng a(5), b(5);
    std::set<int> periods, lengths, copy_starts;
    for (int i = 0; i < 300; ++i) {
        const Example e = task.sample(a, Split::train);
        const Example f = task.sample(b, Split::train);
        REQUIRE(e.ids == f.ids);   // the same rng state gives the same example
        CHECK(e.labels == f.labels);
        REQUIRE(e.ids.size() == e.labels.size());
        CHECK(static_cast<int>(e.ids.size()) <= task.size().n_ctx);
        CHECK(e.ids[0] == task.vocab().bos);
        const Repeat r = find_repeat(e.ids);
        REQUIRE(r.copy > 0);
        CHECK(r.length >= 6);
        periods.insert(r.copy - r.source);
        lengths.insert(r.length);
        copy_starts.insert(r.copy);
        for (int t = 0; t < static_cast<int>(e.ids.size()); ++t) {
            const bool in_copy = t >= r.copy && t < r.copy + r.length - 1;   // predicts the copy's next word
            if (in_copy) {
                CHECK(e.labels[static_cast<size_t>(t)] == e.ids[static_cast<size_t>(t + 1)]);
            } else {
                CHECK(e.labels[static_cast<size_t>(t)] == -1);
            }
        }
    }
    // No fixed period, length or place to learn instead of the circuit.
    CHECK(periods.size() >= 20);
    CHECK(lengths.size() >= 15);
    CHECK(copy_starts.size() >= 20);
}

TEST_CASE("induction vocabulary: one token per word, example text in the vocabulary, a readable repeat") {
    const Task& task = task_induction();
    const Vocab& v = task.vocab();
    const std::vector<std::string> words = split_words(task.example_text());
    REQUIRE(words.size() >= 10);
    for (const std::string& w : words) CHECK(v.has(w));
    const std::vector<int32_t> ids = v.encode_words(words);
    CHECK(find_repeat(ids).copy > 0);
    // Enough distinct words for the longest sequence and for head_patterns' induction input (2 x 24).
    CHECK(v.size() >= task.size().n_ctx + 2);
}
