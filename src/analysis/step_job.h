// A long analysis cut into steps (about one forward pass each) so the app can draw between them and the
// CLI / page / tests run it to the end. The app drives jobs, never a view.
//
//   std::unique_ptr<StepJob> job = ...;
//   while (!job->done()) job->step();   // the app: a few steps per frame, showing progress() and stage()
//   if (!job->error().empty()) status(job->error());
#pragma once
#include <string>

namespace attn {

class StepJob {
public:
    virtual ~StepJob() = default;
    virtual bool step() = 0;                      // one unit of work; true when done
    virtual bool done() const = 0;
    virtual float progress() const = 0;           // 0..1
    virtual const std::string& stage() const = 0; // what runs now, for the progress bar
    virtual void cancel() = 0;                    // stops at the next step; what is finished stays
    virtual const std::string& error() const = 0; // non-empty: failed, the message names the problem
};

// Runs a job to the end (the CLI, the page API, tests).
inline void step_job_finish(StepJob& job) {
    while (!job.done()) job.step();
}

}  // namespace attn
