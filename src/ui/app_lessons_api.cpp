// The page API's lessons calls and getState().lessons (app_lessons.h), in the app so the web glue stays a
// pass-through and the UI tests call the same code natively.
#include "core/json.h"
#include "ui/app.h"
#include "ui/app_lessons.h"

namespace attn {

namespace {

Json rect_json(const std::array<float, 4>& r) { return Json::array({r[0], r[1], r[2], r[3]}); }

Json rects_json(const std::vector<std::array<float, 4>>& rs) {
    Json out = Json::array();
    for (const auto& r : rs) out.push_back(rect_json(r));
    return out;
}

Json state(const App& app) {
    const LessonsState& s = app.lessons;
    Json available = Json::array();
    for (const Lesson& l : s.lessons) available.push_back({{"lesson", l.model}, {"title", l.title}, {"pages", l.pages.size()}});
    const Lesson* lesson = app_lesson_current(app);
    const LessonPage* page = app_lesson_page(app);
    Json out = {{"available", available}, {"open", s.open}, {"page", lesson ? s.page : -1},
                {"pages", lesson ? lesson->pages.size() : 0}, {"title", lesson ? lesson->title : ""},
                {"answered", s.answered}, {"right", s.answered && s.grade.right},
                {"feedback", app_lesson_feedback(app)}, {"shownFeedback", s.shown_feedback},
                {"score", {{"right", s.score.right}, {"attempted", s.score.attempted}}}};
    if (page) {
        out["pageTitle"] = page->title;
        out["text"] = app_lesson_page_text(app, page->text);
        out["type"] = page->type;
        out["target"] = page->target;
        Json ex = nullptr;
        if (page->exercise.kind != ExerciseKind::none)
            ex = {{"kind", exercise_kind_name(page->exercise.kind)}, {"prompt", page->exercise.prompt},
                  {"choices", page->exercise.choices}, {"error", s.truth_error}};
        out["exercise"] = ex;
    }
    if (s.answered && s.has_truth) {
        const ExerciseTruth& t = s.truth;
        Json g = {{"chosenValue", s.grade.chosen_value}, {"bestValue", s.grade.best_value}, {"metric", t.metric}};
        if (t.kind == ExerciseKind::head) {
            g["best"] = head_name(t.best / t.n_head, t.best % t.n_head);
            g["chosen"] = head_name(s.grade.chosen / t.n_head, s.grade.chosen % t.n_head);
            Json accepted = Json::array();
            for (size_t i = 0; i < t.accepted.size(); ++i)
                if (t.accepted[i]) accepted.push_back(head_name(static_cast<int>(i) / t.n_head, static_cast<int>(i) % t.n_head));
            g["accepted"] = accepted;
            if (t.metric == "ablation") {
                g["predicted"] = t.predicted;
                g["probBefore"] = t.prob_before;
                g["probAfterChosen"] = t.prob_after[static_cast<size_t>(s.grade.chosen)];
                g["probAfterBest"] = t.prob_after[static_cast<size_t>(t.best)];
            }
        } else {
            g["best"] = t.choices[static_cast<size_t>(t.best_choice)];
            g["chosen"] = t.choices[static_cast<size_t>(s.grade.chosen)];
        }
        out["grade"] = g;
    }
    out["widgets"] = {{"header", rect_json(s.panel_rect)}, {"prev", rect_json(s.prev_rect)}, {"next", rect_json(s.next_rect)}, {"type", rect_json(s.type_rect)},
                      {"start", rect_json(s.start_rect)}, {"choices", rects_json(s.choice_rects)},
                      {"heads", rects_json(s.head_rects)}};
    return out;
}

}  // namespace

std::string app_lessons_state_json(const App& app) {
    return state(app).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string app_lessons_api(App& app, const std::string& request) {
    Expected<Json> out = catch_errors([&]() -> Json {
        const Json r = json_parse(request.empty() ? "{}" : request, "lessons request");
        if (!r.is_object()) throw Error("lessons request: must be an object {action, ...}");
        if (!app.model) throw Error("lessons: no model is loaded");
        app_lessons_frame(app);
        const std::string action = r.value("action", "");
        LessonsState& s = app.lessons;
        if (action == "goto") {
            const std::string key = r.value("lesson", s.open);
            const int page = r.value("page", 0);
            if (!app_lesson_goto(app, key, page))
                throw Error("lessons: model " + app.model_name + " has no lesson '" + key + "' with a page " + std::to_string(page));
        } else if (action == "next" || action == "prev") {
            if (!app_lesson_goto(app, s.open, s.page + (action == "next" ? 1 : -1)))
                throw Error("lessons: no " + action + " page");
        } else if (action == "type") {
            if (!app_lesson_type(app)) throw Error("lessons: the page has no text to type");
        } else if (action == "close") {
            app_lesson_close(app);
        } else if (action == "answer") {
            LessonAnswer a;
            if (r.contains("head") && r["head"].is_string()) {
                if (!head_from_name(r["head"].get<std::string>(), &a.layer, &a.head))
                    throw Error("lessons: \"head\" must name a head such as \"L1H3\"");
            } else if (r.contains("layer") && r.contains("head")) {
                a.layer = r.value("layer", -1);
                a.head = r.value("head", -1);
            }
            a.choice = r.value("choice", "");
            const ExerciseGrade g = app_lesson_answer(app, a);
            if (!g.valid) {
                if (!s.truth_error.empty()) throw Error("lessons: " + s.truth_error);
                throw Error("lessons: the answer names no head of the model or none of the choices (or the page has no exercise)");
            }
        } else if (action != "state") {
            throw Error("lessons: unknown action '" + action + "' (goto, next, prev, type, answer, close, state)");
        }
        return state(app);
    });
    if (!out) return Json{{"error", out.error().message}}.dump();
    return out->dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace attn
