// What the app keeps for the checks view (the chosen suite, the run, its result and the heads it passes,
// which the head grid highlights); the explanation view's ExplainState is in explain_state.h.
#pragma once
#include "ui/explain_state.h"   // ExplainState (App::explain)

namespace attn {

struct ChecksState {
};

}  // namespace attn
