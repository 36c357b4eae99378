// Greedy and sampled decoding over model_trace (decoders) and model_trace_seq2seq (encoder-decoders).
#include "model/generate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attn {
namespace {

// splitmix64: tiny, portable, and the same on every platform (std distributions are not).
uint64_t rng_next(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double rng_uniform(uint64_t& state) { return static_cast<double>(rng_next(state) >> 11) * (1.0 / 9007199254740992.0); }

// Leaves only `allowed` possible: the others' logits become -inf, theirs 0 (as transformers does).
void logits_force(float* logits, int n_vocab, const std::vector<int32_t>& allowed) {
    std::fill(logits, logits + n_vocab, -INFINITY);
    for (int32_t id : allowed)
        if (id >= 0 && id < n_vocab) logits[id] = 0.0f;
}

}  // namespace

int32_t next_token_pick(const float* logits, int n_vocab, const GenerateOptions& options, uint64_t& rng_state) {
    if (options.temperature <= 0.0f) return static_cast<int32_t>(std::max_element(logits, logits + n_vocab) - logits);
    std::vector<int32_t> order(n_vocab);
    std::iota(order.begin(), order.end(), 0);
    int keep = options.top_k > 0 ? std::min(options.top_k, n_vocab) : n_vocab;
    std::partial_sort(order.begin(), order.begin() + keep, order.end(),
                      [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
    order.resize(keep);
    const double max_logit = logits[order[0]];
    std::vector<double> weights(keep);
    double total = 0.0;
    for (int i = 0; i < keep; ++i) total += weights[i] = std::exp((logits[order[i]] - max_logit) / options.temperature);
    double u = rng_uniform(rng_state) * total;
    for (int i = 0; i < keep; ++i) {
        u -= weights[i];
        if (u < 0.0) return order[i];
    }
    return order[keep - 1];
}

Expected<std::vector<int32_t>> model_generate(const Model& model, const std::vector<int32_t>& prompt,
                                              const GenerateOptions& options) {
    if (model.info().encoder_decoder) return make_error("model_generate is for decoder models; use the encoder-decoder path");
    std::vector<int32_t> ids = prompt, produced;
    uint64_t rng_state = options.seed;
    TraceOptions lean;
    lean.capture_attentions = false;
    lean.capture_hidden_states = false;
    for (int step = 0; step < options.max_new_tokens && static_cast<int>(ids.size()) < model.info().n_ctx; ++step) {
        auto trace = model_trace(model, ids, lean);
        if (!trace) return trace.error();
        int32_t next = next_token_pick(trace->logits_at(static_cast<int>(ids.size()) - 1), trace->n_vocab, options,
                                       rng_state);
        ids.push_back(next);
        produced.push_back(next);
        const auto& eos = model.eos_token_ids;
        if (options.stop_at_eos && std::find(eos.begin(), eos.end(), next) != eos.end()) break;
    }
    return produced;
}

Expected<std::vector<int32_t>> model_generate_seq2seq(const Model& model, const std::vector<int32_t>& source_ids,
                                                      const GenerateOptions& options) {
    if (!model.info().encoder_decoder) return make_error("model_generate_seq2seq is for encoder-decoder models");
    std::vector<int32_t> ids = {model.info().decoder_start_token_id};
    // transformers' max_length: the decoder input's length plus max_new_tokens.
    const int max_length = 1 + options.max_new_tokens;
    uint64_t rng_state = options.seed;
    TraceOptions lean;
    lean.capture_attentions = false;
    lean.capture_hidden_states = false;
    while (static_cast<int>(ids.size()) < max_length && static_cast<int>(ids.size()) < model.info().n_ctx) {
        auto trace = model_trace_seq2seq(model, source_ids, ids, lean);
        if (!trace) return trace.error();
        const int cur_len = static_cast<int>(ids.size());
        std::vector<float> logits(trace->logits_at(cur_len - 1), trace->logits_at(cur_len - 1) + trace->n_vocab);
        if (cur_len == 1 && model.forced_bos_token_id >= 0)
            logits_force(logits.data(), trace->n_vocab, {model.forced_bos_token_id});
        if (cur_len == max_length - 1 && !model.forced_eos_token_ids.empty())
            logits_force(logits.data(), trace->n_vocab, model.forced_eos_token_ids);
        const int32_t next = next_token_pick(logits.data(), trace->n_vocab, options, rng_state);
        ids.push_back(next);
        const auto& eos = model.eos_token_ids;
        if (options.stop_at_eos && std::find(eos.begin(), eos.end(), next) != eos.end()) break;
    }
    return ids;
}

}  // namespace attn
