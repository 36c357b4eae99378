// AdamW (Loshchilov & Hutter) with the learning-rate schedule and clipping the trainer uses. Pure
// arithmetic on float arrays; the state is two moment buffers per parameter.
#pragma once
#include <cstddef>
#include <vector>

#include "train/task.h"
#include "train/train_model.h"

namespace attn {

// Linear warm-up over warmup * total steps, then cosine decay to lr * min_lr_fraction. step is 0-based.
double learning_rate(const TrainSettings& s, int step, int total_steps);

// The global L2 norm of every gradient together.
double global_grad_norm(TrainModel& model);

class AdamW {
public:
    AdamW(const std::vector<TrainParam>& params, const TrainSettings& settings);
    // One update of every parameter from the model's accumulated gradients, each multiplied by grad_scale
    // first (clipping: min(1, clip / norm)).
    void update(TrainModel& model, double lr, double grad_scale);

private:
    TrainSettings s_;
    std::vector<std::vector<float>> m_, v_;
    int t_ = 0;
};

}  // namespace attn
