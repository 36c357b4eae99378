// The tasks AttnScope trains its zoo on, one file each (task_<name>.cpp); task_table.cpp lists them.
#pragma once
#include "train/task.h"

namespace attn {

// Each task adds its declaration here and one line to task_table.cpp.
const Task& task_induction();
const Task& task_agreement();

}  // namespace attn
