// One block of the differentiable pass (grad_block.cpp): the record of layer l's forward and the walk
// back through it. float and double instantiated.
#pragma once
#include <vector>

#include "model/grad_pass.h"

namespace attn {
namespace grad {

// Per layer: the gate of each head, the knockout mask and the attention spec, from the hooks.
template <typename Real>
void pass_prepare(Pass<Real>& p);
// hidden[l] (T, D) -> hidden[l + 1], filling layer l's slots of the record.
template <typename Real>
void block_record(Pass<Real>& p, int l);
// dh (T, D): d score / d hidden[l + 1] in, d score / d hidden[l] out; d probs (H, T, T) and d gates (H)
// of the layer +=.
template <typename Real>
void block_unrecord(Pass<Real>& p, int l, std::vector<Real>& dh, Real* dprobs, Real* dgates);

}  // namespace grad
}  // namespace attn
