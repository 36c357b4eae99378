// ForwardHooks (model/hooks.h) on real fixtures: head gates, edge knockouts and the observer, through
// the shared block layer, on a pre-LN LayerNorm model (gpt2-tiny), a pre-LN RMSNorm GQA model
// (llama-tiny), a post-LN encoder (bert-tiny) and an encoder-decoder (bart-tiny, both stacks).
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "decoder_reference.h"
#include "model/gradients.h"
#include "model/hooks.h"
#include "model/safetensors.h"
#include "model/safetensors_write.h"

using namespace attn;

namespace {

const std::vector<int32_t> kIds = {3, 17, 42, 8, 25, 11};   // valid in every fixture's vocabulary

Trace trace_with(const Model& model, const ForwardHooks& hooks, std::vector<int> logit_positions = {}) {
    TraceOptions options;
    options.hooks = hooks;
    options.logit_positions = std::move(logit_positions);
    Expected<Trace> t = model_trace(model, kIds, options);
    REQUIRE(t.ok());
    return std::move(*t);
}

// Every intermediate the observer is shown, by name, copied out (the pointer is valid only in the call).
struct Recorded {
    std::vector<std::string> names;
    std::map<std::string, std::vector<float>> values;
    ForwardObserver observer() {
        return [this](const std::string& name, int rows, int cols, const float* data) {
            names.push_back(name);
            values[name].assign(data, data + static_cast<size_t>(rows) * cols);
        };
    }
};

float max_diff(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    float m = 0.0f;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
    return m;
}

bool all_finite(const std::vector<float>& v) {
    for (float x : v)
        if (!std::isfinite(x)) return false;
    return true;
}

// (T, S) probabilities of one head, copied.
std::vector<float> head_probs(const AttentionTensor& a, int layer, int head) {
    const float* p = a.head(layer, head);
    return std::vector<float>(p, p + static_cast<size_t>(a.n_query) * a.n_key);
}

}  // namespace

TEST_CASE("hooks: gates all 1 give the identical trace (gpt2-tiny, llama-tiny, bert-tiny)") {
    for (std::string name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const Trace plain = trace_with(*model, ForwardHooks{});
        ForwardHooks ones;
        ones.head_gates = head_gates_ones(model->info().n_layer, model->info().n_head);
        const Trace gated = trace_with(*model, ones);
        CHECK(plain.attentions.probs == gated.attentions.probs);
        CHECK(plain.hidden_states.values == gated.hidden_states.values);
        CHECK(plain.logits == gated.logits);
    }
}

TEST_CASE("hooks: gating every head of a layer to 0 removes its attention output (llama-tiny, no o_proj bias)") {
    ModelPtr model = load_fixture_model("llama-tiny");
    const int L = model->info().n_layer, H = model->info().n_head;
    REQUIRE(L >= 2);
    Recorded seen;
    ForwardHooks hooks;
    hooks.head_gates = head_gates_ones(L, H);
    for (int h = 0; h < H; ++h) hooks.head_gates[static_cast<size_t>(1) * H + h] = 0.0f;
    hooks.observer = seen.observer();
    trace_with(*model, hooks);
    for (float x : seen.values["layer.1.attn_out"]) REQUIRE(x == 0.0f);
    CHECK(seen.values["layer.1.resid_mid"] == seen.values["layer.0.out"]);
}

TEST_CASE("hooks: the attention output is linear in each head's gate (gpt2-tiny, llama-tiny, bert-tiny)") {
    // out(g) = bias + sum_h g_h * c_h, so removing head h takes away c_h, doubling it adds c_h, and the
    // heads' separate contributions add up to what removing them all takes away.
    for (std::string name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const int L = model->info().n_layer, H = model->info().n_head, layer = L - 1;
        auto attn_out = [&](const std::vector<float>& gates, Trace* trace) {
            Recorded seen;
            ForwardHooks hooks;
            hooks.head_gates = gates;
            hooks.observer = seen.observer();
            Trace t = trace_with(*model, hooks);
            if (trace) *trace = std::move(t);
            return seen.values["layer." + std::to_string(layer) + ".attn_out"];
        };
        const std::vector<float> ones = head_gates_ones(L, H);
        Trace base_trace, ablated_trace;
        const std::vector<float> base = attn_out(ones, &base_trace);
        std::vector<float> all_off = ones, sum_of_heads(base.size(), 0.0f);
        for (int h = 0; h < H; ++h) {
            const size_t g = static_cast<size_t>(layer) * H + h;
            all_off[g] = 0.0f;
            std::vector<float> off = ones, doubled = ones;
            off[g] = 0.0f;
            doubled[g] = 2.0f;
            const std::vector<float> without = attn_out(off, h == 0 ? &ablated_trace : nullptr);
            const std::vector<float> twice = attn_out(doubled, nullptr);
            std::vector<float> removed(base.size()), added(base.size());
            for (size_t i = 0; i < base.size(); ++i) {
                removed[i] = base[i] - without[i];
                added[i] = twice[i] - base[i];
                sum_of_heads[i] += removed[i];
            }
            CHECK(max_diff(removed, added) < 1e-5f);
            CHECK(max_diff(removed, std::vector<float>(base.size(), 0.0f)) > 1e-4f);   // the head did something
        }
        const std::vector<float> none = attn_out(all_off, nullptr);
        std::vector<float> removed_all(base.size());
        for (size_t i = 0; i < base.size(); ++i) removed_all[i] = base[i] - none[i];
        CHECK(max_diff(removed_all, sum_of_heads) < 1e-5f);
        // Gates act after the softmax: this layer's probabilities stay; the prediction moves.
        CHECK(head_probs(base_trace.attentions, layer, 0) == head_probs(ablated_trace.attentions, layer, 0));
        CHECK(max_diff(base_trace.logits, ablated_trace.logits) > 1e-6f);
    }
}

TEST_CASE("hooks: gating a head of layer 0 changes layer 1's attention (gpt2-tiny)") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    const int L = model->info().n_layer, H = model->info().n_head;
    ForwardHooks hooks;
    hooks.head_gates = head_gates_ones(L, H);
    hooks.head_gates[2] = 0.0f;   // layer 0, head 2
    const Trace base = trace_with(*model, ForwardHooks{});
    const Trace ablated = trace_with(*model, hooks);
    CHECK(head_probs(base.attentions, 0, 2) == head_probs(ablated.attentions, 0, 2));
    CHECK(max_diff(head_probs(base.attentions, 1, 0), head_probs(ablated.attentions, 1, 0)) > 1e-6f);
}

TEST_CASE("hooks: knocking out edge (i, j) zeroes it and rows still sum to 1 (gpt2-tiny, llama-tiny, bert-tiny)") {
    for (std::string name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const int L = model->info().n_layer, H = model->info().n_head, T = static_cast<int>(kIds.size());
        const int layer = L - 1, query = 4, key = 1;
        ForwardHooks hooks;
        hooks.knockouts.push_back({layer, query, key});
        // Logits at the query: in the last layer, the knocked-out row reaches no other position.
        const Trace base = trace_with(*model, ForwardHooks{}, {query});
        const Trace cut = trace_with(*model, hooks, {query});
        for (int l = 0; l < L; ++l)
            for (int h = 0; h < H; ++h) {
                if (l < layer) {
                    CHECK(head_probs(base.attentions, l, h) == head_probs(cut.attentions, l, h));
                    continue;
                }
                CHECK(base.attentions.at(l, h, query, key) > 0.0f);
                CHECK(cut.attentions.at(l, h, query, key) == 0.0f);
                for (int t = 0; t < T; ++t) {
                    double sum = 0.0;
                    for (int s = 0; s < T; ++s) sum += cut.attentions.at(l, h, t, s);
                    CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
                }
                // Other rows are untouched by this layer's knockout.
                for (int s = 0; s < T; ++s)
                    CHECK(cut.attentions.at(l, h, 2, s) == doctest::Approx(base.attentions.at(l, h, 2, s)).epsilon(1e-5));
            }
        CHECK(max_diff(base.logits, cut.logits) > 1e-5f);
    }
}

TEST_CASE("hooks: a knockout that removes nothing matches the unhooked pass (masked kernel vs fast kernel)") {
    for (std::string name : {"gpt2-tiny", "llama-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        ForwardHooks hooks;
        hooks.knockouts.push_back({-1, 0, 5});   // already hidden by the causal mask
        const Trace base = trace_with(*model, ForwardHooks{});
        const Trace cut = trace_with(*model, hooks);
        CHECK(max_diff(base.attentions.probs, cut.attentions.probs) < 1e-6f);
        CHECK(max_diff(base.hidden_states.values, cut.hidden_states.values) < 1e-4f);
        CHECK(max_diff(base.logits, cut.logits) < 1e-3f);
    }
}

TEST_CASE("hooks: knocking out every key of a row gives a zero row and no NaN (gpt2-tiny, bert-tiny)") {
    for (std::string name : {"gpt2-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const int H = model->info().n_head, T = static_cast<int>(kIds.size()), query = 3;
        ForwardHooks hooks;
        for (int s = 0; s < T; ++s) hooks.knockouts.push_back({0, query, s});
        Recorded seen;
        hooks.observer = seen.observer();
        const Trace cut = trace_with(*model, hooks, {0, 1, 2, 3, 4, 5});
        for (int h = 0; h < H; ++h)
            for (int s = 0; s < T; ++s) CHECK(cut.attentions.at(0, h, query, s) == 0.0f);
        CHECK(all_finite(cut.attentions.probs));
        CHECK(all_finite(cut.hidden_states.values));
        CHECK(all_finite(cut.logits));
        for (const auto& named : seen.values) {
            const std::string& observed = named.first;
            CAPTURE(observed);
            CHECK(all_finite(named.second));
        }
    }
}

TEST_CASE("hooks: the observer sees every intermediate in order; final_norm is the last hidden state (gpt2-tiny)") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    const int L = model->info().n_layer, D = model->info().n_embd, T = static_cast<int>(kIds.size());
    Recorded seen;
    ForwardHooks hooks;
    hooks.observer = seen.observer();
    const Trace t = trace_with(*model, hooks);
    std::vector<std::string> expected = {"embed"};
    for (int l = 0; l < L; ++l)
        for (const char* part : {"attn_in", "queries", "keys", "values", "score_scale", "attn_out", "resid_mid",
                                 "mlp_act", "mlp_out", "out"})
            expected.push_back("layer." + std::to_string(l) + "." + part);
    expected.push_back("final_norm");
    CHECK(seen.names == expected);
    const std::vector<float>& final_norm = seen.values["final_norm"];
    REQUIRE(final_norm.size() == static_cast<size_t>(T) * D);
    const float* last = t.hidden_states.row(L, T - 1);
    CHECK(std::vector<float>(final_norm.end() - D, final_norm.end()) == std::vector<float>(last, last + D));
    CHECK(seen.values["embed"] == std::vector<float>(t.hidden_states.row(0, 0), t.hidden_states.row(0, 0) + T * D));
    // The residual stream is what each sublayer added to it.
    const std::vector<float>& before = seen.values["layer.0.out"];
    const std::vector<float>& mid = seen.values["layer.1.resid_mid"];
    const std::vector<float>& attn = seen.values["layer.1.attn_out"];
    std::vector<float> sum(before.size());
    for (size_t i = 0; i < sum.size(); ++i) sum[i] = before[i] + attn[i];
    CHECK(max_diff(sum, mid) < 1e-6f);
}

TEST_CASE("hooks: the observer on post-LN stacks: layer outputs are the hidden states (bert-tiny, bart-tiny)") {
    ModelPtr bert = load_fixture_model("bert-tiny");
    Recorded seen;
    ForwardHooks hooks;
    hooks.observer = seen.observer();
    const Trace t = trace_with(*bert, hooks);
    const int L = bert->info().n_layer, D = bert->info().n_embd, T = static_cast<int>(kIds.size());
    for (int l = 0; l < L; ++l) {
        const float* state = t.hidden_states.row(l + 1, 0);
        CHECK(seen.values["layer." + std::to_string(l) + ".out"] == std::vector<float>(state, state + T * D));
    }
    CHECK(seen.names.back() == "layer." + std::to_string(L - 1) + ".out");

    ModelPtr bart = load_fixture_model("bart-tiny");
    Recorded seq;
    hooks.observer = seq.observer();
    trace_with(*bart, hooks);
    CHECK(seq.values.count("layer.0.attn_out") == 1);
    CHECK(seq.values.count("decoder.embed") == 1);
    CHECK(seq.values.count("decoder.layer.0.cross_out") == 1);
    CHECK(seq.values.count("decoder.layer.0.resid_cross") == 1);
}

// The inference stack (block.cpp) and the differentiable pass (gradients.cpp) are separate
// implementations; each shows the observer the same intermediates.
TEST_CASE("hooks: values and MLP activations agree between the inference and the differentiable pass") {
    for (const char* name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        INFO(name);
        ModelPtr model = load_fixture_model(name);
        const ModelInfo& info = model->info();
        Recorded inference, differentiable;
        ForwardHooks hooks;
        hooks.observer = inference.observer();
        trace_with(*model, hooks);
        GradRequest request;
        request.hooks.observer = differentiable.observer();
        REQUIRE(model_gradients(*model, kIds, request).ok());
        const size_t T = kIds.size();
        for (int l = 0; l < info.n_layer; ++l) {
            const std::string p = "layer." + std::to_string(l) + ".";
            const std::vector<float>& values = inference.values[p + "values"];
            CHECK(values.size() == T * info.n_kv_head * (info.n_embd / info.n_head));
            CHECK(max_diff(values, differentiable.values[p + "values"]) < 1e-4f);
            const std::vector<float>& act = inference.values[p + "mlp_act"];
            CHECK(act.size() % T == 0);
            CHECK(act.size() > T * info.n_embd);   // F > D in every fixture
            CHECK(max_diff(act, differentiable.values[p + "mlp_act"]) < 1e-4f);
            for (const char* part : {"attn_out", "resid_mid", "mlp_out", "out"})
                CHECK(max_diff(inference.values[p + part], differentiable.values[p + part]) < 1e-4f);
        }
    }
}

namespace {

const std::vector<int32_t> kDecoderIds = {2, 5, 9, 14, 7};

Trace seq2seq_with(const Model& model, const ForwardHooks& hooks) {
    TraceOptions options;
    options.hooks = hooks;
    options.logit_positions = {static_cast<int>(kDecoderIds.size()) - 1};
    Expected<Trace> t = model_trace_seq2seq(model, kIds, kDecoderIds, options);
    REQUIRE_MESSAGE(t.ok(), t.error().message);
    return std::move(*t);
}

// bart-tiny with columns [c0, c0 + n) of one f32 weight set to 0 (for out_proj, (D_out, D_in): that slice of
// its input), written back as a checkpoint and loaded.
ModelPtr bart_with_zeroed_columns(const std::string& tensor, int c0, int n) {
    auto files = folder_read(fixture_path("bart-tiny"));
    REQUIRE(files.ok());
    auto parsed = safetensors_parse(files->find_shared("model.safetensors"), "model.safetensors");
    REQUIRE(parsed.ok());
    std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>> tensors;
    for (const TensorView& t : parsed->tensors()) tensors[t.name] = {t.shape, tensor_to_f32(t)};
    REQUIRE(tensors.count(tensor) == 1);
    auto& [shape, values] = tensors[tensor];
    REQUIRE(shape.size() == 2);
    for (int64_t r = 0; r < shape[0]; ++r)
        for (int c = c0; c < c0 + n; ++c) values[static_cast<size_t>(r * shape[1] + c)] = 0.0f;
    SafetensorsWriter w;
    for (const auto& [name, t] : tensors) w.add_f32(name, t.first, t.second.data());
    auto bytes = w.write();
    REQUIRE(bytes.ok());
    files->add("model.safetensors", std::make_shared<const Bytes>(std::move(*bytes)));
    auto model = model_load(*files);
    REQUIRE_MESSAGE(model.ok(), model.error().message);
    return std::move(*model);
}

}  // namespace

TEST_CASE("hooks: a decoder head gated to 0 equals zeroing its slice of out_proj's input (bart-tiny)") {
    ModelPtr model = load_fixture_model("bart-tiny");
    const int LD = model->info().n_decoder_layer, HD = model->info().n_decoder_head, D = model->info().n_embd;
    REQUIRE(LD >= 2);
    const int layer = 1, head = 2, hd = D / HD;
    ForwardHooks hooks;
    hooks.decoder_head_gates = head_gates_ones(LD, HD);
    hooks.decoder_head_gates[layer * HD + head] = 0.0f;
    const Trace base = seq2seq_with(*model, ForwardHooks{});
    const Trace gated = seq2seq_with(*model, hooks);
    ModelPtr zeroed = bart_with_zeroed_columns("model.decoder.layers." + std::to_string(layer) + ".self_attn.out_proj.weight",
                                               head * hd, hd);
    const Trace cut = seq2seq_with(*zeroed, ForwardHooks{});
    CHECK(max_diff(gated.decoder_hidden_states.values, cut.decoder_hidden_states.values) < 1e-5f);
    CHECK(max_diff(gated.decoder_attentions.probs, cut.decoder_attentions.probs) < 1e-6f);
    CHECK(max_diff(gated.cross_attentions.probs, cut.cross_attentions.probs) < 1e-6f);
    CHECK(max_diff(gated.logits, cut.logits) < 1e-4f);
    CHECK(max_diff(base.logits, gated.logits) > 1e-4f);   // the head mattered
    // The encoder's gates are a separate table: the encoder ran as without hooks.
    CHECK(gated.attentions.probs == base.attentions.probs);
    CHECK(gated.hidden_states.values == base.hidden_states.values);
    // And the encoder's table leaves the decoder's heads alone: an encoder gate of 1 everywhere changes nothing.
    ForwardHooks encoder_only;
    encoder_only.head_gates = head_gates_ones(model->info().n_layer, model->info().n_head);
    CHECK(seq2seq_with(*model, encoder_only).logits == base.logits);
}

TEST_CASE("hooks: a decoder knockout hides the edge and renormalises the row (bart-tiny)") {
    ModelPtr model = load_fixture_model("bart-tiny");
    const int LD = model->info().n_decoder_layer, HD = model->info().n_decoder_head;
    const int T = static_cast<int>(kDecoderIds.size()), layer = 1, query = T - 1, key = 1;   // logits are read at T - 1
    ForwardHooks hooks;
    hooks.decoder_knockouts.push_back({layer, query, key});
    const Trace base = seq2seq_with(*model, ForwardHooks{});
    const Trace cut = seq2seq_with(*model, hooks);
    CHECK(cut.attentions.probs == base.attentions.probs);   // the encoder is untouched
    for (int l = 0; l < LD; ++l)
        for (int h = 0; h < HD; ++h) {
            CAPTURE(l);
            CAPTURE(h);
            if (l < layer) {
                CHECK(head_probs(cut.decoder_attentions, l, h) == head_probs(base.decoder_attentions, l, h));
                CHECK(head_probs(cut.cross_attentions, l, h) == head_probs(base.cross_attentions, l, h));
                continue;
            }
            CHECK(base.decoder_attentions.at(l, h, query, key) > 0.0f);
            CHECK(cut.decoder_attentions.at(l, h, query, key) == 0.0f);
            for (int t = 0; t < T; ++t) {
                double sum = 0.0;
                for (int s = 0; s < T; ++s) sum += cut.decoder_attentions.at(l, h, t, s);
                CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
            }
            // The other keys of the row share what the hidden one had, in their old proportions.
            const float kept = 1.0f - base.decoder_attentions.at(l, h, query, key);
            for (int s = 0; s <= query; ++s)
                if (s != key)
                    CHECK(cut.decoder_attentions.at(l, h, query, s) ==
                          doctest::Approx(base.decoder_attentions.at(l, h, query, s) / kept).epsilon(1e-5));
            // Rows other than the query are untouched in this layer.
            for (int s = 0; s < T; ++s)
                CHECK(cut.decoder_attentions.at(l, h, 2, s) == doctest::Approx(base.decoder_attentions.at(l, h, 2, s)).epsilon(1e-5));
        }
    CHECK(max_diff(base.logits, cut.logits) > 1e-6f);

    // The encoder's knockouts address the encoder only: the same edge there leaves the decoder's
    // first self-attention (which reads no encoder output) as it was, with the edge visible.
    ForwardHooks encoder_only;
    encoder_only.knockouts.push_back({-1, query, key});
    const Trace enc_cut = seq2seq_with(*model, encoder_only);
    CHECK(enc_cut.attentions.at(0, 0, query, key) == 0.0f);
    for (int h = 0; h < HD; ++h) CHECK(head_probs(enc_cut.decoder_attentions, 0, h) == head_probs(base.decoder_attentions, 0, h));
}
