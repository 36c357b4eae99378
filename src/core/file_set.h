// A model as a set of named files held in memory: what a folder on disk, a browser file picker or a
// drag-and-drop all reduce to. Loaders read from it; they never open paths themselves (only
// src/platform touches the file system), so the same loader serves the CLI, the desktop and the page.
//
//   FileSet files;
//   files.add("config.json", bytes_from_string("{...}"));
//   if (const Blob* b = files.find("config.json")) parse(string_from_bytes(*b));
//
// A file's bytes are a Blob: read-only, and kept alive by whatever owns them (a vector the loader
// filled, a memory-mapped file, a buffer the page streamed into). Loaders that keep pointers into the
// bytes (the weight store) keep the Blob, so a model outlives the FileSet it came from and never
// copies its weights.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attn {

using Bytes = std::vector<uint8_t>;
using SharedBytes = std::shared_ptr<const Bytes>;

class Blob {
public:
    Blob() = default;
    explicit Blob(Bytes bytes) : Blob(std::make_shared<const Bytes>(std::move(bytes))) {}
    explicit Blob(SharedBytes bytes) : owner_(bytes), data_(bytes ? bytes->data() : nullptr), size_(bytes ? bytes->size() : 0) {}
    // `owner` keeps [data, data + size) valid for as long as any copy of this Blob lives.
    Blob(const uint8_t* data, size_t size, std::shared_ptr<const void> owner)
        : owner_(std::move(owner)), data_(data), size_(size) {}

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    const uint8_t* begin() const { return data_; }
    const uint8_t* end() const { return data_ + size_; }
    uint8_t operator[](size_t i) const { return data_[i]; }

private:
    std::shared_ptr<const void> owner_;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

using SharedBlob = std::shared_ptr<const Blob>;

struct FileSet {
    std::string label;                         // shown in messages: a folder path or "dropped files"
    std::map<std::string, SharedBlob> files;   // base name -> contents

    void add(const std::string& name, SharedBlob blob) { files[name] = std::move(blob); }
    void add(const std::string& name, Bytes bytes) { files[name] = std::make_shared<const Blob>(std::move(bytes)); }
    void add(const std::string& name, SharedBytes bytes) { files[name] = std::make_shared<const Blob>(std::move(bytes)); }
    const Blob* find(const std::string& name) const {
        auto it = files.find(name);
        return it == files.end() ? nullptr : it->second.get();
    }
    SharedBlob find_shared(const std::string& name) const {
        auto it = files.find(name);
        return it == files.end() ? nullptr : it->second;
    }
    bool has(const std::string& name) const { return files.count(name) != 0; }
};

inline Bytes bytes_from_string(const std::string& s) { return Bytes(s.begin(), s.end()); }
inline std::string string_from_bytes(const Bytes& b) { return std::string(b.begin(), b.end()); }
inline std::string string_from_bytes(const Blob& b) { return std::string(b.begin(), b.end()); }
inline Bytes bytes_from_blob(const Blob& b) { return Bytes(b.begin(), b.end()); }

}  // namespace attn
