// Parameter gradients of the differentiable pass: f32 accumulators keyed by the tensor they belong to
// (its data pointer, so a tied unembedding and the token table share one), and the list of them named
// and shaped as in the checkpoint.
#pragma once
#include <map>
#include <vector>

#include "model/body.h"
#include "model/gradients.h"

namespace attn {

// Real: the precision the pass runs in; collect() reports f32.
template <typename Real>
class ParamGradients {
public:
    explicit ParamGradients(bool on) : on_(on) {}
    bool on() const { return on_; }
    // The f32 gradient of a parameter in its stored layout, zeroed on first use; null when off or absent.
    Real* of(const Matrix& m);
    Real* of(const Tensor32& t);
    // Every named parameter of the body, once, in the body's order (embeddings, blocks, head).
    std::vector<ParamGrad> collect(const Body& body);

private:
    Real* slot(const void* key, size_t n);
    bool on_;
    std::map<const void*, std::vector<Real>> grads_;
};

}  // namespace attn
