// GPT-2 forward pass against transformers' outputs for the gpt2-tiny fixture (attentions 2e-5,
// hidden states 2e-4, logits 2e-3), in whichever build runs this (native or WASM).
#include <doctest/doctest.h>

#include "decoder_reference.h"

using namespace attn;


TEST_CASE("gpt2-tiny matches transformers: attentions, hidden states, last logits") {
    check_decoder_against_reference("gpt2-tiny", 2e-5f, 2e-4f, 2e-3f);
}

TEST_CASE("gpt2-f16 (16-bit weights, computed in f32 like the reference) matches transformers") {
    check_decoder_against_reference("gpt2-f16", 2e-5f, 2e-4f, 2e-3f);
    ModelPtr model = load_fixture_model("gpt2-f16");
    CHECK(model->info().weight_dtypes == std::vector<std::string>{"F16"});
}

TEST_CASE("gpt2 model info comes from config.json and the weights") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    const ModelInfo& i = model->info();
    CHECK(i.architecture == "gpt2");
    CHECK(i.n_layer == 2);
    CHECK(i.n_head == 4);
    CHECK(i.n_embd == 32);
    CHECK(i.n_ctx == 64);
    CHECK(i.n_vocab == 50257);
    // wte + wpe + 2 blocks x (ln 2x2x32, attn 32x96+96+32x32+32, mlp 32x128+128+128x32+32) + ln_f 64
    CHECK(i.n_params == 50257 * 32 + 64 * 32 + 2 * (4 * 32 + 32 * 96 + 96 + 32 * 32 + 32 + 32 * 128 + 128 + 128 * 32 + 32) + 64);
}

TEST_CASE("model_trace refuses ids outside the vocabulary and inputs past the context") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    auto bad_id = model_trace(*model, {1, 50257}, TraceOptions{});
    REQUIRE_FALSE(bad_id.ok());
    CHECK(bad_id.error().message.find("token id 50257 is outside the vocabulary") != std::string::npos);
    auto too_long = model_trace(*model, std::vector<int32_t>(65, 1), TraceOptions{});
    REQUIRE_FALSE(too_long.ok());
    CHECK(too_long.error().message.find("65 tokens exceed the model's context of 64") != std::string::npos);
}

TEST_CASE("capturing is opt-in and does not change the logits") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    std::vector<int32_t> ids = {464, 5044, 1422, 470, 3272};
    auto full = model_trace(*model, ids, TraceOptions{});
    TraceOptions lean;
    lean.capture_attentions = false;
    lean.capture_hidden_states = false;
    lean.logit_positions = {0, -1};
    auto light = model_trace(*model, ids, lean);
    REQUIRE(full.ok());
    REQUIRE(light.ok());
    CHECK(light->attentions.empty());
    CHECK(light->hidden_states.empty());
    REQUIRE(light->logit_positions == std::vector<int>{0, 4});
    std::vector<float> a(full->logits_at(4), full->logits_at(4) + full->n_vocab);
    std::vector<float> b(light->logits_at(4), light->logits_at(4) + light->n_vocab);
    CHECK(max_abs_diff(a, b) < 1e-5f);  // one row or two take different GEMM paths
}
