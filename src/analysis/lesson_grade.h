// Predict, then check: the right answer of a lesson exercise (lessons.h), measured on the model, and the
// grade of a student's answer against it. The file says what is asked; the model says what is right.
//
//   Expected<ExerciseTruth> truth = exercise_truth(model, page.exercise, page.type, page.target);
//   ExerciseGrade g = grade_exercise(*truth, LessonAnswer{/*layer=*/0, /*head=*/2, ""});
//   g.right; truth->best; truth->head_value[g.chosen]   // "L1H1: induction score 0.97; you chose L0H2: 0.04"
//
// Head exercises score every head (within min_layer..max_layer; the others score -1 and are never
// right); a head is right when its value is within `tolerance` of the best one (defaults: stat and
// pattern 0.1, checks 0 (the top pass rate), ablation 0.1 of probability, similarity 0.1). Similarity
// scores each head by 1 - JSD / ln 2 between its attention on the text and head `layer`/`head`'s (the
// Similarity view's distances); the named head scores -1: the question asks for another head. Token
// exercises score each choice by the attention mass the query puts on it in the head asked about (the
// checks engine, metric mass, so a word split into pieces counts whole); label exercises by the head's
// pattern score, and the head's label (the largest score) is the one right choice.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/lessons.h"
#include "core/error.h"
#include "model/model.h"

namespace attn {

struct ExerciseTruth {
    ExerciseKind kind = ExerciseKind::none;
    HeadCriterion criterion = HeadCriterion::stat;
    std::string metric;                 // stat key, pattern name, "pass_rate", "ablation", "similarity",
                                        // "attention", "label"
    int n_layer = 0, n_head = 0;
    // Head exercises, (L, H): the criterion's value per head (ablation: the probability lost), -1 for
    // heads outside the layers asked about; which heads count as right; the best one (l * H + h).
    std::vector<float> head_value;
    std::vector<uint8_t> accepted;
    int best = -1;
    // Ablation: the token the model predicts after the text, its probability, and after ablating each head.
    std::string predicted;
    float prob_before = 0.0f;
    std::vector<float> prob_after;      // (L, H)
    // Token and label exercises: one value per choice (attention mass; pattern score), which are right.
    std::vector<std::string> choices;
    std::vector<float> choice_value;
    std::vector<uint8_t> choice_accepted;
    int best_choice = -1;
    std::string query;                  // token: the word that looks
    int layer = -1, head = -1;          // token, label: the head asked about; similarity: the head to match
};

// Runs the model on `text` (encoder-decoders: `target` as the decoder's text) as the exercise needs.
// Fails with a message naming the exercise's problem (a word not in the text, a head the model lacks).
Expected<ExerciseTruth> exercise_truth(const Model& model, const LessonExercise& exercise, const std::string& text,
                                       const std::string& target);

struct LessonAnswer {
    int layer = -1, head = -1;          // head exercises
    std::string choice;                 // token and label exercises: one of the choices
};

struct ExerciseGrade {
    bool valid = false;                 // the answer names a head of the model / one of the choices
    bool right = false;
    int chosen = -1;                    // head: l * H + h; token, label: the choice's index
    float chosen_value = 0.0f;
    float best_value = 0.0f;
};
ExerciseGrade grade_exercise(const ExerciseTruth& truth, const LessonAnswer& answer);

// Whether an author's answer ("L1H1", "animal", "previous_token") is right on this truth.
bool exercise_accepts(const ExerciseTruth& truth, const std::string& answer);

// The session's score: every graded answer counts (a second try at the same exercise too).
struct LessonScore {
    int right = 0, attempted = 0;
};

}  // namespace attn
