// Head averaging, word-level merging and the random-weights rule: by hand and on the fixtures'
// reference outputs (transformers' own attentions and logits).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "analysis/analysis_fixtures.h"
#include "analysis/head_average.h"
#include "analysis/head_stats.h"
#include "analysis/head_summary.h"
#include "analysis/random_weights.h"
#include "analysis/word_merge.h"

using namespace attn;

namespace {

void check_rows_sum_to_one(const AttentionTensor& a, float tol) {
    for (int l = 0; l < a.n_layer; ++l)
        for (int h = 0; h < a.n_head; ++h)
            for (int t = 0; t < a.n_query; ++t) {
                double sum = 0.0;
                for (int s = 0; s < a.n_key; ++s) sum += a.at(l, h, t, s);
                CHECK(sum == doctest::Approx(1.0).epsilon(tol));
            }
}

}  // namespace

TEST_CASE("head_average: mean of the chosen heads, every head when none is chosen") {
    AttentionTensor a = attention_from({{{{1, 0}, {0.5f, 0.5f}}, {{1, 0}, {0.1f, 0.9f}}, {{1, 0}, {0.3f, 0.7f}}}}, true);
    std::vector<float> all = head_average(a, 0, {});
    REQUIRE(all.size() == 4);
    CHECK(all[2] == doctest::Approx(0.3f));
    CHECK(all[3] == doctest::Approx(0.7f));
    std::vector<float> two = head_average(a, 0, {2, 0, 0, 7, -1});   // repeats and bad heads ignored
    CHECK(two[2] == doctest::Approx(0.4f));
    CHECK(two[3] == doctest::Approx(0.6f));
    CHECK(head_list_text(head_average_heads(a, {2, 0, 0, 7})) == "0,2");
    CHECK(head_list_text(head_average_heads(a, {9})) == "0,1,2");   // nothing valid: every head
    CHECK(head_average(a, 1, {}).empty());
}

TEST_CASE("head_average matches the fixture attentions numerically") {
    for (const AnalysisFixture& f : analysis_fixtures()) {
        INFO(f.name);
        Reference ref = Reference::load(f.name);
        std::vector<float> probs = ref.f32(0, "attentions");
        std::vector<int32_t> ids = ref.ids(0, "input_ids");
        ModelPtr model = load_fixture_model(f.name);
        AttentionTensor a;
        a.n_layer = model->info().n_layer;
        a.n_head = model->info().n_head;
        a.n_query = a.n_key = static_cast<int>(ids.size());
        a.probs = probs;
        REQUIRE(probs.size() == static_cast<size_t>(a.n_layer) * a.n_head * a.n_query * a.n_key);
        const int layer = a.n_layer - 1, T = a.n_query;
        std::vector<float> avg = head_average(a, layer, {});
        std::vector<float> pair = head_average(a, layer, {0, a.n_head - 1});
        for (int t = 0; t < T; ++t) {
            double row = 0.0;
            for (int s = 0; s < T; ++s) {
                double want = 0.0;
                for (int h = 0; h < a.n_head; ++h) want += a.at(layer, h, t, s);
                want /= a.n_head;
                CHECK(avg[static_cast<size_t>(t) * T + s] == doctest::Approx(want).epsilon(1e-5));
                const double want_pair = (a.at(layer, 0, t, s) + a.at(layer, a.n_head - 1, t, s)) / 2.0;
                CHECK(pair[static_cast<size_t>(t) * T + s] == doctest::Approx(want_pair).epsilon(1e-5));
                row += avg[static_cast<size_t>(t) * T + s];
            }
            CHECK(row == doctest::Approx(1.0).epsilon(1e-4));
        }
    }
}

TEST_CASE("word_spans: byte-level, SentencePiece and WordPiece rules") {
    WordSpans b = word_spans({"The", "\xC4\xA0" "animal", "\xC4\xA0" "didn", "'t", "\xC4\xA0" "cross", "ing", ".",
                              "<|endoftext|>", "ing"},
                             PieceConvention::byte_level);
    REQUIRE(b.size() == 7);
    CHECK(b.pieces[2] == "\xC4\xA0" "didn't");
    CHECK(b.pieces[3] == "\xC4\xA0" "crossing");
    CHECK(b.pieces[4] == ".");                 // punctuation is its own word
    CHECK(b.pieces[5] == "<|endoftext|>");     // a special token too, and what follows starts anew
    CHECK(b.first == std::vector<int>{0, 1, 2, 4, 6, 7, 8, 9});   // then "ing" alone: word 6
    CHECK(b.word_of(5) == 3);
    CHECK(b.word_of(9) == -1);

    WordSpans sp = word_spans({"<s>", "\xE2\x96\x81" "cross", "ing", "<0xE5>", "\xE2\x96\x81" "the"},
                              PieceConvention::sentencepiece);
    REQUIRE(sp.size() == 3);
    CHECK(sp.pieces[1] == "\xE2\x96\x81" "crossing<0xE5>");   // a byte piece continues its word
    CHECK(sp.first == std::vector<int>{0, 1, 4, 5});

    WordSpans wp = word_spans({"[CLS]", "cross", "##ing", "the", "street", "[SEP]"}, PieceConvention::wordpiece);
    REQUIRE(wp.size() == 5);
    CHECK(wp.pieces[1] == "crossing");
    CHECK(wp.n_pieces(1) == 2);
}

TEST_CASE("merge_words: sum over looked-at pieces, mean over looking pieces, by hand") {
    // Pieces: a | b1 b2 | c  ->  words A, B, C. Causal, one head.
    AttentionTensor a = attention_from({{{{1, 0, 0, 0}, {0.6f, 0.4f, 0, 0}, {0.2f, 0.3f, 0.5f, 0}, {0.1f, 0.2f, 0.3f, 0.4f}}}},
                                       true);
    WordSpans w;
    w.first = {0, 1, 3, 4};
    w.pieces = {"a", "b", "c"};
    AttentionTensor m = merge_words(a, w, w);
    REQUIRE(m.n_query == 3);
    REQUIRE(m.n_key == 3);
    CHECK(m.causal);
    CHECK(m.at(0, 0, 0, 0) == doctest::Approx(1.0));
    CHECK(m.at(0, 0, 1, 0) == doctest::Approx((0.6 + 0.2) / 2));      // mean over b1, b2 looking at a
    CHECK(m.at(0, 0, 1, 1) == doctest::Approx((0.4 + 0.3 + 0.5) / 2));   // b1,b2 -> b1+b2
    CHECK(m.at(0, 0, 1, 2) == doctest::Approx(0.0));                   // the future stays zero
    CHECK(m.at(0, 0, 2, 1) == doctest::Approx(0.2 + 0.3));             // c -> b1 + b2
    check_rows_sum_to_one(m, 1e-6f);
    WordSpans wrong;
    wrong.first = {0, 2};
    wrong.pieces = {"x"};
    CHECK(merge_words(a, wrong, w).empty());   // spans that do not cover the pieces: nothing
}

TEST_CASE("merge_words on fixture traces: rows sum to 1, fewer words than pieces") {
    struct Case { const char* name; PieceConvention convention; const char* text; };
    for (const Case& c : {Case{"gpt2-tiny", PieceConvention::byte_level, "The animal didn't cross the street crossing."},
                          Case{"llama-tiny", PieceConvention::sentencepiece, "The animal didn't cross the street."},
                          Case{"bert-tiny", PieceConvention::wordpiece, "The animal didn't cross the street."}}) {
        INFO(c.name);
        ModelPtr model = load_fixture_model(c.name);
        auto trace = model_trace_text(*model, c.text, TraceOptions{}, nullptr);
        REQUIRE_MESSAGE(trace.ok(), trace.error().message);
        WordSpans w = word_spans(trace->tokens.pieces, c.convention);
        CHECK(w.size() < trace->tokens.size());
        CHECK(w.first.back() == trace->tokens.size());
        AttentionTensor m = merge_words(trace->attentions, w, w);
        REQUIRE(m.n_query == w.size());
        check_rows_sum_to_one(m, 1e-5f);
        // Every merged cell is the mean of the word's rows summed over the key word's columns.
        const AttentionTensor& a = trace->attentions;
        const int l = a.n_layer - 1, h = a.n_head - 1, wq = w.size() - 1;
        for (int wk = 0; wk < w.size(); ++wk) {
            double want = 0.0;
            for (int t = w.first[wq]; t < w.first[wq + 1]; ++t)
                for (int s = w.first[wk]; s < w.first[wk + 1]; ++s) want += a.at(l, h, t, s);
            CHECK(m.at(l, h, wq, wk) == doctest::Approx(want / w.n_pieces(wq)).epsilon(1e-5));
        }
    }
}

TEST_CASE("logits_look_random: uniform yes, peaked no, the 0.9 ln V boundary") {
    std::vector<float> flat(1000, 0.3f);
    CHECK(logits_entropy(flat.data(), 1000) == doctest::Approx(std::log(1000.0)));
    CHECK(logits_look_random(flat.data(), 1000));
    std::vector<float> peaked(1000, 0.0f);
    peaked[3] = 20.0f;
    CHECK(logits_entropy(peaked.data(), 1000) < 0.01);
    CHECK_FALSE(logits_look_random(peaked.data(), 1000));
    CHECK_FALSE(logits_look_random(nullptr, 1000));
    CHECK_FALSE(logits_look_random(flat.data(), 1));
}

TEST_CASE("logits_look_random: every fixture is flagged; the same logits scaled up are not") {
    // Scaling the logits by k is exactly what scaling a (bias-free) LM head by k does: a "trained" model.
    int checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(ATTN_FIXTURES_DIR)) {
        if (!std::filesystem::exists(entry.path() / "reference.safetensors")) continue;
        const std::string name = entry.path().filename().string();
        INFO(name);
        Reference ref = Reference::load(name);
        const char* logits_name = ref.has(0, "last_logits") ? "last_logits" : "mask_logits";
        REQUIRE(ref.has(0, logits_name));
        for (int c = 0; c < ref.n_cases(); ++c) {
            std::vector<float> logits = ref.f32(c, logits_name);
            const int V = static_cast<int>(logits.size());
            REQUIRE(V > 100);
            CHECK(logits_look_random(logits.data(), V));
            for (float& x : logits) x *= 50.0f;
            CHECK_FALSE(logits_look_random(logits.data(), V));
        }
        ++checked;
    }
    CHECK(checked >= 9);
}

TEST_CASE("layer_head_summary agrees with attention_entropy / attention_mean_distance on gpt2-tiny") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    auto trace = model_trace_text(*model, "The animal didn't cross the street because it was tired.", TraceOptions{}, nullptr);
    REQUIRE(trace.ok());
    const AttentionTensor& a = trace->attentions;
    std::vector<float> e = attention_entropy(a), d = attention_mean_distance(a);
    const int T = a.n_query;
    for (int l = 0; l < a.n_layer; ++l) {
        std::vector<RowStats> s = layer_head_summary(a, l);
        REQUIRE(s.size() == static_cast<size_t>(a.n_head));
        for (int h = 0; h < a.n_head; ++h) {
            double want_e = 0.0, want_d = 0.0, want_n = 0.0;
            for (int t = 0; t < T; ++t) {
                const float et = e[(static_cast<size_t>(l) * a.n_head + h) * T + t];
                want_e += et;
                want_d += d[(static_cast<size_t>(l) * a.n_head + h) * T + t];
                if (t > 0) want_n += et / std::log(t + 1.0);   // causal: row t sees t + 1 keys
            }
            CHECK(s[h].entropy == doctest::Approx(want_e / T).epsilon(1e-4));
            CHECK(s[h].mean_distance == doctest::Approx(want_d / T).epsilon(1e-4));
            CHECK(s[h].entropy_norm == doctest::Approx(want_n / T).epsilon(1e-4));
            CHECK(s[h].entropy_norm <= 1.0f + 1e-4f);
            // One head alone (what the app steps a large layer with): the same bits.
            const RowStats one = head_summary(a, l, h);
            CHECK(std::memcmp(&one, &s[h], sizeof one) == 0);
        }
    }
    RowStats uniform_row = row_stats(std::vector<float>{0.25f, 0.25f, 0.25f, 0.25f}.data(), 4, 0, false, false);
    CHECK(uniform_row.entropy_norm == doctest::Approx(1.0));
    CHECK(uniform_row.mean_distance == -1.0f);
}
