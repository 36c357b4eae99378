// What the app keeps for the checks view (the chosen suite, the run, its result and the heads it passes,
// which the head grid highlights) and for the explanation view (its faithfulness job and text).
#pragma once

namespace attn {

struct ChecksState {
};

// The explanation view: the faithfulness job started once the attribution job finished, and its result.
struct ExplainState {
};

}  // namespace attn
