// Llama-family decoders against transformers: llama-tiny (GQA 4:2, untied), llama-bf16-sharded (BF16
// weights in 4 shards, GQA 4:1), qwen2-tiny (q/k/v biases, tied, rope_theta 1e6).
#include <doctest/doctest.h>

#include "decoder_reference.h"
#include "model/generate.h"

using namespace attn;

TEST_CASE("llama-tiny matches transformers") { check_decoder_against_reference("llama-tiny", 2e-5f, 2e-4f, 2e-3f); }

// This reference differs from an exact f32 computation on the stored BF16 weights by about 1e-4 in the
// attention of the very first layer, while gpt2-f16's reference matches such a computation to 2e-7. We
// tried rounding every intermediate (projections, norm outputs, rotary tables, roped q/k) to BF16 and
// each made it worse, so it was most likely computed from the f32 weights before they were rounded for
// saving. Hence wider tolerances here only; the greedy ids still match exactly.
TEST_CASE("llama-bf16-sharded (BF16, sharded, GQA 4:1) matches transformers") {
    check_decoder_against_reference("llama-bf16-sharded", 3e-4f, 1.5e-3f, 5e-3f);
    ModelPtr model = load_fixture_model("llama-bf16-sharded");
    CHECK(model->info().weight_dtypes == std::vector<std::string>{"BF16"});
    CHECK(model->info().n_kv_head == 1);
}

TEST_CASE("qwen2-tiny matches transformers") { check_decoder_against_reference("qwen2-tiny", 2e-5f, 2e-4f, 2e-3f); }

TEST_CASE("greedy generation equals transformers' greedy ids") {
    for (const char* name : {"qwen2-tiny", "llama-bf16-sharded", "gpt2-f16"}) {
        ModelPtr model = load_fixture_model(name);
        Reference ref = Reference::load(name);
        for (int c = 0; c < ref.n_cases(); ++c) {
            INFO(name << " case " << c);
            GenerateOptions greedy;
            greedy.max_new_tokens = 8;
            greedy.stop_at_eos = false;  // the references run 8 steps without stopping
            auto ids = model_generate(*model, ref.ids(c, "input_ids"), greedy);
            REQUIRE(ids.ok());
            CHECK(*ids == ref.ids(c, "greedy_generation"));
        }
    }
}
