// The cases of bad_model_catalog.h. Each starts from a good fixture folder and breaks one thing, so a
// case fails for its own reason and not an earlier one (a bad dtype keeps its byte span right, a
// config key is changed in a config whose weights otherwise match).
#include "bad_model_catalog.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <tuple>
#include <stdexcept>
#include <utility>

#include "core/json.h"
#include "model/safetensors.h"
#include "model/safetensors_write.h"
#include "platform/file_io.h"

namespace attn {

namespace {

constexpr char kWeights[] = "model.safetensors";
constexpr char kConfig[] = "config.json";
constexpr char kTokenizer[] = "tokenizer.json";
constexpr char kIndex[] = "model.safetensors.index.json";

Bytes bytes_of(const FileSet& files, const std::string& name) {
    const Blob* b = files.find(name);
    if (!b) throw std::runtime_error("catalog: fixture lacks " + name);
    return bytes_from_blob(*b);
}

Json json_of(const FileSet& files, const std::string& name) { return Json::parse(string_from_bytes(bytes_of(files, name))); }

// A safetensors file taken apart: its header as JSON and the data section.
struct Safetensors {
    Json header;
    Bytes data;
};

Safetensors split(const Bytes& file) {
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(file[static_cast<size_t>(i)]) << (8 * i);
    Safetensors st;
    st.header = Json::parse(std::string(file.begin() + 8, file.begin() + 8 + static_cast<long>(n)));
    st.data.assign(file.begin() + 8 + static_cast<long>(n), file.end());
    return st;
}

// [u64 length][header text][data]; `declared` replaces the length field when given.
Bytes join(const std::string& header, const Bytes& data, const uint64_t* declared = nullptr) {
    const uint64_t n = declared ? *declared : header.size();
    Bytes b(8);
    for (int i = 0; i < 8; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
    b.insert(b.end(), header.begin(), header.end());
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

Bytes join(const Safetensors& st) { return join(st.header.dump(), st.data); }

// The tensor whose bytes come first in the data section.
std::string first_tensor(const Json& header) {
    for (auto it = header.begin(); it != header.end(); ++it)
        if (it.key() != "__metadata__" && it.value()["data_offsets"][0].get<int64_t>() == 0) return it.key();
    throw std::runtime_error("catalog: no tensor at offset 0");
}

// Tensors ordered by where their bytes start.
std::vector<std::string> tensors_in_order(const Json& header) {
    std::vector<std::pair<int64_t, std::string>> order;
    for (auto it = header.begin(); it != header.end(); ++it)
        if (it.key() != "__metadata__") order.push_back({it.value()["data_offsets"][0].get<int64_t>(), it.key()});
    std::sort(order.begin(), order.end());
    std::vector<std::string> names;
    for (auto& p : order) names.push_back(p.second);
    return names;
}

class Catalog {
public:
    explicit Catalog(std::string dir) : dir_(std::move(dir)) {}
    std::vector<BadModelCase> cases;

    void add(std::string row, std::string name, std::function<FileSet()> make, std::vector<std::string> expect) {
        cases.push_back({std::move(row), std::move(name), std::move(make), std::move(expect), false});
    }
    void add_loading(std::string row, std::string name, std::function<FileSet()> make, std::vector<std::string> expect) {
        cases.push_back({std::move(row), std::move(name), std::move(make), std::move(expect), true});
    }
    const std::string& dir() const { return dir_; }

    // `model`'s folder with one file replaced by what `make_file` returns (given the folder).
    std::function<FileSet()> with_file(std::string model, std::string file, std::function<Bytes(const FileSet&)> make_file) const {
        return [dir = dir_, model, file, make_file] {
            FileSet f = fixture_files(dir, model);
            f.add(file, make_file(f));
            return f;
        };
    }
    std::function<FileSet()> weights(std::string model, std::function<void(Safetensors&)> edit) const {
        return with_file(model, kWeights, [edit](const FileSet& f) {
            Safetensors st = split(bytes_of(f, kWeights));
            edit(st);
            return join(st);
        });
    }
    std::function<FileSet()> weights_bytes(std::string model, std::function<Bytes(Bytes)> edit) const {
        return with_file(model, kWeights, [edit](const FileSet& f) { return edit(bytes_of(f, kWeights)); });
    }
    std::function<FileSet()> json_file(std::string model, std::string file, std::function<void(Json&)> edit) const {
        return with_file(model, file, [file, edit](const FileSet& f) {
            Json j = json_of(f, file);
            edit(j);
            return bytes_from_string(j.dump());
        });
    }
    std::function<FileSet()> config(std::string model, std::function<void(Json&)> edit) const {
        return json_file(std::move(model), kConfig, std::move(edit));
    }
    std::function<FileSet()> config_text(std::string model, std::string text) const {
        return with_file(model, kConfig, [text](const FileSet&) { return bytes_from_string(text); });
    }
    std::function<FileSet()> tokenizer(std::string model, std::function<void(Json&)> edit) const {
        return json_file(std::move(model), kTokenizer, std::move(edit));
    }
    std::function<FileSet()> without(std::string model, std::string file) const {
        return [dir = dir_, model, file] {
            FileSet f = fixture_files(dir, model);
            f.files.erase(file);
            return f;
        };
    }

private:
    std::string dir_;
};

// A dtype that is not F32 but keeps the tensor's byte span: the shape is rescaled so
// elements x size stays the same, and the message can only be about the dtype.
void retype_first(Safetensors& st, const char* dtype, int bytes_per_element_x2) {
    Json& t = st.header[first_tensor(st.header)];
    t["dtype"] = dtype;
    const int64_t span = t["data_offsets"][1].get<int64_t>() - t["data_offsets"][0].get<int64_t>();
    t["shape"] = Json::array({span * 2 / bytes_per_element_x2});
}

void add_safetensors_rows(Catalog& c) {
    const std::string m = "llama-tiny";
    c.add("safetensors smaller than 8 bytes", "st_under_8_bytes",
          c.weights_bytes(m, [](Bytes) { return Bytes{1, 2, 3, 4, 5}; }), {"model.safetensors", "too small"});
    c.add("safetensors smaller than 8 bytes (empty)", "st_empty", c.weights_bytes(m, [](Bytes) { return Bytes{}; }),
          {"model.safetensors", "too small"});
    c.add("header length beyond the file", "st_header_past_end", c.weights_bytes(m, [](Bytes b) {
              const uint64_t n = b.size();
              for (int i = 0; i < 8; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
              return b;
          }),
          {"model.safetensors", "header"});
    c.add("header length 2^64-1", "st_header_len_max", c.weights_bytes(m, [](Bytes b) {
              for (int i = 0; i < 8; ++i) b[static_cast<size_t>(i)] = 0xff;
              return b;
          }),
          {"model.safetensors", "header"});
    c.add("header not UTF-8", "st_header_not_utf8", c.weights_bytes(m, [](Bytes) {
              return join(std::string("{\"__metadata__\":{\"a\":\"\xff\xfe\"}}"), Bytes{});
          }),
          {"model.safetensors", "UTF-8"});
    c.add("header not an object", "st_header_not_object",
          c.weights_bytes(m, [](Bytes) { return join(std::string("[1, 2, 3]"), Bytes{}); }), {"model.safetensors"});
    c.add("header malformed JSON", "st_header_malformed",
          c.weights_bytes(m, [](Bytes) { return join(std::string("{\"a\": {\"dtype\": "), Bytes{}); }),
          {"model.safetensors", "JSON"});
    c.add("duplicate tensor names", "st_duplicate_names", c.weights_bytes(m, [](Bytes) {
              const std::string t = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
              return join("{\"w\":" + t + ",\"w\":" + t + "}", Bytes(4, 0));
          }),
          {"model.safetensors", "w"});
    c.add("__metadata__ with non-string values", "st_metadata_number",
          c.weights(m, [](Safetensors& st) { st.header["__metadata__"] = {{"format", 5}}; }),
          {"model.safetensors", "__metadata__"});
    c.add("__metadata__ that is not an object", "st_metadata_array",
          c.weights(m, [](Safetensors& st) { st.header["__metadata__"] = Json::array({"pt"}); }),
          {"model.safetensors", "__metadata__"});
    // Unsupported dtypes are named; the shape keeps the span right so the dtype is the only fault.
    struct Dtype {
        const char* name;
        int x2;   // bytes per element, times two (F4 is half a byte)
    };
    for (Dtype d : {Dtype{"F4", 1}, Dtype{"C64", 16}, Dtype{"Q4_K", 2}}) {
        const std::string dtype = d.name;
        c.add("unknown or unsupported dtype " + dtype, "st_dtype_" + dtype,
              c.weights(m, [d](Safetensors& st) { retype_first(st, d.name, d.x2); }), {"model.safetensors", dtype});
    }
    auto offsets = [&](std::string name, std::string row, Json (*make)(int64_t begin, int64_t end), std::string phrase) {
        c.add(row, name, c.weights(m, [make](Safetensors& st) {
                  Json& t = st.header[first_tensor(st.header)];
                  t["data_offsets"] = make(t["data_offsets"][0].get<int64_t>(), t["data_offsets"][1].get<int64_t>());
              }),
              {"model.safetensors", phrase});
    };
    offsets("st_offsets_negative", "offsets negative", [](int64_t, int64_t e) { return Json::array({-4, e}); }, "data_offsets");
    offsets("st_offsets_fractional", "offsets fractional", [](int64_t, int64_t e) { return Json::array({0.5, e}); },
            "data_offsets");
    offsets("st_offsets_reversed", "offsets reversed", [](int64_t b, int64_t e) { return Json::array({e, b}); },
            "data_offsets");
    offsets("st_offsets_three", "offsets not a pair", [](int64_t b, int64_t e) { return Json::array({b, e, e}); },
            "data_offsets");
    c.add("offsets overlapping", "st_offsets_overlap", c.weights(m, [](Safetensors& st) {
              auto names = tensors_in_order(st.header);
              Json& second = st.header[names[1]];
              Json& first = st.header[names[0]];
              // Move the second tensor 4 bytes back into the first, keeping its own span.
              const int64_t b = second["data_offsets"][0].get<int64_t>() - 4, e = second["data_offsets"][1].get<int64_t>() - 4;
              second["data_offsets"] = Json::array({b, e});
              (void)first;
          }),
          {"model.safetensors", "overlap"});
    c.add("offsets with gaps", "st_offsets_gap", c.weights(m, [](Safetensors& st) {
              auto names = tensors_in_order(st.header);
              st.header.erase(names[names.size() / 2]);
          }),
          {"model.safetensors", "gap"});
    c.add("offsets not starting at 0", "st_offsets_not_zero",
          c.weights(m, [](Safetensors& st) { st.header.erase(first_tensor(st.header)); }), {"model.safetensors"});
    c.add("element-count overflow", "st_numel_overflow", c.weights(m, [](Safetensors& st) {
              st.header[first_tensor(st.header)]["shape"] = Json::array({int64_t(1) << 40, int64_t(1) << 40, 16});
          }),
          {"model.safetensors", "overflow"});
    c.add("negative dimension", "st_shape_negative",
          c.weights(m, [](Safetensors& st) { st.header[first_tensor(st.header)]["shape"] = Json::array({-1, 64}); }),
          {"model.safetensors"});
    c.add("span != elements x size", "st_span_mismatch", c.weights(m, [](Safetensors& st) {
              Json& t = st.header[first_tensor(st.header)];
              Json shape = t["shape"];
              shape[0] = shape[0].get<int64_t>() * 2;
              t["shape"] = shape;
          }),
          {"model.safetensors"});
    c.add("trailing bytes", "st_trailing_bytes", c.weights(m, [](Safetensors& st) { st.data.resize(st.data.size() + 16, 0); }),
          {"model.safetensors", "trailing"});
    c.add("truncation", "st_truncated", c.weights(m, [](Safetensors& st) { st.data.resize(st.data.size() - 100); }),
          {"model.safetensors"});
    c.add("a Git-LFS pointer", "st_lfs_pointer", c.weights_bytes(m, [](Bytes) {
              return bytes_from_string(
                  "version https://git-lfs.github.com/spec/v1\n"
                  "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 2469408\n");
          }),
          {"model.safetensors", "Git LFS"});
}

// Rebuilds `model`'s weights through the writer, letting `edit` drop or replace tensors (name -> new
// shape and data). Used where the header alone cannot express the fault (a tensor of a different size).
using TensorEdit = std::function<bool(const std::string& name, DType& dtype, std::vector<int64_t>& shape, Bytes& data)>;
std::function<FileSet()> rewrite_weights(const Catalog& c, std::string model, TensorEdit edit) {
    return c.with_file(model, kWeights, [edit](const FileSet& f) {
        auto st = safetensors_parse(f.find_shared(kWeights), kWeights);
        if (!st) throw std::runtime_error(st.error().message);
        std::vector<std::tuple<std::string, DType, std::vector<int64_t>, Bytes>> kept;
        for (const TensorView& t : st->tensors()) {
            DType dtype = t.dtype;
            std::vector<int64_t> shape = t.shape;
            Bytes data(t.data, t.data + t.nbytes);
            if (edit(t.name, dtype, shape, data)) kept.emplace_back(t.name, dtype, shape, std::move(data));
        }
        SafetensorsWriter w;
        for (auto& k : kept) w.add(std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k).data());
        auto out = w.write();
        if (!out) throw std::runtime_error(out.error().message);
        return *out;
    });
}

void add_weight_rows(Catalog& c) {
    const std::string m = "llama-tiny";
    // 8-bit floats parse (safetensors knows them) but no kernel reads them: named at load.
    for (DType f8 : {DType::F8_E4M3, DType::F8_E5M2}) {
        const std::string name = dtype_name(f8);
        c.add("unsupported dtype " + name, "w_dtype_" + name,
              rewrite_weights(c, m, [f8](const std::string& tensor, DType& dtype, std::vector<int64_t>& shape, Bytes& data) {
                  if (tensor == "model.norm.weight") {
                      dtype = f8;
                      data.assign(static_cast<size_t>(shape[0]), 0x38);
                  }
                  return true;
              }),
              {"model.safetensors", "model.norm.weight", name});
    }
    c.add("a missing tensor", "w_missing_tensor",
          rewrite_weights(c, m, [](const std::string& name, DType&, std::vector<int64_t>&, Bytes&) {
              return name != "model.layers.1.mlp.up_proj.weight";
          }),
          {"model.safetensors", "model.layers.1.mlp.up_proj.weight"});
    c.add("a shape that disagrees with config", "w_shape_disagrees",
          c.config(m, [](Json& j) { j["intermediate_size"] = 96; }),
          {"model.layers.0.mlp.gate_proj.weight", "[96, 64]", "[128, 64]"});
    c.add("zero-size tensors", "w_zero_size_tensor",
          rewrite_weights(c, m, [](const std::string& name, DType&, std::vector<int64_t>& shape, Bytes& data) {
              if (name == "model.norm.weight") {
                  shape = {0};
                  data.clear();
              }
              return true;
          }),
          {"model.norm.weight", "[64]", "[0]"});
    // NaN/Inf weights load with a warning naming the first bad tensor; the trace then says where NaN
    // first appears (analysis/nonfinite.h) and views draw those cells in the 'bad' colour.
    c.add_loading("NaN/Inf weights (F32)", "w_nan_weights_f32",
                  rewrite_weights(c, m, [](const std::string& name, DType&, std::vector<int64_t>&, Bytes& data) {
                      const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
                      if (name == "model.norm.weight") std::memcpy(data.data() + 4 * 3, &nan, 4);
                      if (name == "model.layers.1.mlp.down_proj.weight") std::memcpy(data.data() + 4 * 7, &inf, 4);
                      return true;
                  }),
                  {"model.safetensors", "2 weights in 2 tensors are NaN or infinite",
                   "first: 'model.layers.1.mlp.down_proj.weight' at element 7"});
    c.add_loading("NaN/Inf weights (BF16 shard)", "w_nan_weights_bf16", c.with_file("llama-bf16-sharded",
                  "model-00004-of-00004.safetensors", [](const FileSet& f) {
                      Safetensors st = split(bytes_of(f, "model-00004-of-00004.safetensors"));
                      const int64_t at = st.header["lm_head.weight"]["data_offsets"][0].get<int64_t>() + 2 * 11;
                      st.data[static_cast<size_t>(at)] = 0xc0;       // bf16 0x7fc0: NaN (little-endian)
                      st.data[static_cast<size_t>(at) + 1] = 0x7f;
                      return join(st);
                  }),
                  {"model.safetensors.index.json", "1 weight in 1 tensor is NaN or infinite",
                   "first: 'lm_head.weight' at element 11"});
    c.add("a tensor of an integer dtype where floats are needed", "w_int_weights",
          rewrite_weights(c, m, [](const std::string& name, DType& dtype, std::vector<int64_t>&, Bytes&) {
              if (name == "model.norm.weight") dtype = DType::I32;
              return true;
          }),
          {"model.norm.weight", "I32"});
}

void add_shard_rows(Catalog& c) {
    const std::string m = "llama-bf16-sharded";
    const std::string shard3 = "model-00003-of-00004.safetensors";
    c.add("a shard index pointing at a missing file", "sh_missing_file", c.without(m, shard3), {kIndex, shard3});
    c.add("a shard index pointing at a file the user did not pick", "sh_not_picked", [dir = c.dir(), m, shard3] {
              FileSet f = fixture_files(dir, m);
              f.files.erase(shard3);
              f.label = "the files you picked";
              return f;
          },
          {kIndex, shard3, "the files you picked"});
    c.add("a shard index pointing outside the folder (../)", "sh_outside_folder", c.json_file(m, kIndex, [](Json& j) {
              for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it)
                  if (it.value() == "model-00001-of-00004.safetensors") it.value() = "../model-00001-of-00004.safetensors";
          }),
          {kIndex, "../model-00001-of-00004.safetensors", "outside the model folder"});
    c.add("a shard index pointing at an absolute path", "sh_absolute_path", c.json_file(m, kIndex, [](Json& j) {
              for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it)
                  if (it.value() == "model-00002-of-00004.safetensors") it.value() = "/etc/model-00002-of-00004.safetensors";
          }),
          {kIndex, "/etc/model-00002-of-00004.safetensors", "outside the model folder"});
    c.add("a shard index whose weight_map is not an object", "sh_weight_map_array",
          c.json_file(m, kIndex, [](Json& j) { j["weight_map"] = Json::array({"a"}); }), {kIndex, "weight_map"});
    c.add("a shard index naming a shard with a non-string", "sh_weight_map_number",
          c.json_file(m, kIndex, [](Json& j) { j["weight_map"]["lm_head.weight"] = 4; }), {kIndex, "lm_head.weight"});
    c.add("a shard that is truncated", "sh_shard_truncated", c.with_file(m, shard3, [shard3](const FileSet& f) {
              Bytes b = bytes_of(f, shard3);
              b.resize(b.size() - 10);
              return b;
          }),
          {shard3});
}

void add_config_rows(Catalog& c) {
    const std::string m = "llama-tiny";
    c.add("config.json missing", "cfg_missing_file", c.without(m, kConfig), {"config.json"});
    c.add("config.json not an object", "cfg_not_object", c.config_text(m, "[1, 2]"), {"config.json", "object"});
    c.add("config key missing", "cfg_key_missing", c.config(m, [](Json& j) { j.erase("hidden_size"); }),
          {"config.json", "hidden_size", "missing"});
    c.add("config key of the wrong type (\"12\")", "cfg_key_string", c.config(m, [](Json& j) { j["num_hidden_layers"] = "2"; }),
          {"config.json", "num_hidden_layers", "string"});
    c.add("config key of the wrong type (12.5)", "cfg_key_fraction",
          c.config(m, [](Json& j) { j["num_attention_heads"] = 4.5; }), {"config.json", "num_attention_heads"});
    c.add("config key of the wrong type (null)", "cfg_key_null", c.config(m, [](Json& j) { j["vocab_size"] = nullptr; }),
          {"config.json", "vocab_size", "null"});
    c.add("config key of the wrong type (object)", "cfg_key_object",
          c.config(m, [](Json& j) { j["intermediate_size"] = Json::object(); }), {"config.json", "intermediate_size"});
    c.add("config key zero", "cfg_key_zero", c.config(m, [](Json& j) { j["num_hidden_layers"] = 0; }),
          {"config.json", "num_hidden_layers", "positive"});
    c.add("config key negative", "cfg_key_negative", c.config(m, [](Json& j) { j["intermediate_size"] = -128; }),
          {"config.json", "intermediate_size", "positive"});
    c.add("config key huge (past 32 bits)", "cfg_key_huge", c.config(m, [](Json& j) { j["hidden_size"] = int64_t(4294967360); }),
          {"config.json", "hidden_size", "4294967360"});
    c.add("config key huge (past 64 bits)", "cfg_key_huge_float", c.config(m, [](Json& j) { j["vocab_size"] = 1e30; }),
          {"config.json", "vocab_size"});
    c.add("config key huge (many layers)", "cfg_layers_huge", c.config(m, [](Json& j) { j["num_hidden_layers"] = 1000000; }),
          {"model.safetensors", "model.layers.2."});
    c.add("hidden size not divisible by heads", "cfg_hidden_not_divisible", c.config(m, [](Json& j) {
              j.erase("head_dim");
              j["num_attention_heads"] = 6;
              j["num_key_value_heads"] = 6;
          }),
          {"config.json", "hidden_size=64", "num_attention_heads=6"});
    c.add("heads not divisible by KV heads", "cfg_kv_not_divisible", c.config(m, [](Json& j) { j["num_key_value_heads"] = 3; }),
          {"config.json", "num_attention_heads=4", "num_key_value_heads=3"});
    c.add("NaN literal in config", "cfg_nan_literal",
          c.config_text(m, "{\"model_type\": \"llama\", \"hidden_size\": NaN}"), {"config.json", "JSON"});
    c.add("Infinity literal in config", "cfg_infinity_literal",
          c.config_text(m, "{\"model_type\": \"llama\", \"rms_norm_eps\": Infinity}"), {"config.json", "JSON"});
    c.add("eps = 0", "cfg_eps_zero", c.config(m, [](Json& j) { j["rms_norm_eps"] = 0.0; }), {"config.json", "rms_norm_eps"});
    c.add("eps < 0", "cfg_eps_negative", c.config(m, [](Json& j) { j["rms_norm_eps"] = -1e-5; }),
          {"config.json", "rms_norm_eps"});
    c.add("eps that rounds to 0 in float", "cfg_eps_underflow", c.config(m, [](Json& j) { j["rms_norm_eps"] = 1e-300; }),
          {"config.json", "rms_norm_eps"});
    c.add("GPT-2 eps = 0", "cfg_gpt2_eps_zero", c.config("gpt2-tiny", [](Json& j) { j["layer_norm_epsilon"] = 0.0; }),
          {"config.json", "layer_norm_epsilon"});
    c.add("GPT-2 width huge", "cfg_gpt2_huge", c.config("gpt2-tiny", [](Json& j) { j["n_embd"] = int64_t(4294967360); }),
          {"config.json", "n_embd", "4294967360"});
    c.add("BERT eps = 0", "cfg_bert_eps_zero", c.config("bert-tiny", [](Json& j) { j["layer_norm_eps"] = 0.0; }),
          {"config.json", "layer_norm_eps"});
    c.add("BERT hidden size not divisible by heads", "cfg_bert_not_divisible",
          c.config("bert-tiny", [](Json& j) { j["num_attention_heads"] = 5; }), {"config.json", "num_attention_heads=5"});
    c.add("deeply nested JSON (100,000 levels)", "cfg_deep_nesting", c.config_text(m, [] {
              std::string s = "{\"model_type\": \"llama\", \"x\": ";
              s += std::string(100000, '[');
              s += std::string(100000, ']');
              return s + "}";
          }()),
          {"config.json", "deeper"});
    c.add("unknown model_type", "cfg_unknown_model_type", c.config(m, [](Json& j) { j["model_type"] = "t5"; }),
          {"config.json", "t5"});
    c.add("model_type missing", "cfg_model_type_missing", c.config(m, [](Json& j) {
              j.erase("model_type");
              j.erase("architectures");
          }),
          {"config.json", "model_type"});
    c.add("model_type not a string", "cfg_model_type_number", c.config(m, [](Json& j) { j["model_type"] = 7; }),
          {"config.json", "model_type"});
}

void add_tokenizer_rows(Catalog& c) {
    const std::string m = "llama-tiny", b = "bert-tiny";
    c.add("tokenizer.json missing", "tk_missing_file", c.without(m, kTokenizer), {"tokenizer.json"});
    c.add("tokenizer.json malformed", "tk_malformed", c.with_file(m, kTokenizer, [](const FileSet&) {
              return bytes_from_string("{\"model\": ");
          }),
          {"tokenizer.json", "JSON"});
    c.add("tokenizer model type unknown", "tk_model_type_unknown", c.tokenizer(m, [](Json& j) { j["model"]["type"] = "Foo"; }),
          {"tokenizer.json", "Foo"});
    c.add("tokenizer model type missing and not inferable", "tk_model_type_missing", c.tokenizer(m, [](Json& j) {
              j["model"] = {{"dropout", nullptr}};
          }),
          {"tokenizer.json", "model"});
    c.add("tokenizer model missing", "tk_model_missing", c.tokenizer(m, [](Json& j) { j.erase("model"); }),
          {"tokenizer.json", "model"});
    // Shared and missing ids load, as in Hugging Face's tokenizers (an id decodes as one of its tokens;
    // a missing one decodes to nothing), with a warning (model/vocab_check.h).
    c.add_loading("tokenizer id given to two tokens", "tk_duplicate_id",
                  c.tokenizer(m, [](Json& j) { j["model"]["vocab"]["zzzq"] = 5; }),
                  {"tokenizer.json", "1 id belongs to more than one token (first: 5 is '", "'zzzq'"});
    c.add_loading("tokenizer ids with a hole (sparse)", "tk_sparse_ids", c.tokenizer(b, [](Json& j) {
              Json& vocab = j["model"]["vocab"];
              for (auto it = vocab.begin(); it != vocab.end(); ++it)
                  if (it.value() == 100) { vocab.erase(it); break; }
          }),
          {"tokenizer.json", "1 id below the largest", "belongs to no token (first: 100)"});
    // The largest id there may be: two warnings, found in time that does not grow with the id.
    c.add_loading("tokenizer id 2^24 - 1 (very sparse)", "tk_huge_id",
                  c.tokenizer(b, [](Json& j) { j["model"]["vocab"]["zzzq"] = 16777215; }),
                  {"tokenizer.json", "belong to no token", "'zzzq' = 16777215"});
    c.add("tokenizer id past 2^24", "tk_id_out_of_range",
          c.tokenizer(b, [](Json& j) { j["model"]["vocab"]["zzzq"] = 2147483647; }),
          {"tokenizer.json", "\"zzzq\" has id 2147483647, out of range [0, 16777216)"});
    c.add("tokenizer id negative", "tk_id_negative", c.tokenizer(m, [](Json& j) { j["model"]["vocab"]["zzzq"] = -1; }),
          {"tokenizer.json", "\"zzzq\" has id -1, out of range"});
    c.add("added token id past 2^24", "tk_added_id_out_of_range", c.tokenizer(m, [](Json& j) {
              Json t = j["added_tokens"][0];
              t["id"] = 1 << 24;
              t["content"] = "<big>";
              j["added_tokens"].push_back(t);
          }),
          {"tokenizer.json", "added_tokens", "\"<big>\" has id 16777216"});
    // A tokenizer larger than the embedding table loads (fine-tunes add a pad token without growing the
    // table); the warning names the first such token, and a text that uses it is refused at trace time.
    c.add_loading("tokenizer ids beyond the embedding rows", "tk_ids_beyond_embedding", c.tokenizer(m, [](Json& j) {
              j["model"]["vocab"]["zzzq"] = 600;
          }),
          {"tokenizer.json", "1 token has an id beyond the model's 600 embedding rows", "'zzzq' = 600"});
    c.add("merges naming absent tokens", "tk_merges_absent", c.tokenizer(m, [](Json& j) {
              j["model"]["merges"].push_back(Json::array({"qqqx", "xqqq"}));
          }),
          {"tokenizer.json", "qqqx"});
    c.add("merges that are not pairs", "tk_merges_malformed",
          c.tokenizer(m, [](Json& j) { j["model"]["merges"].push_back(Json::array({"a", "b", "c"})); }),
          {"tokenizer.json", "merge"});
    c.add_loading("WordPiece ids beyond the embedding rows", "tk_wordpiece_ids_beyond",
                  c.tokenizer(b, [](Json& j) { j["model"]["vocab"]["zzzq"] = 5000; }), {"tokenizer.json", "'zzzq' = 5000"});
    c.add("templates naming absent tokens", "tk_template_absent", c.tokenizer(b, [](Json& j) {
              j["post_processor"]["single"][0]["SpecialToken"]["id"] = "[NOPE]";
          }),
          {"tokenizer.json", "[NOPE]"});
    c.add("unsupported normalizer", "tk_unsupported_normalizer",
          c.tokenizer(m, [](Json& j) { j["normalizer"] = {{"type", "Precompiled"}, {"precompiled_charsmap", "AAAA"}}; }),
          {"tokenizer.json", "Precompiled"});
    c.add("unsupported pre-tokenizer", "tk_unsupported_pre_tokenizer",
          c.tokenizer(m, [](Json& j) { j["pre_tokenizer"] = {{"type", "Frobnicate"}}; }), {"tokenizer.json", "Frobnicate"});
    c.add("unsupported post-processor", "tk_unsupported_post_processor",
          c.tokenizer(m, [](Json& j) { j["post_processor"] = {{"type", "Frobnicate"}}; }), {"tokenizer.json", "Frobnicate"});
    c.add("unsupported decoder", "tk_unsupported_decoder",
          c.tokenizer(m, [](Json& j) { j["decoder"] = {{"type", "Frobnicate"}}; }), {"tokenizer.json", "Frobnicate"});
    c.add_loading("added token with an id beyond the embedding rows", "tk_added_token_beyond", c.tokenizer(m, [](Json& j) {
              Json t = j["added_tokens"][0];
              t["id"] = 600;
              t["content"] = "<pad>";
              j["added_tokens"].push_back(t);
          }),
          {"tokenizer.json", "'<pad>' = 600"});
}

}  // namespace

FileSet fixture_files(const std::string& fixtures_dir, const std::string& model) {
    auto files = folder_read(fixtures_dir + "/" + model);
    if (!files) throw std::runtime_error(files.error().message);
    // The fixtures' reference outputs are not part of a model folder.
    for (auto it = files->files.begin(); it != files->files.end();)
        it = it->first.rfind("reference", 0) == 0 || it->first.rfind("tokenizer_reference", 0) == 0 ? files->files.erase(it)
                                                                                                     : std::next(it);
    files->label = model;
    return *files;
}

std::vector<BadModelCase> bad_model_catalog(const std::string& fixtures_dir) {
    Catalog c(fixtures_dir);
    add_safetensors_rows(c);
    add_weight_rows(c);
    add_shard_rows(c);
    add_config_rows(c);
    add_tokenizer_rows(c);
    return std::move(c.cases);
}

}  // namespace attn
