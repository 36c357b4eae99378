// Folder -> FileSet -> Model for the CLI.
#include "cli/model_open.h"

#include <cstdio>

#include "cli/args.h"
#include "platform/file_io.h"

namespace attn {

ModelPtr model_open(const std::string& folder) {
    if (!path_is_directory(folder)) throw UsageError{"--model " + folder + ": not a folder"};
    auto files = folder_read(folder);
    if (!files) throw UsageError{files.error().message};
    auto model = model_load(*files);
    if (!model) throw UsageError{folder + ": " + model.error().message};
    for (const std::string& w : (*model)->warnings) std::fprintf(stderr, "attnscope-cli: warning: %s\n", w.c_str());
    return std::move(*model);
}

}  // namespace attn
