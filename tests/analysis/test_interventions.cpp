// Interventions (analysis/interventions.h): head ablation (zero, mean), knockouts, masked tokens and
// what they changed, on real fixtures.
#include <doctest/doctest.h>

#include <cmath>

#include "analysis/attribution.h"
#include "analysis/interventions.h"
#include "decoder_reference.h"
#include "model/gradients.h"

using namespace attn;

namespace {

const std::vector<int32_t> kIds = {3, 17, 42, 8, 25, 11};

Trace run(const Model& model, const ForwardHooks& hooks) {
    TraceOptions options;
    options.hooks = hooks;
    options.logit_positions = {score_position_default(model, kIds)};
    Expected<Trace> t = model_trace(model, kIds, options);
    REQUIRE(t.ok());
    return std::move(*t);
}

ForwardHooks hooks_of(const Model& model, const Interventions& iv) {
    return intervention_hooks(iv, model.info().n_layer, model.info().n_head, static_cast<int>(kIds.size()));
}

float max_diff(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    float m = 0.0f;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
    return m;
}

}  // namespace

TEST_CASE("interventions: zero ablation is the head's gate at 0") {
    for (std::string name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const int L = model->info().n_layer, H = model->info().n_head;
        Interventions iv;
        iv.heads.push_back({1, 2, AblationMode::zero});
        const ForwardHooks hooks = hooks_of(*model, iv);
        REQUIRE(hooks.head_gates.size() == static_cast<size_t>(L * H));
        for (int i = 0; i < L * H; ++i) CHECK(hooks.head_gates[i] == (i == 1 * H + 2 ? 0.0f : 1.0f));
        CHECK(!hooks.editor);
        const Trace plain = run(*model, ForwardHooks{}), ablated = run(*model, hooks);
        CHECK(max_diff(plain.logits, ablated.logits) > 1e-5f);
        CHECK(interventions_have_backward(iv));
    }
}

TEST_CASE("interventions: mean ablation replaces the head's context by its mean over positions") {
    for (std::string name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const int H = model->info().n_head, layer = 1, head = 3;
        const std::string site = "layer.1.context";
        // The plain run's context of that layer (nothing before layer 1 changes under the ablation).
        std::vector<float> plain_ctx;
        int cols = 0;
        ForwardHooks watch;
        watch.editor = [&](const std::string& n, int, int c, float* data) {
            if (n == site) plain_ctx.assign(data, data + kIds.size() * c), cols = c;
        };
        const Trace plain = run(*model, watch);
        REQUIRE(cols > 0);
        const int hd = cols / H, T = static_cast<int>(kIds.size());
        std::vector<double> mean(hd, 0.0);
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < hd; ++i) mean[i] += plain_ctx[t * cols + head * hd + i] / T;

        Interventions iv;
        iv.heads.push_back({layer, head, AblationMode::mean});
        ForwardHooks hooks = hooks_of(*model, iv);
        REQUIRE(hooks.editor);
        CHECK(hooks.head_gates.empty());
        CHECK(!interventions_have_backward(iv));
        std::vector<float> edited_ctx;
        ForwardEditor inner = hooks.editor;
        hooks.editor = [&](const std::string& n, int r, int c, float* data) {
            inner(n, r, c, data);
            if (n == site) edited_ctx.assign(data, data + static_cast<size_t>(r) * c);
        };
        const Trace ablated = run(*model, hooks);
        REQUIRE(edited_ctx.size() == plain_ctx.size());
        for (int t = 0; t < T; ++t)
            for (int c = 0; c < cols; ++c) {
                const bool in_head = c >= head * hd && c < (head + 1) * hd;
                const float want = in_head ? static_cast<float>(mean[c - head * hd]) : plain_ctx[t * cols + c];
                CHECK(edited_ctx[t * cols + c] == doctest::Approx(want).epsilon(1e-6));
            }
        CHECK(max_diff(plain.logits, ablated.logits) > 1e-6f);
        // Layer 0 is untouched.
        const size_t layer0 = static_cast<size_t>(H) * T * T;
        CHECK(std::equal(plain.attentions.probs.begin(), plain.attentions.probs.begin() + layer0,
                         ablated.attentions.probs.begin()));
    }
}

TEST_CASE("interventions: a knockout removes one edge, in one layer or all") {
    for (std::string name : {"gpt2-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const Trace plain = run(*model, ForwardHooks{});
        Interventions every, one;
        every.knockouts.push_back({-1, 4, 1});
        one.knockouts.push_back({1, 4, 1});
        const Trace a = run(*model, hooks_of(*model, every)), b = run(*model, hooks_of(*model, one));
        const AttentionTensor& p = plain.attentions;
        for (int l = 0; l < p.n_layer; ++l)
            for (int h = 0; h < p.n_head; ++h) {
                CHECK(p.at(l, h, 4, 1) > 0.0f);
                CHECK(a.attentions.at(l, h, 4, 1) == 0.0f);
                CHECK(b.attentions.at(l, h, 4, 1) == (l == 1 ? 0.0f : p.at(l, h, 4, 1)));
                float sum = 0.0f;
                for (int s = 0; s < p.n_key; ++s) sum += a.attentions.at(l, h, 4, s);
                CHECK(sum == doctest::Approx(1.0f).epsilon(1e-5));
            }
    }
}

TEST_CASE("interventions: a masked token gets weight from no row but its own, in any layer") {
    for (std::string name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        Interventions iv;
        iv.masked_tokens.push_back(2);
        const Trace plain = run(*model, ForwardHooks{}), masked = run(*model, hooks_of(*model, iv));
        const AttentionTensor& a = masked.attentions;
        int seen_before = 0;
        for (int l = 0; l < a.n_layer; ++l)
            for (int h = 0; h < a.n_head; ++h)
                for (int q = 0; q < a.n_query; ++q) {
                    if (q != 2) CHECK(a.at(l, h, q, 2) == 0.0f);
                    seen_before += plain.attentions.at(l, h, q, 2) > 0.0f;
                }
        CHECK(seen_before > 0);
        CHECK(masked.attentions.at(0, 0, 2, 2) > 0.0f);   // its own row still sees it
        CHECK(max_diff(plain.logits, masked.logits) > 1e-6f);
    }
}

TEST_CASE("interventions: the effect names before and after probabilities and the heads that moved") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    const int L = model->info().n_layer, H = model->info().n_head, V = model->info().n_vocab;
    const Trace before = run(*model, ForwardHooks{});

    const InterventionEffect none = intervention_effect(before, before, *model, -1, 5);
    CHECK(none.position == static_cast<int>(kIds.size()) - 1);
    REQUIRE(none.tokens.size() == 5);
    for (const TokenChange& c : none.tokens) CHECK(c.before == c.after);
    CHECK(none.max_attention_change == 0.0f);
    CHECK(none.argmax_before == none.argmax_after);

    Interventions iv;
    iv.heads.push_back({1, 0, AblationMode::zero});
    const Trace after = run(*model, hooks_of(*model, iv));
    const InterventionEffect fx = intervention_effect(before, after, *model, -1, 5);
    REQUIRE(fx.tokens.size() >= 5);
    // Probabilities are the softmax of each trace's logits at the position.
    auto prob = [V](const Trace& t, int pos, int id) {
        const float* z = t.logits_at(pos);
        double m = z[0], sum = 0.0;
        for (int i = 0; i < V; ++i) m = std::max<double>(m, z[i]);
        for (int i = 0; i < V; ++i) sum += std::exp(z[i] - m);
        return static_cast<float>(std::exp(z[id] - m) / sum);
    };
    for (const TokenChange& c : fx.tokens) {
        CHECK(c.before == doctest::Approx(prob(before, fx.position, c.id)).epsilon(1e-5));
        CHECK(c.after == doctest::Approx(prob(after, fx.position, c.id)).epsilon(1e-5));
        CHECK(c.piece == model->tokenizer.id_to_token(c.id));
    }
    for (size_t i = 1; i < fx.tokens.size(); ++i)
        CHECK(std::max(fx.tokens[i - 1].before, fx.tokens[i - 1].after) >= std::max(fx.tokens[i].before, fx.tokens[i].after));
    // Ablating a layer-1 head leaves layer 0's attention alone; only layer 1 and later can move.
    REQUIRE(fx.attention_change.size() == static_cast<size_t>(L * H));
    for (int h = 0; h < H; ++h) CHECK(fx.attention_change[h] == 0.0f);
    CHECK(fx.max_attention_change == 0.0f);   // gpt2-tiny has 2 layers: layer 1's own attention is computed before its gate

    Interventions early;
    early.heads.push_back({0, 0, AblationMode::zero});
    const InterventionEffect fx0 = intervention_effect(before, run(*model, hooks_of(*model, early)), *model, -1, 5);
    float m = 0.0f;
    for (float c : fx0.attention_change) m = std::max(m, c);
    CHECK(m > 0.0f);
    CHECK(fx0.max_attention_change == m);
    for (int h = 0; h < H; ++h) CHECK(fx0.attention_change[h] == 0.0f);
}

TEST_CASE("interventions: describe() says what is in") {
    Interventions iv;
    CHECK(iv.empty());
    iv.heads.push_back({1, 3, AblationMode::mean});
    iv.heads.push_back({0, 2, AblationMode::zero});
    iv.knockouts.push_back({-1, 7, 2});
    iv.knockouts.push_back({1, 5, 0});
    iv.masked_tokens.push_back(4);
    CHECK(iv.describe() == "ablate L1 H3 (mean); ablate L0 H2; 7 -/-> 2; 5 -/-> 0 in L1; mask 4");
}

TEST_CASE("interventions: the attribution job runs every pass with the gates and knockouts, not the editor") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    const int H = model->info().n_head;
    Interventions iv;
    iv.heads.push_back({1, 2, AblationMode::zero});
    iv.knockouts.push_back({-1, 5, 0});
    AttributionOptions opt;
    opt.ig_steps = 2;
    opt.permutation_samples = 0;
    opt.hooks = hooks_of(*model, iv);
    AttributionJob job(*model, kIds, opt);
    while (!job.step()) {
    }
    REQUIRE(job.error().empty());
    const Attribution& a = job.result();
    // The score is the intervened model's log-probability of its own top token.
    const Trace after = run(*model, hooks_of(*model, iv));
    const float* z = after.logits_at(5);
    const int V = after.n_vocab;
    double m = z[0], sum = 0.0;
    for (int i = 0; i < V; ++i) m = std::max<double>(m, z[i]);
    for (int i = 0; i < V; ++i) sum += std::exp(z[i] - m);
    CHECK(a.target_logprob == doctest::Approx(z[a.target] - m - std::log(sum)).epsilon(1e-4));
    CHECK(a.head_ablation[1 * H + 2] == 0.0f);   // already off: switching it off changes nothing
    CHECK(a.head_importance.size() == static_cast<size_t>(2 * H));

    // A mean ablation is left out: the job equals the one without it.
    Interventions with_mean = iv;
    with_mean.heads.push_back({0, 1, AblationMode::mean});
    opt.hooks = hooks_of(*model, with_mean);
    AttributionJob job2(*model, kIds, opt);
    while (!job2.step()) {
    }
    CHECK(job2.result().score == a.score);
    CHECK(job2.result().integrated_gradients == a.integrated_gradients);
}
