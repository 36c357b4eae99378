// The lesson's numbers are the model's numbers: the softmax step equals the Trace's attention (and
// transformers' reference), the scores are Q·Kᵀ of the observed queries and keys, the context vectors
// are what the output projection reads, and the entropies are head_stats' in bits.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "analysis/head_computation.h"
#include "analysis/head_stats.h"
#include "core/linear.h"
#include "decoder_reference.h"
#include "model/body.h"

using namespace attn;

namespace {

float max_diff(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    float d = 0.0f;
    for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
    return d;
}

// The (T, S) rows of one head of an (L, H, T, S) tensor.
std::vector<float> head_rows(const AttentionTensor& a, int layer, int head) {
    const float* p = a.head(layer, head);
    return std::vector<float>(p, p + static_cast<size_t>(a.n_query) * a.n_key);
}
std::vector<float> head_rows(const std::vector<float>& lhts, int n_head, int T, int S, int layer, int head) {
    const size_t at = (static_cast<size_t>(layer) * n_head + head) * T * S;
    return std::vector<float>(lhts.begin() + at, lhts.begin() + at + static_cast<size_t>(T) * S);
}

// What the editor was shown of every layer's context and what the observer saw of attn_out.
struct Seen {
    std::map<std::string, std::vector<float>> tensors;
};
TraceOptions seeing(Seen& seen) {
    TraceOptions o;
    o.hooks.editor = [&seen](const std::string& name, int rows, int cols, float* data) {
        seen.tensors[name].assign(data, data + static_cast<size_t>(rows) * cols);
    };
    o.hooks.observer = [&seen](const std::string& name, int rows, int cols, const float* data) {
        if (name.find("attn_out") != std::string::npos) seen.tensors[name].assign(data, data + static_cast<size_t>(rows) * cols);
    };
    return o;
}

// Checks every head of one stack of the trace; reference: transformers' (L, H, T, S) attention.
void check_stack(const Model& model, const Trace& trace, HeadStack stack, const AttentionTensor& attention,
                 const std::vector<float>& reference, const Seen& seen) {
    const bool cross = stack == HeadStack::cross;
    const std::string prefix = stack == HeadStack::self ? "" : "decoder.";
    const std::vector<float> entropy_nats = attention_entropy(attention);
    const Body* body = stack == HeadStack::self ? model.network->body() : nullptr;
    for (int l = 0; l < attention.n_layer; ++l) {
        std::vector<HeadComputation> heads;
        for (int h = 0; h < attention.n_head; ++h) {
            INFO("layer " << l << " head " << h);
            Expected<HeadComputation> c = head_computation(model, trace, stack, l, h);
            REQUIRE_MESSAGE(c.ok(), c.error().message);
            const int T = c->n_query, S = c->n_key, hd = c->d_head;
            REQUIRE(T == attention.n_query);
            REQUIRE(S == attention.n_key);
            // The softmax step is the model's attention, and transformers'.
            CHECK(max_diff(c->probs.data, head_rows(attention, l, h)) < 1e-5f);
            if (!reference.empty())
                CHECK(max_diff(c->probs.data, head_rows(reference, attention.n_head, T, S, l, h)) < 2e-5f);
            for (int t = 0; t < T; ++t) {
                double sum = 0.0;
                for (int j = 0; j < S; ++j) sum += c->probs.at(t, j);
                CHECK(std::abs(sum - 1.0) < 1e-5);
            }
            // Scores by hand from the shown Q and K; scaled by the model's scale; masked where causal.
            for (int t = 0; t < T; ++t)
                for (int j = 0; j < S; ++j) {
                    float dot = 0.0f;
                    for (int i = 0; i < hd; ++i) dot += c->q.at(t, i) * c->k.at(j, i);
                    CHECK(std::abs(c->scores.at(t, j) - dot) <= 1e-4f * (1.0f + std::abs(dot)));
                    CHECK(c->scaled.at(t, j) == doctest::Approx(c->scores.at(t, j) * c->scale).epsilon(1e-5));
                    const bool hidden = c->mask == ScoreMask::causal && j > t;
                    CHECK(std::isinf(c->masked.at(t, j)) == hidden);
                    if (hidden) CHECK(c->probs.at(t, j) == 0.0f);
                }
            // Entropies: head_stats' nats in bits; the maximum is log2 of the keys a row sees.
            for (int t = 0; t < T; ++t) {
                const float nats = entropy_nats[(static_cast<size_t>(l) * attention.n_head + h) * T + t];
                CHECK(c->entropy_bits[t] == doctest::Approx(nats / std::log(2.0f)).epsilon(1e-4));
                const int seen_keys = c->mask == ScoreMask::causal ? t + 1 : S;
                CHECK(c->max_bits[t] == doctest::Approx(std::log2(static_cast<double>(seen_keys))));
                CHECK(c->entropy_bits[t] <= c->max_bits[t] + 1e-4f);
            }
            heads.push_back(std::move(*c));
        }
        if (cross) continue;   // cross attention's context is not shown to the editor
        // The heads' context vectors side by side are what the output projection reads ...
        const int T = attention.n_query, H = attention.n_head, hd = heads[0].d_head;
        std::vector<float> context(static_cast<size_t>(T) * H * hd);
        for (int h = 0; h < H; ++h)
            for (int t = 0; t < T; ++t)
                for (int i = 0; i < hd; ++i) context[(static_cast<size_t>(t) * H + h) * hd + i] = heads[h].context.at(t, i);
        const std::string layer_name = prefix + "layer." + std::to_string(l) + ".";
        REQUIRE(seen.tensors.count(layer_name + "context"));
        CHECK(max_diff(context, seen.tensors.at(layer_name + "context")) < 1e-4f);
        // ... and through it they give the sublayer's output.
        if (body) {
            const int D = heads[0].d_model;
            std::vector<float> out(static_cast<size_t>(T) * D);
            const Dense& o = body->blocks[l].attn.out;
            linear(context.data(), T, o.w.view, o.b.data(), out.data());
            CHECK(max_diff(out, seen.tensors.at(layer_name + "attn_out")) < 5e-4f);
        }
    }
}

void check_fixture(const std::string& name, bool rope, bool gqa) {
    ModelPtr model = load_fixture_model(name);
    Reference ref = Reference::load(name);
    for (int c = 0; c < std::min(ref.n_cases(), 2); ++c) {
        INFO(name << " case " << c);
        Seen seen;
        auto trace = model_trace(*model, ref.ids(c, "input_ids"), seeing(seen));
        REQUIRE_MESSAGE(trace.ok(), trace.error().message);
        check_stack(*model, *trace, HeadStack::self, trace->attentions, ref.f32(c, "attentions"), seen);
        Expected<HeadComputation> first = head_computation(*model, *trace, HeadStack::self, 0, 0);
        REQUIRE(first.ok());
        CHECK(first->rope == rope);
        CHECK((first->shared_heads.size() > 1) == gqa);
        bool has_rope = false, has_gqa = false;
        for (HeadStep s : first->steps) {
            has_rope |= s == HeadStep::rope;
            has_gqa |= s == HeadStep::gqa;
        }
        CHECK(has_rope == rope);
        CHECK(has_gqa == gqa);
        CHECK(first->mask == (model->info().causal ? ScoreMask::causal : ScoreMask::none));
    }
}

}  // namespace

TEST_CASE("head computation: gpt2-tiny's softmax, scores, context and entropy are the model's") {
    check_fixture("gpt2-tiny", false, false);
}
TEST_CASE("head computation: llama-tiny shows RoPE and grouped-query attention") {
    check_fixture("llama-tiny", true, true);
}
TEST_CASE("head computation: qwen2-tiny") {
    ModelPtr model = load_fixture_model("qwen2-tiny");
    check_fixture("qwen2-tiny", true, model->info().n_kv_head < model->info().n_head);
}
TEST_CASE("head computation: bert-tiny has no mask and the default 1/sqrt(d) scale") {
    check_fixture("bert-tiny", false, false);
    ModelPtr model = load_fixture_model("bert-tiny");
    auto trace = model_trace_text(*model, "the cat sat on the mat", TraceOptions{});
    REQUIRE(trace.ok());
    Expected<HeadComputation> c = head_computation(*model, *trace, HeadStack::self, 1, 0);
    REQUIRE(c.ok());
    CHECK(c->scale_is_inverse_sqrt);
    CHECK(c->scale == doctest::Approx(1.0 / std::sqrt(static_cast<double>(c->d_head))));
    CHECK(c->mask == ScoreMask::none);
}

TEST_CASE("head computation: bart-tiny's encoder, decoder and cross attention") {
    ModelPtr model = load_fixture_model("bart-tiny");
    Reference ref = Reference::load("bart-tiny");
    for (int c = 0; c < std::min(ref.n_cases(), 2); ++c) {
        INFO("case " << c);
        Seen seen;
        auto trace = model_trace_seq2seq(*model, ref.ids(c, "input_ids"), ref.ids(c, "decoder_input_ids"), seeing(seen));
        REQUIRE_MESSAGE(trace.ok(), trace.error().message);
        check_stack(*model, *trace, HeadStack::self, trace->attentions, ref.f32(c, "encoder_attentions"), seen);
        check_stack(*model, *trace, HeadStack::decoder, trace->decoder_attentions, ref.f32(c, "decoder_attentions"), seen);
        check_stack(*model, *trace, HeadStack::cross, trace->cross_attentions, ref.f32(c, "cross_attentions"), seen);
        Expected<HeadComputation> x = head_computation(*model, *trace, HeadStack::cross, 0, 0);
        REQUIRE(x.ok());
        CHECK(x->mask == ScoreMask::none);
        CHECK(x->n_key == trace->tokens.size());
        CHECK(x->n_query == trace->decoder_tokens.size());
        CHECK(head_computation(*model, *trace, HeadStack::decoder, 0, 0)->mask == ScoreMask::causal);
    }
}

TEST_CASE("head computation: out-of-range heads and missing stacks are refused with a message") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    auto trace = model_trace_text(*model, "one two three", TraceOptions{});
    REQUIRE(trace.ok());
    Expected<HeadComputation> bad = head_computation(*model, *trace, HeadStack::self, 0, 99);
    REQUIRE(!bad.ok());
    CHECK(bad.error().message.find("head 99") != std::string::npos);
    CHECK(!head_computation(*model, *trace, HeadStack::self, 99, 0).ok());
    Expected<HeadComputation> cross = head_computation(*model, *trace, HeadStack::cross, 0, 0);
    REQUIRE(!cross.ok());
    CHECK(cross.error().message.find("encoder-decoder") != std::string::npos);
}
