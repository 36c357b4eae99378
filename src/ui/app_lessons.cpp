// The Lessons panel's app side (app_lessons.h): which lessons exist for the loaded model, the page on
// screen, grading through analysis/lesson_grade.h, and the feedback text from the numbers.
#include "ui/app_lessons.h"

#include <cstdio>

#include "analysis/checks.h"
#include "ui/app.h"

namespace attn {

namespace {

std::string lesson_key(const Lesson& l) { return l.model; }

std::string value_text(const ExerciseTruth& t, float v) {
    char buf[32];
    if (t.metric == "pass_rate") std::snprintf(buf, sizeof buf, "%.0f%%", static_cast<double>(v) * 100.0);
    else std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(v));
    return buf;
}

std::string prob_text(float p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(p));
    return buf;
}

std::string pattern_name(const std::string& pattern) { return tr(("lessons.pattern." + pattern).c_str()); }

// What the numbers of a head exercise measure, in words: "induction score", "pass rate".
std::string metric_name(const ExerciseTruth& t) {
    if (t.kind == ExerciseKind::head && t.criterion == HeadCriterion::pattern)
        return trf("lessons.pattern_score", {{"pattern", pattern_name(t.metric)}});
    if (t.kind == ExerciseKind::head && t.criterion == HeadCriterion::similarity && t.layer >= 0)
        return trf("lessons.metric.similarity_to", {{"head", head_name(t.layer, t.head)}});
    return tr(("lessons.metric." + t.metric).c_str());
}

void clear_answer(LessonsState& s) {
    s.answered = false;
    s.answer = LessonAnswer{};
    s.grade = ExerciseGrade{};
}

// The right answer of the open page, measured once per page (a few forward passes at most).
void ensure_truth(App& app) {
    LessonsState& s = app.lessons;
    const LessonPage* p = app_lesson_page(app);
    const std::string key = s.open + "#" + std::to_string(s.page);
    if (!p || !app.model || s.truth_for == key) return;
    s.truth_for = key;
    s.has_truth = false;
    s.truth_error.clear();
    Expected<ExerciseTruth> t = exercise_truth(*app.model, p->exercise, p->type, p->target);
    if (t) {
        s.truth = std::move(*t);
        s.has_truth = true;
    } else {
        s.truth_error = t.error().message;
    }
}

std::string glyph_text(const std::vector<Lesson>& lessons) {
    std::string out;
    for (const Lesson& l : lessons) {
        out += l.title;
        for (const LessonPage& p : l.pages) out += p.title + p.text + p.exercise.prompt + p.exercise.explain;
    }
    return out;
}

}  // namespace

const Lesson* app_lesson_current(const App& app) {
    for (const Lesson& l : app.lessons.lessons)
        if (lesson_key(l) == app.lessons.open) return &l;
    return nullptr;
}

const LessonPage* app_lesson_page(const App& app) {
    const Lesson* l = app_lesson_current(app);
    if (!l || app.lessons.page < 0 || app.lessons.page >= static_cast<int>(l->pages.size())) return nullptr;
    return &l->pages[static_cast<size_t>(app.lessons.page)];
}

void app_lessons_frame(App& app) {
    LessonsState& s = app.lessons;
    const std::string model = app.model ? app.model_name : std::string();
    const int language = static_cast<int>(current_language());
    if (s.for_model == model && s.for_language == language) return;
    const bool same_model = s.for_model == model;
    s.for_model = model;
    s.for_language = language;
    s.lessons = model.empty() ? std::vector<Lesson>{} : lessons_for(model, language_info(current_language()).code);
    s.glyph_text = glyph_text(s.lessons);
    // Another language: the same lesson and page, its truth kept (the numbers do not depend on it).
    if (!same_model) {
        s.truth_for.clear();
        clear_answer(s);
    }
    if (!app_lesson_page(app)) {
        s.open.clear();
        s.page = 0;
    }
}

bool app_lesson_goto(App& app, const std::string& key, int page) {
    app_lessons_frame(app);
    LessonsState& s = app.lessons;
    const Lesson* lesson = nullptr;
    for (const Lesson& l : s.lessons)
        if (lesson_key(l) == key) lesson = &l;
    if (!lesson || page < 0 || page >= static_cast<int>(lesson->pages.size())) return false;
    if (s.open != key || s.page != page) clear_answer(s);
    s.open = key;
    s.page = page;
    const LessonPage& p = lesson->pages[static_cast<size_t>(page)];
    MainView v;
    if (main_view_from_name(p.view, &v)) app.main_view = v;
    Selection& sel = app.selection;
    if (app.trace.is_encoder_decoder() && !p.kind.empty())
        sel.kind = p.kind == "cross" ? AttentionKind::cross : p.kind == "decoder" ? AttentionKind::decoder : AttentionKind::self;
    if (p.layer >= 0) sel.layer = p.layer;
    if (p.head >= 0) sel.head = p.head;
    if (p.layer >= 0 || p.head >= 0) sel.head_mode = HeadMode::one;
    const AttentionTensor& shown = *attention_view(app.trace, sel.kind).attention;
    if (app.has_trace) selection_clamp(sel, shown.n_layer, shown.n_head);
    return true;
}

void app_lesson_close(App& app) {
    app.lessons.open.clear();
    app.lessons.page = 0;
    clear_answer(app.lessons);
}

bool app_lesson_type(App& app) {
    const LessonPage* p = app_lesson_page(app);
    if (!p || p->type.empty()) return false;
    const std::string type = p->type, target = p->target;   // the page outlives this, but be plain about it
    if (app.model && app.model->info().encoder_decoder && !target.empty()) {
        app.target = target;
        ++app.target_generation;
        app.stepped_decoder_ids.clear();
    }
    app.selection.pinned_query = -1;
    app_set_text(app, type);
    // The page's kind, layer and head again: a new trace clamps the selection.
    app_lesson_goto(app, app.lessons.open, app.lessons.page);
    return true;
}

ExerciseGrade app_lesson_answer(App& app, const LessonAnswer& answer) {
    LessonsState& s = app.lessons;
    const LessonPage* p = app_lesson_page(app);
    if (!p || p->exercise.kind == ExerciseKind::none) return ExerciseGrade{};
    ensure_truth(app);
    if (!s.has_truth) return ExerciseGrade{};
    ExerciseGrade g = grade_exercise(s.truth, answer);
    if (!g.valid) return g;
    s.answered = true;
    s.answer = answer;
    s.grade = g;
    ++s.score.attempted;
    s.score.right += g.right;
    return g;
}

bool app_lessons_take_head_click(App& app, int layer, int head) {
    const LessonPage* p = app_lesson_page(app);
    if (!p || p->exercise.kind != ExerciseKind::head) return false;
    app_lesson_answer(app, LessonAnswer{layer, head, ""});
    return true;
}

std::string app_lesson_page_text(const App& app, const std::string& text) {
    std::string accuracy = "?", featured = "?";
    if (app.card.present && app.card.error.empty()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f%%", app.card.card.held_out_accuracy * 100.0);
        accuracy = buf;
        featured = head_name(app.card.card.featured_layer, app.card.card.featured_head);
    }
    const ModelInfo* info = app.model ? &app.model->info() : nullptr;
    return fill_placeholders(text, {{"model", app.model_name},
                                    {"n_layer", info ? std::to_string(info->n_layer) : "?"},
                                    {"n_head", info ? std::to_string(info->n_head) : "?"},
                                    {"accuracy", accuracy},
                                    {"featured", featured}});
}

std::string app_lesson_feedback(const App& app) {
    const LessonsState& s = app.lessons;
    const LessonPage* p = app_lesson_page(app);
    if (!s.answered || !s.has_truth || !p) return "";
    const ExerciseTruth& t = s.truth;
    const ExerciseGrade& g = s.grade;
    std::string out = tr(g.right ? "lessons.right" : "lessons.wrong");
    out += "\n";
    if (t.kind == ExerciseKind::head) {
        const std::string best = head_name(t.best / t.n_head, t.best % t.n_head);
        const std::string chosen = head_name(g.chosen / t.n_head, g.chosen % t.n_head);
        if (t.metric == "ablation") {
            const auto i = static_cast<size_t>(g.chosen), b = static_cast<size_t>(t.best);
            out += trf(g.chosen == t.best ? "lessons.fb_ablation_best" : "lessons.fb_ablation", {{"token", check_piece_text(t.predicted)}, {"before", prob_text(t.prob_before)},
                                               {"best", best}, {"best_after", prob_text(t.prob_after[b])},
                                               {"chosen", chosen}, {"chosen_after", prob_text(t.prob_after[i])}});
        } else if (g.chosen == t.best) {
            out += trf("lessons.fb_head_best", {{"best", best}, {"metric", metric_name(t)}, {"value", value_text(t, g.best_value)}});
        } else if (g.chosen_value < 0.0f) {
            out += trf("lessons.fb_head_outside", {{"best", best}, {"metric", metric_name(t)},
                                                   {"value", value_text(t, g.best_value)}, {"chosen", chosen}});
        } else {
            out += trf("lessons.fb_head", {{"best", best}, {"metric", metric_name(t)}, {"value", value_text(t, g.best_value)},
                                           {"chosen", chosen}, {"chosen_value", value_text(t, g.chosen_value)}});
        }
        std::string also;
        for (size_t i = 0; i < t.accepted.size(); ++i)
            if (t.accepted[i] && static_cast<int>(i) != t.best)
                also += (also.empty() ? "" : ", ") + head_name(static_cast<int>(i) / t.n_head, static_cast<int>(i) % t.n_head);
        if (!also.empty()) out += "\n" + trf("lessons.fb_also", {{"heads", also}});
    } else {
        const auto b = static_cast<size_t>(t.best_choice), c = static_cast<size_t>(g.chosen);
        const bool label = t.kind == ExerciseKind::label;
        auto name = [&](size_t i) { return label ? pattern_name(t.choices[i]) : t.choices[i]; };
        const std::string head = head_name(t.layer, t.head);
        const char* key = label ? (b == c ? "lessons.fb_label_best" : "lessons.fb_label")
                                : (b == c ? "lessons.fb_token_best" : "lessons.fb_token");
        out += trf(key,
                   {{"head", head}, {"query", t.query}, {"best", name(b)}, {"value", value_text(t, t.choice_value[b])},
                    {"chosen", name(c)}, {"chosen_value", value_text(t, t.choice_value[c])}});
    }
    if (!p->exercise.explain.empty()) out += "\n" + p->exercise.explain;
    return out;
}

}  // namespace attn
