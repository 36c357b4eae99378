// The registered tasks (train/task.h): tools/train, `attnscope-cli eval`, the model cards and the tests
// read this one list.
#include <string>

#include "train/task.h"
#include "train/tasks.h"

namespace attn {

const std::vector<const Task*>& task_table() {
    static const std::vector<const Task*> tasks = {
        // Each task adds one line here: &task_<name>(),
        &task_coref(),
        &task_brackets(),
        &task_translate(),
        &task_induction(),
        &task_agreement(),
        &task_mini_english(),
    };
    return tasks;
}

const Task* task_find(const std::string& name) {
    for (const Task* t : task_table())
        if (t->name() == name) return t;
    return nullptr;
}

std::string task_names() {
    std::string s;
    for (const Task* t : task_table()) s += (s.empty() ? "" : ", ") + t->name();
    return s;
}

const char* model_family_name(ModelFamily f) {
    switch (f) {
        case ModelFamily::decoder: return "decoder";
        case ModelFamily::encoder: return "encoder";
        case ModelFamily::encoder_decoder: return "encoder-decoder";
    }
    return "?";
}

bool Task::example_correct(const Example& e, const std::vector<int32_t>& predicted) const {
    for (size_t t = 0; t < e.labels.size(); ++t)
        if (e.labels[t] >= 0 && (t >= predicted.size() || predicted[t] != e.labels[t])) return false;
    return true;
}

}  // namespace attn
