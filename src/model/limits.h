// The largest inputs AttnScope accepts and the memory it may use, stated in one place with why each value
// is what it is. The estimates that enforce the memory limit before anything large is allocated are in
// model/memory_estimate.h; this header only states limits and answers "how much memory is there".
//
//   if (ids.size() > kMaxTokens) refuse();
//   int64_t budget = memory_limit();             // the page: its WASM maximum; natively: the machine's RAM
//   std::string s = memory_size_text(budget);    // "4.0 GB"
//
// Every limit (the README's "Limits" lists the same):
//   safetensors header   100 MB (kSafetensorsMaxHeader, model/safetensors.h): the reference
//                        implementation's own cap, so a file it writes is never refused here.
//   JSON nesting          128 levels (kJsonMaxDepth, core/json.h): far beyond any real config or
//                        tokenizer (they nest < 10 deep), and shallow enough for the page's 64 KB stack.
//   tensors per model     kMaxTensorCount below.
//   tokens per trace      the model's n_ctx, and kMaxTokens below whatever n_ctx says.
//   memory                memory_limit(): model files + what loading allocates + a trace must fit.
#pragma once
#include <cstdint>
#include <string>

namespace attn {

// Tensors in one model, all shards together. The supported architectures store at most ~16 tensors per
// layer plus a handful, so 100,000 admits 6,000 layers (the largest public models have under 200); it
// bounds what the parse keeps per tensor (a name, a shape, an index entry: ~250 bytes, 25 MB at most) and
// the header scan's time, whatever a 100 MB header lists.
constexpr int64_t kMaxTensorCount = 100000;

// Tokens in one trace, whatever n_ctx a config claims (Llama 3 says 131072). At 16,384 tokens one head's
// (T, T) attention is already 1 GiB of floats, so a whole trace of even a one-layer, one-head model
// would fill the page's memory; and T * T stays below 2^31, so no index in the kernels can overflow.
constexpr int kMaxTokens = 16384;

// Bytes this process may use for model files, the loaded model and traces together. In the page: the
// WASM memory's maximum (CMakeLists.txt: -sMAXIMUM_MEMORY=4GB, less the last 64 KB page). Natively: the
// machine's physical RAM (sysconf). Memory-mapped weights do not count against an allocation limit, but
// every trace reads all of them, so a model larger than RAM would be read from disk on every pass.
int64_t memory_limit();
// Whether the limit is the page's (message: "the page can use Y at most") or the machine's ("this
// machine has Y").
bool memory_limit_is_page();
// Replaces memory_limit() (> 0), or restores the real one (0): tests, and the page's test hook
// (api._setMemoryLimit), so refusals are tested without multi-gigabyte files.
void memory_limit_override(int64_t bytes);

// "1.9 GB", "512 MB", "40 KB": binary units (GB = 2^30 bytes, as MAXIMUM_MEMORY=4GB counts), one
// decimal from 1 GB on.
std::string memory_size_text(int64_t bytes);

}  // namespace attn
