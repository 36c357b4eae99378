// Lessons as data (analysis/lessons.h) and predict-then-check grading (analysis/lesson_grade.h): every
// shipped lesson parses, English and Chinese ask the same questions, every answer the author expects is
// right on the shipped zoo model, a wrong answer is wrong with its numbers, and bad files say why.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "analysis/head_patterns.h"
#include "analysis/head_similarity.h"
#include "analysis/lesson_grade.h"
#include "analysis/lessons.h"
#include "platform/file_io.h"

using namespace attn;

namespace {

std::string lesson_error(const std::string& json) {
    Expected<Lesson> l = parse_lesson(json, "bad.en.json");
    REQUIRE_FALSE(l.ok());
    return l.error().message;
}

const char* kPage = R"({"title": "t", "text": "x", "type": "a b a b")";

std::string with_exercise(const std::string& exercise) {
    return std::string(R"({"model": "m", "language": "en", "title": "T", "pages": [)") + kPage +
           R"(, "exercise": )" + exercise + "}]}";
}

// Placeholders a text uses: {name} (the UI fills them, ui/app_lessons.cpp). Braces around anything but
// a name are text (the brackets lesson writes "{ < > }").
std::set<std::string> placeholders(const std::string& text) {
    std::set<std::string> out;
    for (size_t a = text.find('{'); a != std::string::npos; a = text.find('{', a + 1)) {
        const size_t b = text.find('}', a);
        if (b == std::string::npos || b == a + 1) continue;
        const std::string name = text.substr(a + 1, b - a - 1);
        if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos) out.insert(name);
    }
    return out;
}

const ModelPtr& zoo_model(const std::string& name) {
    static std::map<std::string, ModelPtr> cache;
    ModelPtr& m = cache[name];
    if (!m) {
        Expected<FileSet> files = folder_read(std::string(ATTN_ZOO_DIR) + "/" + name);
        REQUIRE_MESSAGE(files.ok(), files.error().message);
        Expected<ModelPtr> loaded = model_load(*files);
        REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
        m = std::move(*loaded);
    }
    return m;
}

std::map<std::string, Lesson> all_lessons() {
    std::map<std::string, Lesson> out;
    for (const BuiltinLesson& b : builtin_lesson_sources()) {
        Expected<Lesson> l = parse_lesson(b.json, b.file);
        REQUIRE_MESSAGE(l.ok(), l.error().message);
        out[b.name] = *l;
    }
    return out;
}

// The English lesson of `model` and its page whose exercise is `kind` (+ `criterion` for heads), the
// `nth` of them (0-based).
const LessonPage& exercise_page(const std::string& model, ExerciseKind kind, HeadCriterion criterion, int nth = 0) {
    static std::map<std::string, Lesson> cache;
    if (!cache.count(model)) {
        std::vector<Lesson> ls = lessons_for(model, "en");
        REQUIRE(ls.size() == 1);
        cache[model] = ls[0];
    }
    for (const LessonPage& p : cache[model].pages)
        if (p.exercise.kind == kind && (kind != ExerciseKind::head || p.exercise.criterion == criterion) && nth-- == 0) return p;
    FAIL("no such exercise in the " << model << " lesson");
    throw 0;
}

Expected<ExerciseTruth> page_truth(const std::string& model, const LessonPage& p) {
    return exercise_truth(*zoo_model(model), p.exercise, p.type, p.target);
}

ExerciseGrade grade_head(const ExerciseTruth& t, const std::string& name) {
    LessonAnswer a;
    REQUIRE(head_from_name(name, &a.layer, &a.head));
    return grade_exercise(t, a);
}

float value_of(const ExerciseTruth& t, const std::string& head) {
    int l = -1, h = -1;
    REQUIRE(head_from_name(head, &l, &h));
    return t.head_value[static_cast<size_t>(l) * t.n_head + h];
}

}  // namespace

TEST_CASE("lessons: every shipped lesson parses and names its own model and language") {
    std::map<std::string, Lesson> lessons = all_lessons();
    REQUIRE(lessons.size() >= 8);
    std::set<std::string> models;
    for (const auto& entry : lessons) {
        const std::string& name = entry.first;
        const Lesson& l = entry.second;
        CAPTURE(name);
        CHECK(name == l.model + "." + l.language);
        CHECK((l.language == "en" || l.language == "zh"));
        CHECK(folder_read(std::string(ATTN_ZOO_DIR) + "/" + l.model).ok());   // a zoo model
        CHECK(l.pages.size() >= 3);
        models.insert(l.model);
        const std::set<std::string> known = {"model", "n_layer", "n_head", "accuracy", "featured"};
        for (const LessonPage& p : l.pages)
            for (const std::string& ph : placeholders(p.text)) CHECK_MESSAGE(known.count(ph), ph);
    }
    for (const char* m : {"induction", "coref", "translate", "mini-english", "agreement", "brackets"}) CHECK(models.count(m));
    CHECK(lessons_for("induction", "zh").size() == 1);
    CHECK(lessons_for("induction", "fr").empty());
}

TEST_CASE("lessons: English and Chinese have the same pages and exercises") {
    std::map<std::string, Lesson> lessons = all_lessons();
    for (const auto& entry : lessons) {
        const std::string& name = entry.first;
        const Lesson& en = entry.second;
        if (en.language != "en") continue;
        CAPTURE(name);
        REQUIRE(lessons.count(en.model + ".zh"));
        const Lesson& zh = lessons.at(en.model + ".zh");
        CHECK(zh.title != en.title);
        REQUIRE(zh.pages.size() == en.pages.size());
        for (size_t i = 0; i < en.pages.size(); ++i) {
            CAPTURE(i);
            const LessonPage &a = en.pages[i], &b = zh.pages[i];
            CHECK(a.type == b.type);
            CHECK(a.target == b.target);
            CHECK(a.view == b.view);
            CHECK(a.kind == b.kind);
            CHECK(a.layer == b.layer);
            CHECK(a.head == b.head);
            CHECK(placeholders(a.text) == placeholders(b.text));
            CHECK(a.text != b.text);   // translated, not copied
            const LessonExercise &x = a.exercise, &y = b.exercise;
            CHECK(x.kind == y.kind);
            if (x.kind == ExerciseKind::none) continue;
            CHECK(x.prompt != y.prompt);
            CHECK(x.criterion == y.criterion);
            CHECK(x.stat == y.stat);
            CHECK(x.pattern == y.pattern);
            CHECK(x.suite_json == y.suite_json);
            CHECK(x.min_layer == y.min_layer);
            CHECK(x.max_layer == y.max_layer);
            CHECK(x.query == y.query);
            CHECK(x.layer == y.layer);
            CHECK(x.head == y.head);
            CHECK(x.choices == y.choices);
            CHECK(x.expect == y.expect);
        }
    }
}

TEST_CASE("lessons: every exercise's expected answer is right on the shipped model, and the best answer too") {
    for (const auto& entry : all_lessons()) {
        const std::string& name = entry.first;
        const Lesson& l = entry.second;
        if (l.language != "en") continue;   // the same questions in Chinese (the test above)
        const Model& model = *zoo_model(l.model);
        for (size_t i = 0; i < l.pages.size(); ++i) {
            const LessonPage& p = l.pages[i];
            if (p.exercise.kind == ExerciseKind::none) continue;
            CAPTURE(name);
            CAPTURE(i);
            Expected<ExerciseTruth> t = exercise_truth(model, p.exercise, p.type, p.target);
            REQUIRE_MESSAGE(t.ok(), t.error().message);
            for (const std::string& a : p.exercise.expect) CHECK_MESSAGE(exercise_accepts(*t, a), a);
            // Something is wrong: no exercise where every answer passes.
            int right = 0, answers = 0;
            if (t->kind == ExerciseKind::head) {
                REQUIRE(t->best >= 0);
                CHECK(exercise_accepts(*t, head_name(t->best / t->n_head, t->best % t->n_head)));
                for (int l2 = 0; l2 < t->n_layer; ++l2)
                    for (int h = 0; h < t->n_head; ++h, ++answers) right += exercise_accepts(*t, head_name(l2, h));
            } else {
                for (const std::string& c : t->choices) right += exercise_accepts(*t, c), ++answers;
            }
            CHECK(right >= 1);
            CHECK(right < answers);
        }
    }
}

TEST_CASE("lessons: the induction lesson's answers come from the model, with their numbers") {
    std::vector<Lesson> ls = lessons_for("induction", "en");
    REQUIRE(ls.size() == 1);
    const Model& model = *zoo_model("induction");
    const LessonPage* previous = nullptr;
    const LessonPage* induction = nullptr;
    const LessonPage* ablation = nullptr;
    for (const LessonPage& p : ls[0].pages) {
        if (p.exercise.kind == ExerciseKind::head && p.exercise.stat == "previous_token") previous = &p;
        if (p.exercise.kind == ExerciseKind::head && p.exercise.stat == "induction") induction = &p;
        if (p.exercise.kind == ExerciseKind::head && p.exercise.criterion == HeadCriterion::ablation) ablation = &p;
    }
    REQUIRE(previous);
    REQUIRE(induction);
    REQUIRE(ablation);

    // The previous-token head: the one the file expects (layer 0), measured so on the page's text; the
    // induction head L1H1 is wrong, by its numbers.
    Expected<ExerciseTruth> p = exercise_truth(model, previous->exercise, previous->type, "");
    REQUIRE(p.ok());
    CHECK(p->metric == "previous_token");
    int pl = -1, ph = -1;
    REQUIRE(head_from_name(previous->exercise.expect.at(0), &pl, &ph));
    CHECK(pl == 0);
    CHECK(p->best == pl * p->n_head + ph);
    ExerciseGrade right = grade_exercise(*p, LessonAnswer{pl, ph, ""});
    CHECK(right.valid);
    CHECK(right.right);
    CHECK(right.chosen_value == doctest::Approx(right.best_value));
    CHECK(right.best_value > 0.5f);
    ExerciseGrade wrong = grade_exercise(*p, LessonAnswer{1, 1, ""});
    CHECK(wrong.valid);
    CHECK_FALSE(wrong.right);
    CHECK(wrong.chosen_value < right.best_value - 0.1f);
    CHECK_FALSE(grade_exercise(*p, LessonAnswer{9, 0, ""}).valid);

    // The induction head: the model's induction score, layer 1 only; every head within 0.1 of the best is
    // right (this model's layer 1 copies with more than one head).
    Expected<ExerciseTruth> t = exercise_truth(model, induction->exercise, induction->type, "");
    REQUIRE(t.ok());
    CHECK(t->metric == "induction");
    CHECK(t->best / t->n_head == 1);
    CHECK(t->head_value[static_cast<size_t>(t->best)] > 0.8f);
    CHECK(exercise_accepts(*t, "L1H1"));   // the model card's induction head
    ExerciseGrade layer0 = grade_exercise(*t, LessonAnswer{0, 0, ""});
    CHECK(layer0.valid);
    CHECK_FALSE(layer0.right);              // outside the question (min_layer 1): scored -1
    CHECK(layer0.chosen_value == -1.0f);
    for (size_t i = 0; i < t->head_value.size(); ++i)
        CHECK(static_cast<bool>(t->accepted[i]) == (t->head_value[i] >= 0.0f && t->head_value[i] >= t->head_value[static_cast<size_t>(t->best)] - 0.1f));

    // Ablation, with the interventions engine: one layer-0 head takes the prediction away; one induction
    // head alone does not (the others do the same job), which is what the page teaches.
    Expected<ExerciseTruth> a = exercise_truth(model, ablation->exercise, ablation->type, "");
    REQUIRE_MESSAGE(a.ok(), a.error().message);
    CHECK(a->predicted.find("paper") != std::string::npos);
    CHECK(a->prob_before > 0.5f);
    const size_t best = static_cast<size_t>(a->best);
    CHECK(best / static_cast<size_t>(a->n_head) == 0);
    CHECK(a->prob_after[best] < a->prob_before - 0.3f);
    CHECK(a->head_value[best] == doctest::Approx(a->prob_before - a->prob_after[best]));
    const size_t l1h1 = static_cast<size_t>(1 * a->n_head + 1);
    CHECK(a->prob_after[l1h1] > a->prob_before - 0.1f);
    CHECK_FALSE(exercise_accepts(*a, "L1H1"));
}

TEST_CASE("lessons: token and label exercises grade the choice, not the file") {
    const Model& model = *zoo_model("coref");
    LessonExercise e;
    e.kind = ExerciseKind::token;
    e.query = "it";
    e.layer = 2;
    e.head = 1;
    e.choices = {"animal", "street"};
    Expected<ExerciseTruth> tired = exercise_truth(model, e, "the animal didn't cross the street because it was too tired", "");
    Expected<ExerciseTruth> wide = exercise_truth(model, e, "the animal didn't cross the street because it was too wide", "");
    REQUIRE(tired.ok());
    REQUIRE(wide.ok());
    CHECK(exercise_accepts(*tired, "animal"));
    CHECK_FALSE(exercise_accepts(*tired, "street"));
    CHECK(exercise_accepts(*wide, "street"));
    CHECK_FALSE(exercise_accepts(*wide, "animal"));
    CHECK(tired->choice_value[0] > tired->choice_value[1]);
    CHECK_FALSE(grade_exercise(*tired, LessonAnswer{-1, -1, "cat"}).valid);
    e.choices = {"animal", "giraffe"};
    Expected<ExerciseTruth> missing = exercise_truth(model, e, "the animal didn't cross the street because it was too tired", "");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("giraffe") != std::string::npos);
    e.layer = 7;
    e.choices = {"animal", "street"};
    CHECK_FALSE(exercise_truth(model, e, "the animal didn't cross the street because it was too tired", "").ok());
}

TEST_CASE("lessons: a pattern criterion grades by the head labels' scores") {
    const Model& model = *zoo_model("induction");
    LessonExercise e;
    e.kind = ExerciseKind::head;
    e.criterion = HeadCriterion::pattern;
    e.pattern = "previous_token";
    const std::string text = "river apple stone cloud music paper tiger green lamp honey";
    Expected<ExerciseTruth> t = exercise_truth(model, e, text, "");
    REQUIRE_MESSAGE(t.ok(), t.error().message);
    CHECK(t->metric == "previous_token");
    REQUIRE(t->best >= 0);
    CHECK(t->best / t->n_head == 0);   // previous-token heads sit in layer 0 (the grid's PREV badges)
    e.min_layer = 1;                   // not in layer 1: the best there scores far lower
    Expected<ExerciseTruth> later = exercise_truth(model, e, text, "");
    REQUIRE(later.ok());
    CHECK(later->best / later->n_head == 1);
    CHECK(later->head_value[static_cast<size_t>(later->best)] < t->head_value[static_cast<size_t>(t->best)]);
    CHECK_FALSE(exercise_accepts(*later, head_name(t->best / t->n_head, t->best % t->n_head)));
}

TEST_CASE("lessons: a bad lesson file says which file, page and field") {
    CHECK(lesson_error("{").find("bad.en.json") != std::string::npos);
    CHECK(lesson_error(R"({"model": "m", "language": "en", "title": "T"})").find("field 'pages' is missing") != std::string::npos);
    const std::string kind = lesson_error(with_exercise(R"({"kind": "word", "prompt": "p", "expect": ["x"]})"));
    CHECK(kind.find("bad.en.json: page 1: exercise: field 'kind' must be one of head, token, label") != std::string::npos);
    CHECK(lesson_error(with_exercise(R"({"kind": "head", "prompt": "p", "criterion": "stat", "stat": "nope", "expect": ["L0H0"]})"))
              .find("field 'stat' must be one of entropy") != std::string::npos);
    CHECK(lesson_error(with_exercise(R"({"kind": "head", "prompt": "p", "criterion": "stat", "stat": "entropy"})"))
              .find("'expect' is missing") != std::string::npos);
    CHECK(lesson_error(with_exercise(R"({"kind": "head", "prompt": "p", "criterion": "stat", "stat": "entropy", "expect": ["head 1"]})"))
              .find("'head 1' is not a head such as L1H3") != std::string::npos);
    CHECK(lesson_error(with_exercise(R"({"kind": "token", "prompt": "p", "query": "a", "layer": 0, "head": 0, "choices": ["a", "b"], "expect": ["c"]})"))
              .find("'c' is not one of the choices") != std::string::npos);
    CHECK(lesson_error(with_exercise(R"({"kind": "label", "prompt": "p", "layer": 0, "head": 0, "choices": ["induction", "sparkle"], "expect": ["induction"]})"))
              .find("unknown pattern 'sparkle'") != std::string::npos);
    CHECK(lesson_error(R"({"model": "m", "language": "en", "title": "T", "pages": [{"title": "t", "text": "x", "colour": 1}]})")
              .find("page 1: unknown field 'colour'") != std::string::npos);
    CHECK(lesson_error(R"({"model": "m", "language": "en", "title": "T", "pages": [{"title": "t", "text": "x", "exercise": {"kind": "head", "prompt": "p", "criterion": "ablation", "expect": ["L0H0"]}}]})")
              .find("needs the page's 'type' text") != std::string::npos);
    int l = -1, h = -1;
    CHECK(head_from_name("L12H3", &l, &h));
    CHECK(l == 12);
    CHECK(h == 3);
    CHECK_FALSE(head_from_name("L1H3x", &l, &h));
    CHECK(head_name(1, 3) == "L1H3");
}


TEST_CASE("lessons: the agreement lesson: the subject, the checks, the ablation and the look-alike head, from the model") {
    // Token: in L0H0 the word before the verb ("cabinet") looks at the subject "keys", not at itself.
    const LessonPage& token = exercise_page("agreement", ExerciseKind::token, HeadCriterion::stat);
    Expected<ExerciseTruth> tk = page_truth("agreement", token);
    REQUIRE_MESSAGE(tk.ok(), tk.error().message);
    ExerciseGrade keys = grade_exercise(*tk, LessonAnswer{-1, -1, "keys"});
    ExerciseGrade cabinet = grade_exercise(*tk, LessonAnswer{-1, -1, "cabinet"});
    CHECK(keys.right);
    CHECK(keys.chosen_value > 0.8f);
    CHECK(cabinet.valid);
    CHECK_FALSE(cabinet.right);
    CHECK(cabinet.chosen_value < 0.1f);
    CHECK(cabinet.best_value == doctest::Approx(keys.chosen_value));

    // Checks: eight sentences of the grammar; the card's head passes them all, a layer-1 head does not.
    const LessonPage& checks = exercise_page("agreement", ExerciseKind::head, HeadCriterion::checks);
    Expected<ExerciseTruth> ck = page_truth("agreement", checks);
    REQUIRE_MESSAGE(ck.ok(), ck.error().message);
    CHECK(ck->metric == "pass_rate");
    ExerciseGrade l0h0 = grade_head(*ck, "L0H0");
    CHECK(l0h0.right);
    CHECK(l0h0.chosen_value == doctest::Approx(1.0f));
    int wrong_heads = 0;
    for (int i = 0; i < ck->n_layer * ck->n_head; ++i)
        if (!ck->accepted[static_cast<size_t>(i)]) {
            ++wrong_heads;
            CHECK(ck->head_value[static_cast<size_t>(i)] < 1.0f);   // every wrong head fails some sentence
        }
    CHECK(wrong_heads >= ck->n_layer * ck->n_head - 2);

    // Ablation: "the key to the cabinets" -> "is"; without L0H0 it is gone, without L0H1 it stays.
    const LessonPage& ablation = exercise_page("agreement", ExerciseKind::head, HeadCriterion::ablation);
    Expected<ExerciseTruth> ab = page_truth("agreement", ablation);
    REQUIRE_MESSAGE(ab.ok(), ab.error().message);
    CHECK(ab->predicted.find("is") != std::string::npos);
    CHECK(ab->prob_before > 0.9f);
    ExerciseGrade off = grade_head(*ab, "L0H0");
    CHECK(off.right);
    CHECK(ab->prob_after[0] < 0.1f);
    CHECK(off.chosen_value == doctest::Approx(ab->prob_before - ab->prob_after[0]));
    ExerciseGrade spare = grade_head(*ab, "L0H1");
    CHECK_FALSE(spare.right);
    CHECK(ab->prob_after[1] > ab->prob_before - 0.1f);

    // Similarity: L0H1 attends most like L0H0 (and yet the ablation above shows it is no stand-in);
    // L0H2 does not; L0H0 itself is not an answer.
    const LessonPage& similar = exercise_page("agreement", ExerciseKind::head, HeadCriterion::similarity);
    Expected<ExerciseTruth> sm = page_truth("agreement", similar);
    REQUIRE_MESSAGE(sm.ok(), sm.error().message);
    CHECK(sm->metric == "similarity");
    CHECK(sm->layer == 0);
    CHECK(sm->head == 0);
    ExerciseGrade twin = grade_head(*sm, "L0H1");
    CHECK(twin.right);
    CHECK(twin.chosen_value > 0.8f);
    ExerciseGrade other = grade_head(*sm, "L0H2");
    CHECK_FALSE(other.right);
    CHECK(other.chosen_value < twin.chosen_value - 0.3f);
    ExerciseGrade itself = grade_head(*sm, "L0H0");
    CHECK(itself.valid);
    CHECK_FALSE(itself.right);
    CHECK(itself.chosen_value == -1.0f);
}

TEST_CASE("lessons: the brackets lesson: the partner, far away, the matcher and the neighbour shortcut, from the model") {
    // Token: in L2H0 the first "]" finds its "[" past the nested "{ < > }"; the last ">" its "<".
    const LessonPage& near = exercise_page("brackets", ExerciseKind::token, HeadCriterion::stat, 0);
    Expected<ExerciseTruth> n = page_truth("brackets", near);
    REQUIRE_MESSAGE(n.ok(), n.error().message);
    CHECK(grade_exercise(*n, LessonAnswer{-1, -1, "["}).right);
    CHECK(n->choice_value[0] > 0.8f);
    ExerciseGrade curly = grade_exercise(*n, LessonAnswer{-1, -1, "{"});
    CHECK(curly.valid);
    CHECK_FALSE(curly.right);
    CHECK(curly.chosen_value < 0.1f);
    const LessonPage& far = exercise_page("brackets", ExerciseKind::token, HeadCriterion::stat, 1);
    Expected<ExerciseTruth> f = page_truth("brackets", far);
    REQUIRE_MESSAGE(f.ok(), f.error().message);
    CHECK(f->query == ">");
    CHECK(grade_exercise(*f, LessonAnswer{-1, -1, "<"}).right);
    CHECK(f->choice_value[0] > 0.8f);
    ExerciseGrade round = grade_exercise(*f, LessonAnswer{-1, -1, "("});
    CHECK_FALSE(round.right);
    CHECK(round.chosen_value < 0.1f);

    // Checks: the card's distant-match head passes all eight closing brackets; layer 3 passes none.
    const LessonPage& checks = exercise_page("brackets", ExerciseKind::head, HeadCriterion::checks);
    Expected<ExerciseTruth> ck = page_truth("brackets", checks);
    REQUIRE_MESSAGE(ck.ok(), ck.error().message);
    ExerciseGrade matcher = grade_head(*ck, "L2H0");
    CHECK(matcher.right);
    CHECK(matcher.chosen_value == doctest::Approx(1.0f));
    ExerciseGrade late = grade_head(*ck, "L3H0");
    CHECK_FALSE(late.right);
    CHECK(late.chosen_value < 0.5f);
    CHECK(std::count(ck->accepted.begin(), ck->accepted.end(), 1) == 1);   // tolerance 0: the top one only

    // The neighbour shortcut: L1H2 looks one bracket back most; the matcher L2H0 hardly does.
    const LessonPage& previous = exercise_page("brackets", ExerciseKind::head, HeadCriterion::stat);
    Expected<ExerciseTruth> pv = page_truth("brackets", previous);
    REQUIRE_MESSAGE(pv.ok(), pv.error().message);
    CHECK(pv->metric == "previous_token");
    ExerciseGrade back = grade_head(*pv, "L1H2");
    CHECK(back.right);
    CHECK(back.chosen_value > 0.8f);
    ExerciseGrade match = grade_head(*pv, "L2H0");
    CHECK_FALSE(match.right);
    CHECK(match.chosen_value < 0.3f);
    CHECK(value_of(*pv, "L2H2") > 0.5f);   // the page's why: the card's second matching head scores high too
}

TEST_CASE("lessons: which heads do the same job? graded by head similarity, numbers from the model") {
    // Induction may be retrained: the right answer comes from the grader and from an independent
    // computation of the Similarity view's distances, never from a head number written here.
    const LessonPage& page = exercise_page("induction", ExerciseKind::head, HeadCriterion::similarity);
    CHECK(page.view == "similarity");
    const Model& model = *zoo_model("induction");
    Expected<ExerciseTruth> t = exercise_truth(model, page.exercise, page.type, "");
    REQUIRE_MESSAGE(t.ok(), t.error().message);
    CHECK(t->metric == "similarity");
    const int ref = page.exercise.layer * t->n_head + page.exercise.head;
    Expected<Trace> trace = model_trace_text(model, page.type, TraceOptions{});
    REQUIRE(trace.ok());
    const HeadSimilarity sim = head_similarity(trace->attentions);
    REQUIRE(sim.n == t->n_layer * t->n_head);
    int best = -1, worst = -1;
    for (int i = 0; i < sim.n; ++i) {
        if (i == ref) continue;
        const float v = 1.0f - sim.jsd[static_cast<size_t>(ref) * sim.n + i] / std::log(2.0f);
        CHECK(t->head_value[static_cast<size_t>(i)] == doctest::Approx(v).epsilon(1e-4));
        if (best < 0 || v > 1.0f - sim.jsd[static_cast<size_t>(ref) * sim.n + best] / std::log(2.0f)) best = i;
        if (worst < 0 || v < 1.0f - sim.jsd[static_cast<size_t>(ref) * sim.n + worst] / std::log(2.0f)) worst = i;
    }
    CHECK(t->best == best);
    const std::string best_name = head_name(best / t->n_head, best % t->n_head);
    const std::string worst_name = head_name(worst / t->n_head, worst % t->n_head);
    ExerciseGrade right = grade_head(*t, best_name);
    CHECK(right.right);
    CHECK(right.chosen_value == doctest::Approx(right.best_value));
    ExerciseGrade wrong = grade_head(*t, worst_name);
    CHECK(wrong.valid);
    CHECK_FALSE(wrong.right);
    CHECK(wrong.chosen_value < right.best_value - 0.1f);
    // The head named in the question is not an answer, and every head within 0.1 of the best is.
    ExerciseGrade itself = grade_head(*t, head_name(page.exercise.layer, page.exercise.head));
    CHECK_FALSE(itself.right);
    CHECK(itself.chosen_value == -1.0f);
    for (int i = 0; i < sim.n; ++i)
        CHECK(static_cast<bool>(t->accepted[static_cast<size_t>(i)]) ==
              (i != ref && t->head_value[static_cast<size_t>(i)] >= right.best_value - 0.1f));
    // The same job: heads that attend alike also share the reference head's induction score, within
    // the range the layer's induction heads span (the ones right here are induction heads too).
    Expected<std::vector<float>> ind = induction_scores(model, InductionOptions{});
    REQUIRE(ind.ok());
    const float ref_score = (*ind)[static_cast<size_t>(ref)];
    CHECK(std::fabs((*ind)[static_cast<size_t>(best)] - ref_score) < std::fabs((*ind)[static_cast<size_t>(worst)] - ref_score) + 0.05f);

    // A criterion the file cannot cheat: another reference head gives other answers.
    LessonExercise e = page.exercise;
    e.layer = worst / t->n_head;
    e.head = worst % t->n_head;
    Expected<ExerciseTruth> other = exercise_truth(model, e, page.type, "");
    REQUIRE(other.ok());
    CHECK(other->best != t->best);
    CHECK_FALSE(exercise_accepts(*other, worst_name));
    e.layer = 9;
    Expected<ExerciseTruth> missing = exercise_truth(model, e, page.type, "");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("L9H") != std::string::npos);
}

TEST_CASE("lessons: a similarity exercise names its head, and not as an answer") {
    CHECK(lesson_error(with_exercise(R"({"kind": "head", "prompt": "p", "criterion": "similarity", "expect": ["L0H1"]})"))
              .find("fields 'layer' and 'head' are needed") != std::string::npos);
    CHECK(lesson_error(with_exercise(R"({"kind": "head", "prompt": "p", "criterion": "similarity", "layer": 1, "head": 1, "expect": ["L1H1"]})"))
              .find("'L1H1' is the head the question names") != std::string::npos);
    CHECK(lesson_error(with_exercise(R"({"kind": "head", "prompt": "p", "criterion": "stat", "stat": "entropy", "layer": 1, "head": 1, "expect": ["L1H1"]})"))
              .find("only read by the similarity criterion") != std::string::npos);
    CHECK(lesson_error(with_exercise(R"({"kind": "head", "prompt": "p", "criterion": "alike", "expect": ["L1H1"]})"))
              .find("must be one of stat, pattern, checks, ablation, similarity") != std::string::npos);
    Expected<Lesson> ok = parse_lesson(with_exercise(R"({"kind": "head", "prompt": "p", "criterion": "similarity", "layer": 1, "head": 1, "expect": ["L1H0"]})"), "ok.en.json");
    REQUIRE_MESSAGE(ok.ok(), ok.error().message);
    CHECK(ok->pages[0].exercise.criterion == HeadCriterion::similarity);
    CHECK(ok->pages[0].exercise.layer == 1);
    CHECK(ok->pages[0].exercise.head == 1);
}
