// Parameter gradients of the differentiable pass: f32 accumulators keyed by the tensor they belong to
// (its data pointer, so a tied unembedding and the token table share one), and the list of them named
// and shaped as in the checkpoint.
#pragma once
#include <functional>
#include <map>
#include <string>
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
    // The accumulator of the parameter whose data is at key (Matrix::view.data, Tensor32::values.data()), or
    // null when nothing has been added to it (the trainer reads its batch's sums this way).
    Real* find(const void* key);
    // The accumulator of n values filed under key, zeroed on first use (null when off).
    Real* of(const void* key, size_t n) { return slot(key, n); }
    void zero();   // every accumulator back to 0 (kept allocated for the next batch)

private:
    Real* slot(const void* key, size_t n);
    bool on_;
    std::map<const void*, std::vector<Real>> grads_;
};

// Every named parameter of a Body once, in the body's order (embeddings, blocks, head): its checkpoint name,
// the key its gradient is filed under and its checkpoint shape. Computed tensors (no name) are skipped.
using BodyParamVisitor = std::function<void(const std::string& name, const void* key, const std::vector<int64_t>& shape)>;
void body_for_each_param(const Body& body, const BodyParamVisitor& visit);

}  // namespace attn
