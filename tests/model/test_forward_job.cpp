// The stepped forward (model/forward_job.h) against the whole one: the same Trace bit for bit, one step per
// block (or half a pre-LN block, or parts of one) plus the embeddings and the head, the same refusals; an
// encoder-decoder's encoder, then its decoder.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "decoder_reference.h"
#include "core/gemm.h"
#include "model/bart.h"
#include "model/block.h"
#include "model/body.h"
#include "model/forward_job.h"
#include "model/hooks.h"
#include "model/trace_fill.h"
#include "core/parallel.h"
#include "same_floats.h"

using namespace attn;

TEST_CASE("a stepped trace equals model_trace bit for bit, half a pre-LN block per step") {
    for (const char* name : {"gpt2-tiny", "gpt2-f16", "llama-tiny", "qwen2-tiny", "bert-tiny", "roberta-tiny", "distilbert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const std::vector<int32_t> ids = {5, 17, 3, 99, 42, 7, 11};
        TraceOptions options;
        options.logit_positions = {-1, 2};
        Expected<Trace> whole = model_trace(*model, ids, options);
        REQUIRE(whole.ok());
        Expected<std::unique_ptr<ForwardJob>> job = model_trace_job(*model, ids, options);
        REQUIRE(job.ok());
        ForwardJob& j = **job;
        // Embeddings, the blocks (two steps each when pre-LN: attention, then the MLP), the final norm and
        // rows, the LM head (one run of columns at this size).
        const bool post_ln = std::string(name).find("bert") != std::string::npos;
        CHECK(j.steps_total() == model->info().n_layer * (post_ln ? 1 : 2) + 3);
        int steps = 0;
        while (!j.done()) {
            CHECK(j.steps_done() == steps);
            j.step();
            ++steps;
        }
        CHECK(steps == j.steps_total());
        Trace stepped = j.take();
        CHECK(same_floats(stepped.attentions.probs, whole->attentions.probs));
        CHECK(same_floats(stepped.hidden_states.values, whole->hidden_states.values));
        CHECK(same_floats(stepped.logits, whole->logits));
        CHECK(stepped.logit_positions == whole->logit_positions);
        CHECK(stepped.tokens.ids == whole->tokens.ids);
        CHECK(stepped.tokens.pieces == whole->tokens.pieces);
    }
}

TEST_CASE("a stepped trace refuses what model_trace refuses, before any step") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    auto bad_id = model_trace_job(*model, {1, 50257}, TraceOptions{});
    REQUIRE_FALSE(bad_id.ok());
    CHECK(bad_id.error().message.find("token id 50257 is outside the vocabulary") != std::string::npos);
    auto too_long = model_trace_job(*model, std::vector<int32_t>(65, 1), TraceOptions{});
    REQUIRE_FALSE(too_long.ok());
    TraceOptions outside;
    outside.logit_positions = {3};
    CHECK_FALSE(model_trace_job(*model, {1, 2}, outside).ok());
}

namespace {

// Every tensor an encoder-decoder's trace holds, bit for bit.
void check_same_seq2seq_trace(const Trace& a, const Trace& b) {
    CHECK(same_floats(a.attentions.probs, b.attentions.probs));
    CHECK(same_floats(a.decoder_attentions.probs, b.decoder_attentions.probs));
    CHECK(same_floats(a.cross_attentions.probs, b.cross_attentions.probs));
    CHECK(same_floats(a.hidden_states.values, b.hidden_states.values));
    CHECK(same_floats(a.decoder_hidden_states.values, b.decoder_hidden_states.values));
    CHECK(same_floats(a.logits, b.logits));
    CHECK(a.logit_positions == b.logit_positions);
    CHECK(a.tokens.ids == b.tokens.ids);
    CHECK(a.tokens.pieces == b.tokens.pieces);
    CHECK(a.decoder_tokens.ids == b.decoder_tokens.ids);
    CHECK(a.decoder_tokens.pieces == b.decoder_tokens.pieces);
}

}  // namespace

TEST_CASE("an encoder-decoder's job: a block a step, each stack's embeddings and the head, to model_trace_seq2seq's bits") {
    ModelPtr model = load_fixture_model("bart-tiny");
    const ModelInfo& info = model->info();
    // A bias the stepped head must add once, after its last run (the fixture's is zeros).
    BartWeights* bw = bart_weights_mutable(*model->network);
    REQUIRE(bw);
    REQUIRE(bw->final_logits_bias.values.size() == static_cast<size_t>(info.n_vocab));
    for (int i = 0; i < info.n_vocab; ++i) bw->final_logits_bias.values[i] = 0.01f * static_cast<float>(i % 7);
    const std::vector<int32_t> source = {0, 5, 6, 9, 31, 2}, target = {2, 0, 44, 17};
    TraceOptions options;
    options.logit_positions = {-1, 1};
    // Hooks both runs see alike: an observer of every name, a decoder head gate and knockouts each side.
    std::vector<std::string> seen[3];
    int pass = 0;
    options.hooks.observer = [&](const std::string& n, int rows, int cols, const float* data) {
        double sum = 0.0;
        for (int i = 0; i < rows * cols; ++i) sum += data[i];
        seen[pass].push_back(n + " " + std::to_string(rows) + "x" + std::to_string(cols) + " " + std::to_string(sum));
    };
    options.hooks.knockouts.push_back(EdgeKnockout{0, 3, 1});
    options.hooks.decoder_head_gates.assign(static_cast<size_t>(info.n_decoder_layer) * info.n_decoder_head, 1.0f);
    options.hooks.decoder_head_gates[1] = 0.5f;
    options.hooks.decoder_knockouts.push_back(EdgeKnockout{1, 2, 1});
    Expected<Trace> whole = model_trace_seq2seq(*model, source, target, options);
    REQUIRE(whole.ok());
    for (pass = 1; pass < 3; ++pass) {
        CAPTURE(pass);
        // pass 1: a block a step; pass 2: every product a block of columns a step, a head a part.
        options.step_multiply_adds = pass == 1 ? 0.0 : 1.0;
        seen[pass].clear();
        Expected<std::unique_ptr<ForwardJob>> job = model_trace_seq2seq_job(*model, source, target, options);
        REQUIRE(job.ok());
        ForwardJob& j = **job;
        const int blocks = info.n_layer + info.n_decoder_layer;
        if (pass == 1) CHECK(j.steps_total() == blocks + 4);   // + two embeddings, the rows, one run of the head
        else CHECK(j.steps_total() > 7 * blocks);
        int steps = 0;
        for (; !j.done(); ++steps) {
            CHECK(j.steps_done() == steps);
            j.step();
        }
        CHECK(steps == j.steps_total());
        check_same_seq2seq_trace(j.take(), *whole);
        CHECK(seen[pass] == seen[0]);   // the same names, shapes and sums, in the same order
    }
    // The decoder's stack alone, its memory (S = 6) longer than its input (T = 4): the steps steps_for
    // predicts, cut or not, where the cut depends on S (a limit between the block without and with its
    // cross attention cuts only with it).
    {
        const Expected<Trace> traced = model_trace_seq2seq(*model, source, target, TraceOptions{});
        REQUIRE(traced.ok());
        const Trace& enc = *traced;
        const int S = static_cast<int>(source.size()), T = static_cast<int>(target.size()), D = info.n_embd;
        const std::vector<float> memory(enc.hidden_states.values.end() - static_cast<long>(S) * D, enc.hidden_states.values.end());
        const double F = bw->dec[0].ffn.fc1.w.view.n_out(), H = info.n_decoder_head, hd = D / H;
        const double self = 4.0 * T * D * D + 2.0 * H * T * T * hd, mlp = 2.0 * T * D * F;
        const double cross = 2.0 * T * D * D + 2.0 * S * D * D + 2.0 * H * T * S * hd;
        const ForwardHooks hooks;
        for (double step : {0.0, 1.0, self + mlp + cross / 2}) {
            CAPTURE(step);
            std::vector<float> h(static_cast<size_t>(T) * D, 0.5f);
            StackRun run(bw->dec_recipe, bw->dec, h, T, memory.data(), S, StackCapture{}, hooks, "decoder.", true, step);
            int steps = 0;
            for (; !run.done(); ++steps) run.step();
            CHECK(steps == StackRun::steps_for(bw->dec_recipe, bw->dec, T, S, step));
            CHECK(steps == run.steps_total());
            if (step == 0.0) CHECK(steps == info.n_decoder_layer);
            else CHECK(steps > 7 * info.n_decoder_layer);   // cut, with its cross attention
            if (step > 0.0) CHECK(StackRun::steps_for(bw->dec_recipe, bw->dec, T, 0, step) < steps);   // no memory: no cross parts
        }
        // Without a memory the cross attention does not run, whole or cut, to the same bits.
        std::vector<float> h[2];
        for (int cut = 0; cut < 2; ++cut) {
            h[cut].assign(static_cast<size_t>(T) * D, 0.5f);
            StackRun run(bw->dec_recipe, bw->dec, h[cut], T, nullptr, 0, StackCapture{}, hooks, "decoder.", true, cut ? 1.0 : 0.0);
            int steps = 0;
            for (; !run.done(); ++steps) run.step();
            CHECK(steps == StackRun::steps_for(bw->dec_recipe, bw->dec, T, 0, cut ? 1.0 : 0.0));
        }
        CHECK(same_floats(h[1], h[0]));
        CHECK_FALSE(std::all_of(h[0].begin(), h[0].end(), [](float x) { return x == 0.5f; }));
    }
    // A source alone: the decoder at its start token, as model_trace runs it, in steps too.
    options = TraceOptions{};
    Expected<std::unique_ptr<ForwardJob>> alone = model_trace_job(*model, source, options);
    REQUIRE(alone.ok());
    CHECK((*alone)->steps_total() == info.n_layer + info.n_decoder_layer + 4);
    while (!(*alone)->done()) (*alone)->step();
    const Trace t = (*alone)->take();
    CHECK(t.decoder_tokens.ids == std::vector<int32_t>{info.decoder_start_token_id});
    check_same_seq2seq_trace(t, *model_trace(*model, source, options));
}

TEST_CASE("a stepped encoder-decoder trace refuses what model_trace_seq2seq refuses, before any step") {
    ModelPtr model = load_fixture_model("bart-tiny");
    const int V = model->info().n_vocab;
    auto bad_source = model_trace_seq2seq_job(*model, {0, V}, {2}, TraceOptions{});
    REQUIRE_FALSE(bad_source.ok());
    CHECK(bad_source.error().message.find("outside the vocabulary") != std::string::npos);
    CHECK_FALSE(model_trace_seq2seq_job(*model, {0, 5}, {2, V}, TraceOptions{}).ok());
    TraceOptions outside;
    outside.logit_positions = {2};
    CHECK_FALSE(model_trace_seq2seq_job(*model, {0, 5}, {2, 0}, outside).ok());
    // model_trace_job decodes the start token alone: its logit positions count in that one.
    TraceOptions second;
    second.logit_positions = {1};
    auto past_start = model_trace_job(*model, {0, 5, 6, 2}, second);
    REQUIRE_FALSE(past_start.ok());
    CHECK(past_start.error().message.find("decoder tokens") != std::string::npos);
    ModelPtr gpt2 = load_fixture_model("gpt2-tiny");
    auto not_seq2seq = model_trace_seq2seq_job(*gpt2, {1}, {1}, TraceOptions{});
    REQUIRE_FALSE(not_seq2seq.ok());
    CHECK(not_seq2seq.error().message.find("not an encoder-decoder") != std::string::npos);
}

TEST_CASE("a stepped stack fills a reserved attention tensor a layer at a time; none when it captures none") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    const Body& body = *model->network->body();
    const std::vector<int32_t> ids = {5, 17, 3, 99, 42, 7, 11};
    const int T = static_cast<int>(ids.size()), D = body.n_embd(), L = static_cast<int>(body.blocks.size());
    const int H = body.recipe.n_head;
    Expected<Trace> whole = model_trace(*model, ids, TraceOptions{});
    REQUIRE(whole.ok());
    auto embedded = [&] {
        std::vector<float> h(static_cast<size_t>(T) * D);
        body_token_rows(body, ids, h.data());
        body_embed_sum(body, ids, h.data(), h.data());
        return h;
    };
    // Reserved: no values until a layer's attention step, then that layer's, in the memory reserved.
    AttentionTensor a;
    attention_reserve(a, L, H, T, T, true);
    CHECK(a.probs.empty());
    const float* reserved = a.probs.data();
    std::vector<float> h = embedded();
    const ForwardHooks hooks;   // the run keeps a reference
    StackRun run(body.recipe, body.blocks, h, T, nullptr, 0, StackCapture{&a, nullptr, nullptr}, hooks, "");
    for (int step = 0; !run.done(); ++step) {
        run.step();
        CHECK(a.probs.size() == static_cast<size_t>(step / 2 + 1) * H * T * T);   // attention, then MLP
        CHECK(a.probs.data() == reserved);
    }
    CHECK(same_floats(a.probs, whole->attentions.probs));
    // Nothing captured: the tensor keeps its shape and no values.
    AttentionTensor none;
    attention_allocate(none, false, L, H, T, T, true);
    std::vector<float> h2 = embedded();
    stack_forward(body.recipe, body.blocks, h2, T, nullptr, 0, StackCapture{nullptr, nullptr, nullptr}, hooks, "");
    CHECK(none.probs.empty());
    CHECK(same_floats(h, h2));
    TraceOptions no_attentions;
    no_attentions.capture_attentions = false;
    Expected<std::unique_ptr<ForwardJob>> job = model_trace_job(*model, ids, no_attentions);
    REQUIRE(job.ok());
    while (!(*job)->done()) (*job)->step();
    const Trace t = (*job)->take();
    CHECK(t.attentions.probs.empty());
    CHECK(t.attentions.n_layer == L);
    CHECK(same_floats(t.logits, whole->logits));
}

TEST_CASE("a stack cut into parts (column runs, groups of heads) gives the bits of half a block (pre-LN) or a block a step") {
    for (const char* name : {"gpt2-tiny", "gpt2-f16", "llama-tiny", "qwen2-tiny", "bert-tiny", "roberta-tiny", "distilbert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const Body& body = *model->network->body();
        const std::vector<int32_t> ids = {5, 17, 3, 99, 42, 7, 11, 2, 9};
        const int T = static_cast<int>(ids.size()), D = body.n_embd(), L = static_cast<int>(body.blocks.size());
        const int H = body.recipe.n_head;
        // Hooks that must see the same: an observer of every name, an editor of the context and the MLP's
        // activations, a head gate and a knockout.
        ForwardHooks hooks;
        std::vector<std::string> seen[2];
        int pass = 0;
        hooks.observer = [&](const std::string& n, int rows, int cols, const float* data) {
            double sum = 0.0;
            for (int i = 0; i < rows * cols; ++i) sum += data[i];
            seen[pass].push_back(n + " " + std::to_string(rows) + "x" + std::to_string(cols) + " " + std::to_string(sum));
        };
        hooks.editor = [](const std::string& n, int rows, int cols, float* data) {
            if (n.find("context") != std::string::npos || n.find("mlp_act") != std::string::npos)
                for (int i = 0; i < rows * cols; i += 7) data[i] *= 0.5f;
        };
        hooks.head_gates.assign(static_cast<size_t>(L) * H, 1.0f);
        hooks.head_gates[1] = 0.25f;
        hooks.knockouts.push_back(EdgeKnockout{0, 5, 2});
        std::vector<float> h[2];
        AttentionTensor a[2];
        for (pass = 0; pass < 2; ++pass) {
            h[pass].resize(static_cast<size_t>(T) * D);
            body_token_rows(body, ids, h[pass].data());
            body_embed_sum(body, ids, h[pass].data(), h[pass].data());
            attention_reserve(a[pass], L, H, T, T, true);
            // pass 1: every product's columns in runs of one block, a head a part
            const double step = pass == 0 ? 0.0 : 1.0;
            StackRun run(body.recipe, body.blocks, h[pass], T, nullptr, 0, StackCapture{&a[pass], nullptr, nullptr}, hooks, "",
                         true, step);
            CHECK(run.steps_total() == StackRun::steps_for(body.recipe, body.blocks, T, 0, step));
            int steps = 0;
            size_t grown = 0;
            for (; !run.done(); ++steps) {
                run.step();
                CHECK(a[pass].probs.size() >= grown);   // only grows, and in a cut run a few heads at a time
                if (pass == 1) CHECK(a[pass].probs.size() - grown <= static_cast<size_t>(std::max(1, thread_count())) * T * T);
                grown = a[pass].probs.size();
            }
            CHECK(steps == run.steps_total());
            CHECK(grown == static_cast<size_t>(L) * H * T * T);
            if (pass == 0) CHECK(steps == (body.recipe.post_ln ? 1 : 2) * L);
            else CHECK(steps > 6 * L);   // cut: runs of one block of columns, groups of heads
        }
        CHECK(same_floats(h[1], h[0]));
        CHECK(same_floats(a[1].probs, a[0].probs));
        CHECK(seen[1] == seen[0]);   // the same names, shapes and sums, in the same order
    }
}

TEST_CASE("a stepped trace's LM head runs a block of columns a step past step_multiply_adds, to the same logits") {
    // columns_per_step counts fewer than 8 rows as 8 and gives whole blocks.
    const int B = gemm_column_block();
    CHECK(columns_per_step(1, 768, kStackStepMultiplyAdds) == columns_per_step(8, 768, kStackStepMultiplyAdds));
    CHECK(columns_per_step(1, 768, kStackStepMultiplyAdds) % B == 0);
    CHECK(columns_per_step(1, 768, kStackStepMultiplyAdds) == static_cast<int>(kStackStepMultiplyAdds / (8 * 768)) / B * B);
    CHECK(columns_per_step(1000, 100000, kStackStepMultiplyAdds) == B);   // at least one block
    // A 124M model's LM head for one row (50257 x 768): many steps, none of more than the budget.
    const int cols = columns_per_step(1, 768, kStackStepMultiplyAdds);
    CHECK((50257 + cols - 1) / cols >= 10);
    CHECK(static_cast<double>(cols) * 768 * 8 <= kStackStepMultiplyAdds);
}

TEST_CASE("TraceOptions::step_multiply_adds cuts a stepped trace, LM head included, to model_trace's bits") {
    for (const char* name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const std::vector<int32_t> ids = {5, 17, 3, 99, 42, 7, 11};
        TraceOptions options;
        options.logit_positions = {-1, 2};
        Expected<Trace> whole = model_trace(*model, ids, options);   // 0: half a block a step
        REQUIRE(whole.ok());
        options.step_multiply_adds = 1.0;   // every product a block of columns a step
        Expected<std::unique_ptr<ForwardJob>> job = model_trace_job(*model, ids, options);
        REQUIRE(job.ok());
        const int L = model->info().n_layer;
        const int V = model->network->body()->unembed().n_out();
        CHECK((*job)->steps_total() > 2 * L + 2 + (V + gemm_column_block() - 1) / gemm_column_block() - 1);
        int steps = 0;
        for (; !(*job)->done(); ++steps) (*job)->step();
        CHECK(steps == (*job)->steps_total());
        const Trace cut = (*job)->take();
        CHECK(same_floats(cut.attentions.probs, whole->attentions.probs));
        CHECK(same_floats(cut.hidden_states.values, whole->hidden_states.values));
        CHECK(same_floats(cut.logits, whole->logits));
    }
}
