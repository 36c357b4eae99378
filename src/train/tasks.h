// The tasks AttnScope trains its zoo on, one file each (task_<name>.cpp); task_table.cpp lists them.
#pragma once
#include "train/task.h"

namespace attn {

// Each task adds its declaration here and one line to task_table.cpp.
const Task& task_coref();       // Winograd-style pronouns (encoder)
const Task& task_brackets();    // matching brackets (encoder)
const Task& task_translate();   // toy translation with word-order changes (encoder-decoder)
const Task& task_induction();   // repeated spans and trigger/follower pairs (decoder)
const Task& task_agreement();   // subject-verb number agreement across distractors (decoder)
const Task& task_mini_english();   // a language model of a toy English grammar (decoder)

}  // namespace attn
