// Rule-based attention checks: the suite format's errors, token resolution, the metric on a hand-built
// network whose heads look where we say, and every built-in suite on every fixture family.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "analysis/check_suites.h"
#include "analysis/checks.h"
#include "decoder_reference.h"
#include "fixture_path.h"
#include "platform/file_io.h"

using namespace attn;

namespace {

std::string parse_error(const std::string& json) {
    Expected<CheckSuite> s = parse_check_suite(json, "my.json");
    REQUIRE_FALSE(s.ok());
    return s.error().message;
}

const char* kCase = R"("text": "The animal didn't cross the street because it was too tired", "query": "it",
                       "expected": "animal", "distractors": "street")";

std::string one_case(const std::string& fields) { return std::string(R"({"cases": [{"name": "c1", )") + fields + "}]}"; }

}  // namespace

TEST_CASE("check suite: a good suite parses with its defaults") {
    Expected<CheckSuite> s = parse_check_suite(
        std::string(R"({"description": "d", "defaults": {"scope": "layer_average", "threshold": 0.25}, "cases": [{)") + kCase +
            R"(}, {"text": "a b a b", "query": {"text": "a", "occurrence": 2}, "expected": [{"position": 1}, "b"],
                 "metric": "mass", "scope": "rollout"}]})",
        "dir/my.json");
    REQUIRE_MESSAGE(s.ok(), s.error().message);
    CHECK(s->name == "my");
    CHECK(s->description == "d");
    REQUIRE(s->cases.size() == 2);
    const CheckCase& a = s->cases[0];
    CHECK(a.name == "case 1");
    CHECK(a.scope == CheckScope::layer_average);
    CHECK(a.threshold == doctest::Approx(0.25));
    CHECK(a.metric == CheckMetric::margin);
    CHECK(a.query.text == "it");
    CHECK(a.query.occurrence == 1);
    REQUIRE(a.expected.size() == 1);
    CHECK(a.expected[0].text == "animal");
    REQUIRE(a.distractors.size() == 1);
    const CheckCase& b = s->cases[1];
    CHECK(b.scope == CheckScope::rollout);
    CHECK(b.metric == CheckMetric::mass);
    CHECK(b.query.occurrence == 2);
    REQUIRE(b.expected.size() == 2);
    CHECK(b.expected[0].position == 1);
    CHECK(b.expected[1].text == "b");
}

TEST_CASE("check suite: malformed suites name the file, the case and the field") {
    CHECK(parse_error("{") .find("my.json") != std::string::npos);
    CHECK(parse_error(R"({"cases": []})") == "my.json: field 'cases' is empty");
    CHECK(parse_error(R"({"cases": 3})") == "my.json: field 'cases' must be an array, found an integer");
    CHECK(parse_error(R"({"name": "x"})") == "my.json: field 'cases' is missing");
    CHECK(parse_error(R"({"cases": [{"query": "it", "expected": "animal", "distractors": "street"}]})") ==
          "my.json: case 1: field 'text' is missing");
    CHECK(parse_error(one_case(R"("query": "it", "expected": "animal", "distractors": "street")")) ==
          "my.json: case 'c1': field 'text' is missing");
    CHECK(parse_error(one_case(std::string(kCase) + R"(, "scope": "heads")")) ==
          "my.json: case 'c1': field 'scope' is 'heads'; use head, layer_average, rollout or attribution");
    CHECK(parse_error(one_case(std::string(kCase) + R"(, "threshold": "0.5")")) ==
          "my.json: case 'c1': field 'threshold' must be a number, found a string");
    CHECK(parse_error(one_case(std::string(kCase) + R"(, "metric": 1)")) ==
          "my.json: case 'c1': field 'metric' must be a string, found an integer");
    CHECK(parse_error(one_case(std::string(kCase) + R"(, "colour": 1)")) == "my.json: case 'c1': unknown field 'colour'");
    CHECK(parse_error(one_case(R"("text": "a b", "query": {"text": "a", "occurrence": 0}, "expected": "b", "distractors": "a")")) ==
          "my.json: case 'c1': field 'query.occurrence' must be at least 1, got 0");
    CHECK(parse_error(one_case(R"("text": "a b", "query": "a", "expected": [], "distractors": "a")")) ==
          "my.json: case 'c1': field 'expected' is empty");
    CHECK(parse_error(one_case(R"("text": "a b", "query": "a", "expected": "b")")) ==
          "my.json: case 'c1': field 'distractors' is empty, but metric margin compares against them (or use metric mass)");
    CHECK(parse_error(one_case(R"("text": "a b", "query": "a", "expected": [1.5], "distractors": "a")")) ==
          "my.json: case 'c1': field 'expected[0]' must be a token (\"it\", a position or {\"text\": ...}), found a number");
    CHECK(parse_error(one_case(R"("text": "a b", "query": {"position": -1}, "expected": "b", "distractors": "a")")) ==
          "my.json: case 'c1': field 'query.position' must be 0 or more, got -1");
    CHECK(parse_error(one_case(R"("text": "  ", "query": "a", "expected": "b", "distractors": "a")")) ==
          "my.json: case 'c1': field 'text' is empty");
    CHECK(parse_error(one_case(std::string(kCase) + R"(, "attention": "cross")")) ==
          "my.json: case 'c1': field 'target' is needed with attention 'cross'");
    CHECK(parse_error(R"({"defaults": {"scope": "x"}, "cases": [{}]})") ==
          "my.json: defaults: field 'scope' is 'x'; use head, layer_average, rollout or attribution");
}

TEST_CASE("check tokens: whole words, occurrences, pieces of a split word, special tokens") {
    const std::string text = "it was it, wit";
    // As a small vocabulary might split it: [CLS] it was it , w it [SEP]
    const std::vector<std::string> pieces = {"[CLS]", "it", "\xC4\xA0was", "\xC4\xA0it", ",", "\xC4\xA0w", "it", "[SEP]"};
    const std::vector<std::pair<int, int>> offsets = {{-1, -1}, {0, 2}, {2, 6}, {6, 9}, {9, 10}, {10, 12}, {12, 14}, {-1, -1}};
    auto pos = [&](TokenRef r) {
        TokenMatch m = resolve_token_ref(r, pieces, offsets, text);
        INFO(m.error);
        return m.positions;
    };
    CHECK(pos({-1, "it", 1}) == std::vector<int>{1});
    CHECK(pos({-1, "IT", 2}) == std::vector<int>{3});
    CHECK(pos({-1, "wit", 1}) == std::vector<int>{5, 6});   // "wit" is two pieces; its "it" is not the word "it"
    CHECK(pos({-1, ",", 1}) == std::vector<int>{4});
    CHECK(pos({-1, "[SEP]", 1}) == std::vector<int>{7});
    CHECK(pos({4, "", 1}) == std::vector<int>{4});
    CHECK(resolve_token_ref({-1, "it", 3}, pieces, offsets, text).error == "'it' occurs 2 time(s), not 3");
    CHECK(resolve_token_ref({-1, "dog", 1}, pieces, offsets, text).error == "'dog' is not in the text");
    CHECK(resolve_token_ref({9, "", 1}, pieces, offsets, text).error == "position 9 is past the last token (7)");
    CHECK(check_piece_text("\xC4\xA0" "animal") == "animal");
    CHECK(check_piece_text("\xE2\x96\x81" "animal") == "animal");
    CHECK(check_piece_text("##imal") == "imal");
}

namespace {

// One layer, two heads over GPT-2's tokenizer: head 0 puts 0.7 on " animal" and 0.3 on " street" in every
// row, head 1 0.2 and 0.8; every other weight is zero.
class LookingNetwork : public Network {
public:
    LookingNetwork(int32_t animal, int32_t street) : animal_(animal), street_(street) {
        info_.architecture = "looking";
        info_.n_layer = 1;
        info_.n_head = info_.n_kv_head = 2;
        info_.n_embd = 4;
        info_.n_ctx = 64;
        info_.n_vocab = 50257;
    }
    const ModelInfo& info() const override { return info_; }
    Trace forward(const std::vector<int32_t>& ids, const TraceOptions&) const override {
        const int T = static_cast<int>(ids.size());
        Trace t;
        t.architecture = "looking";
        t.tokens.ids = ids;
        AttentionTensor& a = t.attentions;
        a.n_layer = 1;
        a.n_head = 2;
        a.n_query = a.n_key = T;
        a.causal = true;
        a.probs.assign(static_cast<size_t>(2) * T * T, 0.0f);
        for (int h = 0; h < 2; ++h)
            for (int q = 0; q < T; ++q)
                for (int s = 0; s <= q; ++s) {
                    float& w = a.probs[(static_cast<size_t>(h) * T + q) * T + s];
                    if (ids[s] == animal_) w = h == 0 ? 0.7f : 0.2f;
                    if (ids[s] == street_) w = h == 0 ? 0.3f : 0.8f;
                }
        return t;
    }

private:
    ModelInfo info_;
    int32_t animal_, street_;
};

Model looking_model() {
    Expected<FileSet> files = folder_read(fixture_path("gpt2-tiny"));
    REQUIRE(files.ok());
    Expected<Tokenizer> tok = tokenizer_load(*files);
    REQUIRE(tok.ok());
    Model m;
    const int32_t animal = *tok->token_to_id("\xC4\xA0" "animal"), street = *tok->token_to_id("\xC4\xA0" "street");
    m.network = std::make_unique<LookingNetwork>(animal, street);
    m.tokenizer = std::move(*tok);
    return m;
}

CheckSuiteResult run_suite(const Model& model, const std::string& json) {
    Expected<CheckSuite> suite = parse_check_suite(json, "t.json");
    REQUIRE_MESSAGE(suite.ok(), suite.error().message);
    CheckRun run(model, *suite);
    step_job_finish(run);
    CHECK(run.error().empty());
    CHECK(run.progress() == doctest::Approx(1.0));
    return run.result();
}

}  // namespace

TEST_CASE("checks: the head attending from 'it' to 'animal' passes, the one attending to 'street' fails") {
    Model model = looking_model();
    CheckSuiteResult r = run_suite(model, std::string(R"({"cases": [{"name": "tired", )") + kCase +
                                              R"(}, {"name": "wide", "text": "The animal didn't cross the street because it was too wide",
                 "query": "it", "expected": "street", "distractors": "animal"},
                {"name": "avg", "scope": "layer_average", )" + kCase + R"(},
                {"name": "mass", "metric": "mass", "threshold": 0.5, "text": "The animal saw it", "query": "it", "expected": "animal"},
                {"name": "missing", "text": "The cat sat", "query": "it", "expected": "cat", "distractors": "sat"}]})");
    REQUIRE(r.cases.size() == 5);
    const CheckCaseResult& c = r.cases[0];
    REQUIRE_MESSAGE(c.error.empty(), c.error);
    CHECK(c.query == 8);   // The animal didn 't cross the street because [it]
    CHECK(c.query_text == "it");
    CHECK(c.expected == std::vector<int>{1});
    CHECK(c.distractors == std::vector<int>{6});
    REQUIRE(c.head_value.size() == 2);
    CHECK(c.head_value[0] == doctest::Approx(0.4));
    CHECK(c.head_value[1] == doctest::Approx(-0.6));
    CHECK(c.head_pass == std::vector<uint8_t>{1, 0});
    CHECK(c.best == 0);
    CHECK(c.pass);
    CHECK(c.value == doctest::Approx(0.4));

    const CheckCaseResult& w = r.cases[1];
    CHECK(w.head_value[0] == doctest::Approx(-0.4));
    CHECK(w.head_value[1] == doctest::Approx(0.6));
    CHECK(w.best == 1);
    CHECK(w.pass);

    const CheckCaseResult& avg = r.cases[2];
    REQUIRE(avg.layer_value.size() == 1);
    CHECK(avg.layer_value[0] == doctest::Approx(0.45 - 0.55));
    CHECK_FALSE(avg.pass);

    const CheckCaseResult& mass = r.cases[3];
    CHECK(mass.head_pass == std::vector<uint8_t>{1, 0});   // 0.7 > 0.5, 0.2 is not
    CHECK(mass.value == doctest::Approx(0.7));

    CHECK(r.cases[4].error == "query 'it' is not in the text");

    // Head 0 passes tired and mass, head 1 passes wide: head 0 first.
    CHECK(r.head_pass_count == std::vector<int>{2, 1});
    CHECK(r.best_heads == std::vector<int>{0, 1});
    const std::string table = check_results_table(r);
    CHECK(table.find("it -> animal vs street") != std::string::npos);
    CHECK(table.find("query 'it' is not in the text") != std::string::npos);
    const std::string json = check_results_json(r);
    CHECK(json.find("\"best_heads\"") != std::string::npos);
}

TEST_CASE("checks: cancel stops at the next case and keeps what finished") {
    Model model = looking_model();
    Expected<CheckSuite> suite = check_suite_from("coreference");
    REQUIRE(suite.ok());
    CheckRun run(model, *suite);
    run.step();
    run.cancel();
    CHECK(run.done());
    CHECK(run.result().cases.size() == 1);
}

TEST_CASE("checks: every built-in suite parses and runs on every fixture family") {
    REQUIRE(builtin_check_suites().size() >= 6);
    for (const char* name : {"coreference", "agreement", "previous_token", "induction", "brackets", "translation"})
        CHECK_MESSAGE(builtin_check_suite(name) != nullptr, name);
    CHECK(check_suite_from("nope").error().message.find("no built-in check suite 'nope'") == 0);

    for (const char* fixture : {"gpt2-tiny", "llama-tiny", "qwen2-tiny", "bert-tiny", "roberta-tiny", "distilbert-tiny", "bart-tiny"}) {
        ModelPtr model = load_fixture_model(fixture);
        const bool seq2seq = model->info().encoder_decoder;
        for (const BuiltinCheckSuite& b : builtin_check_suites()) {
            INFO(fixture << " " << b.name);
            Expected<CheckSuite> suite = parse_check_suite(b.json, b.file);
            REQUIRE_MESSAGE(suite.ok(), suite.error().message);
            CheckRun run(*model, *suite);
            step_job_finish(run);
            const CheckSuiteResult& r = run.result();
            REQUIRE(r.cases.size() == suite->cases.size());
            const bool cross_suite = std::string(b.name) == "translation";
            for (size_t i = 0; i < r.cases.size(); ++i) {
                const CheckCaseResult& c = r.cases[i];
                INFO(c.name << ": " << c.error);
                // What may not run: cross attention without a decoder, gradients through BART.
                const bool may_fail = (cross_suite && !seq2seq) || (seq2seq && c.scope == CheckScope::attribution);
                if (may_fail) {
                    CHECK_FALSE(c.error.empty());
                    continue;
                }
                CHECK(c.error.empty());
                CHECK(std::isfinite(c.value));
                if (c.scope == CheckScope::head) {
                    CHECK(c.head_value.size() == static_cast<size_t>(c.n_layer) * c.n_head);
                    CHECK(c.value == doctest::Approx(*std::max_element(c.head_value.begin(), c.head_value.end())));
                }
            }
            if (!cross_suite || seq2seq) CHECK(r.head_pass_count.size() == static_cast<size_t>(r.n_layer) * r.n_head);
        }
    }
}

TEST_CASE("check_head_pass_rates: each head's passed cases over the suite's cases; none for an empty result") {
    CheckSuiteResult r;
    r.cases.resize(4);
    r.head_pass_count = {4, 0, 1, 3};
    CHECK(check_head_pass_rates(r) == std::vector<float>{1.0f, 0.0f, 0.25f, 0.75f});
    CheckSuiteResult empty;
    empty.head_pass_count = {0, 0};
    CHECK(check_head_pass_rates(empty) == std::vector<float>{0.0f, 0.0f});
}
