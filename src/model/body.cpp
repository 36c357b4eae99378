// The inference forward pass over a Body (see body.h): embeddings, the shared block layer, final norm
// and head. Hidden state L is taken after the final norm when there is one, as transformers reports it.
#include "model/body.h"

#include <algorithm>

#include "core/linear.h"
#include "core/ops.h"
#include "model/encoder.h"
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

void body_head_logits(const Body& body, const float* rows, int T, float* logits) {
    const HeadWeights& hw = body.head;
    const int D = body.n_embd();
    std::vector<float> x;   // (T, D) the masked-LM transform's output
    if (!hw.transform.w.empty()) {
        x.resize(static_cast<size_t>(T) * D);
        linear(rows, T, hw.transform.w.view, hw.transform.b.data(), x.data());
        activation_apply(hw.transform_activation, x.data(), static_cast<long>(x.size()));
        layer_norm(x.data(), T, D, hw.transform_norm.w.data(), hw.transform_norm.b.data(), body.recipe.eps, x.data());
        rows = x.data();
    }
    const WeightMatrix& unembed = body.unembed();
    linear(rows, T, unembed, hw.bias.data(), logits);
}

Trace body_forward(const Body& body, const std::vector<int32_t>& ids, const TraceOptions& options) {
    const BlockRecipe& r = body.recipe;
    const int T = static_cast<int>(ids.size()), D = body.n_embd(), L = static_cast<int>(body.blocks.size());
    Trace trace;
    trace.architecture = body.architecture;
    trace.tokens.ids = ids;
    attention_allocate(trace.attentions, options.capture_attentions, L, r.n_head, T, T, r.causal);
    hidden_allocate(trace.hidden_states, options.capture_hidden_states, L + 1, T, D);

    std::vector<float> h(static_cast<size_t>(T) * D);   // (T, D) residual stream
    body_token_rows(body, ids, h.data());
    body_embed_sum(body, ids, h.data(), h.data());
    if (!body.embed.norm.w.values.empty())
        layer_norm(h.data(), T, D, body.embed.norm.w.data(), body.embed.norm.b.data(), r.eps, h.data());
    StackCapture capture{&trace.attentions, nullptr, &trace.hidden_states};
    stack_forward(r, body.blocks, h, T, nullptr, 0, capture, options.hooks, "");
    if (!body.head.final_norm.w.values.empty()) {
        norm_apply(r, body.head.final_norm, h.data(), T, D, h.data());
        options.hooks.observe("final_norm", T, D, h.data());
    }
    hidden_capture(trace.hidden_states, L, h);

    std::vector<int> positions = options.logit_positions.empty() ? std::vector<int>{T - 1} : options.logit_positions;
    for (int& p : positions)
        if (p < 0) p = T - 1;
    std::vector<float> rows(positions.size() * D);   // (P, D) the rows logits are kept for
    for (size_t i = 0; i < positions.size(); ++i)
        std::copy_n(h.data() + static_cast<size_t>(positions[i]) * D, D, rows.data() + i * D);
    trace.n_vocab = body.unembed().n_out();
    trace.logit_positions = positions;
    trace.logits.assign(positions.size() * trace.n_vocab, 0.0f);
    body_head_logits(body, rows.data(), static_cast<int>(positions.size()), trace.logits.data());
    return trace;
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
    const ModelInfo& info() const override { return info_; }
    const Body* body() const override { return &body_; }
    Trace forward(const std::vector<int32_t>& ids, const TraceOptions& options) const override {
        return body_forward(body_, ids, options);
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
