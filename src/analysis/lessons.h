// Lessons for the zoo models, written as data (assets/lessons/<model>.<lang>.json, compiled in), and the
// exercises they ask: "find the induction head", "which word does *it* look at?". A lesson file says what
// is asked; the answer comes from the model (analysis/lesson_grade.h), never from the file.
//
// Format (README "Lessons and exercises" has the whole list of fields):
//   {"model": "induction", "language": "en", "title": "Copying with two heads",
//    "pages": [{"title": "...", "text": "... {accuracy} ...",        // {placeholders}: lesson_placeholders
//               "type": "river apple stone river apple",             // optional: the "Type it" button's text
//               "target": "...",                                     // encoder-decoders: the decoder's text
//               "view": "grid", "layer": 1, "head": 1, "kind": "cross",   // optional: what to show
//               "exercise": {"kind": "head", "prompt": "Click the induction head.",
//                            "criterion": "stat", "stat": "induction", "min_layer": 1,
//                            "expect": ["L1H1"], "explain": "..."}}]}
// Exercise kinds and criteria:
//   head  + criterion "stat"     : the head with the highest HeadStat `stat` on the page's text
//                                  (induction: the model's induction score)
//   head  + criterion "pattern"  : the head whose label score for `pattern` (head_patterns.h) is highest
//   head  + criterion "checks"   : the head passing most cases of `suite` (a built-in suite's name, or a
//                                  suite object inline), check_head_pass_rates
//   head  + criterion "ablation" : the head whose ablation (output zeroed) lowers the probability of the
//                                  model's prediction after the page's text the most
//   head  + criterion "similarity": the head whose attention on the page's text is most like head
//                                  `layer`/`head`'s ("which heads do the same job?"): 1 - JSD / ln 2
//                                  (head_similarity.h); the head itself is not an answer
//   token                        : the word among `choices` that `query` (its first occurrence) attends to most in head
//                                  `layer`/`head` (`attention`: self | cross)
//   label                        : head `layer`/`head`'s pattern label on the text, among `choices`
// `tolerance`: every head within it of the best value is right too (several induction heads). `expect`
// is what the author expects: the tests hold the shipped model to it; grading never reads it.
#pragma once
#include <string>
#include <vector>

#include "core/error.h"

namespace attn {

enum class ExerciseKind { none, head, token, label };
enum class HeadCriterion { stat, pattern, checks, ablation, similarity };

struct LessonExercise {
    ExerciseKind kind = ExerciseKind::none;
    std::string prompt;                 // what the student is asked
    std::string explain;                // shown after the answer, under the numbers (why)
    HeadCriterion criterion = HeadCriterion::stat;
    std::string stat;                   // criterion stat: a HeadStat key ("previous_token", "induction")
    std::string pattern;                // criterion pattern: a HeadPattern name
    std::string suite_json;             // criterion checks: a built-in suite's name or a suite's JSON
    int min_layer = 0, max_layer = -1;  // heads considered (max -1: the last layer)
    float tolerance = -1.0f;            // < 0: the criterion's default (lesson_grade.h)
    std::string attention = "self";     // token: self | cross
    std::string query;                  // token: the word that looks (its first occurrence)
    int layer = -1, head = -1;          // token, label: the head asked about; similarity: the head to match
    std::vector<std::string> choices;   // token: words of the text; label: pattern names
    std::vector<std::string> expect;    // the author's answers ("L1H1", "animal", "previous_token")
};

struct LessonPage {
    std::string title, text;
    std::string type;                   // text the "Type it" button puts into the input ("" none)
    std::string target;                 // encoder-decoders: the decoder's text with it
    std::string view;                   // a kMainViewTable name ("" stays)
    std::string kind;                   // attention kind to show: self | decoder | cross ("" stays)
    int layer = -1, head = -1;          // head to select (-1 stays)
    LessonExercise exercise;
};

struct Lesson {
    std::string name;                   // "induction.en": the file name without .json
    std::string model, language, title;
    std::vector<LessonPage> pages;
};

// Errors name the file, the page (1-based) and the field: "induction.zh.json: page 3: exercise: field
// 'criterion' must be one of stat, pattern, checks, ablation, similarity".
Expected<Lesson> parse_lesson(const std::string& json, const std::string& file_name);

// The compiled assets/lessons/*.json (tools/gen_embedded_json.py), sorted by name.
struct BuiltinLesson {
    const char* name;   // "induction.en"
    const char* file;   // "induction.en.json"
    const char* json;
};
const std::vector<BuiltinLesson>& builtin_lesson_sources();
// Every built-in lesson for `model` in `language` ("en", "zh"), parsed, in file-name order; files that
// do not parse are skipped (the tests hold them all parseable).
std::vector<Lesson> lessons_for(const std::string& model, const std::string& language);

// "L1H3" <-> (1, 3); false when `text` is not of that form.
std::string head_name(int layer, int head);
bool head_from_name(const std::string& text, int* layer, int* head);

const char* exercise_kind_name(ExerciseKind kind);   // "head", "token", "label", "" for none

}  // namespace attn
