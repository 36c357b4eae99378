// A model's layer weights packed for the product (model/weight_pack.h) when asked (Network::pack_weights):
// natively every block matrix and the head's transform point at panels in a second copy, WebAssembly packs
// them in place (in their own bytes: GPT-2's in_out and nn.Linear's out_in matrices alike); a trace, the
// gradients and the double-precision pass over either have the bits of the stored weights, and
// weights_will_change (the trainer's call) drops the panels or puts the stored bytes back.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/gemm.h"
#include "decoder_reference.h"
#include "model/bart.h"
#include "model/body.h"
#include "model/grad_params.h"
#include "model/gradients.h"
#include "model/limits.h"
#include "model/seq2seq_gradients.h"
#include "model/weight_pack.h"
#include "platform/file_io.h"
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

bool in_out_model(const std::string& name) { return name.rfind("gpt2", 0) == 0; }

// A fixture loaded as the page loads a model: every file's bytes in a buffer of its own (natively
// folder_read maps the files read-only, and packing in place writes into the bytes).
ModelPtr load_fixture_model_in_memory(const std::string& name) {
    Expected<FileSet> mapped = folder_read(fixture_path(name));
    REQUIRE_MESSAGE(mapped.ok(), mapped.error().message);
    FileSet files;
    files.label = mapped->label;
    for (const auto& [file, blob] : mapped->files) files.add(file, Bytes(blob->begin(), blob->end()));
    Expected<ModelPtr> model = model_load(files);
    REQUIRE_MESSAGE(model.ok(), model.error().message);
    return std::move(*model);
}

}  // namespace

TEST_CASE("pack_weights packs a model's layer matrices natively; a trace over them has the stored weights' bits; the trainer's call drops them") {
    for (const char* name : {"gpt2-tiny", "gpt2-f16", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        // In WebAssembly in place (the fixtures' output widths are whole 8-column panels): no second copy.
        const bool packs = true;
        ModelPtr model = load_fixture_model(name);
        const Body* body = model->network->body();
        REQUIRE(body);
        CHECK(body->packed.panels.empty());   // a load packs nothing: a one-trace command would not win it back
        model->network->pack_weights();
        model->network->pack_weights();       // twice: once
        int matrices = 0, packed = 0;
        for_each_dense(*body, [&](const Matrix& m) {
            ++matrices;
            packed += m.view.packed != nullptr;
        });
        CHECK(matrices >= 4 * static_cast<int>(body->blocks.size()));
        CHECK(packed == (packs ? matrices : 0));
        for_each_dense(*body, [&](const Matrix& m) { CHECK(gemm_is_packed_in_place(m.view) == (kPackWhere == PackWhere::in_place && packs)); });
        CHECK(body->packed.panels.empty() == (kPackWhere == PackWhere::in_place));
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
        CHECK(body->packed.panels.empty());
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
    const int64_t panels = static_cast<int64_t>(twin->network->body()->packed.panels.size() * sizeof(float));
#if defined(__EMSCRIPTEN__)
    CHECK(panels == 0);
#else
    REQUIRE(panels > 0);
    struct Restore {
        ~Restore() { memory_limit_override(0); }
    } restore;
    memory_limit_override(3 * panels);   // a quarter of it is less than the panels
    model->network->pack_weights();
    CHECK(body->packed.panels.empty());
    CHECK(body->blocks[0].attn.qkv.w.view.packed == nullptr);
    memory_limit_override(5 * panels);   // a quarter of it holds them
    model->network->pack_weights();
    CHECK(!body->packed.panels.empty());
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
        // Natively a matrix a step into the arena; in WebAssembly in place, a matrix a step, GPT-2's in_out
        // and Llama's out_in alike.
        const bool in_place = kPackWhere == PackWhere::in_place;
        const int packable = matrices;
        int steps = 0;
        bool more = true;
        while (more) {
            more = model->network->pack_weights_step();
            ++steps;
            if (!in_place) CHECK(body.packed.matrices == static_cast<size_t>(steps));
            int packed = 0;
            for_each_dense(body, [&](const Matrix& m) {
                packed += m.view.packed != nullptr;
                CHECK(gemm_is_packed_in_place(m.view) == (in_place && m.view.packed != nullptr));
            });
            CHECK(packed == std::min(steps, packable));
            if (steps == 1 || steps == matrices / 2) {   // part packed: the same trace
                Expected<Trace> part = model_trace(*model, ids, options);
                REQUIRE(part.ok());
                CHECK(same_floats(part->attentions.probs, stored->attentions.probs));
                CHECK(same_floats(part->hidden_states.values, stored->hidden_states.values));
                CHECK(same_floats(part->logits, stored->logits));
            }
            REQUIRE(steps <= matrices);
        }
#if defined(__EMSCRIPTEN__)
        CHECK(steps == matrices);
        CHECK_FALSE(model->network->pack_weights_step());
        CHECK(body.packed.panels.empty());
        (void)whole;
#else
        CHECK(steps == matrices);
        CHECK_FALSE(model->network->pack_weights_step());   // done: nothing more, nothing moves
        CHECK(body.packed.matrices == static_cast<size_t>(matrices));
        // The same panels, at the same offsets from the first, as all at once (each arena's first panel
        // starts on a cache line, so the two may start a few floats apart).
        const Body& all = *whole->network->body();
        std::vector<ptrdiff_t> offsets, offsets_all;
        for_each_dense(body, [&](const Matrix& m) { offsets.push_back(static_cast<const float*>(m.view.packed) - body.packed.panels.data()); });
        for_each_dense(all, [&](const Matrix& m) { offsets_all.push_back(static_cast<const float*>(m.view.packed) - all.packed.panels.data()); });
        for (size_t i = offsets.size(); i-- > 0;) offsets[i] -= offsets[0];
        for (size_t i = offsets_all.size(); i-- > 0;) offsets_all[i] -= offsets_all[0];
        CHECK(offsets == offsets_all);
        const Matrix* first_matrix = nullptr;
        for_each_dense(body, [&](const Matrix& m) { if (!first_matrix) first_matrix = &m; });
        const Matrix* first_all = nullptr;
        for_each_dense(all, [&](const Matrix& m) { if (!first_all) first_all = &m; });
        const std::vector<float> panels(static_cast<const float*>(first_matrix->view.packed), body.packed.panels.data() + body.packed.panels.size());
        const std::vector<float> panels_all(static_cast<const float*>(first_all->view.packed), all.packed.panels.data() + all.packed.panels.size());
        CHECK(same_floats(panels, panels_all));
        Expected<Trace> packed = model_trace(*model, ids, options);
        REQUIRE(packed.ok());
        CHECK(same_floats(packed->logits, stored->logits));
        // Dropped (the trainer), then asked again: it starts over.
        model->network->weights_will_change();
        CHECK(body.packed.matrices == 0);
        CHECK(model->network->pack_weights_step());
        CHECK(body.packed.matrices == 1);
#endif
    }
}

TEST_CASE("packing in place (the page's): traces, gradients and the double-precision pass keep their bits; unpacking puts the file's bytes back") {
    for (const char* name : {"gpt2-tiny", "gpt2-f16", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model_in_memory(name);
        // The test packs the Body itself, in place on either build (Network::pack_weights packs natively
        // into a copy); a model's Body is otherwise only changed through its Network.
        Body& body = const_cast<Body&>(*model->network->body());
        std::vector<std::vector<uint8_t>> stored;
        // All of them in WebAssembly (8-column panels); natively those of whole 48-column panels: some of
        // GPT-2's, none of the 64-wide Llama's and BERT's (tests/core/test_gemm.cpp packs out_in natively).
        int can = 0;
        for_each_dense(body, [&](const Matrix& m) {
            can += gemm_can_pack_in_place(m.view);
            const auto* bytes = static_cast<const uint8_t*>(m.view.data);
            stored.emplace_back(bytes, bytes + static_cast<size_t>(m.view.rows) * m.view.cols * dtype_size(m.view.dtype));
        });

        const std::vector<int32_t> ids = {5, 17, 3, 99, 42, 7, 11, 23, 64, 2, 8};
        const std::vector<int32_t> few = {5, 17, 3};   // the few-rows kernels (M <= 4)
        TraceOptions options;
        options.logit_positions = {0, 5, 10};
        GradRequest request;
        request.want_param_grads = true;
        auto run = [&] {
            struct Runs {
                Trace trace, few_trace;
                GradResult grads, grads_f64;
            } r;
            Expected<Trace> t = model_trace(*model, ids, options);
            Expected<Trace> f = model_trace(*model, few, TraceOptions{});
            Expected<GradResult> g = model_gradients(*model, ids, request);
            Expected<GradResult> g64 = body_gradients_f64(body, ids, GradRequest{});
            REQUIRE(t.ok());
            REQUIRE(f.ok());
            REQUIRE_MESSAGE(g.ok(), g.error().message);
            REQUIRE_MESSAGE(g64.ok(), g64.error().message);
            r.trace = std::move(*t);
            r.few_trace = std::move(*f);
            r.grads = std::move(*g);
            r.grads_f64 = std::move(*g64);
            return r;
        };
        const auto before = run();

        pack_weights(body.packed, body_layer_matrices(body), PackWhere::in_place);
        int packed = 0, moved = 0;
        size_t i = 0;
        for_each_dense(body, [&](const Matrix& m) {
            packed += gemm_is_packed_in_place(m.view);
            moved += std::memcmp(m.view.data, stored[i].data(), stored[i].size()) != 0;
            ++i;
        });
        CHECK(packed == can);
        CHECK(packed >= (kPackWhere == PackWhere::in_place || in_out_model(name) ? 2 : 0));
        CHECK(moved == can);   // the bytes are panels now, not the file's rows
#if defined(__EMSCRIPTEN__)
        CHECK(packed == static_cast<int>(stored.size()));
#endif
        CHECK(body.packed.panels.empty());                 // and no second copy exists

        const auto after = run();
        CHECK(same_floats(after.trace.attentions.probs, before.trace.attentions.probs));
        CHECK(same_floats(after.trace.hidden_states.values, before.trace.hidden_states.values));
        CHECK(same_floats(after.trace.logits, before.trace.logits));
        CHECK(same_floats(after.few_trace.logits, before.few_trace.logits));
        CHECK(same_floats(after.few_trace.attentions.probs, before.few_trace.attentions.probs));
        CHECK(same_floats(after.grads.d_token_embeds, before.grads.d_token_embeds));
        CHECK(same_floats(after.grads.d_attentions, before.grads.d_attentions));
        REQUIRE(after.grads.param_grads.size() == before.grads.param_grads.size());
        for (size_t p = 0; p < after.grads.param_grads.size(); ++p) {
            CAPTURE(before.grads.param_grads[p].name);
            CHECK(same_floats(after.grads.param_grads[p].grad, before.grads.param_grads[p].grad));
        }
        CHECK(after.grads_f64.score_f64 == before.grads_f64.score_f64);
        CHECK(same_floats(after.grads_f64.d_token_embeds, before.grads_f64.d_token_embeds));

        model->network->weights_will_change();   // the trainer's call: the stored bytes, exactly
        i = 0;
        for_each_dense(body, [&](const Matrix& m) {
            CHECK_FALSE(gemm_is_packed_in_place(m.view));
            CHECK(std::memcmp(m.view.data, stored[i].data(), stored[i].size()) == 0);
            ++i;
        });
    }
}

TEST_CASE("BART packs both stacks' matrices (natively a copy, in the page in place); traces, few-rows traces and gradients keep their bits; the trainer's call restores the bytes") {
    ModelPtr model = load_fixture_model_in_memory("bart-tiny");
    BartWeights& w = *bart_weights_mutable(*model->network);
    const LayerMatrices set = bart_layer_matrices(w);
    // Encoder layers: q, k, v, out, fc1, fc2; decoder layers the cross attention's four more.
    REQUIRE(set.layers.size() == 6 * w.enc.size() + 10 * w.dec.size());
    std::vector<std::vector<uint8_t>> stored;
    for (const Matrix* m : set.layers) {
        const auto* bytes = static_cast<const uint8_t*>(m->view.data);
        stored.emplace_back(bytes, bytes + static_cast<size_t>(m->view.rows) * m->view.cols * dtype_size(m->view.dtype));
    }
    const std::vector<int32_t> source = {0, 31, 415, 7, 88, 250, 2}, decoder = {2, 0, 99, 415, 12, 301};
    const std::vector<int32_t> labels = {0, 99, -1, 12, 301, 2};
    TraceOptions options;
    for (size_t t = 0; t < decoder.size(); ++t) options.logit_positions.push_back(static_cast<int>(t));
    struct Runs {
        Trace trace, few;   // few: 3 source tokens and the start token (the few-rows kernels)
        double loss = 0.0, loss_f64 = 0.0;
        std::vector<std::vector<float>> grads;   // each layer matrix's
    };
    auto run = [&] {
        Runs r;
        Expected<Trace> t = model_trace_seq2seq(*model, source, decoder, options);
        Expected<Trace> f = model_trace_seq2seq(*model, {0, 31, 2}, {2}, TraceOptions{});
        ParamGradients<float> g(true);
        Expected<LossResult> loss = seq2seq_loss_gradients(w, source, decoder, labels, 1.0f, &g);
        Expected<LossResult> loss64 = seq2seq_loss_gradients_f64(w, source, decoder, labels, 1.0, nullptr);
        REQUIRE(t.ok());
        REQUIRE(f.ok());
        REQUIRE_MESSAGE(loss.ok(), loss.error().message);
        REQUIRE_MESSAGE(loss64.ok(), loss64.error().message);
        r.trace = std::move(*t);
        r.few = std::move(*f);
        r.loss = loss->loss;
        r.loss_f64 = loss64->loss;
        for (const Matrix* m : set.layers) {
            const float* d = g.find(m->view.data);
            REQUIRE(d != nullptr);
            r.grads.emplace_back(d, d + static_cast<size_t>(m->view.rows) * m->view.cols);
        }
        return r;
    };
    const Runs before = run();

    CHECK(model->network->pack_weights_step());   // a matrix a step
    CHECK(set.layers[0]->view.packed != nullptr);
    CHECK(set.layers[1]->view.packed == nullptr);
    model->network->pack_weights();
    int packed = 0, in_place = 0;
    for (const Matrix* m : set.layers) {
        packed += m->view.packed != nullptr;
        in_place += gemm_is_packed_in_place(m->view);
    }
    CHECK(packed == static_cast<int>(set.layers.size()));   // bart-tiny's widths are whole 8-column panels
    CHECK(in_place == (kPackWhere == PackWhere::in_place ? packed : 0));
    CHECK(model->network->packed_in_place() == in_place);
    CHECK(w.packed.panels.empty() == (kPackWhere == PackWhere::in_place));
    CHECK(w.enc_embed.view.packed == nullptr);   // the tables are looked up, never packed

    const Runs after = run();
    CHECK(same_floats(after.trace.attentions.probs, before.trace.attentions.probs));
    CHECK(same_floats(after.trace.cross_attentions.probs, before.trace.cross_attentions.probs));
    CHECK(same_floats(after.trace.hidden_states.values, before.trace.hidden_states.values));
    CHECK(same_floats(after.trace.logits, before.trace.logits));
    CHECK(same_floats(after.few.logits, before.few.logits));
    CHECK(after.loss == before.loss);
    CHECK(after.loss_f64 == before.loss_f64);
    for (size_t i = 0; i < set.layers.size(); ++i) {
        CAPTURE(set.layers[i]->name);
        CHECK(same_floats(after.grads[i], before.grads[i]));
    }

    model->network->weights_will_change();   // the trainer's call: the stored bytes, exactly
    CHECK(w.packed.panels.empty());
    for (size_t i = 0; i < set.layers.size(); ++i) {
        CHECK(set.layers[i]->view.packed == nullptr);
        CHECK(std::memcmp(set.layers[i]->view.data, stored[i].data(), stored[i].size()) == 0);
    }
}
