// A forward pass run in steps, so a caller that must keep drawing (the app, with a 124M model in a browser
// tab) can do a layer or two per frame instead of freezing for the whole trace. Every network has one:
// the shared Body and BART (its encoder's blocks, then its decoder's) run a block or less per step; a
// network without steps of its own (Network::forward_job's default) does it all in one. The same code runs
// a trace to completion (model_trace is a job run to the end).
//
//   Expected<std::unique_ptr<ForwardJob>> job = model_trace_job(model, ids, options);
//   while (!(*job)->done()) (*job)->step();   // between steps: draw a frame, check the budget
//   Trace t = (*job)->take();
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/error.h"
#include "model/trace.h"

namespace attn {

struct Model;

class ForwardJob {
public:
    virtual ~ForwardJob() = default;
    virtual void step() = 0;               // the next part; may throw attn::Error like a forward
    virtual bool done() const = 0;
    virtual int steps_done() const = 0;
    virtual int steps_total() const = 0;   // known from the start
    virtual Trace take() = 0;              // once done(): the Trace, moved out
};

// Runs a job to the end and takes its Trace; the Expected form also passes on the job's making error and
// catches a step's (model_trace is model_trace_job run so).
Trace forward_job_finish(ForwardJob& job);
Expected<Trace> forward_job_finish(Expected<std::unique_ptr<ForwardJob>> job);

// model_trace as a job: the same checks up front (ids in the vocabulary and within the context, logit
// positions inside the input), the same Trace at the end, bit for bit.
Expected<std::unique_ptr<ForwardJob>> model_trace_job(const Model& model, const std::vector<int32_t>& ids,
                                                      const TraceOptions& options);

}  // namespace attn
