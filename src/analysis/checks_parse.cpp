// Reading a check suite from JSON. Only the format: resolving tokens and running cases is checks.cpp.
//
// The suite format, every field and its default (README "Checks" repeats this):
//
//   {
//     "name":        string   the suite's name; default: the file name without folder and ".json"
//     "description": string   one line for people; default ""
//     "defaults":    object   scope / attention / metric / threshold given to every case that does not
//                             set its own; default {}
//     "cases": [              required, at least one
//       {
//         "name":        string   default "case N" (N from 1)
//         "text":        string   required, not empty: the input (encoder-decoders: the source)
//         "target":      string   encoder-decoders: the decoder's text (teacher-forced); default ""
//         "attention":   "self" | "decoder" | "cross"   default "self". decoder: the decoder's own
//                        attention over target; cross: queries in target, keys in text
//         "query":       TOKEN    required: the attending token
//         "expected":    TOKEN or [TOKEN, ...]   required, not empty: where it should attend (weights summed)
//         "distractors": TOKEN or [TOKEN, ...]   default []; metric margin needs at least one
//         "scope":       "head" | "layer_average" | "rollout" | "attribution"   default "head".
//                        head: every head alone; layer_average: each layer's mean over heads; rollout:
//                        the query's row of the attention rollout (analysis/rollout.h); attribution:
//                        gradient x input of the model's prediction at the query position, each token's
//                        share of the total |gradient x input| (signed), decoder-only and encoder models
//         "metric":      "margin" | "mass"   default "margin". margin: weight on expected (sum) minus the
//                        largest weight on one distractor (a distractor's pieces summed); mass: weight on
//                        expected
//         "threshold":   number   default 0: a head (layer, ...) passes when its value is above it
//       }, ...]
//   }
//
//   TOKEN: {"text": "it", "occurrence": 2} (the 2nd match; occurrence default 1, counted from 1) or
//   {"position": 7} (counted from 0, special tokens included), or the shorthands "it" and 7.
//
// Unknown fields are errors (a typo must not silently fall back to a default). Every message names the
// file, the case (by name, else by number) and the field.
#include <cmath>

#include "analysis/checks.h"
#include "core/json.h"

namespace attn {
namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw Error(where + ": " + what); }

void check_keys(const Json& object, std::initializer_list<const char*> known, const std::string& where) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool ok = false;
        for (const char* k : known) ok = ok || it.key() == k;
        if (!ok) fail(where, "unknown field '" + it.key() + "'");
    }
}

std::string get_string(const Json& object, const char* key, const std::string& fallback, const std::string& where) {
    auto it = object.find(key);
    if (it == object.end()) return fallback;
    if (!it->is_string())
        fail(where, "field '" + std::string(key) + "' must be a string, found " + json_type_name(*it));
    return it->get<std::string>();
}

int get_count(const Json& value, const std::string& field, int minimum, const std::string& where) {
    if (!value.is_number_integer())
        fail(where, "field '" + field + "' must be an integer, found " + json_type_name(value));
    const int64_t v = value.get<int64_t>();
    if (v < minimum || v > 1000000)
        fail(where, "field '" + field + "' must be " + (minimum == 0 ? "0 or more" : "at least 1") + ", got " +
                        std::to_string(v));
    return static_cast<int>(v);
}

TokenRef parse_ref(const Json& value, const std::string& field, const std::string& where) {
    TokenRef ref;
    if (value.is_string()) {
        ref.text = value.get<std::string>();
    } else if (value.is_number_integer()) {
        ref.position = get_count(value, field, 0, where);
    } else if (value.is_object()) {
        check_keys(value, {"text", "position", "occurrence"}, where + ": field '" + field + "'");
        const bool has_text = value.contains("text"), has_position = value.contains("position");
        if (has_text == has_position) fail(where, "field '" + field + "' needs exactly one of 'text' and 'position'");
        if (has_text) ref.text = get_string(value, "text", "", where);
        if (has_position) ref.position = get_count(value["position"], field + ".position", 0, where);
        if (value.contains("occurrence")) {
            if (has_position) fail(where, "field '" + field + ".occurrence' only goes with 'text'");
            ref.occurrence = get_count(value["occurrence"], field + ".occurrence", 1, where);
        }
    } else {
        fail(where, "field '" + field + "' must be a token (\"it\", a position or {\"text\": ...}), found " +
                        json_type_name(value));
    }
    if (ref.position < 0 && ref.text.find_first_not_of(" \t\n") == std::string::npos)
        fail(where, "field '" + field + "' has an empty token text");
    return ref;
}

std::vector<TokenRef> parse_refs(const Json& object, const char* key, const std::string& where) {
    std::vector<TokenRef> refs;
    auto it = object.find(key);
    if (it == object.end()) return refs;
    if (it->is_array()) {
        for (size_t i = 0; i < it->size(); ++i)
            refs.push_back(parse_ref((*it)[i], std::string(key) + "[" + std::to_string(i) + "]", where));
    } else {
        refs.push_back(parse_ref(*it, key, where));
    }
    return refs;
}

// scope / attention / metric / threshold, from a case or from the suite's defaults.
void parse_settings(const Json& object, CheckCase& c, const std::string& where) {
    const std::string scope = get_string(object, "scope", "", where);
    if (scope == "head") c.scope = CheckScope::head;
    else if (scope == "layer_average") c.scope = CheckScope::layer_average;
    else if (scope == "rollout") c.scope = CheckScope::rollout;
    else if (scope == "attribution") c.scope = CheckScope::attribution;
    else if (!scope.empty() || object.contains("scope"))
        fail(where, "field 'scope' is '" + scope + "'; use head, layer_average, rollout or attribution");

    const std::string attention = get_string(object, "attention", c.attention, where);
    if (attention != "self" && attention != "decoder" && attention != "cross")
        fail(where, "field 'attention' is '" + attention + "'; use self, decoder or cross");
    c.attention = attention;

    const std::string metric = get_string(object, "metric", "", where);
    if (metric == "margin") c.metric = CheckMetric::margin;
    else if (metric == "mass") c.metric = CheckMetric::mass;
    else if (!metric.empty() || object.contains("metric"))
        fail(where, "field 'metric' is '" + metric + "'; use margin or mass");

    if (auto it = object.find("threshold"); it != object.end()) {
        if (!it->is_number() || !std::isfinite(it->get<double>()))
            fail(where, "field 'threshold' must be a number, found " + std::string(json_type_name(*it)));
        c.threshold = it->get<float>();
    }
}

std::string stem(const std::string& file_name) {
    std::string s = file_name.substr(file_name.find_last_of("/\\") == std::string::npos ? 0 : file_name.find_last_of("/\\") + 1);
    if (s.size() > 5 && s.compare(s.size() - 5, 5, ".json") == 0) s.resize(s.size() - 5);
    return s;
}

}  // namespace

Expected<CheckSuite> parse_check_suite(const std::string& json, const std::string& file_name) {
    return catch_errors([&]() -> CheckSuite {
        const Json root = json_parse(json, file_name);
        if (!root.is_object()) fail(file_name, std::string("a suite must be a JSON object, found ") + json_type_name(root));
        check_keys(root, {"name", "description", "defaults", "cases"}, file_name);
        CheckSuite suite;
        suite.name = get_string(root, "name", stem(file_name), file_name);
        suite.description = get_string(root, "description", "", file_name);

        CheckCase defaults;
        if (auto it = root.find("defaults"); it != root.end()) {
            const std::string where = file_name + ": defaults";
            if (!it->is_object()) fail(where, std::string("must be an object, found ") + json_type_name(*it));
            check_keys(*it, {"scope", "attention", "metric", "threshold"}, where);
            parse_settings(*it, defaults, where);
        }

        auto cases = root.find("cases");
        if (cases == root.end()) fail(file_name, "field 'cases' is missing");
        if (!cases->is_array()) fail(file_name, std::string("field 'cases' must be an array, found ") + json_type_name(*cases));
        if (cases->empty()) fail(file_name, "field 'cases' is empty");

        for (size_t i = 0; i < cases->size(); ++i) {
            const Json& j = (*cases)[i];
            std::string where = file_name + ": case " + std::to_string(i + 1);
            if (!j.is_object()) fail(where, std::string("must be an object, found ") + json_type_name(j));
            CheckCase c = defaults;
            c.name = get_string(j, "name", "case " + std::to_string(i + 1), where);
            if (j.contains("name")) where = file_name + ": case '" + c.name + "'";
            check_keys(j, {"name", "text", "target", "attention", "query", "expected", "distractors", "scope",
                           "metric", "threshold"},
                       where);
            if (!j.contains("text")) fail(where, "field 'text' is missing");
            c.text = get_string(j, "text", "", where);
            if (c.text.find_first_not_of(" \t\n") == std::string::npos) fail(where, "field 'text' is empty");
            c.target = get_string(j, "target", "", where);
            parse_settings(j, c, where);
            if ((c.attention == "decoder" || c.attention == "cross") && c.target.empty())
                fail(where, "field 'target' is needed with attention '" + c.attention + "'");
            if (!j.contains("query")) fail(where, "field 'query' is missing");
            c.query = parse_ref(j["query"], "query", where);
            if (!j.contains("expected")) fail(where, "field 'expected' is missing");
            c.expected = parse_refs(j, "expected", where);
            if (c.expected.empty()) fail(where, "field 'expected' is empty");
            c.distractors = parse_refs(j, "distractors", where);
            if (c.metric == CheckMetric::margin && c.distractors.empty())
                fail(where, "field 'distractors' is empty, but metric margin compares against them (or use metric mass)");
            suite.cases.push_back(std::move(c));
        }
        return suite;
    });
}

}  // namespace attn
