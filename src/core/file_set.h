// A model as a set of named files held in memory: what a folder on disk, a browser file picker or a
// drag-and-drop all reduce to. Loaders read from it; they never open paths themselves (only
// src/platform touches the file system), so the same loader serves the CLI, the desktop and the page.
//
//   FileSet files;
//   files.add("config.json", bytes_from_string("{...}"));
//   if (const Bytes* b = files.find("config.json")) parse(*b);
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attn {

using Bytes = std::vector<uint8_t>;
using SharedBytes = std::shared_ptr<const Bytes>;

struct FileSet {
    std::string label;                          // shown in messages: a folder path or "dropped files"
    std::map<std::string, SharedBytes> files;   // base name -> contents

    void add(const std::string& name, SharedBytes bytes) { files[name] = std::move(bytes); }
    void add(const std::string& name, Bytes bytes) {
        files[name] = std::make_shared<const Bytes>(std::move(bytes));
    }
    const Bytes* find(const std::string& name) const {
        auto it = files.find(name);
        return it == files.end() ? nullptr : it->second.get();
    }
    SharedBytes find_shared(const std::string& name) const {
        auto it = files.find(name);
        return it == files.end() ? nullptr : it->second;
    }
    bool has(const std::string& name) const { return files.count(name) != 0; }
};

inline Bytes bytes_from_string(const std::string& s) { return Bytes(s.begin(), s.end()); }
inline std::string string_from_bytes(const Bytes& b) { return std::string(b.begin(), b.end()); }

}  // namespace attn
