// What the app keeps for the explanation view: the faithfulness job (started once the attribution job
// has a result for the input on screen), its result, and the explanation built from both, each with the
// input it belongs to, so redrawing never recomputes and a new input, target or foil does.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/explanation.h"
#include "core/i18n.h"
#include "analysis/faithfulness.h"
#include "ui/analysis_state.h"

namespace attn {

struct ExplainState {
    // Faithfulness (decoder-only and encoder models).
    std::shared_ptr<FaithfulnessJob> job;
    AnalysisKey job_key;
    float progress = 0.0f;
    std::string stage;
    double longest_step_ms = 0.0;      // the longest single step of this job: predicts whether another fits
    bool has_faithfulness = false;
    AnalysisKey faithfulness_key;
    Faithfulness faithfulness;

    // The explanation on screen and what it was built from.
    bool has_explanation = false;
    AnalysisKey key;                   // decoder-only / encoder: the attribution's key
    uint64_t trace_version = 0;        // encoder-decoder: the trace it was measured on
    bool with_faithfulness = false;    // rebuilt once faithfulness arrives
    ExplanationFacts facts;
    Explanation explanation;
    Language explanation_language = Language::en;   // the language `explanation` is in
    std::string error;

    // Drawn last frame (tests and the page read them): the numbers as highlighted, the "why" links.
    std::vector<std::string> shown_numbers;
    std::vector<std::array<float, 4>> link_rects;   // one per sentence; zero when the sentence has no link
};

}  // namespace attn
