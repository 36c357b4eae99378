// The default ForwardJob, for a network without steps of its own: forward() in its one step.
#include "model/forward_job.h"

#include "model/model.h"

namespace attn {
namespace {

// The whole forward in its one step.
class OneStepJob : public ForwardJob {
public:
    OneStepJob(const Network& network, const std::vector<int32_t>& ids, const TraceOptions& options)
        : network_(network), ids_(ids), options_(options) {}
    void step() override {
        if (done_) return;
        trace_ = network_.forward(ids_, options_);
        done_ = true;
    }
    bool done() const override { return done_; }
    int steps_done() const override { return done_ ? 1 : 0; }
    int steps_total() const override { return 1; }
    Trace take() override { return std::move(trace_); }

private:
    const Network& network_;
    std::vector<int32_t> ids_;
    TraceOptions options_;
    Trace trace_;
    bool done_ = false;
};

}  // namespace

Trace forward_job_finish(ForwardJob& job) {
    while (!job.done()) job.step();
    return job.take();
}

Expected<Trace> forward_job_finish(Expected<std::unique_ptr<ForwardJob>> job) {
    if (!job) return job.error();
    return catch_errors([&] { return forward_job_finish(**job); });
}

std::unique_ptr<ForwardJob> Network::forward_job(const std::vector<int32_t>& ids, const TraceOptions& options) const {
    return std::make_unique<OneStepJob>(*this, ids, options);
}

}  // namespace attn
