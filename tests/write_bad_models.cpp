// Writes the model-file rows of the bad-input catalog (model/bad_model_catalog.h) as folders, for the
// front ends that read folders: the CLI cases (tests/cli/cases_bad_models.py) and the page
// (tests/e2e/bad_models.test.js).
//
//   write_bad_models OUT      -> OUT/<case>/config.json ..., OUT/catalog.json [{name, row, expect}]
#include <cstdio>
#include <string>
#include <sys/stat.h>

#include "core/json.h"
#include "fixture_path.h"
#include "model/bad_model_catalog.h"
#include "platform/file_io.h"

using namespace attn;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: write_bad_models OUT_DIR\n");
        return 2;
    }
    const std::string out = argv[1];
    mkdir(out.c_str(), 0755);
    Json index = Json::array();
    for (const BadModelCase& c : bad_model_catalog(fixture_path(""))) {
        const std::string dir = out + "/" + c.name;
        mkdir(dir.c_str(), 0755);
        const FileSet files = c.make();
        // On disk the folder's path is its label, so a phrase that is the in-memory label is not expected.
        Json expect = Json::array();
        for (const std::string& phrase : c.expect)
            if (phrase != files.label) expect.push_back(phrase);
        for (const auto& [name, blob] : files.files) {
            auto ok = file_write_atomic(dir + "/" + name, *blob);
            if (!ok) {
                std::fprintf(stderr, "write_bad_models: %s\n", ok.error().message.c_str());
                return 1;
            }
        }
        index.push_back({{"name", c.name}, {"row", c.row}, {"expect", expect}, {"loads", c.loads}});
    }
    auto ok = file_write_atomic(out + "/catalog.json", bytes_from_string(index.dump(1)));
    if (!ok) {
        std::fprintf(stderr, "write_bad_models: %s\n", ok.error().message.c_str());
        return 1;
    }
    std::printf("%zu cases in %s\n", index.size(), out.c_str());
    return 0;
}
