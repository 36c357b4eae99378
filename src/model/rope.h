// Rotary position embeddings as Hugging Face applies them (rotate-half convention: the first and second
// halves of each head are the pair), with the rope_scaling types we support. It does not read config.json;
// llama.cpp parses the keys into RopeConfig.
#pragma once
#include <string>
#include <vector>

namespace attn {

struct RopeConfig {
    double theta = 10000.0;
    int rotary_dim = 0;                 // head_dim, or a fraction of it (partial_rotary_factor)
    std::string type = "default";       // default, linear, dynamic, llama3
    double factor = 1.0;                // linear/dynamic/llama3
    double low_freq_factor = 1.0;       // llama3
    double high_freq_factor = 4.0;      // llama3
    int original_max_positions = 0;     // llama3/dynamic
};

// Inverse frequencies (rotary_dim / 2), scaling applied.
std::vector<float> rope_inv_freq(const RopeConfig& rope);
// Rotates `n_head` heads of size head_dim in place, for positions pos0 .. pos0 + T - 1. rows: (T, stride).
void rope_apply(float* rows, int T, int stride, int n_head, int head_dim, int rotary_dim, int pos0,
                const std::vector<float>& inv_freq, float attention_scaling = 1.0f);

}  // namespace attn
