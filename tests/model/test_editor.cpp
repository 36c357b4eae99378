// The ForwardEditor hook (model/hooks.h): what activation patching and mean ablation write through.
#include <doctest/doctest.h>

#include <cmath>

#include "decoder_reference.h"
#include "model/hooks.h"

using namespace attn;

namespace {

const std::vector<int32_t> kIds = {3, 17, 42, 8, 25, 11};   // valid in every fixture's vocabulary

Trace run(const Model& model, const ForwardHooks& hooks) {
    TraceOptions options;
    options.hooks = hooks;
    options.logit_positions = {-1};
    Expected<Trace> t = model_trace(model, kIds, options);
    REQUIRE(t.ok());
    return std::move(*t);
}

float max_diff(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    float m = 0.0f;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
    return m;
}

std::vector<float> head_probs(const AttentionTensor& a, int layer) {
    const float* p = a.head(layer, 0);
    return std::vector<float>(p, p + static_cast<size_t>(a.n_head) * a.n_query * a.n_key);
}

// The names a pre-LN or post-LN stack shows the editor, in order (hooks.h).
std::vector<std::string> stack_names(const std::string& prefix, int L, bool cross) {
    std::vector<std::string> names{prefix + "embed"};
    for (int l = 0; l < L; ++l) {
        const std::string p = prefix + "layer." + std::to_string(l) + ".";
        for (const char* n : {"context", "attn_out", "resid_mid"}) names.push_back(p + n);
        if (cross)
            for (const char* n : {"cross_out", "resid_cross"}) names.push_back(p + n);
        for (const char* n : {"mlp_act", "mlp_out", "out"}) names.push_back(p + n);
    }
    return names;
}

}  // namespace

TEST_CASE("editor: an editor that rewrites every value unchanged changes nothing (gpt2, llama, bert)") {
    for (std::string name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const Trace plain = run(*model, ForwardHooks{});
        int calls = 0;
        ForwardHooks hooks;
        hooks.editor = [&calls](const std::string&, int rows, int cols, float* data) {
            ++calls;
            for (long i = 0; i < static_cast<long>(rows) * cols; ++i) data[i] = data[i] * 1.0f;
        };
        const Trace edited = run(*model, hooks);
        CHECK(calls > 0);
        CHECK(plain.attentions.probs == edited.attentions.probs);
        CHECK(plain.hidden_states.values == edited.hidden_states.values);
        CHECK(plain.logits == edited.logits);
    }
}

TEST_CASE("editor: zeroing a head's columns of layer.L.context equals gating that head to 0") {
    for (std::string name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const int L = model->info().n_layer, H = model->info().n_head;
        const int layer = L - 1, head = 1;
        ForwardHooks gated;
        gated.head_gates = head_gates_ones(L, H);
        gated.head_gates[layer * H + head] = 0.0f;
        ForwardHooks zeroed;
        zeroed.editor = [&](const std::string& n, int rows, int cols, float* data) {
            if (n != "layer." + std::to_string(layer) + ".context") return;
            const int hd = cols / H;
            for (int t = 0; t < rows; ++t)
                for (int i = 0; i < hd; ++i) data[static_cast<size_t>(t) * cols + head * hd + i] = 0.0f;
        };
        const Trace a = run(*model, gated), b = run(*model, zeroed), plain = run(*model, ForwardHooks{});
        CHECK(max_diff(a.logits, b.logits) < 1e-6f);
        CHECK(max_diff(a.hidden_states.values, b.hidden_states.values) < 1e-6f);
        CHECK(max_diff(a.logits, plain.logits) > 1e-4f);   // the head mattered: the comparison means something
    }
}

TEST_CASE("editor: editing layer.0.out changes later layers only") {
    for (std::string name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        REQUIRE(model->info().n_layer >= 2);
        const int t_edit = 3;
        ForwardHooks hooks;
        // Not a constant shift: a LayerNorm would take that away again.
        auto bump = [](int i) { return 0.5f * static_cast<float>(i % 5) - 1.0f; };
        hooks.editor = [&](const std::string& n, int, int cols, float* data) {
            if (n == "layer.0.out")
                for (int i = 0; i < cols; ++i) data[static_cast<size_t>(t_edit) * cols + i] += bump(i);
        };
        const Trace plain = run(*model, ForwardHooks{}), edited = run(*model, hooks);
        CHECK(head_probs(plain.attentions, 0) == head_probs(edited.attentions, 0));
        const HiddenTensor& hp = plain.hidden_states;
        const HiddenTensor& he = edited.hidden_states;
        const size_t state = static_cast<size_t>(hp.n_token) * hp.n_embd;
        CHECK(std::equal(hp.values.begin(), hp.values.begin() + state, he.values.begin()));   // embeddings
        // State 1 is layer 0's output: only the edited row moved, by the bump.
        for (int t = 0; t < hp.n_token; ++t)
            for (int i = 0; i < hp.n_embd; ++i)
                CHECK(he.row(1, t)[i] - hp.row(1, t)[i] == doctest::Approx(t == t_edit ? bump(i) : 0.0f).epsilon(1e-5));
        CHECK(max_diff(head_probs(plain.attentions, 1), head_probs(edited.attentions, 1)) > 1e-6f);
        CHECK(max_diff(plain.logits, edited.logits) > 1e-6f);
        if (model->info().causal) {   // rows before the edited token cannot see it
            const AttentionTensor& a = plain.attentions;
            for (int h = 0; h < a.n_head; ++h)
                for (int q = 0; q < t_edit; ++q)
                    for (int k = 0; k < a.n_key; ++k) CHECK(a.at(1, h, q, k) == edited.attentions.at(1, h, q, k));
        }
    }
}

TEST_CASE("editor: names come in the block's order (gpt2, llama, bert, bart with decoder. names)") {
    for (std::string name : {"gpt2-tiny", "llama-tiny", "bert-tiny", "bart-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const ModelInfo& info = model->info();
        std::vector<std::string> seen;
        ForwardHooks hooks;
        hooks.editor = [&seen](const std::string& n, int, int, float*) { seen.push_back(n); };
        run(*model, hooks);
        std::vector<std::string> expected = stack_names("", info.n_layer, false);
        if (info.encoder_decoder) {
            const std::vector<std::string> dec = stack_names("decoder.", info.n_decoder_layer, true);
            expected.insert(expected.end(), dec.begin(), dec.end());
        }
        CHECK(seen == expected);
    }
}
