// A check run's results as JSON (probe --out, the page's attnscope.probe) and as the plain table probe prints.
#include <cstdio>

#include "analysis/checks.h"
#include "core/json.h"

namespace attn {
namespace {

const char* scope_name(CheckScope s) {
    switch (s) {
        case CheckScope::head: return "head";
        case CheckScope::layer_average: return "layer_average";
        case CheckScope::rollout: return "rollout";
        case CheckScope::attribution: return "attribution";
    }
    return "head";
}

std::string fixed(double v, const char* format = "%+.4f") {
    char buf[32];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

std::string joined(const std::vector<std::string>& parts, const char* sep) {
    std::string s;
    for (const std::string& p : parts) s += (s.empty() ? "" : sep) + p;
    return s;
}

// Left-aligned in `width` columns, always followed by at least one space.
std::string pad(std::string s, size_t width) {
    s.append(s.size() < width ? width - s.size() : 1, ' ');
    return s;
}

std::string where_best(const CheckCaseResult& c) {
    if (c.best < 0) return scope_name(c.scope);
    if (c.scope == CheckScope::layer_average) return "L" + std::to_string(c.best);
    return "L" + std::to_string(c.best / c.n_head) + " H" + std::to_string(c.best % c.n_head);
}

}  // namespace

std::string check_results_json(const CheckSuiteResult& result) {
    Json j;
    j["suite"] = result.suite;
    j["n_layer"] = result.n_layer;
    j["n_head"] = result.n_head;
    j["cases"] = Json::array();
    int passed = 0, errors = 0;
    for (const CheckCaseResult& c : result.cases) {
        Json k;
        k["name"] = c.name;
        k["scope"] = scope_name(c.scope);
        k["metric"] = c.metric == CheckMetric::margin ? "margin" : "mass";
        k["threshold"] = c.threshold;
        if (!c.error.empty()) {
            k["error"] = c.error;
            ++errors;
            j["cases"].push_back(k);
            continue;
        }
        k["query"] = c.query;
        k["query_text"] = c.query_text;
        k["expected"] = c.expected;
        k["expected_text"] = c.expected_text;
        k["distractors"] = c.distractors;
        k["distractor_text"] = c.distractor_text;
        k["value"] = c.value;
        k["pass"] = c.pass;
        passed += c.pass;
        if (c.scope == CheckScope::head) {
            k["best_layer"] = c.best / c.n_head;
            k["best_head"] = c.best % c.n_head;
            k["n_layer"] = c.n_layer;
            k["n_head"] = c.n_head;
            k["head_value"] = c.head_value;
            k["head_pass"] = c.head_pass;
        } else if (c.scope == CheckScope::layer_average) {
            k["best_layer"] = c.best;
            k["layer_value"] = c.layer_value;
        }
        j["cases"].push_back(k);
    }
    j["passed"] = passed;
    j["errors"] = errors;
    j["head_pass_count"] = result.head_pass_count;
    j["best_heads"] = Json::array();
    for (int i : result.best_heads)
        j["best_heads"].push_back({{"layer", i / result.n_head}, {"head", i % result.n_head},
                                   {"passes", result.head_pass_count[i]}});
    return j.dump(1) + "\n";
}

Expected<CheckSuiteResult> check_suite_run(const Model& model, CheckSuite suite) {
    CheckRun run(model, std::move(suite));
    while (!run.done()) run.step();
    if (!run.error().empty()) return make_error(run.error());
    return run.result();
}

std::vector<float> check_head_pass_rates(const CheckSuiteResult& result) {
    std::vector<float> rates(result.head_pass_count.size(), 0.0f);
    for (size_t i = 0; i < rates.size(); ++i)
        rates[i] = result.cases.empty() ? 0.0f
                                        : static_cast<float>(result.head_pass_count[i]) / static_cast<float>(result.cases.size());
    return rates;
}

std::string check_results_table(const CheckSuiteResult& result) {
    std::string out = "suite " + result.suite + ": " + std::to_string(result.cases.size()) + " cases\n";
    out += pad("case", 28) + pad("query -> expected vs distractors", 44) + pad("result", 8) + pad("best", 12) + "value\n";
    int passed = 0;
    for (const CheckCaseResult& c : result.cases) {
        out += pad(c.name, 28);
        if (!c.error.empty()) {
            out += "error: " + c.error + "\n";
            continue;
        }
        std::string q = c.query_text + " -> " + joined(c.expected_text, "+");
        if (!c.distractor_text.empty()) q += " vs " + joined(c.distractor_text, ", ");
        passed += c.pass;
        out += pad(q, 44) + pad(c.pass ? "PASS" : "fail", 8) + pad(where_best(c), 12) + fixed(c.value) +
               (c.metric == CheckMetric::mass ? " mass" : " margin") + "\n";
    }
    out += std::to_string(passed) + " of " + std::to_string(result.cases.size()) + " cases pass\n";
    if (!result.best_heads.empty() && result.head_pass_count[result.best_heads[0]] > 0) {
        out += "heads passing most cases:";
        for (size_t i = 0; i < result.best_heads.size() && i < 5; ++i) {
            const int h = result.best_heads[i];
            if (result.head_pass_count[h] == 0) break;
            out += " L" + std::to_string(h / result.n_head) + " H" + std::to_string(h % result.n_head) + " (" +
                   std::to_string(result.head_pass_count[h]) + ")";
        }
        out += "\n";
    } else if (!result.best_heads.empty()) {
        out += "no head passes any case\n";
    }
    return out;
}

}  // namespace attn
