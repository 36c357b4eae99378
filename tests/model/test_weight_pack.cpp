// A model's layer weights packed for the product (model/weight_pack.h) when asked (Network::pack_weights):
// natively every block matrix and the head's transform point at panels, WebAssembly packs nothing, a
// trace over the panels has the bits of one over the stored weights, and weights_will_change (the
// trainer's call) drops the panels.
#include <doctest/doctest.h>

#include <functional>
#include <vector>

#include "decoder_reference.h"
#include "model/body.h"
#include "model/limits.h"
#include "same_floats.h"

using namespace attn;

namespace {

void for_each_dense(const Body& body, const std::function<void(const Matrix&)>& visit) {
    auto dense = [&](const Dense& d) {
        if (!d.w.empty()) visit(d.w);
    };
    for (const BlockWeights& b : body.blocks)
        for (const Dense* d : {&b.attn.q, &b.attn.k, &b.attn.v, &b.attn.qkv, &b.attn.out, &b.ffn.fc1, &b.ffn.up, &b.ffn.fc2})
            dense(*d);
    dense(body.head.transform);
}

}  // namespace

TEST_CASE("pack_weights packs a model's layer matrices natively; a trace over them has the stored weights' bits; the trainer's call drops them") {
#if defined(__EMSCRIPTEN__)
    const bool packs = false;   // WebAssembly's memory is the budget: no second copy
#else
    const bool packs = true;
#endif
    for (const char* name : {"gpt2-tiny", "gpt2-f16", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const Body* body = model->network->body();
        REQUIRE(body);
        CHECK(body->packed_panels.empty());   // a load packs nothing: a one-trace command would not win it back
        model->network->pack_weights();
        model->network->pack_weights();       // twice: once
        int matrices = 0, packed = 0;
        for_each_dense(*body, [&](const Matrix& m) {
            ++matrices;
            packed += m.view.packed != nullptr;
        });
        CHECK(matrices >= 4 * static_cast<int>(body->blocks.size()));
        CHECK(packed == (packs ? matrices : 0));
        CHECK(body->embed.token.view.packed == nullptr);   // looked up by row, never multiplied by many rows

        // 11 tokens: the packed product's path (more than 4 rows); logits at every position.
        const std::vector<int32_t> ids = {5, 17, 3, 99, 42, 7, 11, 23, 64, 2, 8};
        TraceOptions options;
        options.logit_positions = {};
        for (int t = 0; t < static_cast<int>(ids.size()); ++t) options.logit_positions.push_back(t);
        Expected<Trace> over_panels = model_trace(*model, ids, options);
        REQUIRE(over_panels.ok());

        model->network->weights_will_change();
        for_each_dense(*body, [&](const Matrix& m) { CHECK(m.view.packed == nullptr); });
        CHECK(body->packed_panels.empty());
        Expected<Trace> over_stored = model_trace(*model, ids, options);
        REQUIRE(over_stored.ok());
        CHECK(same_floats(over_panels->attentions.probs, over_stored->attentions.probs));
        CHECK(same_floats(over_panels->hidden_states.values, over_stored->hidden_states.values));
        CHECK(same_floats(over_panels->logits, over_stored->logits));
        CHECK(over_panels->logits.size() == ids.size() * static_cast<size_t>(model->info().n_vocab));
    }
}

TEST_CASE("pack_weights packs nothing when the panels would take more than a quarter of the machine's memory") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    const Body* body = model->network->body();
    REQUIRE(body);
    // The panels' size, from a packed twin of the same fixture.
    ModelPtr twin = load_fixture_model("gpt2-tiny");
    twin->network->pack_weights();
    const int64_t panels = static_cast<int64_t>(twin->network->body()->packed_panels.size() * sizeof(float));
#if defined(__EMSCRIPTEN__)
    CHECK(panels == 0);
#else
    REQUIRE(panels > 0);
    struct Restore {
        ~Restore() { memory_limit_override(0); }
    } restore;
    memory_limit_override(3 * panels);   // a quarter of it is less than the panels
    model->network->pack_weights();
    CHECK(body->packed_panels.empty());
    CHECK(body->blocks[0].attn.qkv.w.view.packed == nullptr);
    memory_limit_override(5 * panels);   // a quarter of it holds them
    model->network->pack_weights();
    CHECK(!body->packed_panels.empty());
    CHECK(body->blocks[0].attn.qkv.w.view.packed != nullptr);
#endif
}
