// The mini-english task: its examples (two or three grammar units, labels everywhere, deterministic for a
// seed), its accuracy rule (only the positions the grammar determines), its held-out combinations, its check
// suite, a short training run, and its trained zoo model (the subject head, the name-slot heads).
#include <doctest/doctest.h>

#include "zoo_asset.h"

#include <algorithm>
#include <set>

#include "analysis/checks.h"
#include "train/model_card.h"
#include "train/task.h"
#include "train/tasks.h"
#include "train/trainer.h"

using namespace attn;

namespace {

const std::set<std::string> kSingularVerbs = {"is", "was"}, kPluralVerbs = {"are", "were"};
const std::set<std::string> kPronouns = {"he", "she", "it", "they"};
const std::set<std::string> kMale = {"john", "james", "tom", "peter", "david", "paul", "mark", "sam",
                                     "jack", "ben", "max", "leo", "adam", "oscar", "henry"};
const std::set<std::string> kFemale = {"mary", "anna", "lucy", "emma", "kate", "sarah", "julia", "alice",
                                       "rose", "nina", "clara", "lily", "eva", "olivia", "grace"};
bool is_name(const std::string& w) { return kMale.count(w) || kFemale.count(w); }

std::vector<std::string> words_of(const Vocab& v, const Example& e) {
    std::vector<std::string> w;
    for (size_t t = 1; t < e.ids.size(); ++t) w.push_back(v.token(e.ids[t]));
    return w;
}

// The sentences of an example (split after each "."), as word lists.
std::vector<std::vector<std::string>> sentences(const std::vector<std::string>& words) {
    std::vector<std::vector<std::string>> out(1);
    for (const std::string& w : words) {
        out.back().push_back(w);
        if (w == ".") out.emplace_back();
    }
    if (out.back().empty()) out.pop_back();
    return out;
}

}  // namespace

TEST_CASE("mini-english data: labels at every position (the next word), deterministic for a seed") {
    const Task& task = task_mini_english();
    const Vocab& v = task.vocab();
    CHECK(task.name() == "mini-english");
    CHECK(task.family() == ModelFamily::decoder);
    CHECK(v.size() >= 200);   // "a few hundred words"
    Rng a(11), b(11);
    int naming = 0, pronouns = 0, verbs = 0;
    for (int i = 0; i < 300; ++i) {
        const Example e = task.sample(a, Split::train);
        REQUIRE(e.ids == task.sample(b, Split::train).ids);
        REQUIRE(e.ids.size() == e.labels.size());
        CHECK(static_cast<int>(e.ids.size()) <= task.size().n_ctx);
        CHECK(e.ids[0] == v.bos);
        for (size_t t = 0; t + 1 < e.ids.size(); ++t) REQUIRE(e.labels[t] == e.ids[t + 1]);
        CHECK(e.labels.back() == -1);
        const std::vector<std::string> words = words_of(v, e);
        INFO(v.text_of(e.ids));
        CHECK(sentences(words).size() >= 2);   // a couple of sentences per example
        for (size_t i2 = 0; i2 < words.size(); ++i2) {
            // Pronouns come only after "so"; main verbs never right after a sentence's first noun phrase
            // without a modifier; names after "to" only at the end of a naming pair.
            if (kPronouns.count(words[i2])) {
                ++pronouns;
                REQUIRE(i2 > 0);
                CHECK(words[i2 - 1] == "so");
            }
            if (kSingularVerbs.count(words[i2]) || kPluralVerbs.count(words[i2])) ++verbs;
            if (is_name(words[i2]) && i2 > 0 && words[i2 - 1] == "to") ++naming;
        }
    }
    CHECK(naming > 50);
    CHECK(pronouns > 100);
    CHECK(verbs > 100);
}

TEST_CASE("mini-english grammar: the pronoun and the main verb agree with the subject, the naming pair's answer is the name not repeated") {
    const Task& task = task_mini_english();
    const Vocab& v = task.vocab();
    Rng r(5);
    int checked_pronouns = 0, checked_names = 0;
    for (int i = 0; i < 300; ++i) {
        const std::vector<std::string> words = words_of(v, task.sample(r, Split::train));
        const std::vector<std::vector<std::string>> s = sentences(words);
        for (size_t k = 0; k < s.size(); ++k) {
            const std::vector<std::string>& w = s[k];
            INFO(v.text_of(v.encode_words(w)));
            const auto so = std::find(w.begin(), w.end(), "so");
            if (so != w.end()) {
                const std::string pronoun = *(so + 1);
                // The subject: a name first, else the noun after "the" (and an adjective).
                std::string subject = w[0];
                if (w[0] == "the") subject = (w.size() > 2 && v.has(w[2]) && (w[1] == "old" || w[1] == "new" ||
                    w[1] == "red" || w[1] == "small" || w[1] == "big" || w[1] == "young" || w[1] == "tall" ||
                    w[1] == "little")) ? w[2] : w[1];
                if (kMale.count(subject)) CHECK(pronoun == "he");
                if (kFemale.count(subject)) CHECK(pronoun == "she");
                if (subject == "kings" || subject == "keys" || subject == "women" || subject == "animals") CHECK(pronoun == "they");
                if (subject == "king" || subject == "boy") CHECK(pronoun == "he");
                if (subject == "queen" || subject == "girl") CHECK(pronoun == "she");
                if (subject == "animal" || subject == "key") CHECK(pronoun == "it");
                for (const std::string& x : w)
                    if (kSingularVerbs.count(x)) CHECK(pronoun != "they");
                ++checked_pronouns;
            }
            // A naming pair: "A and B went to the P ." then "X gave a G to Y ." with Y the other of A, B.
            if (w.size() > 2 && w[1] == "and" && k + 1 < s.size()) {
                const std::vector<std::string>& next = s[k + 1];
                REQUIRE(next.size() >= 3);
                const std::string giver = next[0], receiver = next[next.size() - 2];
                CHECK(giver != receiver);
                CHECK(((giver == w[0] && receiver == w[2]) || (giver == w[2] && receiver == w[0])));
                ++checked_names;
            }
        }
    }
    CHECK(checked_pronouns > 100);
    CHECK(checked_names > 50);
}

TEST_CASE("mini-english held-out naming pairs use name pairs training never shows") {
    const Task& task = task_mini_english();
    const Vocab& v = task.vocab();
    auto pairs = [&](Rng& r, Split split, int n) {
        std::set<std::pair<std::string, std::string>> out;
        for (int i = 0; i < n; ++i) {
            const std::vector<std::string> words = words_of(v, task.sample(r, split));
            for (size_t k = 1; k + 1 < words.size(); ++k)
                if (words[k] == "and") out.insert(std::minmax(words[k - 1], words[k + 1]));
        }
        return out;
    };
    Rng r(3);
    const auto train = pairs(r, Split::train, 3000);
    const auto held = pairs(r, Split::held_out, 500);
    CHECK(held.size() > 30);
    for (const auto& p : held) {
        INFO(p.first << " / " << p.second);
        CHECK(train.count(p) == 0);
    }
}

TEST_CASE("mini-english accuracy rule: only the determined positions count") {
    const Task& task = task_mini_english();
    const Vocab& v = task.vocab();
    Example e;
    e.ids = v.encode_words({"the", "king", "near", "the", "girls", "was", "tired", ",", "so", "he", "left", ".",
                            "mary", "and", "john", "went", "to", "the", "park", ".", "john", "gave", "a", "ball",
                            "to", "mary", "."});
    e.labels.assign(e.ids.size(), -1);
    for (size_t t = 0; t + 1 < e.ids.size(); ++t) e.labels[t] = e.ids[t + 1];
    const std::vector<int32_t> truth(e.labels.begin(), e.labels.end());
    CHECK(task.example_correct(e, truth));
    // Undetermined words may be anything plausible: "near" -> "with", "left" -> "slept", "john" (giver) -> "mary".
    std::vector<int32_t> p = truth;
    p[2] = v.id("with");
    p[10] = v.id("slept");
    p[20] = v.id("mary");
    CHECK(task.example_correct(e, p));
    // The verb: its number counts, not its tense.
    const size_t verb = 5;   // predicted at "girls" (position 5 predicts ids[6] = "was")
    REQUIRE(v.token(e.labels[verb]) == "was");
    p[verb] = v.id("is");
    CHECK(task.example_correct(e, p));
    p[verb] = v.id("were");
    CHECK_FALSE(task.example_correct(e, p));
    p[verb] = v.id("tired");
    CHECK_FALSE(task.example_correct(e, p));
    p[verb] = truth[verb];
    // The pronoun, exactly.
    const size_t pronoun = 9;
    REQUIRE(v.token(e.labels[pronoun]) == "he");
    p[pronoun] = v.id("they");
    CHECK_FALSE(task.example_correct(e, p));
    p[pronoun] = truth[pronoun];
    // The name after the last "to": the one not repeated.
    const size_t name = 25;
    REQUIRE(v.token(e.labels[name]) == "mary");
    p[name] = v.id("john");
    CHECK_FALSE(task.example_correct(e, p));
    p[name] = truth[name];
    CHECK(task.example_correct(e, p));
}

TEST_CASE("mini-english check suite: held-out sentences, three kinds, deterministic for a seed") {
    const Task& task = task_mini_english();
    const Model no_model;   // the suite is data only
    const std::string json = task.check_suite_json(no_model, 4);
    Expected<CheckSuite> suite = parse_check_suite(json, "mini-english checks.json");
    REQUIRE(suite);
    int names = 0, agreement = 0, pronoun = 0;
    for (const CheckCase& c : suite->cases) {
        INFO(c.name << ": " << c.text);
        const std::vector<std::string> words = split_words(c.text);
        REQUIRE(!c.expected.empty());
        REQUIRE(!c.distractors.empty());
        CHECK(std::find(words.begin(), words.end(), c.query.text) != words.end());
        if (c.name.rfind("names-", 0) == 0) {
            ++names;
            CHECK(c.query.text == "to");
            CHECK(c.query.occurrence == 2);
            // "A and B went to the P . X gave a G to Y .": the slot's name over the other.
            const bool first = c.name.rfind("names-first-", 0) == 0;
            CHECK(c.expected[0].text == words[first ? 0 : 2]);
            CHECK(c.distractors[0].text == words[first ? 2 : 0]);
        } else if (c.name.rfind("agreement-", 0) == 0) {
            ++agreement;
            size_t verb = 0;
            for (size_t i = 0; i < words.size(); ++i)
                if (kSingularVerbs.count(words[i]) || kPluralVerbs.count(words[i])) verb = i;
            REQUIRE(verb > 0);
            CHECK(c.query.text == words[verb - 1]);
        } else {
            REQUIRE(c.name.rfind("pronoun-", 0) == 0);
            ++pronoun;
            CHECK(c.query.text == "so");
        }
    }
    CHECK(names >= 200);   // first and second slot
    CHECK(agreement >= 100);
    CHECK(pronoun >= 100);
    CHECK(task.check_suite_json(no_model, 4) == json);
    CHECK(task.check_suite_json(no_model, 5) != json);
}

TEST_CASE("mini-english trains: a short run's loss falls from ln V to below 2.0" * doctest::skip(zoo_test::kUnoptimisedBuild)) {
    // Every position is trained and most words are free choices of the grammar, so the loss never nears 0
    // (the zoo model ends at about 1.4 after 4000 steps): below 2.0 (from ln V ~ 5.5) after 150 steps means
    // the model has learnt which words can follow which (seed 7 measured 1.74).
    const zoo_test::ShortRun r = zoo_test::short_training("mini-english", 150, 20);
    CHECK(r.first_loss > 4.5);   // ln(vocabulary) ~ 5.5 at the start
    CHECK(r.last_loss < 2.0);
}

TEST_CASE("mini-english zoo model: the featured head looks from \"so\" at the subject, not the distractor; claims hold") {
    const Task& task = task_mini_english();
    const zoo_test::Asset asset = zoo_test::load_asset("mini-english");
    const ModelCard& card = asset.card;
    const Model& model = *asset.model;
    CHECK(card.example_text == task.example_text());
    std::set<std::string> metrics;
    const HeadClaim* agreement = nullptr;
    for (const HeadClaim& c : card.claims) {
        CAPTURE(c.statement);
        metrics.insert(c.metric);
        if (c.metric == "agreement_check_pass_rate") agreement = &c;
        CHECK(c.min_value >= 0.5);
        // Fresh held-out data (another seed than the card's).
        Expected<double> v = task.measure_claim(model, c, 9001);
        REQUIRE_MESSAGE(v, (v ? "" : v.error().message));
        CHECK(*v >= c.min_value);
    }
    // Several head types at once: the subject head (pronoun, agreement) and the two name-slot heads.
    CHECK(metrics.count("pronoun_check_pass_rate") == 1);
    CHECK(metrics.count("names_first_check_pass_rate") == 1);
    CHECK(metrics.count("names_second_check_pass_rate") == 1);
    REQUIRE(agreement != nullptr);
    Expected<double> accuracy = evaluate_task(task, model, 300, 9002);
    REQUIRE(accuracy);
    CHECK(*accuracy >= 0.95);

    // The example the explorer opens with (a held-out subject / distractor pair).
    const HeadClaim& featured = card.claims.front();
    CHECK(featured.metric == "pronoun_check_pass_rate");
    Expected<Trace> trace = model_trace_text(model, card.example_text, TraceOptions{});
    REQUIRE(trace);
    const Vocab& v = task.vocab();
    const std::vector<int32_t> ids = v.encode_words(split_words(card.example_text));
    REQUIRE(trace->tokens.ids == ids);
    // <bos> the king near the girls was tired , so he
    const int king = 2, girls = 5, so = 9;
    REQUIRE(v.token(ids[king]) == "king");
    REQUIRE(v.token(ids[girls]) == "girls");
    REQUIRE(v.token(ids[so]) == "so");
    const AttentionTensor& a = trace->attentions;
    CHECK(a.at(featured.layer, featured.head, so, king) > 0.5f);
    CHECK(a.at(featured.layer, featured.head, so, king) > a.at(featured.layer, featured.head, so, girls));
    CHECK(a.at(agreement->layer, agreement->head, girls, king) > a.at(agreement->layer, agreement->head, girls, girls));
    // And the model predicts a singular verb after "girls" and "he" after "so".
    Example e;
    e.ids = ids;
    e.labels.assign(ids.size(), -1);
    e.labels[static_cast<size_t>(girls)] = v.id("was");
    e.labels[static_cast<size_t>(so)] = v.id("he");
    Expected<LossResult> loss = example_loss(model, e);
    REQUIRE(loss);
    const int32_t verb = loss->predicted[static_cast<size_t>(girls)];
    CHECK((verb == v.id("was") || verb == v.id("is")));
    CHECK(loss->predicted[static_cast<size_t>(so)] == v.id("he"));
}

TEST_CASE("mini-english zoo model: the name-slot heads fetch the pair's names and the model picks the one not repeated") {
    const Task& task = task_mini_english();
    const zoo_test::Asset asset = zoo_test::load_asset("mini-english");
    const Vocab& v = task.vocab();
    const HeadClaim* first = nullptr;
    for (const HeadClaim& c : asset.card.claims)
        if (c.metric == "names_first_check_pass_rate") first = &c;
    REQUIRE(first != nullptr);
    // "mary" is the answer in one text and the repeated name in the other: the first-name head looks at her in
    // both (it does not choose), the model's prediction follows the repetition.
    for (const char* giver : {"john", "mary"}) {
        const std::string text = std::string("mary and john went to the park . ") + giver + " gave a ball to";
        CAPTURE(text);
        Expected<Trace> trace = model_trace_text(*asset.model, text, TraceOptions{});
        REQUIRE(trace);
        const int mary = 1, john = 3, to = 13;
        const std::vector<int32_t>& ids = trace->tokens.ids;
        REQUIRE(v.token(ids[to]) == "to");
        CHECK(trace->attentions.at(first->layer, first->head, to, mary) > trace->attentions.at(first->layer, first->head, to, john));
        Example e;
        e.ids = ids;
        e.labels.assign(ids.size(), -1);
        const std::string answer = std::string(giver) == "john" ? "mary" : "john";
        e.labels[static_cast<size_t>(to)] = v.id(answer);
        Expected<LossResult> loss = example_loss(*asset.model, e);
        REQUIRE(loss);
        CHECK(loss->predicted[static_cast<size_t>(to)] == v.id(answer));
    }
}
