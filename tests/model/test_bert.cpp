// Encoder masked-LM models against transformers: bert-tiny, roberta-tiny (positions from pad+1),
// distilbert-tiny. Every reference case: attentions 2e-5, hidden states 2e-4, logits at the mask 2e-3.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "core/json.h"
#include "decoder_reference.h"
#include "model/encoder.h"

using namespace attn;

namespace {

std::vector<int> mask_positions_of(const std::string& name) {
    std::ifstream in(fixture_path(name + "/reference.json"));
    std::stringstream text;
    text << in.rdbuf();
    Json meta = json_parse(text.str(), name + "/reference.json");
    return meta.at("mask_positions").get<std::vector<int>>();
}

void check_encoder_against_reference(const std::string& name) {
    ModelPtr model = load_fixture_model(name);
    Reference ref = Reference::load(name);
    std::vector<int> masks = mask_positions_of(name);
    REQUIRE(ref.n_cases() >= 4);
    REQUIRE(static_cast<int>(masks.size()) == ref.n_cases());
    for (int c = 0; c < ref.n_cases(); ++c) {
        INFO(name << " case " << c);
        std::vector<int32_t> ids = ref.ids(c, "input_ids");
        TraceOptions options;
        options.logit_positions = {masks[c]};
        auto trace = model_trace(*model, ids, options);
        REQUIRE_MESSAGE(trace.ok(), trace.error().message);
        const int T = static_cast<int>(ids.size());
        CHECK(trace->architecture == name.substr(0, name.find('-')));
        CHECK_FALSE(trace->attentions.causal);
        CHECK(trace->attentions.n_query == T);
        CHECK(trace->attentions.n_key == T);
        CHECK(max_abs_diff(trace->attentions.probs, ref.f32(c, "attentions")) < 2e-5f);
        CHECK(max_abs_diff(trace->hidden_states.values, ref.f32(c, "hidden_states")) < 2e-4f);
        const float* logits = trace->logits_at(masks[c]);
        REQUIRE(logits != nullptr);
        CHECK(max_abs_diff(std::vector<float>(logits, logits + trace->n_vocab), ref.f32(c, "mask_logits")) < 2e-3f);
    }
}

}  // namespace

TEST_CASE("bert-tiny matches transformers at the mask") { check_encoder_against_reference("bert-tiny"); }
TEST_CASE("roberta-tiny matches transformers at the mask") { check_encoder_against_reference("roberta-tiny"); }
TEST_CASE("distilbert-tiny matches transformers at the mask") { check_encoder_against_reference("distilbert-tiny"); }

TEST_CASE("encoder model info: not causal, not encoder-decoder, context from the position table") {
    for (const char* name : {"bert-tiny", "roberta-tiny", "distilbert-tiny"}) {
        INFO(name);
        ModelPtr model = load_fixture_model(name);
        const ModelInfo& i = model->info();
        CHECK_FALSE(i.causal);
        CHECK_FALSE(i.encoder_decoder);
        CHECK(i.n_layer == 2);
        CHECK(i.n_head == 4);
        CHECK(i.n_embd == 64);
        CHECK(i.n_vocab == 600);
        // roberta-tiny: 66 positions, pad_token_id=1, so positions 2..65 hold 64 tokens.
        CHECK(i.n_ctx == 64);
    }
}

TEST_CASE("RoBERTa position ids: from pad+1, pad tokens stay at pad and are not counted") {
    CHECK(encoder_position_ids({5, 6, 7}, -1) == std::vector<int>{0, 1, 2});
    CHECK(encoder_position_ids({0, 5, 6, 2}, 1) == std::vector<int>{2, 3, 4, 5});
    CHECK(encoder_position_ids({0, 1, 6, 1, 2}, 1) == std::vector<int>{2, 1, 3, 1, 4});
    CHECK(encoder_position_ids({3, 4}, 0) == std::vector<int>{1, 2});
}

TEST_CASE("roberta-tiny refuses inputs past its 64 positions") {
    ModelPtr model = load_fixture_model("roberta-tiny");
    auto too_long = model_trace(*model, std::vector<int32_t>(65, 5), TraceOptions{});
    REQUIRE_FALSE(too_long.ok());
    CHECK(too_long.error().message.find("65 tokens exceed the model's context of 64") != std::string::npos);
}

TEST_CASE("an encoder is not an encoder-decoder") {
    ModelPtr model = load_fixture_model("bert-tiny");
    auto t = model_trace_seq2seq(*model, {2, 5, 3}, {2}, TraceOptions{});
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().message.find("bert is not an encoder-decoder model") != std::string::npos);
}
