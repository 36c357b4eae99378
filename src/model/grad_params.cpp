// Parameter gradient accumulators and their checkpoint names (grad_params.h).
#include "model/grad_params.h"

#include <algorithm>
#include <set>

namespace attn {

template <typename Real>
Real* ParamGradients<Real>::slot(const void* key, size_t n) {
    if (!on_ || key == nullptr) return nullptr;
    std::vector<Real>& g = grads_[key];
    if (g.empty()) g.assign(n, Real(0));
    return g.data();
}

template <typename Real>
Real* ParamGradients<Real>::of(const Matrix& m) {
    return m.empty() ? nullptr : slot(m.view.data, static_cast<size_t>(m.view.rows) * m.view.cols);
}

template <typename Real>
Real* ParamGradients<Real>::of(const Tensor32& t) {
    return t.values.empty() ? nullptr : slot(t.values.data(), t.values.size());
}

template <typename Real>
Real* ParamGradients<Real>::find(const void* key) {
    auto it = grads_.find(key);
    return it == grads_.end() ? nullptr : it->second.data();
}

template <typename Real>
void ParamGradients<Real>::zero() {
    for (auto& kv : grads_) std::fill(kv.second.begin(), kv.second.end(), Real(0));
}

template <typename Real>
std::vector<ParamGrad> ParamGradients<Real>::collect(const Body& body) {
    std::vector<ParamGrad> out;
    body_for_each_param(body, [&](const std::string& name, const void* key, const std::vector<int64_t>& shape) {
        size_t n = 1;
        for (int64_t s : shape) n *= static_cast<size_t>(s);
        ParamGrad p{name, shape, std::vector<float>(n, 0.0f)};
        auto it = grads_.find(key);
        if (it != grads_.end()) std::copy(it->second.begin(), it->second.end(), p.grad.begin());
        out.push_back(std::move(p));
    });
    return out;
}

void body_for_each_param(const Body& body, const BodyParamVisitor& visit) {
    std::set<const void*> seen;   // a tied unembedding is the token table: reported once
    auto add = [&](const std::string& name, const void* key, std::vector<int64_t> shape) {
        if (name.empty() || key == nullptr || !seen.insert(key).second) return;
        visit(name, key, shape);
    };
    auto matrix = [&](const Matrix& m) {
        if (!m.empty()) add(m.name, m.view.data, {m.view.rows, m.view.cols});
    };
    auto tensor = [&](const Tensor32& t) {
        if (!t.values.empty()) add(t.name, t.values.data(), t.shape);
    };
    auto dense = [&](const Dense& d) {
        matrix(d.w);
        tensor(d.b);
    };
    auto norm = [&](const Norm& n) {
        tensor(n.w);
        tensor(n.b);
    };
    const EmbedWeights& e = body.embed;
    matrix(e.token);
    matrix(e.position);
    // The body keeps only token type 0's row; the checkpoint's table has token_type_rows rows (the rest get 0).
    if (!e.token_type.values.empty())
        add(e.token_type.name, e.token_type.values.data(), {e.token_type_rows, static_cast<int64_t>(e.token_type.values.size())});
    norm(e.norm);
    for (const BlockWeights& b : body.blocks) {
        norm(b.attn.norm);
        dense(b.attn.qkv);
        dense(b.attn.q);
        dense(b.attn.k);
        dense(b.attn.v);
        dense(b.attn.out);
        norm(b.ffn.norm);
        dense(b.ffn.fc1);
        dense(b.ffn.up);
        dense(b.ffn.fc2);
    }
    norm(body.head.final_norm);
    dense(body.head.transform);
    norm(body.head.transform_norm);
    matrix(body.head.unembed);
    tensor(body.head.bias);
}

template class ParamGradients<float>;
template class ParamGradients<double>;

}  // namespace attn
