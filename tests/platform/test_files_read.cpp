// What the desktop does with dropped paths: a folder, files of a folder, or something unusable.
#include <doctest/doctest.h>

#include "model/model.h"
#include "platform/file_io.h"
#include "fixture_path.h"

using namespace attn;

TEST_CASE("dropped folder loads like the folder itself") {
    Expected<FileSet> files = files_read({fixture_path("gpt2-tiny")});
    REQUIRE_MESSAGE(files.ok(), files.error().message);
    CHECK(files->find("config.json"));
    CHECK(model_load(*files).ok());
}

TEST_CASE("dropped files are keyed by base name; other files are skipped") {
    const std::string dir = fixture_path("llama-bf16-sharded");
    std::vector<std::string> paths;
    for (const char* name : {"config.json", "tokenizer.json", "model.safetensors.index.json", "reference.json"})
        paths.push_back(dir + "/" + name);
    for (int i = 1; i <= 4; ++i) paths.push_back(dir + "/model-0000" + std::to_string(i) + "-of-00004.safetensors");
    paths.push_back(dir + "/notes.md");   // not a model file: skipped, not an error
    Expected<FileSet> files = files_read(paths);
    REQUIRE_MESSAGE(files.ok(), files.error().message);
    CHECK(files->label == dir);
    CHECK(model_load(*files).ok());
}

TEST_CASE("dropping two folders, or no model files, says so") {
    Expected<FileSet> two = files_read({fixture_path("gpt2-tiny"), fixture_path("bert-tiny")});
    REQUIRE_FALSE(two.ok());
    CHECK(two.error().message.find("drop one model folder") != std::string::npos);
    Expected<FileSet> none = files_read({fixture_path("gpt2-tiny") + "/does-not-matter.bin"});
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message.find("none of the dropped files") != std::string::npos);
    Expected<FileSet> missing = files_read({"/nonexistent/config.json"});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("/nonexistent/config.json") != std::string::npos);
}
