#include "analysis/head_computation.h"

#include <cmath>
#include <limits>

#include "analysis/observed.h"
#include "model/body.h"

namespace attn {

const char* head_step_name(HeadStep step) {
    switch (step) {
    case HeadStep::input: return "input";
    case HeadStep::qkv: return "qkv";
    case HeadStep::rope: return "rope";
    case HeadStep::gqa: return "gqa";
    case HeadStep::scores: return "scores";
    case HeadStep::scale: return "scale";
    case HeadStep::mask: return "mask";
    case HeadStep::softmax: return "softmax";
    case HeadStep::context: return "context";
    case HeadStep::entropy: return "entropy";
    }
    return "input";
}

bool head_step_from_name(const std::string& name, HeadStep* out) {
    for (HeadStep s : {HeadStep::input, HeadStep::qkv, HeadStep::rope, HeadStep::gqa, HeadStep::scores, HeadStep::scale,
                       HeadStep::mask, HeadStep::softmax, HeadStep::context, HeadStep::entropy})
        if (name == head_step_name(s)) {
            *out = s;
            return true;
        }
    return false;
}

namespace {

// Columns [col, col + width) of an observed (rows, cols) tensor.
StepMatrix column_block(const ObservedTensor& t, int col, int width) {
    StepMatrix m;
    m.rows = t.rows;
    m.cols = width;
    m.data.resize(static_cast<size_t>(t.rows) * width);
    for (int r = 0; r < t.rows; ++r)
        for (int c = 0; c < width; ++c) m.data[static_cast<size_t>(r) * width + c] = t.data[static_cast<size_t>(r) * t.cols + col + c];
    return m;
}

StepMatrix zeros(int rows, int cols) { return StepMatrix{rows, cols, std::vector<float>(static_cast<size_t>(rows) * cols, 0.0f)}; }

}  // namespace

Expected<HeadComputation> head_computation(const Model& model, const Trace& trace, HeadStack stack, int layer,
                                           int head) {
    const ModelInfo& info = model.info();
    const bool seq2seq = info.encoder_decoder;
    if (stack != HeadStack::self && !seq2seq)
        return make_error("the " + std::string(stack == HeadStack::cross ? "cross" : "decoder") +
                          " attention exists only in encoder-decoder models");
    if (trace.tokens.ids.empty() || (seq2seq && trace.decoder_tokens.ids.empty()))
        return make_error("there is no input to compute the head on");
    const int n_layer = stack == HeadStack::self ? info.n_layer : info.n_decoder_layer;
    const int n_head = stack == HeadStack::self ? info.n_head : info.n_decoder_head;
    const int n_kv = stack == HeadStack::self && info.n_kv_head > 0 ? info.n_kv_head : n_head;
    if (layer < 0 || layer >= n_layer) return make_error("layer " + std::to_string(layer) + " is outside 0.." + std::to_string(n_layer - 1));
    if (head < 0 || head >= n_head) return make_error("head " + std::to_string(head) + " is outside 0.." + std::to_string(n_head - 1));

    const std::string prefix = (stack == HeadStack::self ? "" : "decoder.") + std::string("layer.") + std::to_string(layer) + ".";
    const std::string part = stack == HeadStack::cross ? "cross_" : "";
    const std::string in_name = prefix + (stack == HeadStack::cross ? "cross_in" : "attn_in");
    const std::string q_name = prefix + part + "queries", k_name = prefix + part + "keys",
                      v_name = prefix + part + "values", s_name = prefix + part + "score_scale";
    ObservedTensors seen({in_name, q_name, k_name, v_name, s_name});
    TraceOptions options;
    options.capture_attentions = false;
    options.capture_hidden_states = false;
    options.hooks.observer = seen.observer();
    Expected<Trace> run = seq2seq ? model_trace_seq2seq(model, trace.tokens.ids, trace.decoder_tokens.ids, options)
                                  : model_trace(model, trace.tokens.ids, options);
    if (!run) return run.error();
    const ObservedTensor *x = seen.find(in_name), *q = seen.find(q_name), *k = seen.find(k_name),
                         *v = seen.find(v_name), *s = seen.find(s_name);
    if (!x || !q || !k || !v || !s) return make_error("the model did not report this head's queries and keys");

    HeadComputation c;
    c.stack = stack;
    c.layer = layer;
    c.head = head;
    c.n_head = n_head;
    c.n_kv_head = n_kv;
    c.d_head = q->cols / n_head;
    c.d_model = x->cols;
    c.n_query = q->rows;
    c.n_key = k->rows;
    const int group = n_head / n_kv;
    c.kv_head = head / group;
    for (int h = c.kv_head * group; h < (c.kv_head + 1) * group; ++h) c.shared_heads.push_back(h);
    const Body* body = stack == HeadStack::self ? model.network->body() : nullptr;
    c.rope = body && !body->rope_inv_freq.empty();
    c.pre_norm = body && !body->recipe.post_ln;
    c.scale = s->data[0];
    c.scale_is_inverse_sqrt = std::abs(c.scale - 1.0f / std::sqrt(static_cast<float>(c.d_head))) < 1e-6f;
    const bool causal = stack == HeadStack::decoder || (stack == HeadStack::self && info.causal);
    c.mask = causal ? ScoreMask::causal : ScoreMask::none;

    c.input = StepMatrix{x->rows, x->cols, x->data};
    c.q = column_block(*q, head * c.d_head, c.d_head);
    c.k = column_block(*k, c.kv_head * c.d_head, c.d_head);
    c.v = column_block(*v, c.kv_head * c.d_head, c.d_head);

    const int T = c.n_query, S = c.n_key, hd = c.d_head;
    c.scores = zeros(T, S);
    c.scaled = zeros(T, S);
    c.masked = zeros(T, S);
    c.probs = zeros(T, S);
    c.context = zeros(T, hd);
    c.entropy_bits.assign(static_cast<size_t>(T), 0.0f);
    c.max_bits.assign(static_cast<size_t>(T), 0.0f);
    const float hidden = -std::numeric_limits<float>::infinity();
    for (int t = 0; t < T; ++t) {
        const int seen_keys = causal ? std::min(S, t + 1) : S;
        double best = -INFINITY;
        for (int j = 0; j < S; ++j) {
            double dot = 0.0;
            for (int i = 0; i < hd; ++i) dot += static_cast<double>(c.q.at(t, i)) * c.k.at(j, i);
            const size_t at = static_cast<size_t>(t) * S + j;
            c.scores.data[at] = static_cast<float>(dot);
            c.scaled.data[at] = static_cast<float>(dot * c.scale);
            c.masked.data[at] = j < seen_keys ? c.scaled.data[at] : hidden;
            if (j < seen_keys) best = std::max(best, dot * c.scale);
        }
        double sum = 0.0;
        std::vector<double> e(static_cast<size_t>(S), 0.0);
        for (int j = 0; j < seen_keys; ++j) sum += e[j] = std::exp(static_cast<double>(c.scores.at(t, j)) * c.scale - best);
        double entropy = 0.0;
        for (int j = 0; j < seen_keys; ++j) {
            const double p = e[j] / sum;
            c.probs.data[static_cast<size_t>(t) * S + j] = static_cast<float>(p);
            if (p > 0.0) entropy -= p * std::log2(p);
            for (int i = 0; i < hd; ++i) c.context.data[static_cast<size_t>(t) * hd + i] += static_cast<float>(p * c.v.at(j, i));
        }
        c.entropy_bits[t] = static_cast<float>(entropy);
        c.max_bits[t] = static_cast<float>(std::log2(static_cast<double>(seen_keys)));
    }

    c.steps = {HeadStep::input, HeadStep::qkv};
    if (c.rope) c.steps.push_back(HeadStep::rope);
    if (group > 1) c.steps.push_back(HeadStep::gqa);
    for (HeadStep st : {HeadStep::scores, HeadStep::scale, HeadStep::mask, HeadStep::softmax, HeadStep::context, HeadStep::entropy})
        c.steps.push_back(st);
    return c;
}

}  // namespace attn
