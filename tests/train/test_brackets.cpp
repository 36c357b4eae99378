// The brackets task: each closing bracket labelled with the one its partner needs, corrupted inputs, the
// held-out split, a short training run that learns, and the committed zoo model (assets/models/brackets).
#include <doctest/doctest.h>

#include <set>

#include "train/tasks.h"
#include "zoo_asset.h"

using namespace attn;

namespace {

const std::string kOpen = "([{<", kClose = ")]}>";

// The clean bracket string an example stands for: its openers, and at each closing position its label.
std::string clean_string(const Vocab& v, const Example& e) {
    std::string s;
    for (size_t t = 1; t + 1 < e.ids.size(); ++t) s += e.labels[t] >= 0 ? v.token(e.labels[t]) : v.token(e.ids[t]);
    return s;
}

}  // namespace

TEST_CASE("brackets: every closing bracket is labelled with the partner's closing bracket, inputs corrupted") {
    const Task& task = task_brackets();
    const Vocab& v = task.vocab();
    Rng a(3), b(3);
    int changed = 0, masked = 0, closers = 0;
    for (int i = 0; i < 500; ++i) {
        const Example e = task.sample(a, Split::train);
        CHECK(e.ids == task.sample(b, Split::train).ids);
        REQUIRE(e.labels.size() == e.ids.size());
        CHECK(e.ids.front() == v.cls);
        CHECK(e.ids.back() == v.sep);
        CHECK(e.labels.front() == -1);
        CHECK(e.labels.back() == -1);
        std::vector<char> stack;
        for (size_t t = 1; t + 1 < e.ids.size(); ++t) {
            const std::string& tok = v.token(e.ids[t]);
            if (tok.size() == 1 && kOpen.find(tok[0]) != std::string::npos) {
                CHECK(e.labels[t] == -1);
                stack.push_back(kClose[kOpen.find(tok[0])]);
                continue;
            }
            ++closers;
            REQUIRE_FALSE(stack.empty());
            CHECK(v.token(e.labels[t]) == std::string(1, stack.back()));
            stack.pop_back();
            masked += e.ids[t] == v.mask;
            changed += e.ids[t] != v.mask && e.ids[t] != e.labels[t];
        }
        CHECK(stack.empty());   // balanced by construction
    }
    // a tenth masked and a quarter of another type: copying the input cannot reach the labels
    CHECK(masked > closers / 20);
    CHECK(changed > closers / 8);
    CHECK(masked + changed < closers / 2);
}

TEST_CASE("brackets: held-out bracket strings never occur in training") {
    const Task& task = task_brackets();
    std::set<std::string> train;
    Rng rng(21);
    for (int i = 0; i < 5000; ++i) train.insert(clean_string(task.vocab(), task.sample(rng, Split::train)));
    Rng held(22);
    int short_ones = 0;
    for (int i = 0; i < 1000; ++i) {
        const std::string s = clean_string(task.vocab(), task.sample(held, Split::held_out));
        INFO(s);
        CHECK(train.count(s) == 0);
        short_ones += s.size() <= 6;
    }
    CHECK(short_ones > 0);   // short strings, which training would meet often, are held out too
}

TEST_CASE("brackets: a short training run learns (loss below 0.85 after 150 steps)" * doctest::skip(zoo_test::kUnoptimisedBuild)) {
    const zoo_test::ShortRun r = zoo_test::short_training("brackets", 150, 20);
    CHECK(r.first_loss > 1.5);   // 2.5 at initialisation
    // 0.70 on the machine that wrote this; copying the input (right 72% of the time when not masked) gives
    // about 0.95, so it already uses the partners
    CHECK(r.last_loss < 0.85);
}

// test_zoo.cpp re-measures every claim and the accuracy; here: which claims the brackets card makes.
TEST_CASE("brackets: the zoo model's card features the head that matches nested pairs") {
    const zoo_test::Asset asset = zoo_test::load_asset("brackets");
    const ModelCard& card = asset.card;
    REQUIRE(card.claims.size() == 2);
    CHECK(card.claims[0].metric == "distant_matching_bracket_argmax_rate");   // the featured head
    CHECK(card.claims[1].metric == "matching_bracket_argmax_rate");
    for (const HeadClaim& c : card.claims) CHECK(c.min_value >= 0.6);
    CHECK(card.example_text == task_brackets().example_text());
}
