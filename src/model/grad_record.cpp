// Planning the activations record (grad_record.h): what each layer saves depends on the recipe.
#include "model/grad_record.h"

namespace attn {

template <typename Real>
GradRecord<Real> grad_record_plan(const Body& body, int T) {
    const BlockRecipe& r = body.recipe;
    GradRecord<Real> rec;
    rec.T = T;
    rec.D = body.n_embd();
    rec.H = r.n_head;
    rec.KV = r.n_kv_head;
    rec.hd = r.head_dim;
    rec.L = static_cast<int>(body.blocks.size());
    rec.F = body.blocks.empty() ? 0 : body.blocks[0].ffn.fc1.w.view.n_out();
    rec.V = body.unembed().n_out();
    const size_t t = T, td = t * rec.D, qd = t * rec.H * rec.hd, kvd = t * rec.KV * rec.hd, tf = t * rec.F;
    size_t total = 0;
    auto take = [&](size_t n) {
        const size_t at = total;
        total += n;
        return at;
    };
    rec.e = take(td);
    if (!body.embed.norm.w.values.empty()) {
        rec.emb_sum = take(td);
        rec.emb_mean = take(t);
        rec.emb_rstd = take(t);
    }
    for (int l = 0; l <= rec.L; ++l) rec.hidden.push_back(take(td));
    const bool gated = r.mlp == MlpKind::gated;
    for (int l = 0; l < rec.L; ++l) {
        LayerSlots s;
        if (!r.post_ln) s.x1 = take(td);
        s.n1_mean = take(t);
        s.n1_rstd = take(t);
        s.q = take(qd);
        s.k = take(kvd);
        s.v = take(kvd);
        s.probs = take(static_cast<size_t>(rec.H) * t * t);
        s.ctx = take(qd);
        if (r.post_ln) s.s1 = take(td);
        s.mid = take(td);
        if (!r.post_ln) s.x2 = take(td);
        s.n2_mean = take(t);
        s.n2_rstd = take(t);
        s.f = take(tf);
        if (gated) s.u = take(tf);
        s.act = take(tf);
        if (r.post_ln) s.s2 = take(td);
        rec.layers.push_back(s);
    }
    HeadSlots& h = rec.head;
    h.fn_out = take(rec.D);
    h.fn_mean = take(1);
    h.fn_rstd = take(1);
    h.tr_pre = take(rec.D);
    h.tr_act = take(rec.D);
    h.tn_out = take(rec.D);
    h.tn_mean = take(1);
    h.tn_rstd = take(1);
    h.logprobs = take(rec.V);
    rec.data.assign(total, Real(0));
    return rec;
}

template GradRecord<float> grad_record_plan<float>(const Body&, int);
template GradRecord<double> grad_record_plan<double>(const Body&, int);

}  // namespace attn
