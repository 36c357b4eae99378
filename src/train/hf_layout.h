// The Hugging Face layout of a freshly initialised model: config.json and every tensor's name, shape and
// initial values for the transformers class the family saves as (GPT2LMHeadModel, BertForMaskedLM,
// BartForConditionalGeneration), as save_pretrained writes them (tied weights stored once). The trainer
// loads this folder with AttnScope's own loaders, trains it and writes it back under the same names.
//
//   Expected<FileSet> folder = hf_initial_folder(ModelFamily::decoder, task->size(), task->vocab(), seed);
//   Expected<ModelPtr> model = model_load(*folder);
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_set.h"
#include "train/task.h"

namespace attn {

enum class InitKind { normal, zeros, ones };

struct LayoutTensor {
    std::string name;
    std::vector<int64_t> shape;
    InitKind init = InitKind::normal;   // normal: N(0, 0.02), transformers' initializer_range
};

struct HfLayout {
    std::string config_json;             // pretty-printed, keys as transformers writes them
    std::vector<LayoutTensor> tensors;   // in name order
};

// The architectures name ("GPT2LMHeadModel") of a family.
const char* hf_class_name(ModelFamily family);
HfLayout hf_layout(ModelFamily family, const ModelSize& size, const Vocab& vocab);
// The encoder-decoder case (hf_layout_bart.cpp).
HfLayout hf_layout_bart(const ModelSize& size, const Vocab& vocab);
// config.json, model.safetensors (initialised from seed) and tokenizer.json.
Expected<FileSet> hf_initial_folder(ModelFamily family, const ModelSize& size, const Vocab& vocab, uint64_t seed);

}  // namespace attn
