// POSIX file reading and mapping for the CLI, the desktop app and the tests.
#include "platform/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace attn {

Expected<Bytes> file_read(const std::string& path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return make_error("cannot open " + path + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) return make_error("cannot read " + path + ": it is a folder, not a file");
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return make_error("cannot open " + path + ": " + std::strerror(errno));
    Bytes bytes;
    try {
        bytes.resize(static_cast<size_t>(st.st_size));
    } catch (const std::bad_alloc&) {
        std::fclose(f);
        return make_error("cannot read " + path + ": out of memory for " + std::to_string(st.st_size) + " bytes");
    }
    size_t got = bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), f);
    bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed || got != bytes.size()) return make_error("cannot read " + path + ": short read");
    return bytes;
}

// The mapping, or nullptr when this file is empty, not a regular file, or cannot be mapped (the caller
// then reads it). Emscripten's mmap copies the file into the heap anyway: reading is the same there.
static SharedBlob file_map_only(const std::string& path) {
#if defined(__EMSCRIPTEN__)
    (void)path;
    return nullptr;
#else
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    struct stat st {};
    void* mapped = MAP_FAILED;
    size_t size = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        size = static_cast<size_t>(st.st_size);
        mapped = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    }
    close(fd);   // the mapping keeps the file open
    if (mapped == MAP_FAILED) return nullptr;
    std::shared_ptr<const void> owner(mapped, [size](void* p) { munmap(p, size); });
    return std::make_shared<const Blob>(static_cast<const uint8_t*>(mapped), size, std::move(owner));
#endif
}

Expected<SharedBlob> file_map(const std::string& path) {
    if (SharedBlob mapped = file_map_only(path)) return mapped;
    Expected<Bytes> bytes = file_read(path);
    if (!bytes) return bytes.error();
    return std::make_shared<const Blob>(std::move(*bytes));
}

static Expected<bool> write_atomic(const std::string& path, const uint8_t* data, size_t size) {
    std::string tmp = path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) return make_error("cannot write " + path + ": " + std::strerror(errno));
    size_t put = size == 0 ? 0 : std::fwrite(data, 1, size, f);
    bool failed = put != size || std::fflush(f) != 0;
    failed = (std::fclose(f) != 0) || failed;
    if (failed || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return make_error("cannot write " + path + ": " + std::strerror(errno));
    }
    return true;
}

Expected<bool> file_write_atomic(const std::string& path, const Bytes& bytes) {
    return write_atomic(path, bytes.data(), bytes.size());
}

Expected<bool> file_write_atomic(const std::string& path, const Blob& bytes) {
    return write_atomic(path, bytes.data(), bytes.size());
}

// Weights in other formats (.bin, .pt, .gguf) can be gigabytes we cannot use; do not read them.
static bool is_model_file_name(const std::string& name) {
    auto ends_with = [&](const char* suffix) {
        size_t n = std::strlen(suffix);
        return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
    };
    return ends_with(".json") || ends_with(".txt") || ends_with(".safetensors");
}

bool path_is_directory(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Expected<FileSet> folder_read(const std::string& path) {
    DIR* dir = opendir(path.c_str());
    if (!dir) return make_error("cannot open model folder " + path + ": " + std::strerror(errno));
    FileSet set;
    set.label = path;
    std::string error;
    while (dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (name == "." || name == ".." || !is_model_file_name(name)) continue;
        std::string full = path + "/" + name;
        struct stat st {};
        if (stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        auto bytes = file_map(full);
        if (!bytes) {
            error = bytes.error().message;
            break;
        }
        set.add(name, std::move(*bytes));
    }
    closedir(dir);
    if (!error.empty()) return make_error(error);
    return set;
}

Expected<FileSet> files_read(const std::vector<std::string>& paths) {
    if (paths.size() == 1 && path_is_directory(paths[0])) return folder_read(paths[0]);
    FileSet set;
    for (const std::string& path : paths) {
        if (path_is_directory(path))
            return make_error("cannot load " + path + ": drop one model folder, or the files inside one folder");
        size_t slash = path.find_last_of('/');
        std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
        if (!is_model_file_name(name)) continue;
        if (set.label.empty()) set.label = slash == std::string::npos ? "." : path.substr(0, slash);
        auto bytes = file_map(path);
        if (!bytes) return bytes.error();
        set.add(name, std::move(*bytes));
    }
    if (set.label.empty())
        return make_error("none of the dropped files is a model file (config.json, *.safetensors, tokenizer.json)");
    return set;
}

std::vector<std::string> subfolders(const std::string& path) {
    std::vector<std::string> names;
    if (DIR* dir = opendir(path.c_str())) {
        while (dirent* entry = readdir(dir)) {
            std::string name = entry->d_name;
            if (name.empty() || name[0] == '.') continue;
            if (path_is_directory(path + "/" + name)) names.push_back(name);
        }
        closedir(dir);
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace attn
