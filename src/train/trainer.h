// Training a task's model: AdamW with linear warm-up and cosine decay, gradient clipping by the global
// norm, a loss / accuracy log, all deterministic for a seed on one machine. A stepped job: the CLI runs it
// to the end with a progress bar; the page (classroom issue) can step it a few times per frame.
//
//   Trainer t(*task, options);               // builds and initialises the model from options.seed
//   while (!t.done()) t.step();              // one optimizer step each
//   Expected<FileSet> folder = t.save();     // config.json, model.safetensors, tokenizer.json, README.md, ...
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/step_job.h"
#include "core/file_set.h"
#include "train/optimizer.h"
#include "train/task.h"
#include "train/train_model.h"

namespace attn {

// The trace of the card's example text saved with every zoo model (trace_export's safetensors, metadata
// "text"): loading the folder anywhere must reproduce it.
constexpr char kGoldenTraceFile[] = "golden_trace.safetensors";

struct TrainOptions {
    uint64_t seed = 1;
    int steps = -1;          // -1: the task's settings().steps
    int batch = -1;          // -1: the task's settings().batch (tests train toy-sized batches)
    int threads = 2;         // examples of a batch split over this many threads (1 in the browser)
    std::string command;     // the exact command line, for the model card
};

struct TrainLogRow {
    int step = 0;
    double lr = 0.0;
    double loss = 0.0;           // mean cross-entropy per labelled token over the batch
    double train_accuracy = 0.0; // per labelled token, this batch
    double grad_norm = 0.0;      // before clipping
    double held_out_accuracy = -1.0;   // the task's rule, on fresh held-out examples; -1: not measured this step
    double seconds = 0.0;        // since the start
};

class Trainer : public StepJob {
public:
    Trainer(const Task& task, const TrainOptions& options);
    bool step() override;
    bool done() const override { return done_; }
    float progress() const override;
    const std::string& stage() const override { return stage_; }
    void cancel() override { done_ = true; }
    const std::string& error() const override { return error_; }

    const std::vector<TrainLogRow>& log() const { return log_; }
    const TrainModel* model() const { return model_.get(); }
    const Task& task() const { return task_; }
    const TrainOptions& options() const { return options_; }
    int steps_done() const { return step_; }
    int total_steps() const { return steps_; }
    // The weights as they are now, as a loadable folder (config.json, model.safetensors, tokenizer.json):
    // the explorer shows a model while it trains. Cheap: no evaluation.
    Expected<FileSet> weights_folder() const;
    // After done(): evaluates held-out accuracy on n examples, measures the claims and writes the folder:
    // config.json, model.safetensors, tokenizer.json, README.md (the model card), card.json, train_log.csv,
    // golden_trace.safetensors, and checks.json when the task has a suite.
    Expected<FileSet> save(int eval_examples = 1000);
    double final_accuracy() const { return final_accuracy_; }

private:
    const Task& task_;
    TrainOptions options_;
    TrainSettings settings_;
    int steps_ = 0, step_ = 0;
    bool done_ = false;
    std::string stage_, error_;
    std::unique_ptr<TrainModel> model_;
    std::unique_ptr<AdamW> optimizer_;
    Rng data_rng_;
    std::vector<TrainLogRow> log_;
    double start_seconds_ = 0.0;
    double final_accuracy_ = -1.0;
};

// The task's accuracy (its example_correct rule) on n freshly generated held-out examples from seed.
Expected<double> evaluate_task(const Task& task, const Model& model, int n, uint64_t seed);
// One example's loss and argmax predictions (no gradients), for any family.
Expected<LossResult> example_loss(const Model& model, const Example& e);

}  // namespace attn
