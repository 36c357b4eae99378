// The inference forward pass over a Body (see body.h): embeddings, the shared block layer, final norm
// and head. Hidden state L is taken after the final norm when there is one, as transformers reports it.
#include "model/body.h"
#include "model/weight_pack.h"

#include <algorithm>

#include "core/gemm.h"
#include "core/linear.h"
#include "core/ops.h"
#include "model/encoder.h"
#include "model/forward_job.h"
#include "model/trace_fill.h"

namespace attn {

void body_token_rows(const Body& body, const std::vector<int32_t>& ids, float* rows) {
    const int D = body.n_embd();
    for (size_t t = 0; t < ids.size(); ++t) weight_row_f32(body.embed.token.view, ids[t], rows + t * D);
}

std::vector<int> body_positions(const Body& body, const std::vector<int32_t>& ids) {
    return encoder_position_ids(ids, body.embed.position_pad_id);
}

void body_embed_sum(const Body& body, const std::vector<int32_t>& ids, const float* rows, float* h) {
    const EmbedWeights& e = body.embed;
    const int D = body.n_embd(), T = static_cast<int>(ids.size());
    std::vector<float> row(D);   // (D) one position embedding
    const std::vector<int> positions = e.position.empty() ? std::vector<int>{} : body_positions(body, ids);
    for (int t = 0; t < T; ++t) {
        float* ht = h + static_cast<size_t>(t) * D;
        const float* rt = rows + static_cast<size_t>(t) * D;
        for (int i = 0; i < D; ++i) ht[i] = e.token_scale * rt[i];
        if (!e.position.empty()) {
            weight_row_f32(e.position.view, positions[t], row.data());
            add_inplace(ht, row.data(), D);
        }
        if (!e.token_type.values.empty()) add_inplace(ht, e.token_type.data(), D);
    }
}

std::vector<float> body_head_rows(const Body& body, std::vector<float> rows, int T) {
    const HeadWeights& hw = body.head;
    if (hw.transform.w.empty()) return rows;
    const int D = body.n_embd();
    std::vector<float> x(static_cast<size_t>(T) * D);   // (T, D) the masked-LM transform's output
    linear(rows.data(), T, hw.transform.w.view, hw.transform.b.data(), x.data());
    activation_apply(hw.transform_activation, x.data(), static_cast<long>(x.size()));
    layer_norm(x.data(), T, D, hw.transform_norm.w.data(), hw.transform_norm.b.data(), body.recipe.eps, x.data());
    return x;
}

void body_head_logits(const Body& body, const float* rows, int T, float* logits) {
    const std::vector<float> x = body_head_rows(body, std::vector<float>(rows, rows + static_cast<size_t>(T) * body.n_embd()), T);
    linear(x.data(), T, body.unembed(), body.head.bias.data(), logits);
}

namespace {

// body_forward in steps: the embeddings, the stack's steps, then the final norm and head.
class BodyForwardJob : public ForwardJob {
public:
    BodyForwardJob(const Body& body, const std::vector<int32_t>& ids, const TraceOptions& options)
        : body_(body), ids_(ids), options_(options) {
        const WeightMatrix& unembed = body.unembed();
        const int P = options.logit_positions.empty() ? 1 : static_cast<int>(options.logit_positions.size());
        head_columns_ = columns_per_run(unembed, P, options.step_multiply_adds);
        steps_total_ = 1 + StackRun::steps_for(body.recipe, body.blocks, static_cast<int>(ids.size()), 0,
                                               options.step_multiply_adds) + 1 + column_runs(unembed, P, options.step_multiply_adds);
    }
    BodyForwardJob(const BodyForwardJob&) = delete;   // stack_ points into trace_, h_ and options_
    BodyForwardJob& operator=(const BodyForwardJob&) = delete;

    // The embeddings, the stack's steps (StackRun: half a pre-LN block each, or its parts), the final
    // norm, the LM head's columns in runs (a 124M model's, 150 MB of f32 for one row, was one 30-50 ms step).
    int steps_total() const override { return steps_total_; }
    int steps_done() const override { return std::min(next_, steps_total_); }   // a progress bar's, never past
    // From the runs themselves, not the count (a miscounted steps_total shows in the tests' step counts).
    bool done() const override { return head_begun_ && head_next_ * head_columns_ >= body_.unembed().n_out(); }
    void step() override {
        if (done()) return;
        if (next_ == 0) embed();
        else if (!stack_->done()) stack_->step();
        else if (!head_begun_) head_begin();
        else head_run();
        ++next_;
    }
    Trace take() override { return std::move(trace_); }

private:
    void embed() {
        const BlockRecipe& r = body_.recipe;
        const int T = static_cast<int>(ids_.size()), D = body_.n_embd(), L = static_cast<int>(body_.blocks.size());
        trace_.architecture = body_.architecture;
        trace_.tokens.ids = ids_;
        // Each layer's zeros come with its step (attention_reserve): a frame does not fault in them all.
        if (options_.capture_attentions) attention_reserve(trace_.attentions, L, r.n_head, T, T, r.causal);
        else attention_allocate(trace_.attentions, false, L, r.n_head, T, T, r.causal);
        hidden_allocate(trace_.hidden_states, options_.capture_hidden_states, L + 1, T, D);
        h_.resize(static_cast<size_t>(T) * D);
        body_token_rows(body_, ids_, h_.data());
        body_embed_sum(body_, ids_, h_.data(), h_.data());
        if (!body_.embed.norm.w.values.empty())
            layer_norm(h_.data(), T, D, body_.embed.norm.w.data(), body_.embed.norm.b.data(), r.eps, h_.data());
        StackCapture capture{options_.capture_attentions ? &trace_.attentions : nullptr, nullptr, &trace_.hidden_states};
        stack_ = std::make_unique<StackRun>(r, body_.blocks, h_, T, nullptr, 0, capture, options_.hooks, "", true,
                                            options_.step_multiply_adds);
    }

    // body_head_logits in parts: the rows (and an MLM head's transform), then the unembedding's column runs.
    void head_begin() {
        head_begun_ = true;
        const int T = static_cast<int>(ids_.size()), D = body_.n_embd(), L = static_cast<int>(body_.blocks.size());
        if (!body_.head.final_norm.w.values.empty()) {
            norm_apply(body_.recipe, body_.head.final_norm, h_.data(), T, D, h_.data());
            options_.hooks.observe("final_norm", T, D, h_.data());
        }
        hidden_capture(trace_.hidden_states, L, h_);
        head_rows_ = logits_begin(trace_, h_.data(), T, D, body_.unembed().n_out(), options_);
        head_rows_ = body_head_rows(body_, head_rows_, static_cast<int>(trace_.logit_positions.size()));
    }

    void head_run() {
        const WeightMatrix& unembed = body_.unembed();
        const int n0 = head_next_ * head_columns_, n1 = std::min(unembed.n_out(), n0 + head_columns_);
        gemm_columns(head_rows_.data(), static_cast<int>(trace_.logit_positions.size()), unembed, body_.head.bias.data(),
                     trace_.logits.data(), n0, n1);
        ++head_next_;
    }

    const Body& body_;
    std::vector<int32_t> ids_;
    TraceOptions options_;
    Trace trace_;
    std::vector<float> h_;   // (T, D) residual stream
    int steps_total_ = 0;
    std::unique_ptr<StackRun> stack_;
    bool head_begun_ = false;
    std::vector<float> head_rows_;   // (P, D) the rows the LM head reads
    int head_columns_ = 0, head_next_ = 0;   // its columns a step, and the next run
    int next_ = 0;
};

}  // namespace

std::unique_ptr<ForwardJob> body_forward_job(const Body& body, const std::vector<int32_t>& ids, const TraceOptions& options) {
    return std::make_unique<BodyForwardJob>(body, ids, options);
}

Trace body_forward(const Body& body, const std::vector<int32_t>& ids, const TraceOptions& options) {
    BodyForwardJob job(body, ids, options);
    return forward_job_finish(job);
}

LayerMatrices body_layer_matrices(Body& body) {
    LayerMatrices m;
    for (BlockWeights& b : body.blocks) add_block_matrices(m, b);
    if (!body.head.transform.w.empty()) m.layers.push_back(&body.head.transform.w);
    m.tables = {&body.embed.token, &body.embed.position, &body.head.unembed};
    return m;
}

namespace {

class BodyNetwork : public Network {
public:
    BodyNetwork(const BodyNetwork&) = delete;   // body_.recipe points into body_.rope_inv_freq
    BodyNetwork& operator=(const BodyNetwork&) = delete;
    BodyNetwork(Body body, const ModelInfo& info, const WeightStore& store)
        : body_(std::move(body)), info_(info), store_(store) {
        body_.recipe.rope_inv_freq = body_.rope_inv_freq.empty() ? nullptr : &body_.rope_inv_freq;
    }
    void pack_weights() override { attn::pack_weights(body_.packed, body_layer_matrices(body_)); }
    bool pack_weights_step() override { return attn::pack_weights_step(body_.packed, body_layer_matrices(body_)); }
    void weights_will_change() override { unpack_weights(body_.packed, body_layer_matrices(body_)); }
    int packed_in_place() const override { return attn::packed_in_place(body_layer_matrices(const_cast<Body&>(body_))); }   // reads only
    const ModelInfo& info() const override { return info_; }
    const Body* body() const override { return &body_; }
    Trace forward(const std::vector<int32_t>& ids, const TraceOptions& options) const override {
        return body_forward(body_, ids, options);
    }
    std::unique_ptr<ForwardJob> forward_job(const std::vector<int32_t>& ids, const TraceOptions& options) const override {
        return body_forward_job(body_, ids, options);
    }

private:
    Body body_;
    ModelInfo info_;
    WeightStore store_;   // keeps the file bytes the matrices point into alive
};

}  // namespace

std::unique_ptr<Network> body_network(Body body, const ModelInfo& info, const WeightStore& store) {
    return std::make_unique<BodyNetwork>(std::move(body), info, store);
}

}  // namespace attn
