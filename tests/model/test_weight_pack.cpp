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

TEST_CASE("pack_weights_step packs a matrix a step into the panels pack_weights makes; traces between steps keep the bits") {
    for (const char* name : {"gpt2-tiny", "llama-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        ModelPtr whole = load_fixture_model(name);
        whole->network->pack_weights();
        const Body& body = *model->network->body();
        int matrices = 0;
        for_each_dense(body, [&](const Matrix&) { ++matrices; });

        const std::vector<int32_t> ids = {5, 17, 3, 99, 42, 7, 11, 23, 64, 2, 8};
        TraceOptions options;
        options.logit_positions = {0, 5, 10};
        Expected<Trace> stored = model_trace(*model, ids, options);
        REQUIRE(stored.ok());
#if defined(__EMSCRIPTEN__)
        CHECK_FALSE(model->network->pack_weights_step());
        CHECK(body.packed_panels.empty());
        (void)matrices;
#else
        int steps = 0;
        bool more = true;
        while (more) {
            more = model->network->pack_weights_step();
            ++steps;
            CHECK(body.packed_matrices == static_cast<size_t>(steps));
            int packed = 0;
            for_each_dense(body, [&](const Matrix& m) { packed += m.view.packed != nullptr; });
            CHECK(packed == steps);
            if (steps == 1 || steps == matrices / 2) {   // part packed: the same trace
                Expected<Trace> part = model_trace(*model, ids, options);
                REQUIRE(part.ok());
                CHECK(same_floats(part->attentions.probs, stored->attentions.probs));
                CHECK(same_floats(part->hidden_states.values, stored->hidden_states.values));
                CHECK(same_floats(part->logits, stored->logits));
            }
            REQUIRE(steps <= matrices);
        }
        CHECK(steps == matrices);
        CHECK_FALSE(model->network->pack_weights_step());   // done: nothing more, nothing moves
        CHECK(body.packed_matrices == static_cast<size_t>(matrices));
        // The same panels, at the same offsets from the first, as all at once (each arena's first panel
        // starts on a cache line, so the two may start a few floats apart).
        const Body& all = *whole->network->body();
        std::vector<ptrdiff_t> offsets, offsets_all;
        for_each_dense(body, [&](const Matrix& m) { offsets.push_back(static_cast<const float*>(m.view.packed) - body.packed_panels.data()); });
        for_each_dense(all, [&](const Matrix& m) { offsets_all.push_back(static_cast<const float*>(m.view.packed) - all.packed_panels.data()); });
        for (size_t i = offsets.size(); i-- > 0;) offsets[i] -= offsets[0];
        for (size_t i = offsets_all.size(); i-- > 0;) offsets_all[i] -= offsets_all[0];
        CHECK(offsets == offsets_all);
        const Matrix* first_matrix = nullptr;
        for_each_dense(body, [&](const Matrix& m) { if (!first_matrix) first_matrix = &m; });
        const Matrix* first_all = nullptr;
        for_each_dense(all, [&](const Matrix& m) { if (!first_all) first_all = &m; });
        const std::vector<float> panels(static_cast<const float*>(first_matrix->view.packed), body.packed_panels.data() + body.packed_panels.size());
        const std::vector<float> panels_all(static_cast<const float*>(first_all->view.packed), all.packed_panels.data() + all.packed_panels.size());
        CHECK(same_floats(panels, panels_all));
        Expected<Trace> packed = model_trace(*model, ids, options);
        REQUIRE(packed.ok());
        CHECK(same_floats(packed->logits, stored->logits));
        // Dropped (the trainer), then asked again: it starts over.
        model->network->weights_will_change();
        CHECK(body.packed_matrices == 0);
        CHECK(model->network->pack_weights_step());
        CHECK(body.packed_matrices == 1);
#endif
    }
}
