// The Train panel's work (app_train.cpp): a task's model trained from scratch in the explorer, stepped
// a bounded slice per frame after the frame is drawn, and shown in the explorer as it learns. The panel
// itself (view_train.cpp) only draws and asks; the page API and the tests call these directly.
//
//   app_train_start(app, "induction");      // fresh weights from app.train.seed, running, head grid shown
//   each frame: ... app_after_render(app)   // -> app_train_after_render: a slice of steps, a show every ~1 s
//   app_train_pause(app);                   // the explorer shows the weights of this step
//   app_train_save(app);                    // the desktop: a folder; the page: NAME.zip
//   app_train_back(app);                    // the model loaded before training, text and head as they were
#pragma once
#include <string>

#include "core/error.h"
#include "core/file_set.h"
#include "ui/app.h"

namespace attn {

// A fresh trainer for `task` from app.train.seed (app.train.steps steps), running; false (app.train.error
// says why) for a task the table does not know. The explorer switches to the head grid.
bool app_train_start(App& app, const std::string& task);
void app_train_pause(App& app);    // the explorer shows the weights of the step it stopped at
void app_train_resume(App& app);
// Fresh weights from the seed, paused at step 0 (so reset + N steps equals a fresh run of N steps).
bool app_train_reset(App& app);
// Runs up to n steps now, whatever the speed (tests, the page API); returns how many ran.
int app_train_steps(App& app, int n);
// The current weights become the explorer's model ("trained here: TASK (step N)"), traced on the task's
// example text; the first time, the model loaded before is kept for app_train_back.
bool app_train_show(App& app);
// Restores the model loaded before training (with its card, text and selection); training is kept.
bool app_train_back(App& app);
// What Save model writes: the trainer's folder (tools/train's files: config.json, model.safetensors,
// tokenizer.json, README.md, card.json, train_log.csv, golden_trace.safetensors, checks.json when the
// task has one) plus loss.png, under the folder name it suggests ("induction-step1200").
struct TrainFolder {
    std::string name;
    FileSet files;
};
Expected<TrainFolder> app_train_folder(App& app);
// The files as one zip (store-only) holding NAME/<file> entries: the page's download.
Bytes train_folder_zip(const TrainFolder& folder);
// Hands the folder to the platform (config.save_folder, else save_file with the zip); app.train.saved_to
// or app.train.error says how it went.
bool app_train_save(App& app);
// After the frame: the panel's pending action, then a slice of steps, then a show when one is due.
void app_train_after_render(App& app);
// The left panel's collapsible "Train a model" section.
void app_show_train_panel(App& app);

}  // namespace attn
