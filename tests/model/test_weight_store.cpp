#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/json.h"
#include "fixture_path.h"
#include "model/safetensors_write.h"
#include "model/weight_store.h"
#include "platform/file_io.h"
#include "text_contains.h"

using namespace attn;

namespace {

FileSet read_folder(const std::string& name) {
    auto files = folder_read(fixture_path(name));
    REQUIRE_MESSAGE(files.ok(), files.error().message);
    return *files;
}

std::string load_error(const FileSet& files) {
    auto w = weight_store_load(files);
    if (w.ok()) {
        FAIL_CHECK("expected an error");
        return "";
    }
    return w.error().message;
}


Bytes shard_with(const std::vector<std::string>& names) {
    static const float values[2] = {1.0f, 2.0f};
    SafetensorsWriter w;
    for (const std::string& n : names) w.add_f32(n, {2}, values);
    auto b = w.write();
    REQUIRE(b.ok());
    return *b;
}

}  // namespace

TEST_CASE("the usage example in weight_store.h") {
    FileSet files = read_folder("gpt2-tiny");
    Expected<WeightStore> w = weight_store_load(files);
    REQUIRE(w);
    const TensorView& wte = w->require("transformer.wte.weight");
    std::vector<float> ln = tensor_to_f32(w->require("transformer.ln_f.weight"));
    CHECK(wte.numel() == 50257 * 32);
    CHECK(ln.size() == 32);
}

TEST_CASE("weight store: single model.safetensors (gpt2-tiny)") {
    FileSet files = read_folder("gpt2-tiny");
    auto w = weight_store_load(files);
    REQUIRE_MESSAGE(w.ok(), w.error().message);
    CHECK(w->source() == "model.safetensors");
    CHECK(w->size() == 28);
    CHECK(w->files().size() == 1);
    CHECK(w->dtypes() == std::vector<std::string>{"F32"});
    const SafetensorsFile& f = w->files()[0];
    CHECK(w->total_bytes() == static_cast<int64_t>(files.find("model.safetensors")->size() - 8 - f.header_size()));
    CHECK(w->total_params() * 4 == w->total_bytes());
    std::vector<std::string> names = w->names();
    CHECK(std::is_sorted(names.begin(), names.end()));
    CHECK(w->require("transformer.wte.weight").shape == std::vector<int64_t>{50257, 32});
    CHECK(w->has("transformer.ln_f.bias"));
    CHECK(w->find("lm_head.weight") == nullptr);   // GPT-2 ties it to wte
    try {
        w->require("lm_head.weight");
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "model.safetensors: missing tensor 'lm_head.weight'");
    }
}

TEST_CASE("weight store: 4-shard BF16 checkpoint via model.safetensors.index.json") {
    FileSet files = read_folder("llama-bf16-sharded");
    auto w = weight_store_load(files);
    REQUIRE_MESSAGE(w.ok(), w.error().message);
    CHECK(w->source() == "model.safetensors.index.json");
    CHECK(w->files().size() == 4);
    CHECK(w->dtypes() == std::vector<std::string>{"BF16"});

    // Independent: the index's own bookkeeping and its weight_map.
    Json index = json_parse(string_from_bytes(*files.find("model.safetensors.index.json")), "index");
    CHECK(w->total_bytes() == index["metadata"]["total_size"].get<int64_t>());
    CHECK(w->total_params() == index["metadata"]["total_parameters"].get<int64_t>());
    const Json& map = index["weight_map"];
    CHECK(w->size() == map.size());
    for (auto it = map.begin(); it != map.end(); ++it) {
        const TensorView* t = w->find(it.key());
        REQUIRE_MESSAGE(t, it.key());
        CHECK(t->file == it.value().get<std::string>());
        CHECK(t->dtype == DType::BF16);
        for (float v : tensor_to_f32(*t)) REQUIRE(std::isfinite(v));
    }
    // Shapes implied by config.json: hidden 64, 4 heads x 16, 1 KV head, intermediate 160, vocab 600.
    CHECK(w->require("model.layers.0.self_attn.k_proj.weight").shape == std::vector<int64_t>{16, 64});
    CHECK(w->require("model.layers.1.mlp.up_proj.weight").shape == std::vector<int64_t>{160, 64});
    CHECK(w->require("lm_head.weight").shape == std::vector<int64_t>{600, 64});
    std::vector<float> norm = tensor_to_f32(w->require("model.norm.weight"));
    for (float v : norm) CHECK(v == 1.0f);

    // Copies stay valid after the original is gone (views point into shared bytes).
    WeightStore copy = *w;
    w = make_error("gone");
    CHECK(tensor_to_f32(copy.require("model.norm.weight")) == norm);
}

TEST_CASE("weight store: model.safetensors wins over an index when both are present") {
    FileSet files = read_folder("llama-bf16-sharded");
    files.add("model.safetensors", shard_with({"only.this"}));
    auto w = weight_store_load(files);
    REQUIRE(w.ok());
    CHECK(w->source() == "model.safetensors");
    CHECK(w->names() == std::vector<std::string>{"only.this"});
}

TEST_CASE("weight store errors: no weights at all, with what was found") {
    FileSet files;
    files.label = "models/foo";
    files.add("config.json", bytes_from_string("{}"));
    files.add("tokenizer.json", bytes_from_string("{}"));
    CHECK(load_error(files) ==
          "no model.safetensors or model.safetensors.index.json in models/foo; found: config.json, tokenizer.json");
    files.add("model-00001-of-00002.safetensors", shard_with({"a"}));
    CHECK(contains(load_error(files), "(model-00001-of-00002.safetensors cannot be used without its "
                                      "model.safetensors.index.json)"));
    FileSet empty;
    CHECK(load_error(empty) ==
          "no model.safetensors or model.safetensors.index.json in the model folder; found: no files at all");
}

TEST_CASE("weight store errors: missing shard, tensor absent from its shard, tensor in two shards") {
    FileSet files = read_folder("llama-bf16-sharded");
    FileSet missing = files;
    missing.files.erase("model-00002-of-00004.safetensors");
    std::string m = load_error(missing);
    INFO(m);
    CHECK(m.rfind("model.safetensors.index.json: shard file 'model-00002-of-00004.safetensors' named in weight_map "
                  "is missing from ", 0) == 0);
    CHECK(contains(m, "found: config.json, model-00001-of-00004.safetensors, model-00003-of-00004.safetensors"));

    // The index places a tensor in a shard that does not hold it.
    Json index = json_parse(string_from_bytes(*files.find("model.safetensors.index.json")), "index");
    index["weight_map"]["model.norm.weight"] = "model-00004-of-00004.safetensors";
    FileSet moved = files;
    moved.add("model.safetensors.index.json", bytes_from_string(index.dump()));
    CHECK(load_error(moved) ==
          "model.safetensors.index.json: tensor 'model.norm.weight' is listed in shard "
          "'model-00004-of-00004.safetensors' but that file does not contain it");

    // Two shards both hold 'x'.
    FileSet twice;
    twice.add("a.safetensors", shard_with({"x", "y"}));
    twice.add("b.safetensors", shard_with({"x", "z"}));
    twice.add("model.safetensors.index.json",
              bytes_from_string(R"({"weight_map": {"x": "a.safetensors", "y": "a.safetensors", "z": "b.safetensors"}})"));
    CHECK(load_error(twice) ==
          "model.safetensors.index.json: tensor 'x' is in two shards, 'a.safetensors' and 'b.safetensors'; a tensor "
          "must be stored once");
}

TEST_CASE("weight store errors: bad index, bad or LFS shard names its file") {
    FileSet files;
    files.add("model.safetensors.index.json", bytes_from_string(R"({"metadata": {}})"));
    CHECK(load_error(files) == "model.safetensors.index.json: missing key 'weight_map'");
    files.add("model.safetensors.index.json", bytes_from_string(R"({"weight_map": {}})"));
    CHECK(load_error(files) == "model.safetensors.index.json: 'weight_map' lists no tensors");
    files.add("model.safetensors.index.json", bytes_from_string(R"({"weight_map": {"x": 3}})"));
    CHECK(load_error(files) ==
          "model.safetensors.index.json: weight_map entry for tensor 'x' must be a shard file name, found an integer");
    files.add("model.safetensors.index.json", bytes_from_string(R"({"weight_map": {"x": "a.safetensors",)"));
    CHECK(contains(load_error(files), "model.safetensors.index.json: malformed JSON"));

    files.add("model.safetensors.index.json", bytes_from_string(R"({"weight_map": {"x": "a.safetensors"}})"));
    files.add("a.safetensors", bytes_from_string("version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 9\n"));
    CHECK(contains(load_error(files), "a.safetensors: this is a Git LFS pointer"));

    FileSet lfs;
    lfs.add("model.safetensors", bytes_from_string("version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 9\n"));
    CHECK(contains(load_error(lfs), "model.safetensors: this is a Git LFS pointer"));

    // Shards named with a folder prefix are looked up by base name.
    FileSet prefixed;
    prefixed.add("a.safetensors", shard_with({"x"}));
    prefixed.add("model.safetensors.index.json", bytes_from_string(R"({"weight_map": {"x": "sub/a.safetensors"}})"));
    auto w = weight_store_load(prefixed);
    REQUIRE_MESSAGE(w.ok(), w.error().message);
    CHECK(w->has("x"));
}
