// The encoder-decoder TrainModel (train_model.h): a loaded BART whose weight matrices are copied to f32
// buffers this object owns, the network re-pointed at them (so traces see every update), and the loss of
// one example through the seq2seq differentiable pass (model/seq2seq_gradients.h). Norms, biases and
// final_logits_bias are already f32 copies inside the network; their parameters point at those.
#include <map>
#include <memory>
#include <set>

#include "model/bart.h"
#include "model/grad_params.h"
#include "model/seq2seq_gradients.h"
#include "train/train_model.h"

namespace attn {
namespace {

class Seq2SeqTrainModel : public TrainModel {
public:
    explicit Seq2SeqTrainModel(ModelPtr model, BartWeights& w) : model_(std::move(model)) {
        // Packed panels (model/weight_pack.h) would keep the stored values the copies below replace; in place,
        // the rows are gathered from the stored bytes put back.
        model_->network->weights_will_change();
        std::map<const void*, std::shared_ptr<std::vector<float>>> copies;   // stored data -> its f32 copy
        // A tied table (encoder, decoder and output embeddings on one tensor) is one parameter, saved once
        // under model.shared.weight as save_pretrained does.
        const bool tied = w.enc_embed.view.data == w.dec_embed.view.data;
        auto own = [&](Matrix& m, const std::string& name, bool decay) {
            if (m.empty()) return;
            const bool first = !copies.count(m.view.data);
            std::shared_ptr<std::vector<float>>& c = copies[m.view.data];
            if (first) {
                c = std::make_shared<std::vector<float>>(static_cast<size_t>(m.view.rows) * m.view.cols);
                weight_rows_f32(m.view, 0, m.view.rows, c->data());
                add(name.empty() ? m.name : name, {m.view.rows, m.view.cols}, c->data(), c->size(), decay, &m, nullptr);
            }
            m.view.data = c->data();
            m.view.dtype = DType::F32;
            m.owned = c;
        };
        auto vec = [&](Tensor32& t) {
            if (!t.values.empty()) add(t.name, t.shape, t.values.data(), t.values.size(), false, nullptr, &t);
        };
        auto norm = [&](Norm& n) {
            vec(n.w);
            vec(n.b);
        };
        auto dense = [&](Dense& d) {
            own(d.w, "", true);
            vec(d.b);
        };
        auto attention = [&](AttentionBlock& a) {
            dense(a.q);
            dense(a.k);
            dense(a.v);
            dense(a.out);
            norm(a.norm);
        };
        own(w.enc_embed, tied ? "model.shared.weight" : "", false);
        own(w.dec_embed, tied ? "model.shared.weight" : "", false);
        // Both stacks in one order: positions, embedding norm, then each layer (the decoder's with cross attention).
        for (const bool decoder : {false, true}) {
            own(decoder ? w.dec_pos : w.enc_pos, "", false);
            norm(decoder ? w.dec_embed_norm : w.enc_embed_norm);
            for (BlockWeights& b : decoder ? w.dec : w.enc) {
                attention(b.attn);
                if (decoder) attention(b.cross);
                dense(b.ffn.fc1);
                dense(b.ffn.fc2);
                norm(b.ffn.norm);
            }
        }
        own(w.lm_head, "lm_head.weight", false);
        vec(w.final_logits_bias);
        set_slots(1);
    }

    std::vector<TrainParam>& params() override { return params_; }

    float* grad(const TrainParam& p) override {
        if (float* g = slots_[0].find(p.value)) return g;
        std::vector<float>& z = zeros_[static_cast<size_t>(p.index)];
        z.assign(p.numel, 0.0f);
        return z.data();
    }

    void zero_grads() override {
        for (ParamGradients<float>& s : slots_) s.zero();
    }

    Expected<LossResult> add_loss(const Example& e, float scale, bool backward, int slot) override {
        if (slot < 0 || slot >= static_cast<int>(slots_.size()))
            return make_error("add_loss: slot " + std::to_string(slot) + " is outside the " +
                              std::to_string(slots_.size()) + " slots set");
        return seq2seq_loss_gradients(*bart_weights(*model_->network), e.ids, e.decoder_ids, e.labels, scale,
                                      backward ? &slots_[static_cast<size_t>(slot)] : nullptr);
    }

    void set_slots(int n) override {
        while (static_cast<int>(slots_.size()) < std::max(1, n)) slots_.emplace_back(true);
        while (static_cast<int>(slots_.size()) > std::max(1, n)) slots_.pop_back();
    }

    void reduce() override {
        for (size_t s = 1; s < slots_.size(); ++s)
            for (size_t i = 0; i < params_.size(); ++i) {
                const float* g = slots_[s].find(params_[i].value);
                if (!g) continue;
                float* dst = sources_[i].matrix ? slots_[0].of(*sources_[i].matrix) : slots_[0].of(*sources_[i].tensor);
                for (size_t k = 0; k < params_[i].numel; ++k) dst[k] += g[k];
            }
        for (size_t s = 1; s < slots_.size(); ++s) slots_[s].zero();
    }

    const Model& model() const override { return *model_; }

private:
    struct Source {   // where a parameter lives, for ParamGradients::of
        const Matrix* matrix = nullptr;
        const Tensor32* tensor = nullptr;
    };
    void add(const std::string& name, const std::vector<int64_t>& shape, float* value, size_t numel, bool decay,
             const Matrix* m, const Tensor32* t) {
        TrainParam p;
        p.name = name;
        p.shape = shape;
        p.value = value;
        p.numel = numel;
        p.decay = decay;
        p.index = static_cast<int>(params_.size());
        params_.push_back(p);
        sources_.push_back(Source{m, t});
        zeros_.emplace_back();
    }

    ModelPtr model_;
    std::vector<TrainParam> params_;
    std::vector<Source> sources_;
    std::vector<std::vector<float>> zeros_;   // grad() of a parameter nothing has flowed into yet
    std::vector<ParamGradients<float>> slots_;
};

}  // namespace

Expected<std::unique_ptr<TrainModel>> train_model_open_seq2seq(ModelPtr model) {
    if (!model || !model->network) return make_error("train_model_open_seq2seq: no model");
    BartWeights* w = bart_weights_mutable(*model->network);
    if (!w)
        return make_error("train_model_open_seq2seq: " + model->info().architecture +
                          " is not an encoder-decoder model AttnScope can train (BART only)");
    return catch_errors([&]() -> std::unique_ptr<TrainModel> {
        return std::make_unique<Seq2SeqTrainModel>(std::move(model), *w);
    });
}

}  // namespace attn
