// Fresh Hugging Face folders for the trainer (hf_layout.h). The names and shapes are what transformers'
// save_pretrained writes for each class (compare tests/fixtures/*/model.safetensors); the loaders in
// src/model read them back, so a folder that loads here and trains is a folder transformers loads.
#include "train/hf_layout.h"

#include <algorithm>

#include "core/json.h"
#include "model/safetensors_write.h"
#include "train/rng.h"

namespace attn {
namespace {

constexpr double kInitStd = 0.02;   // transformers' initializer_range

struct LayoutBuilder {
    std::vector<LayoutTensor> tensors;
    void matrix(const std::string& name, int64_t rows, int64_t cols) { tensors.push_back({name, {rows, cols}, InitKind::normal}); }
    void bias(const std::string& name, int64_t n) { tensors.push_back({name, {n}, InitKind::zeros}); }
    void norm(const std::string& prefix, int64_t n) {
        tensors.push_back({prefix + ".weight", {n}, InitKind::ones});
        tensors.push_back({prefix + ".bias", {n}, InitKind::zeros});
    }
    void dense(const std::string& prefix, int64_t rows, int64_t cols, int64_t n_bias) {
        matrix(prefix + ".weight", rows, cols);
        bias(prefix + ".bias", n_bias);
    }
};

HfLayout gpt2_layout(const ModelSize& s, const Vocab& vocab) {
    const int64_t D = s.n_embd, F = s.n_inner, V = vocab.size();
    LayoutBuilder b;
    for (int l = 0; l < s.n_layer; ++l) {
        const std::string p = "transformer.h." + std::to_string(l) + ".";
        b.norm(p + "ln_1", D);
        b.dense(p + "attn.c_attn", D, 3 * D, 3 * D);   // Conv1D: (in, out)
        b.dense(p + "attn.c_proj", D, D, D);
        b.norm(p + "ln_2", D);
        b.dense(p + "mlp.c_fc", D, F, F);
        b.dense(p + "mlp.c_proj", F, D, D);
    }
    b.norm("transformer.ln_f", D);
    b.matrix("transformer.wpe.weight", s.n_ctx, D);
    b.matrix("transformer.wte.weight", V, D);
    Json c = {
        {"activation_function", "gelu_new"}, {"architectures", {"GPT2LMHeadModel"}}, {"attn_pdrop", 0.0},
        {"bos_token_id", vocab.bos}, {"dtype", "float32"}, {"embd_pdrop", 0.0}, {"eos_token_id", vocab.eos},
        {"initializer_range", kInitStd}, {"layer_norm_epsilon", 1e-5}, {"model_type", "gpt2"}, {"n_embd", D},
        {"n_head", s.n_head}, {"n_inner", F}, {"n_layer", s.n_layer}, {"n_positions", s.n_ctx},
        {"pad_token_id", vocab.pad}, {"resid_pdrop", 0.0}, {"scale_attn_weights", true},
        {"scale_attn_by_inverse_layer_idx", false}, {"reorder_and_upcast_attn", false},
        {"tie_word_embeddings", true}, {"use_cache", true}, {"vocab_size", V}, {"add_cross_attention", false},
        {"summary_activation", nullptr}, {"summary_first_dropout", 0.0}, {"summary_proj_to_labels", true},
        {"summary_type", "cls_index"}, {"summary_use_proj", true},
    };
    return {c.dump(2) + "\n", b.tensors};
}

HfLayout bert_layout(const ModelSize& s, const Vocab& vocab) {
    const int64_t D = s.n_embd, F = s.n_inner, V = vocab.size();
    LayoutBuilder b;
    b.norm("bert.embeddings.LayerNorm", D);
    b.matrix("bert.embeddings.position_embeddings.weight", s.n_ctx, D);
    b.matrix("bert.embeddings.token_type_embeddings.weight", 1, D);   // type_vocab_size 1: one segment
    b.matrix("bert.embeddings.word_embeddings.weight", V, D);
    for (int l = 0; l < s.n_layer; ++l) {
        const std::string p = "bert.encoder.layer." + std::to_string(l) + ".";
        b.dense(p + "attention.self.query", D, D, D);   // nn.Linear: (out, in)
        b.dense(p + "attention.self.key", D, D, D);
        b.dense(p + "attention.self.value", D, D, D);
        b.dense(p + "attention.output.dense", D, D, D);
        b.norm(p + "attention.output.LayerNorm", D);
        b.dense(p + "intermediate.dense", F, D, F);
        b.dense(p + "output.dense", D, F, D);
        b.norm(p + "output.LayerNorm", D);
    }
    b.bias("cls.predictions.bias", V);
    b.dense("cls.predictions.transform.dense", D, D, D);
    b.norm("cls.predictions.transform.LayerNorm", D);
    Json c = {
        {"architectures", {"BertForMaskedLM"}}, {"attention_probs_dropout_prob", 0.0}, {"classifier_dropout", nullptr},
        {"dtype", "float32"}, {"hidden_act", "gelu"}, {"hidden_dropout_prob", 0.0}, {"hidden_size", D},
        {"initializer_range", kInitStd}, {"intermediate_size", F}, {"layer_norm_eps", 1e-12},
        {"max_position_embeddings", s.n_ctx}, {"model_type", "bert"}, {"num_attention_heads", s.n_head},
        {"num_hidden_layers", s.n_layer}, {"pad_token_id", vocab.pad}, {"tie_word_embeddings", true},
        {"type_vocab_size", 1}, {"use_cache", true}, {"vocab_size", V}, {"add_cross_attention", false},
        {"bos_token_id", nullptr}, {"eos_token_id", nullptr}, {"is_decoder", false},
    };
    return {c.dump(2) + "\n", b.tensors};
}

}  // namespace

const char* hf_class_name(ModelFamily family) {
    switch (family) {
        case ModelFamily::decoder: return "GPT2LMHeadModel";
        case ModelFamily::encoder: return "BertForMaskedLM";
        case ModelFamily::encoder_decoder: return "BartForConditionalGeneration";
    }
    return "?";
}

HfLayout hf_layout(ModelFamily family, const ModelSize& size, const Vocab& vocab) {
    HfLayout layout;
    switch (family) {
        case ModelFamily::decoder: layout = gpt2_layout(size, vocab); break;
        case ModelFamily::encoder: layout = bert_layout(size, vocab); break;
        case ModelFamily::encoder_decoder:
            throw Error("hf_layout: encoder-decoder models are not built yet");   // hf_layout_bart.cpp
    }
    std::sort(layout.tensors.begin(), layout.tensors.end(),
              [](const LayoutTensor& a, const LayoutTensor& b) { return a.name < b.name; });
    return layout;
}

Expected<FileSet> hf_initial_folder(ModelFamily family, const ModelSize& size, const Vocab& vocab, uint64_t seed) {
    return catch_errors([&]() -> FileSet {
        const HfLayout layout = hf_layout(family, size, vocab);
        Rng rng(Rng::derive(seed, 0x77656967687473ull));   // "weights"
        std::vector<std::vector<float>> values;
        values.reserve(layout.tensors.size());
        SafetensorsWriter w;
        for (const LayoutTensor& t : layout.tensors) {   // in name order, so the draws do not depend on the layout's order
            size_t n = 1;
            for (int64_t d : t.shape) n *= static_cast<size_t>(d);
            std::vector<float> v(n, t.init == InitKind::ones ? 1.0f : 0.0f);
            if (t.init == InitKind::normal)
                for (float& x : v) x = static_cast<float>(kInitStd * rng.normal());
            values.push_back(std::move(v));
            w.add_f32(t.name, t.shape, values.back().data());
        }
        w.set_metadata("format", "pt");
        Expected<Bytes> bytes = w.write();
        if (!bytes) throw Error(bytes.error().message);
        FileSet files;
        files.label = std::string("new ") + hf_class_name(family);
        files.add("config.json", bytes_from_string(layout.config_json));
        files.add("model.safetensors", std::move(*bytes));
        files.add("tokenizer.json", bytes_from_string(vocab.tokenizer_json()));
        return files;
    });
}

}  // namespace attn
