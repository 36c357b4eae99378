// first_nonfinite: a scan in forward order over what a Trace captured.
#include "analysis/nonfinite.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/i18n.h"

namespace attn {
namespace {

// NaN or infinity: all exponent bits set. On the bits, so the loop vectorises (a T = 1024 trace of a 12 x 12
// model is 150 M weights).
size_t count_nonfinite(const float* p, size_t n) {
    size_t bad = 0;
    for (size_t i = 0; i < n; ++i) {
        uint32_t bits;
        std::memcpy(&bits, p + i, sizeof bits);
        bad += (bits & 0x7f800000u) == 0x7f800000u;
    }
    return bad;
}

bool all_finite(const std::vector<float>& v) { return count_nonfinite(v.data(), v.size()) == 0; }

NonFinite found_at(TraceTensor tensor, int layer, size_t count, bool decoder) {
    return NonFinite{true, tensor, layer, count, decoder};
}

// One stack: state 0 (embeddings), then per layer the attention (and cross attention) and the state after.
NonFinite scan_stack(const HiddenTensor& hidden, const AttentionTensor& self, const AttentionTensor* cross,
                     bool decoder) {
    const size_t state = static_cast<size_t>(hidden.n_token) * hidden.n_embd;
    if (!hidden.empty())
        if (size_t n = count_nonfinite(hidden.values.data(), state)) return found_at(TraceTensor::embeddings, -1, n, decoder);
    const int layers = std::max(self.n_layer, hidden.empty() ? 0 : hidden.n_state - 1);
    for (int l = 0; l < layers; ++l) {
        for (const AttentionTensor* a : {&self, cross}) {
            if (!a || a->empty() || l >= a->n_layer) continue;
            const size_t per_layer = static_cast<size_t>(a->n_head) * a->n_query * a->n_key;
            if (size_t n = count_nonfinite(a->probs.data() + l * per_layer, per_layer))
                return found_at(TraceTensor::attentions, l, n, decoder);
        }
        if (!hidden.empty() && l + 1 < hidden.n_state)
            if (size_t n = count_nonfinite(hidden.values.data() + (l + 1) * state, state))
                return found_at(TraceTensor::hidden_state, l, n, decoder);
    }
    return NonFinite{};
}

}  // namespace

NonFinite first_nonfinite(const Trace& trace) {
    // A bad attention weight always reaches its layer's output (P.V, then the projection; 0 * NaN is NaN),
    // so when every captured state and the logits are finite, the large attention tensors need no scan.
    if (!trace.hidden_states.empty() && all_finite(trace.hidden_states.values) &&
        (!trace.is_encoder_decoder() || (!trace.decoder_hidden_states.empty() && all_finite(trace.decoder_hidden_states.values))) &&
        all_finite(trace.logits))
        return NonFinite{};
    NonFinite bad = scan_stack(trace.hidden_states, trace.attentions, nullptr, false);
    if (bad.found) return bad;
    if (trace.is_encoder_decoder()) {
        bad = scan_stack(trace.decoder_hidden_states, trace.decoder_attentions, &trace.cross_attentions, true);
        if (bad.found) return bad;
    }
    if (size_t n = count_nonfinite(trace.logits.data(), trace.logits.size()))
        return found_at(TraceTensor::logits, -1, n, false);
    return NonFinite{};
}

std::string nonfinite_message(const NonFinite& bad) {
    if (!bad.found) return "";
    const std::string count = std::to_string(bad.count);
    switch (bad.tensor) {
    case TraceTensor::embeddings: return trf("analysis.nonfinite.embeddings", {{"count", count}});
    case TraceTensor::logits: return trf("analysis.nonfinite.logits", {{"count", count}});
    case TraceTensor::attentions:
        return trf(bad.decoder ? "analysis.nonfinite.decoder_attentions" : "analysis.nonfinite.attentions",
                   {{"layer", std::to_string(bad.layer)}, {"count", count}});
    case TraceTensor::hidden_state:
        return trf(bad.decoder ? "analysis.nonfinite.decoder_hidden" : "analysis.nonfinite.hidden",
                   {{"layer", std::to_string(bad.layer)}, {"count", count}});
    }
    return "";
}

}  // namespace attn
