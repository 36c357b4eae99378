// Model folders are memory-mapped natively (platform/file_io.h): a model keeps its mapping alive after
// the FileSet that produced it and its files are gone, traces the same as from bytes in memory, and a
// file whose size does not match its header still gets the loader's clear message.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fixture_path.h"
#include "model/model.h"
#include "platform/file_io.h"

using namespace attn;

namespace {

std::filesystem::path copy_fixture(const std::string& name) {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("attn-map-" + name + "-" + std::to_string(std::rand()));
    std::filesystem::create_directories(dir);
    for (const auto& entry : std::filesystem::directory_iterator(fixture_path(name)))
        std::filesystem::copy_file(entry.path(), dir / entry.path().filename());
    return dir;
}

// The same folder with every file read into a vector: the pre-mapping way, for comparison.
FileSet read_into_memory(const std::string& folder) {
    FileSet set;
    set.label = folder;
    for (const char* name : {"config.json", "model.safetensors", "tokenizer.json"}) {
        Expected<Bytes> bytes = file_read(folder + "/" + name);
        REQUIRE_MESSAGE(bytes.ok(), bytes.error().message);
        set.add(name, std::move(*bytes));
    }
    return set;
}

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
// Whether `address` lies in a mapping of file `path` (from /proc/self/maps).
bool mapped_from(const void* address, const std::string& path) {
    std::ifstream maps("/proc/self/maps");
    const auto a = reinterpret_cast<uintptr_t>(address);
    const std::string real = std::filesystem::canonical(path).string();
    for (std::string line; std::getline(maps, line);) {
        std::istringstream in(line);
        std::string range, perms, offset, dev, inode, file;
        in >> range >> perms >> offset >> dev >> inode >> file;
        const size_t dash = range.find('-');
        const uintptr_t lo = std::stoull(range.substr(0, dash), nullptr, 16), hi = std::stoull(range.substr(dash + 1), nullptr, 16);
        if (a >= lo && a < hi) return file == real;
    }
    return false;
}
#endif

const char* const kText = "The quick brown fox jumps over the lazy dog";

}  // namespace

TEST_CASE("a model loaded from a folder traces the same after its FileSet and files are gone") {
    const std::filesystem::path dir = copy_fixture("gpt2-tiny");
    Expected<ModelPtr> reference = model_load(read_into_memory(dir.string()));
    REQUIRE_MESSAGE(reference.ok(), reference.error().message);

    ModelPtr model;
    {
        Expected<FileSet> files = folder_read(dir.string());
        REQUIRE_MESSAGE(files.ok(), files.error().message);
        const Blob* weights = files->find("model.safetensors");
        REQUIRE(weights);
        CHECK(weights->size() == std::filesystem::file_size(dir / "model.safetensors"));
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
        CHECK(mapped_from(weights->data(), (dir / "model.safetensors").string()));   // mapped, not read
#endif
        Expected<ModelPtr> loaded = model_load(*files);
        REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
        model = std::move(*loaded);
    }   // the FileSet is gone; the model's weight store holds the mapping
    std::filesystem::remove_all(dir);   // so are the files (the mapping keeps their pages)

    Expected<Trace> want = model_trace_text(**reference, kText, TraceOptions{}, nullptr);
    Expected<Trace> got = model_trace_text(*model, kText, TraceOptions{}, nullptr);
    REQUIRE(want.ok());
    REQUIRE(got.ok());
    CHECK(got->tokens.ids == want->tokens.ids);
    CHECK(got->attentions.probs == want->attentions.probs);   // bit for bit: the same weights
    CHECK(got->hidden_states.values == want->hidden_states.values);
    CHECK(got->logits == want->logits);
}

TEST_CASE("a mapped weights file of the wrong size gets the loader's message") {
    const std::filesystem::path dir = copy_fixture("gpt2-tiny");
    const std::filesystem::path weights = dir / "model.safetensors";
    const auto size = std::filesystem::file_size(weights);

    SUBCASE("tensor data cut short") {
        std::filesystem::resize_file(weights, size - 100);
        Expected<FileSet> files = folder_read(dir.string());
        REQUIRE(files.ok());
        Expected<ModelPtr> model = model_load(*files);
        REQUIRE_FALSE(model.ok());
        CHECK(model.error().message.find("model.safetensors") != std::string::npos);
        CHECK(model.error().message.find("run past the end of the file") != std::string::npos);
    }
    SUBCASE("cut inside the header") {
        std::filesystem::resize_file(weights, 64);
        Expected<FileSet> files = folder_read(dir.string());
        REQUIRE(files.ok());
        Expected<ModelPtr> model = model_load(*files);
        REQUIRE_FALSE(model.ok());
        CHECK(model.error().message.find("the file is truncated or not safetensors") != std::string::npos);
    }
    SUBCASE("bytes appended") {
        std::ofstream(weights, std::ios::app | std::ios::binary) << std::string(24, '\0');
        Expected<FileSet> files = folder_read(dir.string());
        REQUIRE(files.ok());
        Expected<ModelPtr> model = model_load(*files);
        REQUIRE_FALSE(model.ok());
        CHECK(model.error().message.find("24 trailing bytes") != std::string::npos);
    }
    SUBCASE("empty (nothing to map: read, and refused)") {
        std::filesystem::resize_file(weights, 0);
        Expected<FileSet> files = folder_read(dir.string());
        REQUIRE(files.ok());
        CHECK(files->find("model.safetensors")->size() == 0);
        Expected<ModelPtr> model = model_load(*files);
        REQUIRE_FALSE(model.ok());
        CHECK(model.error().message.find("file is only 0 bytes") != std::string::npos);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("file_map reads what file_read reads, and names a missing file") {
    const std::string path = fixture_path("gpt2-tiny") + "/tokenizer.json";
    Expected<SharedBlob> mapped = file_map(path);
    Expected<Bytes> read = file_read(path);
    REQUIRE(mapped.ok());
    REQUIRE(read.ok());
    CHECK(bytes_from_blob(**mapped) == *read);
    Expected<SharedBlob> missing = file_map("/nonexistent/model.safetensors");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "cannot open /nonexistent/model.safetensors: No such file or directory");
}
