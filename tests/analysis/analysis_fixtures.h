// Shared by the analysis tests: small attention tensors written out by hand, and the fixtures whose
// reference.safetensors carries analysis tensors, traced with the reference's own input ids.
#pragma once
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "decoder_reference.h"
#include "model/trace.h"

// (L, H, T, T) from nested rows: layers[l][h][t][s].
inline attn::AttentionTensor attention_from(const std::vector<std::vector<std::vector<std::vector<float>>>>& layers,
                                            bool causal) {
    attn::AttentionTensor a;
    a.n_layer = static_cast<int>(layers.size());
    a.n_head = static_cast<int>(layers[0].size());
    a.n_query = a.n_key = static_cast<int>(layers[0][0].size());
    a.causal = causal;
    for (const auto& layer : layers)
        for (const auto& head : layer)
            for (const auto& row : head) a.probs.insert(a.probs.end(), row.begin(), row.end());
    return a;
}

struct AnalysisFixture {
    const char* name;
    float tolerance;         // rollout and flow (both in [0,1])
    float stats_tolerance;   // entropy (nats) and mean distance (tokens): they amplify weight errors
};
// Every fixture with rollout/entropy/mean_distance references (BART has none: no single stack).
inline const std::vector<AnalysisFixture>& analysis_fixtures() {
    static const std::vector<AnalysisFixture> all = {
        {"gpt2-tiny", 1e-5f, 2e-5f},    {"gpt2-f16", 1e-5f, 2e-5f},     {"llama-tiny", 1e-5f, 2e-5f},
        {"qwen2-tiny", 1e-5f, 2e-5f},   {"bert-tiny", 1e-5f, 2e-5f},    {"roberta-tiny", 1e-5f, 2e-5f},
        {"distilbert-tiny", 1e-5f, 2e-5f},
        // BF16 weights: its attentions match transformers only to ~3e-4 (see test_llama.cpp).
        {"llama-bf16-sharded", 1e-4f, 5e-3f},
    };
    return all;
}

// Calls check(trace attentions, reference, case) for every case of the fixture.
template <class Check>
void for_each_reference_case(const std::string& name, Check check) {
    attn::ModelPtr model = load_fixture_model(name);
    Reference ref = Reference::load(name);
    REQUIRE(ref.n_cases() >= 4);
    for (int c = 0; c < ref.n_cases(); ++c) {
        INFO(name << " case " << c);
        std::vector<int32_t> ids = ref.ids(c, "input_ids");
        auto trace = attn::model_trace(*model, ids, attn::TraceOptions{});
        REQUIRE_MESSAGE(trace.ok(), trace.error().message);
        check(trace->attentions, ref, c);
    }
}

inline std::vector<float> to_float(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }
