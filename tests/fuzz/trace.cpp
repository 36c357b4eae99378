// Fuzz target: a whole trace on a small random model. The input's bytes choose the architecture (GPT-2,
// BERT, BART from train/hf_layout.h; Llama written here), layers (1-2), heads, widths, context, seed,
// tokens and logit positions; the folder is built in memory, loaded with model_load and traced. Ids past
// the vocabulary or the context are chosen sometimes too: they must be refused, not run.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/fuzz_bytes.h"
#include "model/model.h"
#include "model/safetensors_write.h"
#include "train/hf_layout.h"
#include "train/task.h"
#include "train/vocab.h"

namespace {

const std::vector<std::string> kWords = {"the", "cat", "sat", "on", "mat", "a", "dog", "ran", "it", "was"};

// A Llama folder (config.json, model.safetensors, tokenizer.json) with small random weights.
attn::Expected<attn::FileSet> llama_folder(const attn::ModelSize& s, int kv_heads, bool tie, uint64_t seed) {
    attn::Vocab vocab(kWords, attn::ModelFamily::decoder);
    const int64_t V = vocab.size(), D = s.n_embd, F = s.n_inner, hd = s.n_embd / s.n_head;
    const int64_t qd = s.n_head * hd, kvd = kv_heads * hd;
    std::string config = "{\"model_type\": \"llama\", \"hidden_size\": " + std::to_string(D) +
                         ", \"num_attention_heads\": " + std::to_string(s.n_head) +
                         ", \"num_key_value_heads\": " + std::to_string(kv_heads) +
                         ", \"num_hidden_layers\": " + std::to_string(s.n_layer) +
                         ", \"intermediate_size\": " + std::to_string(F) + ", \"vocab_size\": " + std::to_string(V) +
                         ", \"max_position_embeddings\": " + std::to_string(s.n_ctx) +
                         ", \"tie_word_embeddings\": " + (tie ? "true" : "false") + "}";
    std::vector<std::pair<std::string, std::vector<int64_t>>> shapes = {{"model.embed_tokens.weight", {V, D}},
                                                                        {"model.norm.weight", {D}}};
    if (!tie) shapes.push_back({"lm_head.weight", {V, D}});
    for (int l = 0; l < s.n_layer; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        shapes.push_back({p + "input_layernorm.weight", {D}});
        shapes.push_back({p + "post_attention_layernorm.weight", {D}});
        shapes.push_back({p + "self_attn.q_proj.weight", {qd, D}});
        shapes.push_back({p + "self_attn.k_proj.weight", {kvd, D}});
        shapes.push_back({p + "self_attn.v_proj.weight", {kvd, D}});
        shapes.push_back({p + "self_attn.o_proj.weight", {D, qd}});
        shapes.push_back({p + "mlp.gate_proj.weight", {F, D}});
        shapes.push_back({p + "mlp.up_proj.weight", {F, D}});
        shapes.push_back({p + "mlp.down_proj.weight", {D, F}});
    }
    std::vector<std::vector<float>> values;
    uint64_t state = seed * 6364136223846793005ull + 1442695040888963407ull;
    attn::SafetensorsWriter writer;
    values.reserve(shapes.size());
    for (const auto& [name, shape] : shapes) {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        std::vector<float> v(static_cast<size_t>(n));
        for (float& x : v) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            x = (static_cast<float>(state >> 40) / static_cast<float>(1 << 24) - 0.5f) * 0.1f;
        }
        values.push_back(std::move(v));
        writer.add_f32(name, shape, values.back().data());
    }
    attn::Expected<attn::Bytes> weights = writer.write();
    if (!weights) return weights.error();
    attn::FileSet files;
    files.label = "random llama";
    files.add("config.json", attn::bytes_from_string(config));
    files.add("model.safetensors", std::move(*weights));
    files.add("tokenizer.json", attn::bytes_from_string(vocab.tokenizer_json()));
    return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzBytes in{data, size};
    const int arch = in.byte() % 4;   // 0 GPT-2, 1 BERT, 2 BART, 3 Llama
    attn::ModelSize s;
    s.n_layer = 1 + in.byte() % 2;
    s.n_decoder_layer = 1 + in.byte() % 2;
    s.n_head = 1 + in.byte() % 4;
    const int head_dim = 2 * (1 + in.byte() % 4);
    s.n_embd = s.n_head * head_dim;
    s.n_inner = s.n_embd * (1 + in.byte() % 3);
    s.n_ctx = 4 + in.byte() % 13;
    const uint64_t seed = in.byte();
    const uint8_t flags = in.byte();

    attn::Expected<attn::FileSet> folder = attn::make_error("unset");
    if (arch == 3) {
        int kv = s.n_head;
        while (kv > 1 && (flags % kv != 0 || s.n_head % kv != 0)) --kv;   // a divisor of n_head
        folder = llama_folder(s, kv, flags & 1, seed);
    } else {
        const attn::ModelFamily family = arch == 0   ? attn::ModelFamily::decoder
                                         : arch == 1 ? attn::ModelFamily::encoder
                                                     : attn::ModelFamily::encoder_decoder;
        folder = attn::hf_initial_folder(family, s, attn::Vocab(kWords, family), seed);
    }
    if (!folder) {
        std::fprintf(stderr, "fuzz_trace: building the random folder failed: %s\n", folder.error().message.c_str());
        std::abort();   // a valid small config must always build: that is a bug, not bad input
    }
    attn::Expected<attn::ModelPtr> model = attn::model_load(*folder);
    if (!model) {
        std::fprintf(stderr, "fuzz_trace: loading the random folder failed: %s\n", model.error().message.c_str());
        std::abort();
    }
    const attn::Model& m = **model;
    const int V = m.info().n_vocab;

    // Token ids: mostly valid; a byte of 255 gives an id past the vocabulary, which must be refused.
    std::vector<int32_t> ids;
    const size_t n = 1 + in.byte() % (s.n_ctx + 2);
    for (size_t i = 0; i < n; ++i) {
        const uint8_t b = in.byte();
        ids.push_back(b == 255 ? V : b % V);
    }
    attn::TraceOptions options;
    options.capture_attentions = flags & 2;
    options.capture_hidden_states = flags & 4;
    if (flags & 8) options.logit_positions = {-1, 0, static_cast<int>(in.byte() % (n + 1))};
    if (m.info().encoder_decoder) {
        std::vector<int32_t> decoder = {m.info().decoder_start_token_id};
        for (int i = in.byte() % 4; i > 0; --i) decoder.push_back(in.byte() % V);
        (void)attn::model_trace_seq2seq(m, ids, decoder, options);
    } else {
        (void)attn::model_trace(m, ids, options);
        (void)attn::model_trace_text(m, in.rest(), options);
    }
    return 0;
}
