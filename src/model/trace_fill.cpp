// Shared Trace-filling steps for all architectures.
#include "model/trace_fill.h"

#include <algorithm>

#include "core/huge_pages.h"

namespace attn {

void attention_allocate(AttentionTensor& a, bool capture, int L, int H, int T, int S, bool causal) {
    a = AttentionTensor{L, H, T, S, causal, {}};
    if (capture) zeros_in_huge_pages(a.probs, static_cast<size_t>(L) * H * T * S);
}

void attention_reserve(AttentionTensor& a, int L, int H, int T, int S, bool causal) {
    a = AttentionTensor{L, H, T, S, causal, {}};
    reserve_in_huge_pages(a.probs, static_cast<size_t>(L) * H * T * S);
}

void attention_grow_to(AttentionTensor& a, int layer, int head_end) {
    const int heads = head_end < 0 ? a.n_head : head_end;
    const size_t need = (static_cast<size_t>(layer) * a.n_head + heads) * a.n_query * a.n_key;
    if (a.probs.size() < need) a.probs.resize(need);
}

void hidden_allocate(HiddenTensor& h, bool capture, int n_state, int T, int D) {
    h = HiddenTensor{n_state, T, D, {}};
    if (capture) zeros_in_huge_pages(h.values, static_cast<size_t>(n_state) * T * D);
}

void hidden_capture(HiddenTensor& hidden, int state, const std::vector<float>& h) {
    if (hidden.empty()) return;
    std::copy(h.begin(), h.end(), hidden.values.begin() + static_cast<long>(state) * static_cast<long>(h.size()));
}

float* attention_slot(AttentionTensor& a, int layer, int head, std::vector<float>& scratch, int T, int S) {
    if (!a.empty()) return a.probs.data() + (static_cast<size_t>(layer) * a.n_head + head) * T * S;
    scratch.resize(static_cast<size_t>(T) * S);
    return scratch.data();
}

std::vector<float> logits_begin(Trace& trace, const float* h, int T, int D, int V, const TraceOptions& options) {
    std::vector<int> positions = options.logit_positions.empty() ? std::vector<int>{T - 1} : options.logit_positions;
    for (int& p : positions)
        if (p < 0) p = T - 1;
    std::vector<float> rows(positions.size() * D);
    for (size_t i = 0; i < positions.size(); ++i)
        std::copy_n(h + static_cast<size_t>(positions[i]) * D, D, rows.data() + i * D);
    trace.n_vocab = V;
    trace.logit_positions = positions;
    trace.logits.assign(positions.size() * V, 0.0f);
    return rows;
}

void logits_compute(Trace& trace, const std::vector<float>& h_final, int T, int D, const WeightMatrix& unembed,
                    const TraceOptions& options) {
    const std::vector<float> rows = logits_begin(trace, h_final.data(), T, D, unembed.n_out(), options);
    linear(rows.data(), static_cast<int>(trace.logit_positions.size()), unembed, nullptr, trace.logits.data());
}

}  // namespace attn
