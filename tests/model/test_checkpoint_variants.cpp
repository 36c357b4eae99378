// The same encoder and BART weights spelled as other checkpoints spell them: without the "bert." /
// "model." prefixes, legacy LayerNorm gamma/beta, untied heads carrying their own matrix, embeddings
// stored per stack instead of shared. Each must give the fixture's reference outputs; an untied head
// must really be used.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "core/json.h"
#include "decoder_reference.h"
#include "model/generate.h"
#include "model/safetensors_write.h"

using namespace attn;

namespace {

using Tensors = std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>>;  // name -> shape, values

struct Variant {
    FileSet files;
    Tensors tensors;
};

// The fixture folder with its weights as f32 values, ready to be renamed or edited.
Variant variant_of(const std::string& name) {
    auto files = folder_read(fixture_path(name));
    REQUIRE(files.ok());
    auto parsed = safetensors_parse(files->find_shared("model.safetensors"), "model.safetensors");
    REQUIRE(parsed.ok());
    Variant v{*files, {}};
    for (const TensorView& t : parsed->tensors()) v.tensors[t.name] = {t.shape, tensor_to_f32(t)};
    return v;
}

void rename_all(Variant& v, const std::function<std::string(const std::string&)>& rename) {
    Tensors renamed;
    for (auto& [name, t] : v.tensors) renamed[rename(name)] = std::move(t);
    v.tensors = std::move(renamed);
}

void config_edit(Variant& v, const std::function<void(Json&)>& edit) {
    Json config = json_parse(string_from_bytes(*v.files.find("config.json")), "config.json");
    edit(config);
    v.files.add("config.json", bytes_from_string(config.dump()));
}

ModelPtr variant_load(Variant& v) {
    SafetensorsWriter w;
    for (const auto& [name, t] : v.tensors) w.add_f32(name, t.first, t.second.data());
    auto bytes = w.write();
    REQUIRE(bytes.ok());
    v.files.add("model.safetensors", std::move(*bytes));
    auto model = model_load(v.files);
    REQUIRE_MESSAGE(model.ok(), model.error().message);
    return std::move(*model);
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
    return s;
}

int mask_position(const std::string& name, int c) {
    std::ifstream in(fixture_path(name + "/reference.json"));
    std::stringstream text;
    text << in.rdbuf();
    return json_parse(text.str(), "reference.json").at("mask_positions").at(c).get<int>();
}

// Mask logits of reference case 0.
std::vector<float> mask_logits(const Model& model, const std::string& name) {
    Reference ref = Reference::load(name);
    TraceOptions options;
    options.logit_positions = {mask_position(name, 0)};
    auto trace = model_trace(model, ref.ids(0, "input_ids"), options);
    REQUIRE_MESSAGE(trace.ok(), trace.error().message);
    return trace->logits;
}

}  // namespace

TEST_CASE("bert without the bert. prefix, with gamma/beta and an untied decoder, matches transformers") {
    Variant v = variant_of("bert-tiny");
    rename_all(v, [](const std::string& n) {
        std::string out = n.rfind("bert.", 0) == 0 ? n.substr(5) : n;
        out = replace_all(out, "LayerNorm.weight", "LayerNorm.gamma");
        return replace_all(out, "LayerNorm.bias", "LayerNorm.beta");
    });
    v.tensors["cls.predictions.decoder.weight"] = v.tensors.at("embeddings.word_embeddings.weight");
    v.tensors["cls.predictions.decoder.bias"] = v.tensors.at("cls.predictions.bias");
    v.tensors.erase("cls.predictions.bias");
    config_edit(v, [](Json& c) { c["tie_word_embeddings"] = false; });
    ModelPtr model = variant_load(v);
    CHECK(max_abs_diff(mask_logits(*model, "bert-tiny"), Reference::load("bert-tiny").f32(0, "mask_logits")) < 2e-3f);

    // The untied decoder is the one used: zero it and only the bias is left.
    std::fill(v.tensors["cls.predictions.decoder.weight"].second.begin(),
              v.tensors["cls.predictions.decoder.weight"].second.end(), 0.0f);
    ModelPtr zeroed = variant_load(v);
    CHECK(max_abs_diff(mask_logits(*zeroed, "bert-tiny"), v.tensors.at("cls.predictions.decoder.bias").second) < 1e-6f);
}

TEST_CASE("an untied model without its own decoder is refused, naming the tensor") {
    Variant v = variant_of("roberta-tiny");
    config_edit(v, [](Json& c) { c["tie_word_embeddings"] = false; });
    SafetensorsWriter w;
    for (const auto& [name, t] : v.tensors) w.add_f32(name, t.first, t.second.data());
    v.files.add("model.safetensors", std::move(*w.write()));
    auto model = model_load(v.files);
    REQUIRE_FALSE(model.ok());
    CHECK(model.error().message.find("missing tensor 'lm_head.decoder.weight'") != std::string::npos);
}

TEST_CASE("roberta and distilbert with their own output matrices match transformers") {
    Variant r = variant_of("roberta-tiny");
    r.tensors["lm_head.decoder.weight"] = r.tensors.at("roberta.embeddings.word_embeddings.weight");
    ModelPtr roberta = variant_load(r);
    CHECK(max_abs_diff(mask_logits(*roberta, "roberta-tiny"), Reference::load("roberta-tiny").f32(0, "mask_logits")) <
          2e-3f);

    Variant d = variant_of("distilbert-tiny");
    rename_all(d, [](const std::string& n) { return n.rfind("distilbert.", 0) == 0 ? n.substr(11) : n; });
    d.tensors["vocab_projector.weight"] = d.tensors.at("embeddings.word_embeddings.weight");
    ModelPtr distil = variant_load(d);
    CHECK(max_abs_diff(mask_logits(*distil, "distilbert-tiny"), Reference::load("distilbert-tiny").f32(0, "mask_logits")) <
          2e-3f);
}

TEST_CASE("distilbert with sinusoidal_pos_embds: a stored table is used, a missing one is recomputed") {
    Variant d = variant_of("distilbert-tiny");
    config_edit(d, [](Json& c) { c["sinusoidal_pos_embds"] = true; });
    ModelPtr stored = variant_load(d);
    CHECK(max_abs_diff(mask_logits(*stored, "distilbert-tiny"), Reference::load("distilbert-tiny").f32(0, "mask_logits")) <
          2e-3f);

    // Recomputed: replace the stored table with the sinusoids by hand and compare both ways of getting them.
    auto& table = d.tensors["distilbert.embeddings.position_embeddings.weight"];
    const int64_t P = table.first[0], D = table.first[1];
    for (int64_t pos = 0; pos < P; ++pos)
        for (int64_t j = 0; j < D; ++j) {
            const double angle = pos / std::pow(10000.0, 2.0 * (j / 2) / D);
            table.second[pos * D + j] = static_cast<float>(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
        }
    ModelPtr explicit_table = variant_load(d);
    d.tensors.erase("distilbert.embeddings.position_embeddings.weight");
    ModelPtr recomputed = variant_load(d);
    CHECK(max_abs_diff(mask_logits(*explicit_table, "distilbert-tiny"), mask_logits(*recomputed, "distilbert-tiny")) <
          1e-6f);
}

TEST_CASE("bart without model., with per-stack embeddings, an explicit lm_head and no final_logits_bias") {
    Variant v = variant_of("bart-tiny");
    rename_all(v, [](const std::string& n) { return n.rfind("model.", 0) == 0 ? n.substr(6) : n; });
    v.tensors["encoder.embed_tokens.weight"] = v.tensors.at("shared.weight");
    v.tensors["decoder.embed_tokens.weight"] = v.tensors.at("shared.weight");
    v.tensors["lm_head.weight"] = v.tensors.at("shared.weight");
    v.tensors.erase("shared.weight");
    // The fixture's bias is all zeros (transformers' initial buffer), so dropping it changes nothing.
    for (float b : v.tensors.at("final_logits_bias").second) REQUIRE(b == 0.0f);
    v.tensors.erase("final_logits_bias");
    ModelPtr model = variant_load(v);
    Reference ref = Reference::load("bart-tiny");
    std::vector<int32_t> dec = ref.ids(0, "decoder_input_ids");
    auto trace = model_trace_seq2seq(*model, ref.ids(0, "input_ids"), dec, TraceOptions{});
    REQUIRE(trace.ok());
    CHECK(max_abs_diff(trace->cross_attentions.probs, ref.f32(0, "cross_attentions")) < 2e-5f);
    CHECK(max_abs_diff(trace->logits, ref.f32(0, "last_logits")) < 2e-3f);

    // A non-zero final_logits_bias is added to every logit.
    v.tensors["final_logits_bias"] = {{1, 600}, std::vector<float>(600, 0.5f)};
    ModelPtr biased = variant_load(v);
    auto shifted = model_trace_seq2seq(*biased, ref.ids(0, "input_ids"), dec, TraceOptions{});
    REQUIRE(shifted.ok());
    std::vector<float> expected = ref.f32(0, "last_logits");
    for (float& x : expected) x += 0.5f;
    CHECK(max_abs_diff(shifted->logits, expected) < 2e-3f);
}

TEST_CASE("unsupported architectures are refused with the supported list") {
    Variant v = variant_of("bert-tiny");
    config_edit(v, [](Json& c) { c["model_type"] = "t5"; });
    auto model = model_load(v.files);
    REQUIRE_FALSE(model.ok());
    CHECK(model.error().message.find("unsupported architecture t5 (supported: gpt2, llama, mistral, qwen2, bert, "
                                     "roberta, xlm-roberta, distilbert, bart)") != std::string::npos);
}
