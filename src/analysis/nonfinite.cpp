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

// One stack's parts in forward order: state 0 (embeddings), then per layer the attention (and cross
// attention) and the state after.
void stack_parts(const HiddenTensor& hidden, const AttentionTensor& self, const AttentionTensor* cross, bool decoder,
                 std::vector<NonFiniteScan::Part>* parts);

}  // namespace

NonFiniteScan::NonFiniteScan(const Trace& trace) {
    // A bad attention weight always reaches its layer's output (P.V, then the projection; 0 * NaN is NaN),
    // so when every captured state and the logits are finite, the large attention tensors need no scan.
    if (!trace.hidden_states.empty() && all_finite(trace.hidden_states.values) &&
        (!trace.is_encoder_decoder() || (!trace.decoder_hidden_states.empty() && all_finite(trace.decoder_hidden_states.values))) &&
        all_finite(trace.logits)) {
        done_ = true;
        return;
    }
    stack_parts(trace.hidden_states, trace.attentions, nullptr, false, &parts_);
    if (trace.is_encoder_decoder())
        stack_parts(trace.decoder_hidden_states, trace.decoder_attentions, &trace.cross_attentions, true, &parts_);
    parts_.push_back({trace.logits.data(), trace.logits.size(), found_at(TraceTensor::logits, -1, 0, false)});
    for (const Part& p : parts_) total_ += p.n;
    done_ = parts_.empty();
}

bool NonFiniteScan::step(size_t values) {
    size_t left = std::max<size_t>(values, 1);
    while (!done_ && (left > 0 || bad_here_ > 0)) {
        const Part& p = parts_[part_];
        // A part with a bad value is read to its end, so the count is the part's.
        const size_t n = bad_here_ > 0 ? p.n - offset_ : std::min(left, p.n - offset_);
        bad_here_ += count_nonfinite(p.data + offset_, n);
        offset_ += n;
        left -= std::min(left, n);
        if (offset_ < p.n) continue;
        if (bad_here_ > 0) {
            result_ = p.where;
            result_.count = bad_here_;
            done_ = true;
        } else if (++part_ == parts_.size()) {
            done_ = true;
        }
        offset_ = 0;
    }
    return done_;
}

namespace {

void stack_parts(const HiddenTensor& hidden, const AttentionTensor& self, const AttentionTensor* cross, bool decoder,
                 std::vector<NonFiniteScan::Part>* parts) {
    const size_t state = static_cast<size_t>(hidden.n_token) * hidden.n_embd;
    if (!hidden.empty()) parts->push_back({hidden.values.data(), state, found_at(TraceTensor::embeddings, -1, 0, decoder)});
    const int layers = std::max(self.n_layer, hidden.empty() ? 0 : hidden.n_state - 1);
    for (int l = 0; l < layers; ++l) {
        for (const AttentionTensor* a : {&self, cross}) {
            if (!a || a->empty() || l >= a->n_layer) continue;
            const size_t per_layer = static_cast<size_t>(a->n_head) * a->n_query * a->n_key;
            parts->push_back({a->probs.data() + l * per_layer, per_layer, found_at(TraceTensor::attentions, l, 0, decoder)});
        }
        if (!hidden.empty() && l + 1 < hidden.n_state)
            parts->push_back({hidden.values.data() + (l + 1) * state, state, found_at(TraceTensor::hidden_state, l, 0, decoder)});
    }
}

}  // namespace

NonFinite first_nonfinite(const Trace& trace) {
    NonFiniteScan scan(trace);
    scan.step(scan.values_total());
    return scan.result();
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
