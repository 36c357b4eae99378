// Reading lesson files (lessons.h): every field checked, every error naming the file, the page and the
// field, so a typo in a lesson is found by the tests, not by a student.
#include "analysis/lessons.h"

#include <cstdio>
#include <initializer_list>

#include "analysis/head_patterns.h"
#include "core/json.h"

namespace attn {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw Error(where + ": " + what); }

void check_keys(const Json& object, std::initializer_list<const char*> known, const std::string& where) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool ok = false;
        for (const char* k : known) ok |= it.key() == k;
        if (!ok) fail(where, "unknown field '" + it.key() + "'");
    }
}

std::string get_string(const Json& object, const char* key, const std::string& where) {
    auto it = object.find(key);
    if (it == object.end()) return "";
    if (!it->is_string()) fail(where, std::string("field '") + key + "' must be a string, found " + json_type_name(*it));
    return it->get<std::string>();
}

std::string require_string(const Json& object, const char* key, const std::string& where) {
    if (!object.contains(key)) fail(where, std::string("field '") + key + "' is missing");
    std::string s = get_string(object, key, where);
    if (s.find_first_not_of(" \t\n") == std::string::npos) fail(where, std::string("field '") + key + "' is empty");
    return s;
}

int get_int(const Json& object, const char* key, int fallback, const std::string& where) {
    auto it = object.find(key);
    if (it == object.end()) return fallback;
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 1000)
        fail(where, std::string("field '") + key + "' must be a whole number from 0 to 1000");
    return static_cast<int>(it->get<int64_t>());
}

std::vector<std::string> get_strings(const Json& object, const char* key, const std::string& where) {
    std::vector<std::string> out;
    auto it = object.find(key);
    if (it == object.end()) return out;
    if (!it->is_array()) fail(where, std::string("field '") + key + "' must be an array of strings");
    for (const Json& v : *it) {
        if (!v.is_string()) fail(where, std::string("field '") + key + "' must be an array of strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

bool is_stat(const std::string& key) {
    for (const HeadStatInfo& s : kHeadStatTable)
        if (key == s.key) return true;
    return false;
}

std::string stat_names() {
    std::string out;
    for (const HeadStatInfo& s : kHeadStatTable) out += std::string(out.empty() ? "" : ", ") + s.key;
    return out;
}

LessonExercise parse_exercise(const Json& j, const std::string& where) {
    if (!j.is_object()) fail(where, std::string("must be an object, found ") + json_type_name(j));
    check_keys(j, {"kind", "prompt", "explain", "criterion", "stat", "pattern", "suite", "min_layer", "max_layer",
                   "tolerance", "attention", "query", "layer", "head", "choices", "expect"},
               where);
    LessonExercise e;
    const std::string kind = require_string(j, "kind", where);
    e.kind = kind == "head" ? ExerciseKind::head : kind == "token" ? ExerciseKind::token
             : kind == "label" ? ExerciseKind::label : ExerciseKind::none;
    if (e.kind == ExerciseKind::none) fail(where, "field 'kind' must be one of head, token, label (found '" + kind + "')");
    e.prompt = require_string(j, "prompt", where);
    e.explain = get_string(j, "explain", where);
    e.expect = get_strings(j, "expect", where);
    if (e.expect.empty()) fail(where, "field 'expect' is missing or empty (the answers the author expects; the tests hold the model to them)");
    if (auto it = j.find("tolerance"); it != j.end()) {
        if (!it->is_number() || it->get<double>() < 0.0 || it->get<double>() > 1.0)
            fail(where, "field 'tolerance' must be a number from 0 to 1");
        e.tolerance = it->get<float>();
    }
    if (e.kind == ExerciseKind::head) {
        const std::string c = require_string(j, "criterion", where);
        if (c == "stat") e.criterion = HeadCriterion::stat;
        else if (c == "pattern") e.criterion = HeadCriterion::pattern;
        else if (c == "checks") e.criterion = HeadCriterion::checks;
        else if (c == "ablation") e.criterion = HeadCriterion::ablation;
        else if (c == "similarity") e.criterion = HeadCriterion::similarity;
        else fail(where, "field 'criterion' must be one of stat, pattern, checks, ablation, similarity (found '" + c + "')");
        if (e.criterion == HeadCriterion::stat) {
            e.stat = require_string(j, "stat", where);
            if (!is_stat(e.stat)) fail(where, "field 'stat' must be one of " + stat_names() + " (found '" + e.stat + "')");
        }
        if (e.criterion == HeadCriterion::pattern) {
            e.pattern = require_string(j, "pattern", where);
            HeadPattern p;
            if (!head_pattern_from_name(e.pattern, &p)) fail(where, "field 'pattern': unknown pattern '" + e.pattern + "'");
        }
        if (e.criterion == HeadCriterion::checks) {
            auto it = j.find("suite");
            if (it == j.end()) fail(where, "field 'suite' is missing (a built-in suite's name or a suite object)");
            if (it->is_string()) e.suite_json = it->get<std::string>();
            else if (it->is_object()) e.suite_json = it->dump();
            else fail(where, "field 'suite' must be a built-in suite's name or a suite object");
        }
        if (e.criterion == HeadCriterion::similarity) {
            e.layer = get_int(j, "layer", -1, where);
            e.head = get_int(j, "head", -1, where);
            if (e.layer < 0 || e.head < 0)
                fail(where, "fields 'layer' and 'head' are needed: the head whose job the answer must share");
        } else if (j.contains("layer") || j.contains("head")) {
            // Only the similarity criterion reads them: a stray one would look like it mattered.
            fail(where, "fields 'layer' and 'head' are only read by the similarity criterion");
        }
        e.min_layer = get_int(j, "min_layer", 0, where);
        e.max_layer = j.contains("max_layer") ? get_int(j, "max_layer", 0, where) : -1;
        for (const auto& a : e.expect) {
            int l, h;
            if (!head_from_name(a, &l, &h)) fail(where, "field 'expect': '" + a + "' is not a head such as L1H3");
            if (e.criterion == HeadCriterion::similarity && l == e.layer && h == e.head)
                fail(where, "field 'expect': '" + a + "' is the head the question names; the answer is another head");
        }
        return e;
    }
    e.layer = get_int(j, "layer", -1, where);
    e.head = get_int(j, "head", -1, where);
    if (e.layer < 0 || e.head < 0) fail(where, "fields 'layer' and 'head' are needed: the head the question is about");
    e.choices = get_strings(j, "choices", where);
    if (e.choices.size() < 2) fail(where, "field 'choices' needs two or more entries");
    for (const std::string& a : e.expect) {
        bool listed = false;
        for (const std::string& c : e.choices) listed |= a == c;
        if (!listed) fail(where, "field 'expect': '" + a + "' is not one of the choices");
    }
    if (e.kind == ExerciseKind::token) {
        e.query = require_string(j, "query", where);
        e.attention = j.contains("attention") ? get_string(j, "attention", where) : "self";
        if (e.attention != "self" && e.attention != "cross")
            fail(where, "field 'attention' must be self or cross (found '" + e.attention + "')");
    } else {
        for (const std::string& c : e.choices) {
            HeadPattern p;
            if (!head_pattern_from_name(c, &p)) fail(where, "field 'choices': unknown pattern '" + c + "'");
        }
    }
    return e;
}

LessonPage parse_page(const Json& j, const std::string& where) {
    if (!j.is_object()) fail(where, std::string("must be an object, found ") + json_type_name(j));
    check_keys(j, {"title", "text", "type", "target", "view", "kind", "layer", "head", "exercise"}, where);
    LessonPage p;
    p.title = require_string(j, "title", where);
    p.text = require_string(j, "text", where);
    p.type = get_string(j, "type", where);
    p.target = get_string(j, "target", where);
    p.view = get_string(j, "view", where);
    p.kind = get_string(j, "kind", where);
    if (!p.kind.empty() && p.kind != "self" && p.kind != "decoder" && p.kind != "cross")
        fail(where, "field 'kind' must be self, decoder or cross (found '" + p.kind + "')");
    p.layer = get_int(j, "layer", -1, where);
    p.head = get_int(j, "head", -1, where);
    if (auto it = j.find("exercise"); it != j.end()) {
        p.exercise = parse_exercise(*it, where + ": exercise");
        if (p.type.empty()) fail(where, "an exercise needs the page's 'type' text: it is graded on that text");
    }
    return p;
}

}  // namespace

Expected<Lesson> parse_lesson(const std::string& json, const std::string& file_name) {
    return catch_errors([&]() -> Lesson {
        const Json root = json_parse(json, file_name);
        if (!root.is_object()) fail(file_name, std::string("a lesson must be a JSON object, found ") + json_type_name(root));
        check_keys(root, {"model", "language", "title", "pages"}, file_name);
        Lesson l;
        l.name = file_name;
        if (l.name.size() > 5 && l.name.compare(l.name.size() - 5, 5, ".json") == 0) l.name.resize(l.name.size() - 5);
        l.model = require_string(root, "model", file_name);
        l.language = require_string(root, "language", file_name);
        l.title = require_string(root, "title", file_name);
        auto pages = root.find("pages");
        if (pages == root.end()) fail(file_name, "field 'pages' is missing");
        if (!pages->is_array() || pages->empty()) fail(file_name, "field 'pages' must be a non-empty array");
        for (size_t i = 0; i < pages->size(); ++i)
            l.pages.push_back(parse_page((*pages)[i], file_name + ": page " + std::to_string(i + 1)));
        return l;
    });
}

std::vector<Lesson> lessons_for(const std::string& model, const std::string& language) {
    std::vector<Lesson> out;
    for (const BuiltinLesson& b : builtin_lesson_sources()) {
        Expected<Lesson> l = parse_lesson(b.json, b.file);
        if (l && l->model == model && l->language == language) out.push_back(std::move(*l));
    }
    return out;
}

std::string head_name(int layer, int head) { return "L" + std::to_string(layer) + "H" + std::to_string(head); }

bool head_from_name(const std::string& text, int* layer, int* head) {
    int l = -1, h = -1, n = 0;
    if (std::sscanf(text.c_str(), "L%dH%d%n", &l, &h, &n) != 2 || n != static_cast<int>(text.size()) || l < 0 || h < 0)
        return false;
    *layer = l;
    *head = h;
    return true;
}

const char* exercise_kind_name(ExerciseKind kind) {
    switch (kind) {
    case ExerciseKind::head: return "head";
    case ExerciseKind::token: return "token";
    case ExerciseKind::label: return "label";
    case ExerciseKind::none: break;
    }
    return "";
}

}  // namespace attn
