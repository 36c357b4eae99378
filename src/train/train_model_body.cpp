// The TrainModel of decoder-only and encoder models (train_model.h): the loaded Body's own weights are the
// parameters, updated in place, and body_loss_gradients computes the loss and gradients.
#include "model/body.h"
#include "model/grad_params.h"
#include "train/train_model.h"

namespace attn {
namespace {

class BodyTrainModel : public TrainModel {
public:
    explicit BodyTrainModel(ModelPtr model) : model_(std::move(model)), body_(*model_->network->body()) {
        model_->network->weights_will_change();   // the products must read what the optimiser writes
        // The trainer owns this Model outright: nobody else reads it while it trains, so the f32 weights the
        // Body points at (the loaded safetensors bytes, or the Body's own norm and bias vectors) are written in
        // place and every later trace sees them.
        body_for_each_param(body_, [&](const std::string& name, const void* key, const std::vector<int64_t>& shape) {
            TrainParam p;
            p.name = name;
            p.shape = shape;
            p.numel = 1;
            for (int64_t d : shape) p.numel *= static_cast<size_t>(d);
            p.value = const_cast<float*>(static_cast<const float*>(key));
            p.decay = param_weight_decay(name, shape);
            p.index = static_cast<int>(params_.size());
            params_.push_back(p);
        });
        set_slots(1);
    }
    std::vector<TrainParam>& params() override { return params_; }
    float* grad(const TrainParam& p) override { return slots_[0].of(p.value, p.numel); }
    void zero_grads() override {
        for (ParamGradients<float>& s : slots_) s.zero();
    }
    Expected<LossResult> add_loss(const Example& e, float scale, bool backward, int slot) override {
        return body_loss_gradients(body_, e.ids, e.labels, scale, backward ? &slots_[static_cast<size_t>(slot)] : nullptr);
    }
    void set_slots(int n) override {
        slots_.clear();
        for (int i = 0; i < n; ++i) slots_.emplace_back(true);
    }
    void reduce() override {
        for (size_t s = 1; s < slots_.size(); ++s)
            for (const TrainParam& p : params_)
                if (const float* g = slots_[s].find(p.value)) {
                    float* into = slots_[0].of(p.value, p.numel);
                    for (size_t i = 0; i < p.numel; ++i) into[i] += g[i];
                }
    }
    const Model& model() const override { return *model_; }

private:
    ModelPtr model_;
    const Body& body_;
    std::vector<TrainParam> params_;
    std::vector<ParamGradients<float>> slots_;
};

// Every weight must be f32 (the trainer writes them as floats) and the token-type table one row (the Body
// keeps row 0 only).
void check_trainable(const Body& body, const std::string& label) {
    bool ok = true;
    auto matrix = [&](const Matrix& m) {
        if (!m.empty() && m.view.dtype != DType::F32) ok = false;
    };
    matrix(body.embed.token);
    matrix(body.embed.position);
    matrix(body.head.unembed);
    for (const BlockWeights& b : body.blocks)
        for (const Dense* d : {&b.attn.qkv, &b.attn.q, &b.attn.k, &b.attn.v, &b.attn.out, &b.ffn.fc1, &b.ffn.up, &b.ffn.fc2})
            matrix(d->w);
    if (!ok) throw Error(label + ": training needs float32 weights (this checkpoint stores 16-bit ones)");
    if (!body.embed.token_type.values.empty() && body.embed.token_type_rows != 1)
        throw Error(label + ": training supports one token type (type_vocab_size 1), this model has " +
                    std::to_string(body.embed.token_type_rows));
}

}  // namespace

bool param_weight_decay(const std::string& name, const std::vector<int64_t>& shape) {
    if (shape.size() != 2) return false;
    for (const char* table : {"wte", "wpe", "embeddings", "shared", "embed_positions", "embed_tokens"})
        if (name.find(table) != std::string::npos) return false;
    return true;
}

Expected<std::unique_ptr<TrainModel>> train_model_open(ModelPtr model) {
    return catch_errors([&]() -> std::unique_ptr<TrainModel> {
        if (!model) throw Error("train_model_open: no model");
        if (model->info().encoder_decoder) {
            Expected<std::unique_ptr<TrainModel>> s = train_model_open_seq2seq(std::move(model));
            if (!s) throw Error(s.error().message);
            return std::move(*s);
        }
        const Body* body = model->network->body();
        if (!body) throw Error(model->info().architecture + ": this architecture has no differentiable pass");
        check_trainable(*body, model->info().architecture);
        return std::make_unique<BodyTrainModel>(std::move(model));
    });
}

}  // namespace attn
