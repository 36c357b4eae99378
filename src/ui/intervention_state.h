// What the app keeps for interventions (ablations, knockouts, masked tokens and their before/after) and
// for the activation patching view (clean/corrupted texts, the job, the last result).
#pragma once

namespace attn {

struct InterventionState {
};

}  // namespace attn
