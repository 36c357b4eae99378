// Synthetic traces for the UI tests: any L, H, T with a deterministic, row-normalised attention
// pattern (causal or not) and pieces that exercise labels (byte-level spaces, split UTF-8, CJK, emoji).
// Test-only: the app itself always shows real model traces.
#pragma once
#include <cmath>
#include <string>

#include "model/trace.h"

namespace attn {

inline Trace make_synthetic_trace(int n_layer, int n_head, int n_token, bool causal) {
    static const char* pieces[] = {"The", "\xC4\xA0" "animal", "\xC4\xA0" "didn", "'t", "\xC4\xA0" "cross",
                                   "\xC3\xA6\xC2\xB3",            // GPT-2 bytes E6 B3: half of a CJK char
                                   "\xE4\xBD\xA0",                // 你 as raw text (not byte-level)
                                   "\xC4\x8A",                    // "\n" byte-level
                                   "\xF0\x9F\x98\x80",            // emoji: the font has no glyph
                                   "\xC4\xA0" "supercalifragilisticexpialidocious"};
    Trace t;
    t.architecture = "gpt2";
    for (int i = 0; i < n_token; ++i) {
        t.tokens.ids.push_back(i);
        t.tokens.pieces.push_back(pieces[i % (sizeof pieces / sizeof *pieces)]);
    }
    AttentionTensor& a = t.attentions;
    a.n_layer = n_layer;
    a.n_head = n_head;
    a.n_query = a.n_key = n_token;
    a.causal = causal;
    a.probs.assign(static_cast<size_t>(n_layer) * n_head * n_token * n_token, 0.0f);
    for (int l = 0; l < n_layer; ++l)
        for (int h = 0; h < n_head; ++h)
            for (int q = 0; q < n_token; ++q) {
                float* row = a.probs.data() + ((static_cast<size_t>(l) * n_head + h) * n_token + q) * n_token;
                int last = causal ? q : n_token - 1;
                float sum = 0.0f;
                for (int k = 0; k <= last; ++k) {
                    // Head h prefers the token h+1 back (a "previous token" head for h = 0).
                    row[k] = std::exp(-std::fabs(static_cast<float>(q - k - (h + 1))) - 0.1f * l);
                    sum += row[k];
                }
                for (int k = 0; k <= last; ++k) row[k] /= sum;
            }
    return t;
}

}  // namespace attn
