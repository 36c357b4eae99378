// Where a trace first goes bad: NaN or infinity in the embeddings, a layer's attention weights or its
// output, or the logits (from NaN/Inf weights, or an overflow). Reported once per trace, by the app's
// status bar and the CLI, so a user learns where it started instead of seeing odd colours; the views draw
// non-finite cells in the "bad" colour (ui/colormap.h), never as a weight.
//
//   NonFinite bad = first_nonfinite(trace);
//   if (bad.found) printf("%s\n", nonfinite_message(bad).c_str());   // "NaN or infinity first in layer 1's attention weights (12 values)"
#pragma once
#include <string>
#include <vector>

#include "model/trace.h"

namespace attn {

enum class TraceTensor { embeddings, attentions, hidden_state, logits };

struct NonFinite {
    bool found = false;
    TraceTensor tensor = TraceTensor::embeddings;
    int layer = -1;            // attentions / hidden_state: the layer (counted from 0); else -1
    size_t count = 0;          // non-finite values in that tensor (that layer's part of it)
    bool decoder = false;      // an encoder-decoder's decoder stack (or its cross attention)
};

// The first bad tensor in the order the forward pass computes them: embeddings, then per layer its
// attention weights and its output, then the logits. Self attention / encoder stack first, then an
// encoder-decoder's decoder (self and cross attention per layer). Only what the trace captured.
NonFinite first_nonfinite(const Trace& trace);

// first_nonfinite in steps, for a trace too large to read in one frame: the app captures no hidden states,
// so it reads every attention weight (600 MB at 12 x 12 heads and T = 1024: 50 ms natively, several
// times that in WebAssembly). The same parts in the same order, so the same result; the trace must
// outlive the scan and not change meanwhile.
//   NonFiniteScan scan(trace);
//   while (!scan.step(1 << 20)) { /* draw a frame */ }
//   NonFinite bad = scan.result();
class NonFiniteScan {
public:
    explicit NonFiniteScan(const Trace& trace);
    // Reads about `values` more values (at least one part's rest when that part already has a bad one,
    // so its count is whole); returns done().
    bool step(size_t values);
    bool done() const { return done_; }
    const NonFinite& result() const { return result_; }
    size_t values_total() const { return total_; }   // what a scan without the shortcut reads

    struct Part {   // one tensor (or one layer of one) to read, and what finding a bad value there means
        const float* data;
        size_t n;
        NonFinite where;
    };

private:
    std::vector<Part> parts_;
    size_t part_ = 0, offset_ = 0, bad_here_ = 0, total_ = 0;
    NonFinite result_;
    bool done_ = false;
};

// The status bar's / CLI's sentence, in the current language.
std::string nonfinite_message(const NonFinite& bad);

}  // namespace attn
