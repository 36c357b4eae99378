// The Train panel's state (app_train.cpp drives it, view_train.cpp draws it): a zoo task trained from
// scratch in the explorer, a bounded slice of optimizer steps per frame so the page keeps drawing, and
// the weights shown in the explorer as they change, with the model loaded before kept to go back to.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/model.h"
#include "train/trainer.h"
#include "ui/selection.h"
#include "ui/zoo_card.h"

namespace attn {

// The speed control: how much of each frame training may take. A step is never split, so a step longer
// than the slice still runs once per frame.
struct TrainSpeed {
    const char* label;
    double slice_ms;
};
constexpr TrainSpeed kTrainSpeeds[] = {{"slow", 8.0}, {"normal", 25.0}, {"fast", 60.0}, {"flat out", 250.0}};
constexpr int kTrainSpeedCount = static_cast<int>(sizeof kTrainSpeeds / sizeof kTrainSpeeds[0]);
constexpr int kTrainDefaultSpeed = 1;

// What the panel asked for this frame; done after the frame (app_train_after_render), when no view
// points into the model any more.
enum class TrainAction { none, start, pause, resume, reset, show_model, back, save };

// The model that was loaded before training took over the explorer, so "Back to ..." restores it whole.
struct TrainPrevious {
    ModelPtr model;
    std::string name;
    bool from_disk = false;
    bool random_weights = false;
    ZooCard card;
    std::string text;
    Selection selection;
};

struct TrainPanelState {
    std::string task = "induction";     // a task_table() name; the picker
    uint64_t seed = 1;
    int steps = -1;                     // -1: the task's own settings().steps
    int batch = -1;                     // -1: the task's own batch (tests: toy-sized runs)
    int save_eval_examples = 200;       // held-out examples the saved card's accuracy rests on
    std::unique_ptr<Trainer> trainer;   // null until Start
    bool running = false;               // stepping each frame (false: paused or finished)
    int speed = kTrainDefaultSpeed;     // index into kTrainSpeeds
    TrainAction pending = TrainAction::none;
    bool open_panel = false;            // Start (from the page API too) unfolds the panel once
    std::string pending_task;           // with TrainAction::start

    // The explorer follows the training: every kShowEverySeconds of running (and on pause) the current
    // weights are loaded as the explorer's model under `shown_name` and traced on the task's example text.
    bool follow = true;
    std::string shown_name;             // "" until shown; the user loading another model stops following
    int shown_step = -1;
    double last_show_seconds = 0.0;     // monotonic clock of the last show
    TrainPrevious previous;             // what to go back to (model null: nothing)

    // Measured live on the shown model: the best induction score of a head past layer 0 (decoders).
    float induction_score = -1.0f;
    int induction_layer = -1, induction_head = -1;

    double steps_per_second = 0.0;      // over the last frames of running
    double rate_window_seconds = 0.0;   // time and steps since the rate was last updated
    int rate_window_steps = 0;

    std::string notice, error;          // the panel's own last message and problem
    std::string saved_to;               // where Save model put the folder (desktop) or the zip (page)
};

}  // namespace attn

namespace attn {

// What the panel draws (view_train.cpp): the state read, never changed; the panel answers with actions.
struct TrainPanelView {
    std::vector<std::string> tasks;     // task_table() names, in order
    int task_index = 0;
    bool has_trainer = false, running = false, finished = false;
    int step = 0, total_steps = 0;
    double steps_per_second = 0.0;
    const std::vector<TrainLogRow>* log = nullptr;   // the trainer's own log: the curves' one source
    int speed = kTrainDefaultSpeed;
    bool following = false;             // the explorer shows the training model
    int shown_step = -1;
    std::string previous_name;          // "" when there is nothing to go back to
    float induction_score = -1.0f;
    int induction_layer = -1, induction_head = -1;
    std::string notice, error, saved_to;
    bool can_save = false;
    bool open = false;                  // unfold the section this frame
};

struct TrainPanelAnswer {
    TrainAction action = TrainAction::none;
    std::string task;                   // the picker's choice (with start)
    int speed = -1;                     // a new speed index, or -1
};

TrainPanelAnswer show_train_panel(const TrainPanelView& v);

}  // namespace attn
