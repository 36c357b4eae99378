// Head statistics and the pattern scorer: each of the 11 patterns drawn by hand gets its label, mixtures
// get the larger part's label with less confidence, per-query entropy and distance equal the reference on
// every fixture, and the induction score is measured as the standard test defines it.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>

#include "analysis/analysis_fixtures.h"
#include "analysis/head_patterns.h"
#include "analysis/head_stats.h"
#include "thread_count_guard.h"

using namespace attn;

namespace {

constexpr int kT = 16;

// One layer, one head: row t from fill(t, row) (the row starts zeroed; causal maps must leave s > t at 0).
AttentionTensor one_head(int T, bool causal, const std::function<void(int, std::vector<float>&)>& fill) {
    AttentionTensor a;
    a.n_layer = a.n_head = 1;
    a.n_query = a.n_key = T;
    a.causal = causal;
    for (int t = 0; t < T; ++t) {
        std::vector<float> row(T, 0.0f);
        fill(t, row);
        a.probs.insert(a.probs.end(), row.begin(), row.end());
    }
    return a;
}

void uniform(std::vector<float>& row, int from, int to, float mass = 1.0f) {   // keys [from, to]
    for (int s = from; s <= to; ++s) row[s] += mass / static_cast<float>(to - from + 1);
}

TokenKinds plain(int T) {
    TokenKinds k;
    k.special.assign(T, 0);
    k.punctuation.assign(T, 0);
    k.sentence_end.assign(T, 0);
    return k;
}

HeadStats stats_of(const AttentionTensor& a, const TokenKinds& k = plain(kT)) {
    std::vector<HeadStats> s = head_statistics(a, k, HeadStatsOptions{});
    REQUIRE(s.size() == 1);
    return s[0];
}

HeadLabel label_of(const AttentionTensor& a, const TokenKinds& k = plain(kT)) { return label_head(stats_of(a, k)); }

const char* name(HeadPattern p) { return head_pattern_info(p).name; }

}  // namespace

TEST_CASE("the tables list every statistic and pattern in enum order, with unique keys") {
    for (int i = 0; i < kHeadStatCount; ++i) {
        CHECK(static_cast<int>(kHeadStatTable[i].stat) == i);
        for (int j = 0; j < i; ++j) CHECK(std::string(kHeadStatTable[i].key) != kHeadStatTable[j].key);
    }
    for (int i = 0; i < kHeadPatternCount; ++i) {
        CHECK(static_cast<int>(kHeadPatternTable[i].pattern) == i);
        HeadPattern back;
        REQUIRE(head_pattern_from_name(kHeadPatternTable[i].name, &back));
        CHECK(back == kHeadPatternTable[i].pattern);
    }
    CHECK_FALSE(head_pattern_from_name("not_a_pattern", nullptr));
}

TEST_CASE("statistics of a previous-token head by hand, with the BOS rule") {
    AttentionTensor a = one_head(kT, true, [](int t, std::vector<float>& r) { r[t > 0 ? t - 1 : 0] = 1.0f; });
    HeadStats s = stats_of(a);
    // Rows 2..15 look at t-1 only: previous_token 1 over keys 1..; row 1's previous is key 0 (raw first mass).
    CHECK(s.get(HeadStat::previous_token) == doctest::Approx(1.0f));
    CHECK(s.get(HeadStat::self_token) == doctest::Approx(0.0f));
    CHECK(s.get(HeadStat::first_token_mass) == doctest::Approx(1.0f / 15));   // rows 1..15, causal row 0 left out
    CHECK(s.get(HeadStat::mean_distance) == doctest::Approx(1.0f));
    CHECK(s.get(HeadStat::entropy) == doctest::Approx(0.0f));
    CHECK(s.get(HeadStat::local_mass) == doctest::Approx(1.0f));
    CHECK(s.get(HeadStat::top1_mass) == doctest::Approx(1.0f));
    REQUIRE(s.per_query.size() == static_cast<size_t>(kT) * kHeadStatCount);
    CHECK(s.per_query[5 * kHeadStatCount + static_cast<int>(HeadStat::previous_token)] == 1.0f);
    CHECK(s.per_query[0 * kHeadStatCount + static_cast<int>(HeadStat::mean_distance)] == 0.0f);
    CHECK(s.get(HeadStat::induction) == -1.0f);   // not measured yet

    // Without the BOS rule, row 1's look at key 0 counts as a previous-token look, and row 1 is counted.
    HeadStatsOptions no_rule;
    no_rule.skip_first_key = false;
    HeadStats raw = head_statistics(a, plain(kT), no_rule)[0];
    CHECK(raw.get(HeadStat::previous_token) == doctest::Approx(1.0f));
    CHECK(raw.per_query[1 * kHeadStatCount + static_cast<int>(HeadStat::previous_token)] == 1.0f);
}

TEST_CASE("each synthetic pattern gets its label") {
    SUBCASE("self / diagonal") {
        HeadLabel l = label_of(one_head(kT, true, [](int t, std::vector<float>& r) { r[t] = 1.0f; }));
        CHECK(name(l.pattern) == std::string("self_diagonal"));
        CHECK(l.confidence > 0.8f);
    }
    SUBCASE("previous token") {
        HeadLabel l = label_of(one_head(kT, true, [](int t, std::vector<float>& r) { r[t > 0 ? t - 1 : 0] = 1.0f; }));
        CHECK(name(l.pattern) == std::string("previous_token"));
        CHECK(l.confidence > 0.8f);
    }
    SUBCASE("next token (bidirectional)") {
        HeadLabel l = label_of(one_head(kT, false, [](int t, std::vector<float>& r) { r[t < kT - 1 ? t + 1 : t] = 1.0f; }));
        CHECK(name(l.pattern) == std::string("next_token"));
        CHECK(l.confidence > 0.8f);
    }
    SUBCASE("local window") {
        HeadLabel l = label_of(one_head(kT, true, [](int t, std::vector<float>& r) { uniform(r, std::max(0, t - 2), t); }));
        CHECK(name(l.pattern) == std::string("local_window"));
        CHECK(l.confidence > 0.3f);
    }
    SUBCASE("first-token sink") {
        HeadLabel l = label_of(one_head(kT, true, [](int t, std::vector<float>& r) {
            r[0] = 0.9f;
            uniform(r, 0, t, 0.1f);
        }));
        CHECK(name(l.pattern) == std::string("first_sink"));
        CHECK(l.confidence > 0.5f);
    }
    SUBCASE("special-token sink ([SEP] at the end, bidirectional)") {
        TokenKinds k = plain(kT);
        k.special[0] = k.special[kT - 1] = 1;
        HeadLabel l = label_of(one_head(kT, false, [](int, std::vector<float>& r) {
                                   r[kT - 1] = 0.85f;
                                   uniform(r, 0, kT - 1, 0.15f);
                               }),
                               k);
        CHECK(name(l.pattern) == std::string("special_sink"));
        CHECK(l.confidence > 0.5f);
    }
    SUBCASE("content stripe") {
        AttentionTensor a = one_head(kT, true, [](int t, std::vector<float>& r) {
            if (t > 3) {
                r[3] = 0.8f;
                uniform(r, 0, t, 0.2f);
            } else {
                uniform(r, 0, t);
            }
        });
        HeadStats s = stats_of(a);
        CHECK(s.stripe_key == 3);
        HeadLabel l = label_head(s);
        CHECK(name(l.pattern) == std::string("content_stripe"));
        CHECK(l.confidence > 0.4f);
    }
    SUBCASE("block / segment: two sentences, uniform inside each") {
        TokenKinds k = plain(kT);
        k.sentence_end[7] = k.sentence_end[kT - 1] = 1;
        AttentionTensor a = one_head(kT, false, [](int t, std::vector<float>& r) {
            if (t <= 7) uniform(r, 0, 7);
            else uniform(r, 8, kT - 1);
        });
        HeadStats s = stats_of(a, k);
        CHECK(s.segments == 2);
        CHECK(s.get(HeadStat::block_mass) == doctest::Approx(1.0f));
        HeadLabel l = label_head(s);
        CHECK(name(l.pattern) == std::string("block_segment"));
        CHECK(l.confidence > 0.4f);
    }
    SUBCASE("broad / uniform") {
        HeadLabel l = label_of(one_head(kT, true, [](int t, std::vector<float>& r) { uniform(r, 0, t); }));
        CHECK(name(l.pattern) == std::string("broad_uniform"));
        CHECK(l.confidence > 0.7f);
    }
    SUBCASE("sparse / content: one far key per row, a different one every few rows") {
        HeadLabel l = label_of(one_head(kT, true, [](int t, std::vector<float>& r) { r[t >= 6 ? t / 3 : t] = 1.0f; }));
        CHECK(name(l.pattern) == std::string("sparse_content"));
        CHECK(l.confidence > 0.2f);
    }
    SUBCASE("induction, through the measured statistic") {
        // [bos] r1..r6 r1..r6: the first copy parks on the BOS, the second looks at the token after the
        // earlier occurrence of its own token.
        const int n = 6, T = 1 + 2 * n;
        AttentionTensor a = one_head(T, true, [&](int t, std::vector<float>& r) {
            if (t <= n) r[0] = 1.0f;
            else r[t - n + 1] = 1.0f;
        });
        std::vector<HeadStats> s = head_statistics(a, plain(T), HeadStatsOptions{});
        CHECK(label_head(s[0]).pattern != HeadPattern::induction);   // not without the measurement
        std::vector<float> ind = induction_scores_from_attention(a, 1, n);
        REQUIRE(ind.size() == 1);
        CHECK(ind[0] == doctest::Approx(1.0f));
        head_stats_set_induction(s, ind);
        CHECK(s[0].get(HeadStat::induction) == doctest::Approx(1.0f));
        HeadLabel l = label_head(s[0]);
        CHECK(name(l.pattern) == std::string("induction"));
        CHECK(l.confidence > 0.4f);
    }
}

TEST_CASE("mixtures: the larger part wins, with less confidence than the pure pattern") {
    auto prev_sink = [](float prev) {
        return one_head(kT, true, [prev](int t, std::vector<float>& r) {
            r[0] += 1.0f - prev;
            r[t > 0 ? t - 1 : 0] += prev;
        });
    };
    HeadLabel pure = label_of(prev_sink(1.0f)), mix = label_of(prev_sink(0.6f)), sink = label_of(prev_sink(0.3f));
    CHECK(pure.pattern == HeadPattern::previous_token);
    CHECK(mix.pattern == HeadPattern::previous_token);
    CHECK(mix.confidence < pure.confidence - 0.2f);
    CHECK(mix.scores[static_cast<int>(HeadPattern::first_sink)] > 0.3f);
    CHECK(sink.pattern == HeadPattern::first_sink);

    // 0.7 self + 0.3 uniform: still the diagonal, less sure.
    HeadLabel self_mix = label_of(one_head(kT, true, [](int t, std::vector<float>& r) {
        r[t] += 0.7f;
        uniform(r, 0, t, 0.3f);
    }));
    HeadLabel self_pure = label_of(one_head(kT, true, [](int t, std::vector<float>& r) { r[t] = 1.0f; }));
    CHECK(self_mix.pattern == HeadPattern::self_diagonal);
    CHECK(self_mix.confidence < self_pure.confidence);
    CHECK(self_mix.confidence > 0.0f);
}

TEST_CASE("label_head is deterministic, scores and confidence in [0, 1]") {
    for (int seed = 0; seed < 20; ++seed) {
        uint32_t x = 2463534242u + seed;
        AttentionTensor a = one_head(kT, seed % 2 == 0, [&](int t, std::vector<float>& r) {
            const int end = seed % 2 == 0 ? t + 1 : kT;
            float sum = 0.0f;
            for (int s = 0; s < end; ++s) {
                x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                r[s] = static_cast<float>(x % 1000) / 1000.0f + 1e-3f;
                sum += r[s];
            }
            for (int s = 0; s < end; ++s) r[s] /= sum;
        });
        HeadLabel a1 = label_of(a), a2 = label_of(a);
        CHECK(a1.pattern == a2.pattern);
        CHECK(a1.confidence == a2.confidence);
        CHECK(a1.confidence >= 0.0f);
        CHECK(a1.confidence <= 1.0f);
        for (float s : a1.scores) {
            CHECK(s >= 0.0f);
            CHECK(s <= 1.0f);
            CHECK(s <= a1.scores[static_cast<int>(a1.pattern)]);
        }
    }
}

TEST_CASE("a head whose attention holds NaN or infinity gets no pattern: bad_values, confidence and scores 0") {
    for (float poison : {std::nanf(""), INFINITY}) {
        for (int bad_row : {1, 5, kT - 1}) {   // row 0 of a causal map is left out of the means (it sees only itself)
            // A previous-token head, clear before the poison: one row's weight becomes NaN / inf.
            AttentionTensor a = one_head(kT, true, [&](int t, std::vector<float>& r) { r[t > 0 ? t - 1 : 0] = 1.0f; });
            CHECK(label_of(a).pattern == HeadPattern::previous_token);
            CHECK_FALSE(label_of(a).bad_values);
            a.probs[static_cast<size_t>(bad_row) * kT + (bad_row > 0 ? bad_row - 1 : 0)] = poison;
            const HeadLabel l = label_of(a);
            INFO("poison " << poison << " in row " << bad_row);
            // Entropy is not 0 ("looks at one key") but not finite either.
            CHECK_FALSE(std::isfinite(stats_of(a).get(HeadStat::entropy)));
            CHECK(l.bad_values);
            CHECK(l.confidence == 0.0f);
            for (float sc : l.scores) CHECK(sc == 0.0f);
            CHECK(std::string(head_label_badge(l, Language::en)) == "NaN");
            CHECK(std::string(head_label_text(l, Language::en)) == "bad values");
            CHECK(std::string(head_label_text(l, Language::zh)) != "bad values");
        }
    }
}

TEST_CASE("cross attention: positional statistics are -1, the rest still measured") {
    AttentionTensor a;
    a.n_layer = a.n_head = 1;
    a.n_query = 3;
    a.n_key = 5;
    for (int t = 0; t < 3; ++t)
        for (int s = 0; s < 5; ++s) a.probs.push_back(s == 2 ? 1.0f : 0.0f);
    HeadStats s = head_statistics(a, plain(5), HeadStatsOptions{})[0];
    CHECK(s.get(HeadStat::mean_distance) == -1.0f);
    CHECK(s.get(HeadStat::previous_token) == -1.0f);
    CHECK(s.get(HeadStat::block_mass) == -1.0f);
    CHECK(s.stripe_key == 2);
    CHECK(s.get(HeadStat::stripe_mass) == doctest::Approx(1.0f));
    CHECK(label_head(s).pattern == HeadPattern::content_stripe);

    // As long as the source by chance: the option says they are two sequences.
    AttentionTensor square = one_head(4, false, [](int, std::vector<float>& r) { r[2] = 1.0f; });
    HeadStatsOptions cross;
    cross.cross_attention = true;
    HeadStats c = head_statistics(square, plain(4), cross)[0];
    CHECK(c.get(HeadStat::previous_token) == -1.0f);
    CHECK(c.get(HeadStat::mean_distance) == -1.0f);
    CHECK(c.per_query[static_cast<int>(HeadStat::mean_distance)] == -1.0f);
}

TEST_CASE("induction score: the scoring part on a hand-made tensor, exactly") {
    // [bos] a b c a b c; row of the second copy's i-th token: weight w_i on prefix + i + 1, the rest on BOS.
    const int n = 3, T = 1 + 2 * n;
    const float w[n] = {0.5f, 0.25f, 1.0f};
    AttentionTensor a = one_head(T, true, [&](int t, std::vector<float>& r) {
        if (t <= n) {
            r[t] = 1.0f;
            return;
        }
        const int i = t - 1 - n;
        r[1 + i + 1] = w[i] / 2;
        r[t] = w[i] / 2;                 // the rest of the non-BOS weight on itself
        r[0] = 1.0f - w[i];
    });
    // Raw: mean of w_i / 2; with the BOS rule each row is first renormalised over keys 1..: w_i/2 / w_i = 1/2.
    CHECK(induction_scores_from_attention(a, 1, n, false)[0] == doctest::Approx((0.25 + 0.125 + 0.5) / 3));
    CHECK(induction_scores_from_attention(a, 1, n, true)[0] == doctest::Approx(0.5));
    // Without a prefix there is no BOS to set aside.
    CHECK(induction_scores_from_attention(a, 0, 3, true)[0] == induction_scores_from_attention(a, 0, 3, false)[0]);
    // A length that does not fit gives zeros rather than reading outside the tensor.
    CHECK(induction_scores_from_attention(a, 1, 10)[0] == 0.0f);
}

TEST_CASE("induction score on fixtures: the standard input, in [0, 1], deterministic for a seed") {
    for (const char* fixture : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        INFO(fixture);
        ModelPtr model = load_fixture_model(fixture);
        int prefix = -1;
        std::vector<int32_t> ids = induction_input(*model, 8, 3, &prefix);
        CHECK(prefix == (model->bos_token_id >= 0 ? 1 : 0));
        if (prefix) CHECK(ids[0] == model->bos_token_id);
        const int n = (static_cast<int>(ids.size()) - prefix) / 2;
        CHECK(n == 8);
        for (int i = 0; i < n; ++i) {
            CHECK(ids[prefix + i] == ids[prefix + n + i]);
            CHECK_FALSE(model->tokenizer.is_special(ids[prefix + i]));
        }
        InductionOptions o;
        o.length = 8;
        o.seed = 3;
        auto s1 = induction_scores(*model, o), s2 = induction_scores(*model, o);
        REQUIRE(s1.ok());
        REQUIRE(s2.ok());
        REQUIRE(s1->size() == static_cast<size_t>(model->info().n_layer) * model->info().n_head);
        CHECK(*s1 == *s2);
        for (float v : *s1) {
            CHECK(v >= 0.0f);
            CHECK(v <= 1.0f);
        }
        // The API equals the scoring part on the same input (one repeat).
        o.repeats = 1;
        auto one = induction_scores(*model, o);
        REQUIRE(one.ok());
        TraceOptions to;
        auto trace = model_trace(*model, induction_input(*model, 8, 3, &prefix), to);
        REQUIRE(trace.ok());
        CHECK(max_abs_diff(*one, induction_scores_from_attention(trace->attentions, prefix, 8)) < 1e-6f);
        o.seed = 4;
        auto other = induction_scores(*model, o);
        REQUIRE(other.ok());
        CHECK(*other != *one);
    }
}

TEST_CASE("induction score in steps: InductionJob gives the mean of whole traces' scores bit for bit") {
    for (const char* fixture : {"gpt2-tiny", "llama-tiny", "bert-tiny", "bart-tiny"}) {
        INFO(fixture);
        ModelPtr model = load_fixture_model(fixture);
        InductionOptions o;
        o.length = 8;
        o.seed = 5;
        // The definition, from whole traces: each repeat's input (seed + r * 7919) traced at once, scored,
        // and the scores averaged.
        std::vector<float> mean(static_cast<size_t>(model->info().n_layer) * model->info().n_head, 0.0f);
        for (int r = 0; r < o.repeats; ++r) {
            int prefix = 0;
            std::vector<int32_t> ids = induction_input(*model, o.length, o.seed + static_cast<uint64_t>(r) * 7919, &prefix);
            TraceOptions to;
            to.capture_hidden_states = false;
            auto trace = model_trace(*model, ids, to);
            REQUIRE(trace.ok());
            const std::vector<float> s = induction_scores_from_attention(trace->attentions, prefix, o.length, true);
            REQUIRE(s.size() == mean.size());
            for (size_t i = 0; i < s.size(); ++i) mean[i] += s[i];
        }
        for (float& v : mean) v /= static_cast<float>(o.repeats);
        auto at_once = induction_scores(*model, o);
        REQUIRE(at_once.ok());
        CHECK(*at_once == mean);
        for (double step_multiply_adds : {0.0, 2000.0}) {   // a block a step, then runs of a few columns
            INFO(step_multiply_adds);
            o.step_multiply_adds = step_multiply_adds;
            InductionJob job(*model, o);
            int steps = 0;
            while (!job.done() && steps < 100000) {
                job.step();
                ++steps;
            }
            REQUIRE(job.done());
            // Two passes of a block or less a step (an encoder-decoder's decoder blocks too).
            const int blocks = model->info().n_layer + model->info().n_decoder_layer;
            CHECK(steps >= 2 * blocks);
            if (step_multiply_adds > 0) CHECK(steps > 2 * (2 * blocks + 3));
            CHECK(job.take() == *at_once);
        }
    }
}

namespace {

// Column `stat` of every head's per_query, in the reference's (L, H, T) layout.
std::vector<float> per_query_column(const std::vector<HeadStats>& stats, HeadStat stat) {
    std::vector<float> out;
    for (const HeadStats& s : stats)
        for (size_t t = 0; t < s.per_query.size() / kHeadStatCount; ++t)
            out.push_back(s.per_query[t * kHeadStatCount + static_cast<int>(stat)]);
    return out;
}

}  // namespace

TEST_CASE("per-query entropy and mean distance equal the reference on every fixture") {
    for (const AnalysisFixture& f : analysis_fixtures()) {
        ModelPtr model = load_fixture_model(f.name);
        for_each_reference_case(f.name, [&](const AttentionTensor& a, const Reference& ref, int c) {
            TokenSeq tokens;
            tokens.ids = ref.ids(c, "input_ids");
            for (int32_t id : tokens.ids) tokens.pieces.push_back(model->tokenizer.id_to_token(id));
            std::vector<HeadStats> stats = head_statistics(a, token_kinds(model->tokenizer, tokens), HeadStatsOptions{});
            REQUIRE(stats.size() == static_cast<size_t>(a.n_layer) * a.n_head);
            const float tol = std::max(f.stats_tolerance, 1e-4f);
            CHECK(max_abs_diff(per_query_column(stats, HeadStat::entropy), ref.f32(c, "entropy")) < tol);
            CHECK(max_abs_diff(per_query_column(stats, HeadStat::mean_distance), ref.f32(c, "mean_distance")) < tol);
            for (const HeadStats& s : stats) {
                HeadLabel l = label_head(s);
                CHECK(l.confidence >= 0.0f);
                CHECK(l.confidence <= 1.0f);
            }
        });
    }
}

TEST_CASE("BART: per-query entropy of encoder, decoder and cross attention equals the reference's maps'") {
    ModelPtr model = load_fixture_model("bart-tiny");
    Reference ref = Reference::load("bart-tiny");
    for (int c = 0; c < ref.n_cases(); ++c) {
        INFO("case " << c);
        auto trace = model_trace_seq2seq(*model, ref.ids(c, "input_ids"), ref.ids(c, "decoder_input_ids"), TraceOptions{});
        REQUIRE(trace.ok());
        struct Pair {
            const AttentionTensor* ours;
            const char* name;
        };
        for (Pair p : {Pair{&trace->attentions, "encoder_attentions"}, Pair{&trace->decoder_attentions, "decoder_attentions"},
                       Pair{&trace->cross_attentions, "cross_attentions"}}) {
            INFO(p.name);
            AttentionTensor theirs = *p.ours;
            theirs.probs = ref.f32(c, p.name);
            REQUIRE(theirs.probs.size() == p.ours->probs.size());
            // The reference's definition applied to transformers' own maps (double precision there).
            std::vector<HeadStats> stats = head_statistics(*p.ours, TokenKinds{}, HeadStatsOptions{});
            CHECK(max_abs_diff(per_query_column(stats, HeadStat::entropy), attention_entropy(theirs)) < 1e-4f);
            if (p.ours->n_query == p.ours->n_key)
                CHECK(max_abs_diff(per_query_column(stats, HeadStat::mean_distance), attention_mean_distance(theirs)) < 1e-4f);
        }
    }
}

TEST_CASE("token_kinds: special tokens, punctuation and sentence ends from a real tokenizer") {
    ModelPtr model = load_fixture_model("bert-tiny");
    Encoding e = model->tokenizer.encode("the cat sat. it was, tired!", true);
    TokenSeq tokens;
    tokens.ids = e.ids;
    tokens.pieces = e.tokens;
    TokenKinds k = token_kinds(model->tokenizer, tokens);
    REQUIRE(k.special.size() == e.ids.size());
    CHECK(k.special.front() == 1);   // [CLS]
    CHECK(k.special.back() == 1);    // [SEP]
    for (size_t i = 0; i < e.tokens.size(); ++i) {
        INFO(e.tokens[i]);
        const bool punct = e.tokens[i] == "." || e.tokens[i] == "," || e.tokens[i] == "!";
        CHECK(k.punctuation[i] == (punct ? 1 : 0));
        CHECK(k.sentence_end[i] == (e.tokens[i] == "." || e.tokens[i] == "!" ? 1 : 0));
    }
    std::vector<int> seg = token_segments(k, static_cast<int>(e.ids.size()));
    CHECK(seg.front() == 0);
    CHECK(seg[1] == 1);   // after [CLS]
    CHECK(seg[seg.size() - 2] == 2);   // "!": after the "."
    CHECK(seg.back() == 3);           // [SEP], after the "!"
}

namespace {

// Three layers of four heads over 23 tokens, each row a different softmax, so every head differs.
AttentionTensor twelve_heads(bool causal) {
    AttentionTensor a;
    a.n_layer = 3, a.n_head = 4, a.n_query = a.n_key = 23, a.causal = causal;
    a.probs.assign(static_cast<size_t>(3) * 4 * 23 * 23, 0.0f);
    for (int lh = 0; lh < 12; ++lh)
        for (int t = 0; t < 23; ++t) {
            float* row = a.probs.data() + (static_cast<size_t>(lh) * 23 + t) * 23;
            const int end = causal ? t + 1 : 23;
            float sum = 0.0f;
            for (int s = 0; s < end; ++s) sum += row[s] = std::exp(0.37f * static_cast<float>((s * 5 + t * 3 + lh * 7) % 11));
            for (int s = 0; s < end; ++s) row[s] /= sum;
        }
    return a;
}

void check_same_stats(const std::vector<HeadStats>& got, const std::vector<HeadStats>& want) {
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("head " << i);
        CHECK(got[i].layer == want[i].layer);
        CHECK(got[i].head == want[i].head);
        CHECK(std::memcmp(got[i].value, want[i].value, sizeof want[i].value) == 0);
        CHECK(got[i].per_query == want[i].per_query);
        CHECK(got[i].stripe_key == want[i].stripe_key);
        CHECK(got[i].segments == want[i].segments);
        CHECK(got[i].block_baseline == want[i].block_baseline);
    }
}

}  // namespace

TEST_CASE("head statistics are the same bits at 1 and 3 threads (heads split between threads)") {
    const AttentionTensor a = twelve_heads(true);
    ThreadCountGuard guard;
    attn::set_parallel_min_work(1);
    std::vector<std::vector<HeadStats>> runs;
    for (int threads : {1, 3}) {
        attn::set_thread_count_for_tests(threads);
        runs.push_back(head_statistics(a, plain(23), HeadStatsOptions{}));
    }
    REQUIRE(runs[0].size() == 12);
    check_same_stats(runs[1], runs[0]);
    CHECK(runs[0][5].layer == 1);   // (L, H) row-major: index 5 is layer 1, head 1
    CHECK(runs[0][5].head == 1);
}

TEST_CASE("HeadStatsJob: steps of 1, 5 or every head give head_statistics' bits") {
    TokenKinds kinds = plain(23);
    kinds.sentence_end[7] = 1;   // two segments, so block_mass and its baseline mean something
    kinds.punctuation[7] = 1;
    kinds.special[0] = 1;
    for (bool causal : {true, false})
        for (bool cross : {false, true}) {
            CAPTURE(causal);
            CAPTURE(cross);
            const AttentionTensor a = twelve_heads(causal);
            HeadStatsOptions options;
            options.cross_attention = cross;
            const std::vector<HeadStats> want = head_statistics(a, kinds, options);
            REQUIRE(want.size() == 12);
            for (int per_step : {1, 5, 12, 100}) {
                CAPTURE(per_step);
                HeadStatsJob job(a, kinds, options);
                CHECK(job.heads_total() == 12);
                CHECK_FALSE(job.done());
                int steps = 0;
                while (!job.step(per_step)) {
                    ++steps;
                    CHECK(job.heads_done() == std::min(12, steps * per_step));
                }
                CHECK(steps + 1 == (12 + per_step - 1) / per_step);
                CHECK(job.done());
                check_same_stats(job.take(), want);
            }
        }
    // Nothing to compute: done at once, empty.
    AttentionTensor none;
    HeadStatsJob empty(none, TokenKinds{}, HeadStatsOptions{});
    CHECK(empty.done());
    CHECK(empty.step(1));
    CHECK(empty.take().empty());
}
