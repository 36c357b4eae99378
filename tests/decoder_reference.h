// Loading fixture models and comparing a decoder's trace with transformers' reference outputs.
#pragma once
#include <doctest/doctest.h>

#include "model/model.h"
#include "reference_data.h"

inline attn::ModelPtr load_fixture_model(const std::string& name) {
    auto files = attn::folder_read(fixture_path(name));
    REQUIRE_MESSAGE(files.ok(), files.error().message);
    auto model = attn::model_load(*files);
    REQUIRE_MESSAGE(model.ok(), model.error().message);
    return std::move(*model);
}

// Every case in reference.safetensors: attentions, hidden states and last-position logits.
inline void check_decoder_against_reference(const std::string& name, float attn_tol, float hidden_tol,
                                            float logit_tol) {
    using namespace attn;
    ModelPtr model = load_fixture_model(name);
    Reference ref = Reference::load(name);
    REQUIRE(ref.n_cases() >= 4);
    for (int c = 0; c < ref.n_cases(); ++c) {
        INFO(name << " case " << c);
        std::vector<int32_t> ids = ref.ids(c, "input_ids");
        auto trace = model_trace(*model, ids, TraceOptions{});
        REQUIRE_MESSAGE(trace.ok(), trace.error().message);
        const int T = static_cast<int>(ids.size());
        CHECK(trace->attentions.n_query == T);
        CHECK(max_abs_diff(trace->attentions.probs, ref.f32(c, "attentions")) < attn_tol);
        CHECK(max_abs_diff(trace->hidden_states.values, ref.f32(c, "hidden_states")) < hidden_tol);
        const float* last = trace->logits_at(T - 1);
        REQUIRE(last != nullptr);
        CHECK(max_abs_diff(std::vector<float>(last, last + trace->n_vocab), ref.f32(c, "last_logits")) < logit_tol);
    }
}
