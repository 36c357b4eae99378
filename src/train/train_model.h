// What the trainer optimises: a loaded model whose weights it owns as f32 and updates in place, the
// table of its parameters under their checkpoint names, and the loss of one example with the gradients
// added into per-parameter accumulators. Decoders and encoders train through the Body's differentiable
// pass (model/gradients.h); encoder-decoders through the seq2seq pass (train_model_seq2seq.cpp).
//
//   Expected<std::unique_ptr<TrainModel>> m = train_model_open(std::move(model));
//   m->zero_grads();
//   for (const Example& e : batch) m->add_loss(e, 1.0f / n_labelled, true);
//   for (TrainParam& p : m->params()) adamw(p.value, m->grad(p), ...);
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/gradients.h"
#include "model/model.h"
#include "train/task.h"

namespace attn {

struct TrainParam {
    std::string name;              // the checkpoint's tensor name
    std::vector<int64_t> shape;    // as stored
    float* value = nullptr;        // numel() floats the forward pass reads
    size_t numel = 0;
    bool decay = false;            // AdamW weight decay applies (2-D weight matrices, not embeddings)
    int index = 0;                 // position in params()
};

class TrainModel {
public:
    virtual ~TrainModel() = default;
    virtual std::vector<TrainParam>& params() = 0;
    const std::vector<TrainParam>& params() const { return const_cast<TrainModel*>(this)->params(); }
    // The accumulated gradient of a parameter (numel floats; all zero when nothing flowed into it).
    virtual float* grad(const TrainParam& p) = 0;
    virtual void zero_grads() = 0;
    // Loss of one example; with backward, d(scale * loss)/d(every parameter) is added to the accumulators.
    // Thread-safe between calls on different `slot`s (each slot has its own accumulators; grad() reads the
    // sum over slots after reduce()).
    virtual Expected<LossResult> add_loss(const Example& e, float scale, bool backward, int slot) = 0;
    virtual void set_slots(int n) = 0;   // how many threads add_loss may be called from (default 1)
    virtual void reduce() = 0;           // slot accumulators summed into slot 0, in slot order (deterministic)
    // The loaded model (its Network reads params()' values: after an update, traces see the new weights).
    virtual const Model& model() const = 0;
};

// Whether AdamW decays a parameter: weight matrices yes; embeddings, position tables, norms and biases no.
bool param_weight_decay(const std::string& name, const std::vector<int64_t>& shape);

// Takes a loaded model (from hf_initial_folder or a saved checkpoint); its weights are copied to f32
// storage the TrainModel owns. Errors for families it cannot train.
Expected<std::unique_ptr<TrainModel>> train_model_open(ModelPtr model);
// The encoder-decoder implementation (train_model_seq2seq.cpp), called by train_model_open for BART.
Expected<std::unique_ptr<TrainModel>> train_model_open_seq2seq(ModelPtr model);

}  // namespace attn
