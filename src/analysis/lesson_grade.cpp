// The right answer of an exercise, from the model (lesson_grade.h): head statistics and labels
// (head_patterns.h), check suites (checks.h), ablations (interventions.h), head similarity
// (head_similarity.h).
#include "analysis/lesson_grade.h"

#include <algorithm>
#include <cmath>

#include "analysis/check_suites.h"
#include "analysis/checks.h"
#include "analysis/head_patterns.h"
#include "analysis/head_similarity.h"
#include "analysis/interventions.h"

namespace attn {

namespace {

int stat_index(const std::string& key) {
    for (const HeadStatInfo& s : kHeadStatTable)
        if (key == s.key) return static_cast<int>(s.stat);
    return -1;
}

// The model's self attention on the text (an encoder-decoder's encoder), with logits at the last position.
Expected<Trace> trace_text(const Model& model, const std::string& text, const TraceOptions& options) {
    if (model.info().encoder_decoder) {
        const std::vector<int32_t> src = seq2seq_source_ids(model, text);
        return model_trace_seq2seq(model, src, seq2seq_target_ids(model, ""), options);
    }
    return model_trace_text(model, text, options);
}

// Head values for the layers asked about; the others -1. Right: within `tolerance` of the best.
void choose_heads(ExerciseTruth& t, const LessonExercise& e, std::vector<float> values, float tolerance) {
    const int L = t.n_layer, H = t.n_head;
    const int max_layer = e.max_layer < 0 ? L - 1 : std::min(e.max_layer, L - 1);
    for (int l = 0; l < L; ++l)
        if (l < e.min_layer || l > max_layer)
            for (int h = 0; h < H; ++h) values[static_cast<size_t>(l) * H + h] = -1.0f;
    t.head_value = std::move(values);
    t.accepted.assign(t.head_value.size(), 0);
    for (size_t i = 0; i < t.head_value.size(); ++i)
        if (t.head_value[i] >= 0.0f && (t.best < 0 || t.head_value[i] > t.head_value[static_cast<size_t>(t.best)]))
            t.best = static_cast<int>(i);
    if (t.best < 0) return;
    const float top = t.head_value[static_cast<size_t>(t.best)];
    for (size_t i = 0; i < t.head_value.size(); ++i)
        t.accepted[i] = t.head_value[i] >= 0.0f && t.head_value[i] >= top - tolerance;
}

std::vector<HeadStats> stats_with_induction(const Model& model, const Trace& trace) {
    std::vector<HeadStats> stats =
        head_statistics(trace.attentions, token_kinds(model.tokenizer, trace.tokens), HeadStatsOptions{});
    // The head grid's labels use the induction score too (ui/heads_cache.cpp): so do the answers.
    Expected<std::vector<float>> ind = induction_scores(model, InductionOptions{});
    if (ind && ind->size() == stats.size()) head_stats_set_induction(stats, *ind);
    return stats;
}

void token_truth(ExerciseTruth& t, const Model& model, const LessonExercise& e, const std::string& text,
                 const std::string& target) {
    // One check case per choice, metric mass: the attention the query puts on that word, every head.
    CheckSuite suite;
    suite.name = "exercise";
    for (const std::string& choice : e.choices) {
        CheckCase c;
        c.name = choice;
        c.text = text;
        c.target = target;
        c.attention = e.attention;
        c.query.text = e.query;
        c.expected.push_back(TokenRef{-1, choice, 1});
        c.metric = CheckMetric::mass;
        suite.cases.push_back(std::move(c));
    }
    Expected<CheckSuiteResult> r = check_suite_run(model, suite);
    if (!r) throw Error(r.error().message);
    for (const CheckCaseResult& c : r->cases) {
        if (!c.error.empty()) throw Error("choice '" + c.name + "': " + c.error);
        if (t.layer >= c.n_layer || t.head >= c.n_head)
            throw Error("the model has no head " + head_name(t.layer, t.head) + " in its " + e.attention + " attention");
        t.choice_value.push_back(c.head_value[static_cast<size_t>(t.layer) * c.n_head + t.head]);
        t.n_layer = c.n_layer;
        t.n_head = c.n_head;
    }
    t.metric = "attention";
}

void label_truth(ExerciseTruth& t, const Model& model, const LessonExercise& e, const std::string& text) {
    Expected<Trace> tr = trace_text(model, text, TraceOptions{});
    if (!tr) throw Error(tr.error().message);
    t.n_layer = tr->attentions.n_layer;
    t.n_head = tr->attentions.n_head;
    if (t.layer >= t.n_layer || t.head >= t.n_head) throw Error("the model has no head " + head_name(t.layer, t.head));
    const std::vector<HeadStats> stats = stats_with_induction(model, *tr);
    const HeadLabel label = label_head(stats[static_cast<size_t>(t.layer) * t.n_head + t.head]);
    for (const std::string& c : e.choices) {
        HeadPattern p;
        head_pattern_from_name(c, &p);
        t.choice_value.push_back(label.scores[static_cast<int>(p)]);
    }
    const std::string name = head_pattern_info(label.pattern).name;
    if (std::find(e.choices.begin(), e.choices.end(), name) == e.choices.end())
        throw Error("head " + head_name(t.layer, t.head) + " is labelled '" + name + "', which is not among the choices");
    t.metric = "label";
    t.choice_accepted.assign(e.choices.size(), 0);
    for (size_t i = 0; i < e.choices.size(); ++i)
        if (e.choices[i] == name) t.choice_accepted[i] = 1, t.best_choice = static_cast<int>(i);
}

void head_truth(ExerciseTruth& t, const Model& model, const LessonExercise& e, const std::string& text) {
    const ModelInfo& info = model.info();
    t.n_layer = info.n_layer;
    t.n_head = info.n_head;
    const size_t n = static_cast<size_t>(t.n_layer) * t.n_head;
    std::vector<float> values(n, 0.0f);
    float tolerance = e.tolerance;
    if (e.criterion == HeadCriterion::stat && e.stat == "induction") {
        Expected<std::vector<float>> ind = induction_scores(model, InductionOptions{});
        if (!ind) throw Error(ind.error().message);
        values = *ind;
        t.metric = e.stat;
    } else if (e.criterion == HeadCriterion::stat || e.criterion == HeadCriterion::pattern) {
        Expected<Trace> tr = trace_text(model, text, TraceOptions{});
        if (!tr) throw Error(tr.error().message);
        const std::vector<HeadStats> stats = e.criterion == HeadCriterion::pattern
            ? stats_with_induction(model, *tr)
            : head_statistics(tr->attentions, token_kinds(model.tokenizer, tr->tokens), HeadStatsOptions{});
        HeadPattern p{};
        if (e.criterion == HeadCriterion::pattern) head_pattern_from_name(e.pattern, &p);
        for (size_t i = 0; i < n && i < stats.size(); ++i)
            values[i] = e.criterion == HeadCriterion::stat ? stats[i].value[stat_index(e.stat)]
                                                           : label_head(stats[i]).scores[static_cast<int>(p)];
        t.metric = e.criterion == HeadCriterion::stat ? e.stat : e.pattern;
    } else if (e.criterion == HeadCriterion::checks) {
        Expected<CheckSuite> suite = check_suite_from(e.suite_json, "exercise suite");
        if (!suite) throw Error(suite.error().message);
        Expected<CheckSuiteResult> r = check_suite_run(model, *suite);
        if (!r) throw Error(r.error().message);
        for (const CheckCaseResult& c : r->cases)
            if (!c.error.empty()) throw Error("suite case '" + c.name + "': " + c.error);
        values = check_head_pass_rates(*r);
        t.n_layer = r->n_layer;
        t.n_head = r->n_head;
        t.metric = "pass_rate";
        if (tolerance < 0.0f) tolerance = 0.0f;
    } else if (e.criterion == HeadCriterion::similarity) {
        if (e.layer >= t.n_layer || e.head >= t.n_head) throw Error("the model has no head " + head_name(e.layer, e.head));
        Expected<Trace> tr = trace_text(model, text, TraceOptions{});
        if (!tr) throw Error(tr.error().message);
        // The Similarity view's distances (JSD, 0 to ln 2 nats) turned into a score: 1 same map, 0 disjoint.
        const HeadSimilarity sim = head_similarity(tr->attentions);
        if (static_cast<size_t>(sim.n) != n) throw Error("the model's heads could not be compared");
        const size_t ref = static_cast<size_t>(e.layer) * t.n_head + e.head;
        for (size_t i = 0; i < n; ++i) {   // a head with bad values (NaN JSD) is like no other: 0
            const float d = sim.jsd[ref * n + i];
            values[i] = std::isfinite(d) ? std::clamp(1.0f - d / static_cast<float>(std::log(2.0)), 0.0f, 1.0f) : 0.0f;
        }
        values[ref] = -1.0f;   // "another head": the one named is not an answer
        t.metric = "similarity";
        t.layer = e.layer;     // the feedback names it
        t.head = e.head;
    } else {
        if (info.encoder_decoder) throw Error("ablation exercises need a decoder-only or encoder model");
        TraceOptions opt;
        Expected<Trace> before = trace_text(model, text, opt);
        if (!before) throw Error(before.error().message);
        const int n_token = before->tokens.size();
        t.prob_after.assign(n, 0.0f);
        for (int l = 0; l < t.n_layer; ++l)
            for (int h = 0; h < t.n_head; ++h) {
                Interventions iv;
                iv.heads.push_back({l, h, AblationMode::zero});
                TraceOptions o;
                o.capture_hidden_states = false;
                o.hooks = intervention_hooks(iv, t.n_layer, t.n_head, n_token);
                Expected<Trace> after = model_trace(model, before->tokens.ids, o);
                if (!after) throw Error(after.error().message);
                const InterventionEffect fx = intervention_effect(*before, *after, model, -1, 5);
                for (const TokenChange& c : fx.tokens)
                    if (c.id == fx.argmax_before) {
                        t.predicted = c.piece;
                        t.prob_before = c.before;
                        t.prob_after[static_cast<size_t>(l) * t.n_head + h] = c.after;
                    }
            }
        for (size_t i = 0; i < n; ++i) values[i] = std::max(0.0f, t.prob_before - t.prob_after[i]);
        t.metric = "ablation";
    }
    if (values.size() != static_cast<size_t>(t.n_layer) * t.n_head) throw Error("the model's heads could not be scored");
    choose_heads(t, e, std::move(values), tolerance < 0.0f ? 0.1f : tolerance);
}

}  // namespace

Expected<ExerciseTruth> exercise_truth(const Model& model, const LessonExercise& exercise, const std::string& text,
                                       const std::string& target) {
    return catch_errors([&]() -> ExerciseTruth {
        ExerciseTruth t;
        t.kind = exercise.kind;
        t.criterion = exercise.criterion;
        t.layer = exercise.layer;
        t.head = exercise.head;
        t.query = exercise.query;
        t.choices = exercise.choices;
        if (exercise.kind == ExerciseKind::head) head_truth(t, model, exercise, text);
        else if (exercise.kind == ExerciseKind::label) label_truth(t, model, exercise, text);
        else if (exercise.kind == ExerciseKind::token) {
            token_truth(t, model, exercise, text, target);
            // The word looked at most is right, and any within `tolerance` of it (default 0.05).
            const float tol = exercise.tolerance < 0.0f ? 0.05f : exercise.tolerance;
            for (size_t i = 0; i < t.choice_value.size(); ++i)
                if (t.best_choice < 0 || t.choice_value[i] > t.choice_value[static_cast<size_t>(t.best_choice)])
                    t.best_choice = static_cast<int>(i);
            for (float v : t.choice_value) t.choice_accepted.push_back(v >= t.choice_value[static_cast<size_t>(t.best_choice)] - tol);
        } else throw Error("the page has no exercise");
        return t;
    });
}

ExerciseGrade grade_exercise(const ExerciseTruth& t, const LessonAnswer& a) {
    ExerciseGrade g;
    if (t.kind == ExerciseKind::head) {
        if (a.layer < 0 || a.head < 0 || a.layer >= t.n_layer || a.head >= t.n_head || t.best < 0) return g;
        g.chosen = a.layer * t.n_head + a.head;
        g.valid = true;
        g.right = t.accepted[static_cast<size_t>(g.chosen)] != 0;
        g.chosen_value = t.head_value[static_cast<size_t>(g.chosen)];
        g.best_value = t.head_value[static_cast<size_t>(t.best)];
        return g;
    }
    for (size_t i = 0; i < t.choices.size(); ++i)
        if (t.choices[i] == a.choice && t.best_choice >= 0) {
            g.chosen = static_cast<int>(i);
            g.valid = true;
            g.right = t.choice_accepted[i] != 0;
            g.chosen_value = t.choice_value[i];
            g.best_value = t.choice_value[static_cast<size_t>(t.best_choice)];
        }
    return g;
}

bool exercise_accepts(const ExerciseTruth& t, const std::string& answer) {
    LessonAnswer a;
    if (t.kind == ExerciseKind::head && !head_from_name(answer, &a.layer, &a.head)) return false;
    a.choice = answer;
    return grade_exercise(t, a).right;
}

}  // namespace attn
