// BartForConditionalGeneration's layout (hf_layout.h): config.json with the keys transformers' BartConfig
// writes (the set in tests/fixtures/bart-tiny/config.json), and every tensor save_pretrained stores:
// model.shared.weight once (the encoder's, decoder's and output embeddings are tied to it), both stacks
// under model.encoder.* / model.decoder.*, and the final_logits_bias buffer (1, V); no lm_head.weight.
// Training runs without dropout, so the config says 0.0 for every dropout.
#include <algorithm>
#include <string>

#include "train/hf_layout.h"

namespace attn {

namespace {

void add_dense(std::vector<LayoutTensor>& t, const std::string& base, int64_t n_out, int64_t n_in) {
    t.push_back({base + ".weight", {n_out, n_in}, InitKind::normal});
    t.push_back({base + ".bias", {n_out}, InitKind::zeros});
}

void add_norm(std::vector<LayoutTensor>& t, const std::string& base, int64_t D) {
    t.push_back({base + ".weight", {D}, InitKind::ones});
    t.push_back({base + ".bias", {D}, InitKind::zeros});
}

void add_attention(std::vector<LayoutTensor>& t, const std::string& base, int64_t D) {
    for (const char* proj : {".q_proj", ".k_proj", ".v_proj", ".out_proj"}) add_dense(t, base + proj, D, D);
    add_norm(t, base + "_layer_norm", D);
}

}  // namespace

HfLayout hf_layout_bart(const ModelSize& size, const Vocab& vocab) {
    const int64_t D = size.n_embd, F = size.n_inner, V = vocab.size(), P = size.n_ctx + 2;   // BART's position offset
    HfLayout layout;
    std::vector<LayoutTensor>& t = layout.tensors;
    t.push_back({"final_logits_bias", {1, V}, InitKind::zeros});
    t.push_back({"model.shared.weight", {V, D}, InitKind::normal});
    struct Stack {
        const char* name;
        int layers;
        bool cross;
    };
    for (const Stack& s : {Stack{"encoder", size.n_layer, false}, Stack{"decoder", size.n_decoder_layer, true}}) {
        const std::string base = std::string("model.") + s.name + ".";
        t.push_back({base + "embed_positions.weight", {P, D}, InitKind::normal});
        add_norm(t, base + "layernorm_embedding", D);
        for (int l = 0; l < s.layers; ++l) {
            const std::string lb = base + "layers." + std::to_string(l) + ".";
            add_attention(t, lb + "self_attn", D);
            if (s.cross) add_attention(t, lb + "encoder_attn", D);
            add_dense(t, lb + "fc1", F, D);
            add_dense(t, lb + "fc2", D, F);
            add_norm(t, lb + "final_layer_norm", D);
        }
    }
    std::sort(t.begin(), t.end(), [](const LayoutTensor& a, const LayoutTensor& b) { return a.name < b.name; });

    // decoder_start_token_id = eos, as BART does: the decoder reads </s> <s> w1 w2 ... and predicts <s> w1 w2 ... </s>.
    const auto n = [](int64_t v) { return std::to_string(v); };
    std::string c;
    c += "{\n";
    c += "  \"activation_dropout\": 0.0,\n";
    c += "  \"activation_function\": \"gelu\",\n";
    c += "  \"architectures\": [\n    \"BartForConditionalGeneration\"\n  ],\n";
    c += "  \"attention_dropout\": 0.0,\n";
    c += "  \"bos_token_id\": " + n(vocab.bos) + ",\n";
    c += "  \"classifier_dropout\": 0.0,\n";
    c += "  \"d_model\": " + n(D) + ",\n";
    c += "  \"decoder_attention_heads\": " + n(size.n_head) + ",\n";
    c += "  \"decoder_ffn_dim\": " + n(F) + ",\n";
    c += "  \"decoder_layerdrop\": 0.0,\n";
    c += "  \"decoder_layers\": " + n(size.n_decoder_layer) + ",\n";
    c += "  \"decoder_start_token_id\": " + n(vocab.eos) + ",\n";
    c += "  \"dropout\": 0.0,\n";
    c += "  \"dtype\": \"float32\",\n";
    c += "  \"encoder_attention_heads\": " + n(size.n_head) + ",\n";
    c += "  \"encoder_ffn_dim\": " + n(F) + ",\n";
    c += "  \"encoder_layerdrop\": 0.0,\n";
    c += "  \"encoder_layers\": " + n(size.n_layer) + ",\n";
    c += "  \"eos_token_id\": " + n(vocab.eos) + ",\n";
    c += "  \"forced_eos_token_id\": " + n(vocab.eos) + ",\n";
    c += "  \"id2label\": {\n    \"0\": \"LABEL_0\",\n    \"1\": \"LABEL_1\",\n    \"2\": \"LABEL_2\"\n  },\n";
    c += "  \"init_std\": 0.02,\n";
    c += "  \"is_decoder\": false,\n";
    c += "  \"is_encoder_decoder\": true,\n";
    c += "  \"label2id\": {\n    \"LABEL_0\": 0,\n    \"LABEL_1\": 1,\n    \"LABEL_2\": 2\n  },\n";
    c += "  \"max_position_embeddings\": " + n(size.n_ctx) + ",\n";
    c += "  \"model_type\": \"bart\",\n";
    c += "  \"pad_token_id\": " + n(vocab.pad) + ",\n";
    c += "  \"scale_embedding\": false,\n";
    c += "  \"tie_word_embeddings\": true,\n";
    c += "  \"transformers_version\": \"5.17.0\",\n";
    c += "  \"use_cache\": true,\n";
    c += "  \"vocab_size\": " + n(V) + "\n";
    c += "}\n";
    layout.config_json = c;
    return layout;
}

}  // namespace attn
