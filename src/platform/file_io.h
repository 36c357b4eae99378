// Reading files and model folders from disk (natively, and under node with NODERAWFS). Model files are
// memory-mapped natively: a 500 MB checkpoint is ready at once and its pages are shared with the page
// cache, where reading it into a fresh vector costs seconds of page faults and copying. The browser build
// gets its files from JS instead; loaders only ever see a FileSet.
//
// Tried and measured (2026-12-06): reading a large file into fresh memory in 2 MB pages on every thread
// instead. On this VM a mapping's 4 KB pages cost about 1.5 us each at first touch whatever the flags, so
// a GPT-2-small f32 load was 0.36-0.48 s mapped against 0.20-0.24 read, while memory had been in use
// recently; but after the machine had freed memory a few seconds earlier (it hands freed 2 MB blocks back
// to the host, which must then fault them in again) the read took 1.0-1.1 s against the mapping's
// 0.36-0.45, and the peer benchmark's median of three fresh processes was 1.18 s. The page cache is
// memory the host already backs, so the mapping stays.
//
// A mapped file must not be truncated or rewritten in place while a model uses it (the OS then faults
// the process, as with any memory-mapped file). AttnScope's own writers replace files (file_write_atomic: write PATH.tmp, rename), which leaves a mapping intact.
#pragma once
#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_set.h"

namespace attn {

// Whole file; error names the path ("cannot open PATH: No such file or directory").
Expected<Bytes> file_read(const std::string& path);
// Whole file, memory-mapped where the platform can (POSIX; not empty files), read into memory otherwise
// or when mapping fails. Errors as file_read's.
Expected<SharedBlob> file_map(const std::string& path);
// Writes to PATH.tmp then renames, so a failed write never leaves a partial file behind.
Expected<bool> file_write_atomic(const std::string& path, const Bytes& bytes);
Expected<bool> file_write_atomic(const std::string& path, const Blob& bytes);
// The files a model loader may need directly inside a folder (.json, .txt, .safetensors; not
// recursive), keyed by base name, each read by file_map.
Expected<FileSet> folder_read(const std::string& path);
bool path_is_directory(const std::string& path);
// What a user dropped: one folder (read like folder_read), or files from one folder, keyed by base
// name (non-model files skipped). The label is the folder.
Expected<FileSet> files_read(const std::vector<std::string>& paths);
// The visible sub-folders of a folder, sorted (empty when it cannot be read).
std::vector<std::string> subfolders(const std::string& path);

}  // namespace attn
