// BART against transformers (bart-tiny): encoder, decoder and cross attentions 2e-5, both stacks'
// hidden states 2e-4, last decoder logits 2e-3, and greedy generation with forced eos equal.
#include <doctest/doctest.h>

#include "decoder_reference.h"
#include "model/generate.h"

using namespace attn;

TEST_CASE("bart-tiny matches transformers: encoder, decoder and cross attention, hidden states, logits") {
    ModelPtr model = load_fixture_model("bart-tiny");
    Reference ref = Reference::load("bart-tiny");
    REQUIRE(ref.n_cases() >= 2);
    for (int c = 0; c < ref.n_cases(); ++c) {
        INFO("bart-tiny case " << c);
        std::vector<int32_t> src = ref.ids(c, "input_ids"), dec = ref.ids(c, "decoder_input_ids");
        auto trace = model_trace_seq2seq(*model, src, dec, TraceOptions{});
        REQUIRE_MESSAGE(trace.ok(), trace.error().message);
        const int S = static_cast<int>(src.size()), T = static_cast<int>(dec.size());
        CHECK(trace->is_encoder_decoder());
        CHECK(trace->tokens.ids == src);
        CHECK(trace->decoder_tokens.ids == dec);
        CHECK_FALSE(trace->attentions.causal);
        CHECK(trace->decoder_attentions.causal);
        CHECK(trace->cross_attentions.n_query == T);
        CHECK(trace->cross_attentions.n_key == S);
        CHECK(max_abs_diff(trace->attentions.probs, ref.f32(c, "encoder_attentions")) < 2e-5f);
        CHECK(max_abs_diff(trace->decoder_attentions.probs, ref.f32(c, "decoder_attentions")) < 2e-5f);
        CHECK(max_abs_diff(trace->cross_attentions.probs, ref.f32(c, "cross_attentions")) < 2e-5f);
        CHECK(max_abs_diff(trace->hidden_states.values, ref.f32(c, "encoder_hidden_states")) < 2e-4f);
        CHECK(max_abs_diff(trace->decoder_hidden_states.values, ref.f32(c, "decoder_hidden_states")) < 2e-4f);
        const float* last = trace->logits_at(T - 1);
        REQUIRE(last != nullptr);
        CHECK(max_abs_diff(std::vector<float>(last, last + trace->n_vocab), ref.f32(c, "last_logits")) < 2e-3f);
    }
}

TEST_CASE("bart-tiny greedy generation equals transformers' generate()") {
    ModelPtr model = load_fixture_model("bart-tiny");
    Reference ref = Reference::load("bart-tiny");
    for (int c = 0; c < ref.n_cases(); ++c) {
        INFO("bart-tiny case " << c);
        GenerateOptions greedy;
        greedy.max_new_tokens = 8;
        auto ids = model_generate_seq2seq(*model, ref.ids(c, "input_ids"), greedy);
        REQUIRE_MESSAGE(ids.ok(), ids.error().message);
        CHECK(*ids == ref.ids(c, "greedy_generation"));
    }
}

TEST_CASE("bart generation: forced eos at the last allowed step, forced bos at step 1") {
    ModelPtr model = load_fixture_model("bart-tiny");
    Reference ref = Reference::load("bart-tiny");
    const std::vector<int32_t> src = ref.ids(0, "input_ids");
    GenerateOptions options;
    options.stop_at_eos = false;
    options.max_new_tokens = 3;
    auto ids = model_generate_seq2seq(*model, src, options);
    REQUIRE(ids.ok());
    REQUIRE(ids->size() == 4);
    CHECK(ids->front() == model->info().decoder_start_token_id);
    CHECK(ids->back() == model->forced_eos_token_ids.front());
    model->forced_bos_token_id = 7;
    ids = model_generate_seq2seq(*model, src, options);
    REQUIRE(ids.ok());
    CHECK((*ids)[1] == 7);
}

TEST_CASE("bart-tiny model info and checks") {
    ModelPtr model = load_fixture_model("bart-tiny");
    const ModelInfo& i = model->info();
    CHECK(i.architecture == "bart");
    CHECK(i.encoder_decoder);
    CHECK_FALSE(i.causal);
    CHECK(i.n_layer == 2);
    CHECK(i.n_decoder_layer == 2);
    CHECK(i.n_decoder_head == 4);
    CHECK(i.n_ctx == 64);
    CHECK(i.decoder_start_token_id == 2);
    CHECK(model->forced_eos_token_ids == std::vector<int32_t>{2});
    CHECK(model->forced_bos_token_id == -1);

    auto long_decoder = model_trace_seq2seq(*model, {0, 5, 2}, std::vector<int32_t>(65, 5), TraceOptions{});
    REQUIRE_FALSE(long_decoder.ok());
    CHECK(long_decoder.error().message.find("65 decoder tokens exceed the model's context of 64") != std::string::npos);
    auto bad_id = model_trace_seq2seq(*model, {0, 600}, {2}, TraceOptions{});
    REQUIRE_FALSE(bad_id.ok());
    CHECK(bad_id.error().message.find("token id 600 is outside the vocabulary") != std::string::npos);

    // model_trace on an encoder-decoder runs the decoder on its start token alone.
    auto plain = model_trace(*model, {0, 5, 2}, TraceOptions{});
    REQUIRE(plain.ok());
    CHECK(plain->decoder_tokens.ids == std::vector<int32_t>{2});
    CHECK(plain->cross_attentions.n_key == 3);
}

TEST_CASE("the encoder-decoder usage example in model.h") {
    ModelPtr m = load_fixture_model("bart-tiny");
    const std::vector<int32_t> source_ids = {0, 279, 405, 2};
    const int layer = 1, head = 2, decoder_position = 0, source_position = 3;
    Expected<Trace> s = model_trace_seq2seq(*m, source_ids, {m->info().decoder_start_token_id}, TraceOptions{});
    REQUIRE(s.ok());
    float c = s->cross_attentions.at(layer, head, decoder_position, source_position);
    CHECK(c > 0.0f);
    CHECK(c < 1.0f);
}
