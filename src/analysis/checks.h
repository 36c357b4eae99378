// Rule-based attention checks: "does `it` attend to `animal` more than to `street`?" asked of every head
// (and of each layer's average, the rollout, or the attributions), over a suite of cases in JSON.
//
// Suite format (assets/checks/*.json; checks.cpp documents every field and its default):
//   {"name": "coreference", "description": "...",
//    "cases": [{"name": "animal-tired", "text": "The animal didn't cross the street because it was too tired",
//               "query": {"text": "it"},                  // or {"position": 7}; "occurrence": 2 for the 2nd
//               "expected": [{"text": "animal"}], "distractors": [{"text": "street"}],
//               "scope": "head",                          // head | layer_average | rollout | attribution
//               "attention": "self",                      // self | decoder | cross (seq2seq: "target" text too)
//               "metric": "margin",                       // margin: expected - max distractor; mass: expected sum
//               "threshold": 0.0}]}
// Token references match whole words of the text, case-insensitively (the n-th occurrence counts those),
// and mean every piece of that word (the query: its last piece); added special tokens ("[CLS]") match by
// their text without Ġ/▁/## markers.
//
//   Expected<CheckSuite> suite = parse_check_suite(json_text, "coref.json");
//   CheckRun run(model, *suite);  step_job_finish(run);
//   for (const CheckCaseResult& c : run.result().cases) ...    // c.head_value[l * H + h], c.head_pass
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "analysis/step_job.h"
#include "core/error.h"
#include "model/model.h"

namespace attn {

struct TokenRef {
    int position = -1;       // >= 0: this position
    std::string text;        // else the `occurrence`-th token whose text matches
    int occurrence = 1;
};

enum class CheckScope { head, layer_average, rollout, attribution };
enum class CheckMetric { margin, mass };

struct CheckCase {
    std::string name;
    std::string text;        // the input (encoder-decoders: the source)
    std::string target;      // encoder-decoders: the decoder's text
    std::string attention = "self";   // self | decoder | cross
    TokenRef query;
    std::vector<TokenRef> expected, distractors;
    CheckScope scope = CheckScope::head;
    CheckMetric metric = CheckMetric::margin;
    float threshold = 0.0f;  // passes when value > threshold
};

struct CheckSuite {
    std::string name, description;
    std::vector<CheckCase> cases;
};

// A malformed suite fails with a message naming the file, the case (by name or index) and the field.
Expected<CheckSuite> parse_check_suite(const std::string& json, const std::string& file_name);

// A token reference's positions in `pieces` (the model's tokens of `text`, `offsets` their byte ranges in
// it, -1 for added special tokens): an added special token whose text matches, else the n-th whole-word
// occurrence of the text in `text` and every piece overlapping it. Empty `error` on success.
struct TokenMatch {
    std::vector<int> positions;
    std::string error;
};
TokenMatch resolve_token_ref(const TokenRef& ref, const std::vector<std::string>& pieces,
                             const std::vector<std::pair<int, int>>& offsets, const std::string& text);
// A piece without its Ġ / ▁ / ## / Ċ markers and surrounding spaces ("Ġanimal" -> "animal").
std::string check_piece_text(const std::string& piece);

struct CheckCaseResult {
    std::string name;
    std::string error;                  // non-empty: the case could not run on this model (token not found, ...)
    CheckScope scope = CheckScope::head;
    CheckMetric metric = CheckMetric::margin;
    float threshold = 0.0f;
    int query = -1;                     // resolved positions
    std::vector<int> expected, distractors;
    // What the positions read as (markers stripped): the query's token, one entry per expected /
    // distractor reference (a word split into pieces reads as the joined pieces).
    std::string query_text;
    std::vector<std::string> expected_text, distractor_text;
    int n_layer = 0, n_head = 0;
    std::vector<float> head_value;      // (L, H) scope head: metric per head
    std::vector<float> layer_value;     // (L) scope layer_average
    float value = 0.0f;                 // scopes rollout / attribution: the one value; head / layer: the best
    std::vector<uint8_t> head_pass;     // (L, H)
    bool pass = false;                  // the best head (layer, ...) passes
    int best = -1;                      // scope head: l * H + h of the best head; layer_average: its layer
};

struct CheckSuiteResult {
    std::string suite;
    int n_layer = 0, n_head = 0;
    std::vector<CheckCaseResult> cases;
    std::vector<int> head_pass_count;   // (L, H) cases each head passes (scope head cases only)
    std::vector<int> best_heads;        // l * H + h, most cases passed first, then larger mean margin
};

class CheckRun : public StepJob {
public:
    CheckRun(const Model& model, CheckSuite suite);   // one case per step
    ~CheckRun() override;
    bool step() override;
    bool done() const override;
    float progress() const override;
    const std::string& stage() const override;
    void cancel() override;
    const std::string& error() const override;
    const CheckSuiteResult& result() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// The whole suite at once (a CheckRun stepped to the end), for callers that need no progress.
Expected<CheckSuiteResult> check_suite_run(const Model& model, CheckSuite suite);
// Per head (l * H + h): the fraction of the suite's cases it passes (head_pass_count / cases).
std::vector<float> check_head_pass_rates(const CheckSuiteResult& result);

// The results as JSON (what `attnscope-cli probe --out` writes) and as a plain table (what it prints).
std::string check_results_json(const CheckSuiteResult& result);
std::string check_results_table(const CheckSuiteResult& result);

}  // namespace attn
