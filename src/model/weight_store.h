// The weights of one model folder, whether one model.safetensors or a model.safetensors.index.json
// with its shards, behind one name -> TensorView lookup. It does not check names or shapes against a
// config (architecture loaders do that) and copies no tensor data.
//
//   Expected<WeightStore> w = weight_store_load(files);   // files: a FileSet of the folder
//   if (!w) { status(w.error().message); return; }
//   const TensorView& wte = w->require("transformer.wte.weight");   // throws attn::Error if absent
//   std::vector<float> ln = tensor_to_f32(w->require("transformer.ln_f.weight"));
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_set.h"
#include "model/safetensors.h"

namespace attn {

constexpr char kWeightsFile[] = "model.safetensors";
constexpr char kWeightsIndexFile[] = "model.safetensors.index.json";

class WeightStore {
public:
    // nullptr when absent.
    const TensorView* find(const std::string& name) const;
    // Throws attn::Error "FILE: missing tensor 'NAME'" (FILE: the weights file or the index).
    const TensorView& require(const std::string& name) const;
    bool has(const std::string& name) const { return index_.count(name) != 0; }
    std::vector<std::string> names() const;          // sorted
    size_t size() const { return index_.size(); }    // number of tensors
    int64_t total_bytes() const;                     // bytes of tensor data, all files together
    int64_t total_params() const;                    // elements, all tensors together
    std::vector<std::string> dtypes() const;         // distinct dtype names, e.g. {"BF16"}, in enum order
    const std::vector<SafetensorsFile>& files() const { return files_; }
    // "model.safetensors" or "model.safetensors.index.json": what to name in messages about the set.
    const std::string& source() const { return source_; }

private:
    friend class WeightStoreLoader;
    std::vector<SafetensorsFile> files_;
    std::map<std::string, size_t> index_;   // tensor name -> position in files_ (indices keep copies valid)
    std::string source_;
};

// Prefers model.safetensors when both it and an index exist (as transformers does). Errors name the
// file: an index naming a shard the folder lacks, a tensor listed for a shard that does not hold it,
// one tensor in two shards, or no weights at all ("no model.safetensors or
// model.safetensors.index.json in FOLDER; found: a.json, b.txt"). Bad files fail as in
// safetensors_parse.
Expected<WeightStore> weight_store_load(const FileSet& files);

}  // namespace attn
