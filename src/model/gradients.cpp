// The differentiable pass (gradients.h) over any Body: a forward with the core/nn_* operations in f32
// that fills the activations record (grad_record.h), the score on the scored row, and a backward that
// walks the record in reverse: head -> blocks (grad_block.cpp) -> embeddings. Weights stay in their stored dtype: the
// forward multiplies with linear_forward_stored and input gradients use linear_backward_input, so 16-bit
// checkpoints are widened block by block, never copied. The same code runs in double (weights widened
// once per pass) for whole-model finite-difference tests: every function is a template on Real.
#include "model/gradients.h"

#include <algorithm>
#include <optional>
#include <string>

#include "core/nn_act.h"
#include "core/nn_loss.h"
#include "model/grad_block.h"
#include "model/grad_pass.h"
#include "model/memory_estimate.h"

namespace attn {
namespace {

using grad::Pass;
using grad::unembed_matrix;
using grad::zeros;

// The head on one row h (D): fills the head slots, returns nothing; logprobs end in rec.head.logprobs.
template <typename Real>
void head_record(Pass<Real>& p, const Real* h) {
    const Body& body = p.body;
    const HeadWeights& hw = body.head;
    GradRecord<Real>& rec = p.rec;
    const HeadSlots& s = rec.head;
    const int D = rec.D;
    const Real* x = h;
    if (!hw.final_norm.w.values.empty()) {
        norm_forward(p, body.recipe.norm, hw.final_norm, h, 1, D, rec.at(s.fn_out), rec.at(s.fn_mean), rec.at(s.fn_rstd));
        x = rec.at(s.fn_out);
    }
    if (!hw.transform.w.empty()) {
        dense_forward(p, hw.transform, x, 1, rec.at(s.tr_pre));
        activation_forward(hw.transform_activation, rec.at(s.tr_act), rec.at(s.tr_pre), D);
        layernorm_forward(rec.at(s.tn_out), rec.at(s.tn_mean), rec.at(s.tn_rstd), rec.at(s.tr_act),
                          p.vec(hw.transform_norm.w), p.vec(hw.transform_norm.b), static_cast<Real>(body.recipe.eps), 1, D);
        x = rec.at(s.tn_out);
    }
    Real* logprobs = rec.at(s.logprobs);
    linear_fwd(p, unembed_matrix(body), hw.bias, x, 1, logprobs);
    logsoftmax_forward(logprobs, logprobs, 1, rec.V);
}

// dlogits (V) -> dh (D) += for the row h the head read.
template <typename Real>
void head_unrecord(Pass<Real>& p, const Real* h, const Real* dlogits, Real* dh) {
    const Body& body = p.body;
    const HeadWeights& hw = body.head;
    GradRecord<Real>& rec = p.rec;
    const HeadSlots& s = rec.head;
    const int D = rec.D;
    const bool final_norm = !hw.final_norm.w.values.empty(), transform = !hw.transform.w.empty();
    const Real* x_fn = final_norm ? rec.at(s.fn_out) : h;   // the transform's (or unembedding's) input
    const Real* x_un = transform ? rec.at(s.tn_out) : x_fn;
    std::vector<Real> dx = zeros<Real>(D);   // d score / d (the unembedding's input)
    linear_bwd(p, unembed_matrix(body), hw.bias, dx.data(), dlogits, x_un, 1);
    if (transform) {
        std::vector<Real> dact = zeros<Real>(D), dpre = zeros<Real>(D), dtr = zeros<Real>(D);
        layernorm_backward(dact.data(), p.pg.of(hw.transform_norm.w), p.pg.of(hw.transform_norm.b), dx.data(),
                           rec.at(s.tr_act), p.vec(hw.transform_norm.w), rec.at(s.tn_mean), rec.at(s.tn_rstd), 1, D);
        activation_backward(hw.transform_activation, dpre.data(), dact.data(), rec.at(s.tr_pre), D);
        dense_backward(p, hw.transform, dtr.data(), dpre.data(), x_fn, 1);
        dx.swap(dtr);
    }
    if (final_norm)
        norm_backward(p, body.recipe.norm, hw.final_norm, dh, dx.data(), h, rec.at(s.fn_mean), rec.at(s.fn_rstd), 1, D);
    else
        for (int i = 0; i < D; ++i) dh[i] += dx[i];
}

// Embeddings: rec.e -> hidden[0].
template <typename Real>
void embed_record(Pass<Real>& p, const std::vector<int32_t>& ids) {
    const Body& body = p.body;
    GradRecord<Real>& rec = p.rec;
    const int T = rec.T, D = rec.D;
    const EmbedWeights& e = body.embed;
    Real* h0 = rec.at(rec.hidden[0]);
    Real* sum = e.norm.w.values.empty() ? h0 : rec.at(rec.emb_sum);   // token_scale * e + position + type
    const Real* rows = rec.at(rec.e);
    const Real* type = p.vec(e.token_type);
    std::vector<float> position(D);
    const std::vector<int> positions = e.position.empty() ? std::vector<int>{} : body_positions(body, ids);
    for (int t = 0; t < T; ++t) {
        Real* st = sum + static_cast<size_t>(t) * D;
        const Real* rt = rows + static_cast<size_t>(t) * D;
        for (int i = 0; i < D; ++i) st[i] = static_cast<Real>(e.token_scale) * rt[i];
        if (!e.position.empty()) {
            weight_row_f32(e.position.view, positions[t], position.data());
            for (int i = 0; i < D; ++i) st[i] += position[i];
        }
        if (type)
            for (int i = 0; i < D; ++i) st[i] += type[i];
    }
    if (!e.norm.w.values.empty())
        layernorm_forward(h0, rec.at(rec.emb_mean), rec.at(rec.emb_rstd), sum, p.vec(e.norm.w), p.vec(e.norm.b),
                          static_cast<Real>(body.recipe.eps), T, D);
    p.observe("embed", T, D, h0);
}

// dh0 (T, D) -> d_token_embeds (T, D) =; parameter gradients of the tables.
template <typename Real>
void embed_unrecord(Pass<Real>& p, const std::vector<int32_t>& ids, bool looked_up, const std::vector<Real>& dh0,
                    std::vector<Real>& d_token_embeds) {
    const Body& body = p.body;
    const EmbedWeights& e = body.embed;
    GradRecord<Real>& rec = p.rec;
    const int T = rec.T, D = rec.D;
    std::vector<Real> dsum = dh0;   // d score / d (token_scale * e + position + type)
    if (!e.norm.w.values.empty()) {
        std::fill(dsum.begin(), dsum.end(), 0.0f);
        layernorm_backward(dsum.data(), p.pg.of(e.norm.w), p.pg.of(e.norm.b), dh0.data(), rec.at(rec.emb_sum),
                           p.vec(e.norm.w), rec.at(rec.emb_mean), rec.at(rec.emb_rstd), T, D);
    }
    d_token_embeds.resize(dsum.size());
    for (size_t i = 0; i < dsum.size(); ++i) d_token_embeds[i] = e.token_scale * dsum[i];
    if (!p.pg.on()) return;
    if (Real* g = looked_up ? p.pg.of(e.token) : nullptr)
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < D; ++i) g[static_cast<size_t>(ids[t]) * D + i] += d_token_embeds[static_cast<size_t>(t) * D + i];
    if (Real* g = p.pg.of(e.position)) {
        const std::vector<int> positions = body_positions(body, ids);
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < D; ++i) g[static_cast<size_t>(positions[t]) * D + i] += dsum[static_cast<size_t>(t) * D + i];
    }
    if (Real* g = p.pg.of(e.token_type))
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < D; ++i) g[i] += dsum[static_cast<size_t>(t) * D + i];
}

template <typename Real>
int argmax(const Real* x, int n) { return static_cast<int>(std::max_element(x, x + n) - x); }

// default_position: where to score when the request names no position.
template <typename Real>
GradResult gradients_run(const Body& body, const std::vector<int32_t>& ids, const GradRequest& request,
                         int default_position) {
    const int T = static_cast<int>(ids.size());
    GradRecord<Real> rec = grad_record_plan<Real>(body, T);
    const int D = rec.D, V = rec.V, L = rec.L, H = rec.H;
    const std::string who = "model_gradients: ";
    for (int t = 0; t < T; ++t)
        if (ids[t] < 0 || ids[t] >= body.embed.token.view.rows)
            throw Error(who + "token id " + std::to_string(ids[t]) + " at position " + std::to_string(t) +
                        " is outside the vocabulary (" + std::to_string(body.embed.token.view.rows) + " tokens)");
    if (!request.token_embeds.empty() && request.token_embeds.size() != static_cast<size_t>(T) * D)
        throw Error(who + "token_embeds has " + std::to_string(request.token_embeds.size()) + " values, expected T x D = " +
                    std::to_string(T) + " x " + std::to_string(D));
    GradResult res;
    res.position = request.score.position < 0 ? default_position : request.score.position;
    if (res.position >= T)
        throw Error(who + "score position " + std::to_string(res.position) + " is outside the input (" + std::to_string(T) +
                    " tokens)");
    if (request.score.target >= V || request.score.target < -1)
        throw Error(who + "target token " + std::to_string(request.score.target) + " is outside the vocabulary (" +
                    std::to_string(V) + " tokens)");
    if (request.score.foil >= V)
        throw Error(who + "foil token " + std::to_string(request.score.foil) + " is outside the vocabulary (" +
                    std::to_string(V) + " tokens)");

    ParamGradients<Real> pg(request.backward && request.want_param_grads);
    Pass<Real> p{body, request.hooks, rec, pg, {}, {}, {}, {}};
    pass_prepare(p);

    // Forward.
    std::vector<float> rows = request.token_embeds;   // (T, D)
    if (rows.empty()) {
        rows.resize(static_cast<size_t>(T) * D);
        body_token_rows(body, ids, rows.data());
    }
    std::copy(rows.begin(), rows.end(), rec.at(rec.e));
    embed_record(p, ids);
    for (int l = 0; l < L; ++l) block_record(p, l);
    const Real* h_row = rec.at(rec.hidden[L]) + static_cast<size_t>(res.position) * D;
    head_record(p, h_row);
    const Real* logprobs = rec.at(rec.head.logprobs);
    res.target = request.score.target >= 0 ? request.score.target : argmax(logprobs, V);
    res.foil = request.score.foil >= 0 ? request.score.foil : -1;
    const Real score = score_forward(logprobs, res.target, res.foil);
    res.score = static_cast<float>(score);
    res.score_f64 = static_cast<double>(score);
    res.target_logprob = logprobs[res.target];
    res.foil_logprob = res.foil >= 0 ? logprobs[res.foil] : 0.0f;
    res.logprobs.assign(logprobs, logprobs + V);
    res.token_embeds = std::move(rows);
    const size_t plane = static_cast<size_t>(T) * T;
    if (request.capture_attentions) {
        res.attentions = AttentionTensor{L, H, T, T, body.recipe.causal, {}};
        res.attentions.probs.resize(static_cast<size_t>(L) * H * plane);
        for (int l = 0; l < L; ++l)
            std::copy_n(rec.at(rec.layers[l].probs), H * plane, res.attentions.probs.data() + l * H * plane);
    }
    if (!request.backward) return res;

    // Backward, the record in reverse.
    std::vector<Real> dlogits = zeros<Real>(V);
    score_backward(dlogits.data(), logprobs, V, res.target, res.foil, Real(1));
    std::vector<Real> dh = zeros<Real>(static_cast<size_t>(T) * D);
    head_unrecord(p, h_row, dlogits.data(), dh.data() + static_cast<size_t>(res.position) * D);
    std::vector<Real> dprobs = zeros<Real>(static_cast<size_t>(L) * H * plane), dgates = zeros<Real>(static_cast<size_t>(L) * H);
    for (int l = L - 1; l >= 0; --l) block_unrecord(p, l, dh, dprobs.data() + l * H * plane, dgates.data() + l * H);
    std::vector<Real> dtok;
    embed_unrecord(p, ids, request.token_embeds.empty(), dh, dtok);
    res.d_attentions.assign(dprobs.begin(), dprobs.end());
    res.d_head_gates.assign(dgates.begin(), dgates.end());
    res.d_token_embeds.assign(dtok.begin(), dtok.end());
    if (pg.on()) res.param_grads = pg.collect(body);
    return res;
}

// Training: forward, then the head and the cross-entropy on every labelled row, then the backward into
// the caller's accumulators (one ParamGradients over a whole batch).
LossResult loss_run(const Body& body, const std::vector<int32_t>& ids, const std::vector<int32_t>& labels, float scale,
                    ParamGradients<float>* grads) {
    const int T = static_cast<int>(ids.size());
    const std::string who = "body_loss_gradients: ";
    if (labels.size() != ids.size())
        throw Error(who + std::to_string(labels.size()) + " labels for " + std::to_string(T) + " tokens");
    GradRecord<float> rec = grad_record_plan<float>(body, T);
    const int D = rec.D, V = rec.V, L = rec.L, H = rec.H;
    for (int t = 0; t < T; ++t) {
        if (ids[t] < 0 || ids[t] >= body.embed.token.view.rows)
            throw Error(who + "token id " + std::to_string(ids[t]) + " at position " + std::to_string(t) +
                        " is outside the vocabulary (" + std::to_string(body.embed.token.view.rows) + " tokens)");
        if (labels[t] >= V || labels[t] < -1)
            throw Error(who + "label " + std::to_string(labels[t]) + " at position " + std::to_string(t) +
                        " is outside the vocabulary (" + std::to_string(V) + " tokens)");
    }
    ParamGradients<float> off(false);
    ParamGradients<float>& pg = grads ? *grads : off;
    const ForwardHooks no_hooks;
    Pass<float> p{body, no_hooks, rec, pg, {}, {}, {}, {}};
    pass_prepare(p);
    body_token_rows(body, ids, rec.at(rec.e));
    embed_record(p, ids);
    for (int l = 0; l < L; ++l) block_record(p, l);

    LossResult res;
    res.predicted.assign(T, -1);
    std::vector<float> dh = zeros<float>(static_cast<size_t>(T) * D), dlogits(V);
    for (int t = 0; t < T; ++t) {
        if (labels[t] < 0) continue;
        const float* h_row = rec.at(rec.hidden[L]) + static_cast<size_t>(t) * D;
        head_record(p, h_row);   // the head's slots hold one row: record and unrecord it before the next
        const float* logprobs = rec.at(rec.head.logprobs);
        res.predicted[t] = argmax(logprobs, V);
        res.loss -= logprobs[labels[t]];
        res.n_labelled += 1;
        res.n_correct += res.predicted[t] == labels[t];
        if (!grads) continue;
        std::fill(dlogits.begin(), dlogits.end(), 0.0f);
        score_backward(dlogits.data(), logprobs, V, labels[t], -1, -scale);   // d (scale * -logprob) / d logits
        head_unrecord(p, h_row, dlogits.data(), dh.data() + static_cast<size_t>(t) * D);
    }
    if (!grads) return res;
    const size_t plane = static_cast<size_t>(T) * T;
    std::vector<float> dprobs = zeros<float>(static_cast<size_t>(L) * H * plane), dgates = zeros<float>(static_cast<size_t>(L) * H);
    for (int l = L - 1; l >= 0; --l) block_unrecord(p, l, dh, dprobs.data() + l * H * plane, dgates.data() + l * H);
    std::vector<float> dtok;
    embed_unrecord(p, ids, true, dh, dtok);
    return res;
}

}  // namespace

int score_position_default(const Model& model, const std::vector<int32_t>& ids) {
    const int last = static_cast<int>(ids.size()) - 1;
    if (model.info().causal || model.info().encoder_decoder) return last;
    for (const char* name : {"[MASK]", "<mask>"})
        if (std::optional<int32_t> mask = model.tokenizer.token_to_id(name))
            for (size_t t = 0; t < ids.size(); ++t)
                if (ids[t] == *mask) return static_cast<int>(t);
    return last;
}

Expected<GradResult> model_gradients(const Model& model, const std::vector<int32_t>& ids, const GradRequest& request) {
    const Body* body = model.network->body();
    if (!body)
        return make_error("model_gradients: " + model.info().architecture +
                          " is an encoder-decoder model; gradients are computed for decoder-only and encoder models");
    if (ids.empty()) return make_error("model_gradients: the input has no tokens");
    if (static_cast<int>(ids.size()) > model.info().n_ctx)
        return make_error("model_gradients: the input has " + std::to_string(ids.size()) +
                          " tokens, more than the model's context of " + std::to_string(model.info().n_ctx));
    const int T = static_cast<int>(ids.size());
    if (auto refused = trace_memory_check(model.info(), T, gradients_bytes_estimate(model.info(), T, request.capture_attentions,
                                                                                    request.want_param_grads)))
        return *refused;
    return catch_errors([&] { return gradients_run<float>(*body, ids, request, score_position_default(model, ids)); });
}

Expected<GradResult> body_gradients(const Body& body, const std::vector<int32_t>& ids, const GradRequest& request) {
    if (ids.empty()) return make_error("model_gradients: the input has no tokens");
    return catch_errors([&] { return gradients_run<float>(body, ids, request, static_cast<int>(ids.size()) - 1); });
}

Expected<GradResult> body_gradients_f64(const Body& body, const std::vector<int32_t>& ids, const GradRequest& request) {
    if (ids.empty()) return make_error("model_gradients: the input has no tokens");
    return catch_errors([&] { return gradients_run<double>(body, ids, request, static_cast<int>(ids.size()) - 1); });
}

Expected<std::vector<float>> model_lens_logits(const Model& model, const float* hidden, int T) {
    const Body* body = model.network->body();
    if (!body)
        return make_error("model_lens_logits: " + model.info().architecture +
                          " is an encoder-decoder model; the logit lens reads decoder-only and encoder models");
    const int D = body->n_embd();
    std::vector<float> rows(hidden, hidden + static_cast<size_t>(T) * D);   // (T, D)
    if (!body->head.final_norm.w.values.empty()) norm_apply(body->recipe, body->head.final_norm, rows.data(), T, D, rows.data());
    std::vector<float> logits(static_cast<size_t>(T) * body->unembed().n_out());   // (T, V)
    body_head_logits(*body, rows.data(), T, logits.data());
    return logits;
}

Expected<LossResult> body_loss_gradients(const Body& body, const std::vector<int32_t>& ids,
                                         const std::vector<int32_t>& labels, float scale, ParamGradients<float>* grads) {
    if (ids.empty()) return make_error("body_loss_gradients: the input has no tokens");
    return catch_errors([&] { return loss_run(body, ids, labels, scale, grads); });
}

}  // namespace attn
