// first_nonfinite: where a trace first has NaN or infinity, in the order the forward pass computes it,
// on synthetic traces (every place) and on a real model with one poisoned weight.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "analysis/nonfinite.h"
#include "core/i18n.h"
#include "decoder_reference.h"

using namespace attn;

namespace {

// A finite 2-layer, 2-head trace of 3 tokens, width 4, with logits for the last position.
Trace finite_trace() {
    Trace t;
    t.architecture = "gpt2";
    t.tokens.ids = {1, 2, 3};
    t.attentions.n_layer = 2, t.attentions.n_head = 2, t.attentions.n_query = t.attentions.n_key = 3;
    t.attentions.causal = true;
    t.attentions.probs.assign(2 * 2 * 3 * 3, 0.25f);
    t.hidden_states.n_state = 3, t.hidden_states.n_token = 3, t.hidden_states.n_embd = 4;
    t.hidden_states.values.assign(3 * 3 * 4, 0.5f);
    t.n_vocab = 5;
    t.logit_positions = {2};
    t.logits.assign(5, 1.0f);
    return t;
}

}  // namespace

TEST_CASE("first_nonfinite: nothing in a finite trace; else the first place in forward order, with the count") {
    CHECK(!first_nonfinite(finite_trace()).found);

    Trace t = finite_trace();
    t.logits[3] = std::nanf("");
    NonFinite bad = first_nonfinite(t);
    CHECK(bad.found);
    CHECK(bad.tensor == TraceTensor::logits);
    CHECK(bad.count == 1);

    // Layer 1's attention and everything after it: the attention is first.
    t.attentions.probs[1 * 2 * 9 + 4] = INFINITY;
    for (size_t i = 2 * 12; i < t.hidden_states.values.size(); ++i) t.hidden_states.values[i] = std::nanf("");
    bad = first_nonfinite(t);
    CHECK(bad.tensor == TraceTensor::attentions);
    CHECK(bad.layer == 1);
    CHECK(bad.count == 1);

    // A bad output of layer 0 comes before layer 1's attention.
    t.hidden_states.values[1 * 12 + 5] = -INFINITY;
    bad = first_nonfinite(t);
    CHECK(bad.tensor == TraceTensor::hidden_state);
    CHECK(bad.layer == 0);
    CHECK(bad.count == 1);

    t.hidden_states.values[0] = std::nanf("");
    bad = first_nonfinite(t);
    CHECK(bad.tensor == TraceTensor::embeddings);
    CHECK(bad.layer == -1);
}

TEST_CASE("nonfinite_message names the layer and the tensor, in English and Chinese") {
    NonFinite bad;
    bad.found = true;
    bad.tensor = TraceTensor::attentions;
    bad.layer = 1;
    bad.count = 12;
    set_language(Language::en);
    const std::string en = nonfinite_message(bad);
    CHECK(en.find("layer 1") != std::string::npos);
    CHECK(en.find("attention") != std::string::npos);
    CHECK(en.find("12") != std::string::npos);
    set_language(Language::zh);
    const std::string zh = nonfinite_message(bad);
    CHECK(zh.find("第 1 层") != std::string::npos);
    CHECK(zh.find("注意力") != std::string::npos);
    set_language(Language::en);
    CHECK(nonfinite_message(NonFinite{}).empty());
}

TEST_CASE("NonFiniteScan: any step size gives first_nonfinite's place and whole count") {
    auto same = [](const NonFinite& a, const NonFinite& b) {
        return a.found == b.found && a.tensor == b.tensor && a.layer == b.layer && a.count == b.count && a.decoder == b.decoder;
    };
    auto check_steps = [&](const Trace& t) {
        const NonFinite want = first_nonfinite(t);
        for (size_t step : {size_t{1}, size_t{2}, size_t{5}, size_t{7}, size_t{1000}}) {
            CAPTURE(step);
            NonFiniteScan scan(t);
            int steps = 0;
            while (!scan.step(step)) ++steps;
            CHECK(same(scan.result(), want));
            if (step == 1 && scan.values_total() > 10 && !want.found) CHECK(steps >= 10);   // it did go a bit at a time
        }
        return want;
    };
    // The app's traces capture no hidden states: then every attention weight is read.
    Trace t = finite_trace();
    t.hidden_states = HiddenTensor{};
    CHECK(!check_steps(t).found);
    CHECK(NonFiniteScan(t).values_total() == t.attentions.probs.size() + t.logits.size());
    // Two bad values in layer 1's attention, far apart: a step that finds the first reads on to the second.
    t.attentions.probs[18] = std::nanf("");
    t.attentions.probs[35] = INFINITY;
    NonFinite bad = check_steps(t);
    CHECK(bad.tensor == TraceTensor::attentions);
    CHECK(bad.layer == 1);
    CHECK(bad.count == 2);
    // Only the logits.
    t = finite_trace();
    t.hidden_states = HiddenTensor{};
    t.logits[4] = -INFINITY;
    bad = check_steps(t);
    CHECK(bad.tensor == TraceTensor::logits);
    CHECK(bad.count == 1);
    // With hidden states, the finite shortcut: done before any step.
    CHECK(NonFiniteScan(finite_trace()).done());
    Trace h = finite_trace();
    h.hidden_states.values[1 * 12 + 5] = std::nanf("");
    CHECK(check_steps(h).tensor == TraceTensor::hidden_state);
}
