// POSIX file reading and mapping for the CLI, the desktop app and the tests.
#include "platform/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "core/parallel.h"

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

#if defined(__linux__) && !defined(__EMSCRIPTEN__) && defined(MADV_HUGEPAGE)
// Reads [0, size) of fd into data in 8 MB pieces split between the threads; an empty string on success,
// else what went wrong.
static std::string read_pieces(int fd, uint8_t* data, size_t size) {
    constexpr size_t kPiece = size_t{8} << 20;
    const int pieces = static_cast<int>((size + kPiece - 1) / kPiece);
    std::atomic<int> error{0};
    std::atomic<bool> short_read{false};
    parallel_for(pieces, [&](int begin, int end) {
        for (int i = begin; i < end && !error && !short_read; ++i) {
            const size_t at = static_cast<size_t>(i) * kPiece, n = std::min(kPiece, size - at);
            for (size_t done = 0; done < n;) {
                const ssize_t got = pread(fd, data + at + done, n - done, static_cast<off_t>(at + done));
                if (got > 0) {
                    done += static_cast<size_t>(got);
                } else if (got == 0) {
                    short_read = true;   // the file shrank since it was measured
                    break;
                } else if (errno != EINTR) {
                    error = errno;
                    break;
                }
            }
        }
    });
    if (error) return std::strerror(error);
    if (short_read) return "short read";
    return "";
}
#endif

Expected<SharedBlob> file_read_in_huge_pages(const std::string& path) {
#if defined(__linux__) && !defined(__EMSCRIPTEN__) && defined(MADV_HUGEPAGE)
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return make_error("cannot open " + path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_size == 0) return file_map(path);   // folders, pipes, empty files: as ever
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return make_error("cannot open " + path + ": " + std::strerror(errno));
    const size_t size = static_cast<size_t>(st.st_size);
    // Anonymous memory aligned to 2 MB, so every whole 2 MB of the file can take one huge page.
    constexpr size_t kHuge = size_t{2} << 20;
    const size_t reserved = (size + kHuge - 1) / kHuge * kHuge + kHuge;
    void* base = mmap(nullptr, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        close(fd);
        return make_error("cannot read " + path + ": out of memory for " + std::to_string(size) + " bytes");
    }
    auto* data = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(base) + kHuge - 1) & ~(kHuge - 1));
    madvise(data, reserved - kHuge, MADV_HUGEPAGE);   // a hint: without it the read is the same, slower
    const std::string failed = read_pieces(fd, data, size);
    close(fd);
    if (!failed.empty()) {
        munmap(base, reserved);
        return make_error("cannot read " + path + ": " + failed);
    }
    std::shared_ptr<const void> owner(base, [reserved](void* p) { munmap(p, reserved); });
    return std::make_shared<const Blob>(data, size, std::move(owner));
#else
    Expected<Bytes> bytes = file_read(path);
    if (!bytes) return bytes.error();
    return std::make_shared<const Blob>(std::move(*bytes));
#endif
}

bool model_file_is_read(uint64_t file_bytes, uint64_t folder_bytes, uint64_t machine_bytes) {
    constexpr uint64_t kReadFrom = uint64_t{32} << 20;
    return file_bytes >= kReadFrom && folder_bytes <= machine_bytes / 4;
}

// The machine's memory in bytes (0 when unknown: then nothing is read whole).
static uint64_t machine_memory() {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
}

// One model file of a folder or a drop whose files total folder_bytes: read whole or mapped (file_io.h).
static Expected<SharedBlob> model_file_bytes(const std::string& path, uint64_t file_bytes, uint64_t folder_bytes) {
    if (model_file_is_read(file_bytes, folder_bytes, machine_memory())) return file_read_in_huge_pages(path);
    return file_map(path);
}

// A regular file's size, or 0.
static uint64_t regular_file_size(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
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
    // The model files and their sizes first: whether the large ones are read whole depends on the total.
    std::vector<std::pair<std::string, uint64_t>> found;
    uint64_t total = 0;
    while (dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (name == "." || name == ".." || !is_model_file_name(name)) continue;
        struct stat st {};
        if (stat((path + "/" + name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        found.emplace_back(name, static_cast<uint64_t>(st.st_size));
        total += static_cast<uint64_t>(st.st_size);
    }
    closedir(dir);
    FileSet set;
    set.label = path;
    for (const auto& [name, size] : found) {
        auto bytes = model_file_bytes(path + "/" + name, size, total);
        if (!bytes) return bytes.error();
        set.add(name, std::move(*bytes));
    }
    return set;
}

Expected<FileSet> files_read(const std::vector<std::string>& paths) {
    if (paths.size() == 1 && path_is_directory(paths[0])) return folder_read(paths[0]);
    uint64_t total = 0;
    for (const std::string& path : paths)
        if (is_model_file_name(path.substr(path.find_last_of('/') + 1))) total += regular_file_size(path);
    FileSet set;
    for (const std::string& path : paths) {
        if (path_is_directory(path))
            return make_error("cannot load " + path + ": drop one model folder, or the files inside one folder");
        size_t slash = path.find_last_of('/');
        std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
        if (!is_model_file_name(name)) continue;
        if (set.label.empty()) set.label = slash == std::string::npos ? "." : path.substr(0, slash);
        auto bytes = model_file_bytes(path, regular_file_size(path), total);
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
