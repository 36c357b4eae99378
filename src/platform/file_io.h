// Reading files and model folders from disk into memory (natively, and under node with NODERAWFS).
// The browser build gets its files from JS instead; loaders only ever see a FileSet.
#pragma once
#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_set.h"

namespace attn {

// Whole file; error names the path ("cannot open PATH: No such file or directory").
Expected<Bytes> file_read(const std::string& path);
// Writes to PATH.tmp then renames, so a failed write never leaves a partial file behind.
Expected<bool> file_write_atomic(const std::string& path, const Bytes& bytes);
// The files a model loader may need directly inside a folder (.json, .txt, .safetensors; not
// recursive), keyed by base name.
Expected<FileSet> folder_read(const std::string& path);
bool path_is_directory(const std::string& path);
// What a user dropped: one folder (read like folder_read), or files from one folder, keyed by base
// name (non-model files skipped). The label is the folder.
Expected<FileSet> files_read(const std::vector<std::string>& paths);
// The visible sub-folders of a folder, sorted (empty when it cannot be read).
std::vector<std::string> subfolders(const std::string& path);

}  // namespace attn
