// Finding and opening a model's weight files in a FileSet: one model.safetensors, or an index whose
// "weight_map" sends each tensor name to a shard file. Every shard is parsed (and so validated) once.
#include "model/weight_store.h"

#include <set>

#include "core/json.h"

namespace attn {

namespace {

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

std::string folder_name(const FileSet& files) { return files.label.empty() ? "the model folder" : files.label; }

std::string found_list(const FileSet& files) {
    if (files.files.empty()) return "no files at all";
    std::string out;
    for (const auto& kv : files.files) out += (out.empty() ? "" : ", ") + kv.first;
    return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

class WeightStoreLoader {
public:
    static WeightStore load(const FileSet& files);

private:
    static void add_file(WeightStore& store, SafetensorsFile file);
    static void load_sharded(WeightStore& store, const FileSet& files);
};

void WeightStoreLoader::add_file(WeightStore& store, SafetensorsFile file) {
    size_t position = store.files_.size();
    for (const TensorView& t : file.tensors()) {
        auto it = store.index_.find(t.name);
        if (it != store.index_.end())
            throw Error(store.source_ + ": tensor " + in_quotes(t.name) + " is in two shards, " +
                        in_quotes(store.files_[it->second].label()) + " and " + in_quotes(file.label()) +
                        "; a tensor must be stored once");
        store.index_[t.name] = position;
    }
    store.files_.push_back(std::move(file));
}

WeightStore WeightStoreLoader::load(const FileSet& files) {
    WeightStore store;
    if (files.has(kWeightsFile)) {
        store.source_ = kWeightsFile;
        auto file = safetensors_parse(files.find_shared(kWeightsFile), kWeightsFile);
        if (!file) throw Error(file.error().message);
        add_file(store, std::move(*file));
        return store;
    }
    if (files.has(kWeightsIndexFile)) {
        store.source_ = kWeightsIndexFile;
        load_sharded(store, files);
        return store;
    }
    std::string stray;
    for (const auto& kv : files.files)
        if (ends_with(kv.first, ".safetensors")) stray += (stray.empty() ? "" : ", ") + kv.first;
    throw Error(std::string("no ") + kWeightsFile + " or " + kWeightsIndexFile + " in " + folder_name(files) +
                "; found: " + found_list(files) +
                (stray.empty() ? "" : " (" + stray + " cannot be used without its " + kWeightsIndexFile + ")"));
}

// An index from a stranger may name "../x" or "/etc/x". Loaders never open paths (they see only the
// picked files, by base name), so nothing outside could be read; but matching the base name would
// silently load a different file than the one named, so such names are refused.
static bool leaves_folder(const std::string& shard) {
    if (shard.empty() || shard[0] == '/' || shard[0] == '\\' || shard.find(':') != std::string::npos) return true;
    size_t start = 0;
    while (start <= shard.size()) {
        size_t end = shard.find_first_of("/\\", start);
        if (end == std::string::npos) end = shard.size();
        if (shard.compare(start, end - start, "..") == 0 && end - start == 2) return true;
        start = end + 1;
    }
    return false;
}

void WeightStoreLoader::load_sharded(WeightStore& store, const FileSet& files) {
    const std::string label = kWeightsIndexFile;
    const Blob* bytes = files.find(label);
    Json index = json_parse(string_from_bytes(*bytes), label);
    if (!index.is_object()) throw Error(label + ": expected a JSON object, found " + json_type_name(index));
    const Json& weight_map = json_require(index, "weight_map", label);
    if (!weight_map.is_object())
        throw Error(label + ": 'weight_map' must be an object of tensor name -> shard file, found " +
                    json_type_name(weight_map));
    if (weight_map.empty()) throw Error(label + ": 'weight_map' lists no tensors");

    // shard file -> the tensors the index places there (std::map: shards opened in name order)
    std::map<std::string, std::vector<std::string>> shards;
    for (auto it = weight_map.begin(); it != weight_map.end(); ++it) {
        if (!it.value().is_string())
            throw Error(label + ": weight_map entry for tensor " + in_quotes(it.key()) +
                        " must be a shard file name, found " + json_type_name(it.value()));
        const std::string shard = it.value().get<std::string>();
        if (leaves_folder(shard))
            throw Error(label + ": weight_map sends tensor " + in_quotes(it.key()) + " to " + in_quotes(shard) +
                        ", outside the model folder; shards must be files in the folder itself");
        shards[shard].push_back(it.key());
    }

    // A FileSet is keyed by base name; an index may (rarely) name shards with a folder prefix.
    auto resolve = [&](const std::string& shard) {
        if (files.has(shard)) return shard;
        size_t slash = shard.find_last_of('/');
        return slash == std::string::npos ? shard : shard.substr(slash + 1);
    };
    std::string missing;
    for (const auto& kv : shards)
        if (!files.has(resolve(kv.first))) missing += (missing.empty() ? "" : ", ") + in_quotes(kv.first);
    if (!missing.empty())
        throw Error(label + ": shard file " + missing + " named in weight_map is missing from " + folder_name(files) +
                    "; found: " + found_list(files));

    for (const auto& kv : shards) {
        std::string name = resolve(kv.first);
        auto file = safetensors_parse(files.find_shared(name), name);
        if (!file) throw Error(file.error().message);
        for (const std::string& tensor : kv.second)
            if (!file->find(tensor))
                throw Error(label + ": tensor " + in_quotes(tensor) + " is listed in shard " + in_quotes(kv.first) +
                            " but that file does not contain it");
        add_file(store, std::move(*file));
    }
}

Expected<WeightStore> weight_store_load(const FileSet& files) {
    return catch_errors([&] { return WeightStoreLoader::load(files); });
}

const TensorView* WeightStore::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : files_[it->second].find(name);
}

const TensorView& WeightStore::require(const std::string& name) const {
    const TensorView* t = find(name);
    if (!t) throw Error(source_ + ": missing tensor " + in_quotes(name));
    return *t;
}

std::vector<std::string> WeightStore::names() const {
    std::vector<std::string> out;
    out.reserve(index_.size());
    for (const auto& kv : index_) out.push_back(kv.first);
    return out;
}

int64_t WeightStore::total_bytes() const {
    int64_t sum = 0;
    for (const SafetensorsFile& f : files_)
        for (const TensorView& t : f.tensors()) sum += static_cast<int64_t>(t.nbytes);
    return sum;
}

int64_t WeightStore::total_params() const {
    int64_t sum = 0;
    for (const SafetensorsFile& f : files_)
        for (const TensorView& t : f.tensors()) sum += t.numel();
    return sum;
}

std::vector<std::string> WeightStore::dtypes() const {
    std::set<int> seen;
    for (const SafetensorsFile& f : files_)
        for (const TensorView& t : f.tensors()) seen.insert(static_cast<int>(t.dtype));
    std::vector<std::string> out;
    for (int d : seen) out.push_back(dtype_name(static_cast<DType>(d)));
    return out;
}

}  // namespace attn
