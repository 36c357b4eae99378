// Fuzz target: config.json through model_load for each architecture. The first byte picks a fixture
// folder (its weights and tokenizer, loaded once); the rest is the config.json read beside them, so every
// family's config parser and the checks of its weights against the config run. Loading must give a
// model or an Error, never abort; a model that loads is traced on a few token ids.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/fuzz_bytes.h"
#include "model/model.h"
#include "platform/file_io.h"

namespace {

const char* const kFolders[] = {"gpt2-tiny", "llama-tiny", "qwen2-tiny", "bert-tiny", "roberta-tiny",
                                "distilbert-tiny", "bart-tiny", "llama-bf16-sharded", "gpt2-f16"};
constexpr size_t kFolderCount = sizeof(kFolders) / sizeof(kFolders[0]);

const std::vector<attn::FileSet>& folders() {
    static const std::vector<attn::FileSet> all = [] {
        std::vector<attn::FileSet> f;
        for (const char* name : kFolders) {
            const std::string path = std::string(ATTN_FIXTURES_DIR) + "/" + name;
            attn::Expected<attn::FileSet> files = attn::folder_read(path);
            if (!files) {
                std::fprintf(stderr, "fuzz_config_json: cannot read %s: %s\n", path.c_str(), files.error().message.c_str());
                std::exit(1);
            }
            f.push_back(std::move(*files));
        }
        return f;
    }();
    return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzBytes in{data, size};
    attn::FileSet files = folders()[in.byte() % kFolderCount];   // copies share the blobs
    files.add("config.json", attn::bytes_from_string(in.rest()));
    attn::Expected<attn::ModelPtr> model = attn::model_load(files);
    if (!model) return 0;
    const attn::Model& m = **model;
    std::vector<int32_t> ids = {0, 1, 2};
    for (int32_t& id : ids) id %= m.info().n_vocab;
    attn::TraceOptions options;
    if (m.info().encoder_decoder)
        (void)attn::model_trace_seq2seq(m, ids, {m.info().decoder_start_token_id}, options);
    else
        (void)attn::model_trace(m, ids, options);
    return 0;
}
