// Reading files and model folders from disk (natively, and under node with NODERAWFS). The browser build
// gets its files from JS instead; loaders only ever see a FileSet.
//
// A model folder's large files (32 MB or more) are read whole into memory in 2 MB pages, 8 MB at a time
// on every thread, while the folder's model files take at most a quarter of the machine's memory; smaller
// files, and every file of a larger folder, are memory-mapped. Why not map them all: on this VM each 4 KB
// page of a mapping costs about 1.5 us at its first touch whatever the mapping flags (MAP_POPULATE and
// MADV_POPULATE_READ fault the kernel's tables, not the ones the process then misses in), so touching a
// GPT-2-small f32 file took 170-260 ms; reading it into 2 MB pages takes 65-130 ms, after which the NaN
// scan over it takes 15-20 ms instead of the mapping's faults. A larger folder stays mapped so a model
// that will be refused on memory grounds (model_load_check) is never read first.
//
// A mapped file must not be truncated or rewritten in place while a model uses it (the OS then faults
// the process, as with any memory-mapped file). AttnScope's own writers replace files (file_write_atomic:
// write PATH.tmp, rename), which leaves a mapping intact.
#pragma once
#include <cstdint>
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
// Whole file, read into fresh memory aligned to 2 MB and marked for transparent huge pages (Linux; an
// empty or irregular file as file_map; elsewhere as file_read). Errors as file_read's.
Expected<SharedBlob> file_read_in_huge_pages(const std::string& path);
// Whether folder_read and files_read read a model file of file_bytes whole (file_read_in_huge_pages)
// rather than map it, when the folder's model files total folder_bytes on a machine of machine_bytes.
bool model_file_is_read(uint64_t file_bytes, uint64_t folder_bytes, uint64_t machine_bytes);
// Writes to PATH.tmp then renames, so a failed write never leaves a partial file behind.
Expected<bool> file_write_atomic(const std::string& path, const Bytes& bytes);
Expected<bool> file_write_atomic(const std::string& path, const Blob& bytes);
// The files a model loader may need directly inside a folder (.json, .txt, .safetensors; not
// recursive), keyed by base name, each read whole or mapped as above.
Expected<FileSet> folder_read(const std::string& path);
bool path_is_directory(const std::string& path);
// What a user dropped: one folder (read like folder_read), or files from one folder, keyed by base
// name (non-model files skipped). The label is the folder.
Expected<FileSet> files_read(const std::vector<std::string>& paths);
// The visible sub-folders of a folder, sorted (empty when it cannot be read).
std::vector<std::string> subfolders(const std::string& path);

}  // namespace attn
