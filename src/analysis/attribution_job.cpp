// The attribution job: a list of stages, each cut into steps of about one forward (+ backward) pass, so
// the app can run a few per frame and the CLI / page run them all. A stage's result is stored when its
// last step finishes; cancelling keeps every finished stage and drops the one in progress.
//
// Stage order puts what is cheap and most looked at first: gradients (saliency, attention x gradient,
// head importance), attention statistics, logit lens and activations, then the many-pass methods.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "analysis/activation_summary.h"
#include "analysis/attention_flow.h"
#include "analysis/attention_gradient.h"
#include "analysis/attribution.h"
#include "analysis/head_importance.h"
#include "analysis/head_stats.h"
#include "analysis/integrated_gradients.h"
#include "analysis/logit_lens.h"
#include "analysis/observed.h"
#include "analysis/occlusion.h"
#include "analysis/permutation.h"
#include "analysis/rollout.h"
#include "analysis/saliency.h"

namespace attn {

namespace {

struct Stage {
    std::string name;
    int steps = 0;
    std::function<void(int)> run;   // step i = 0 .. steps-1, in order
};

std::vector<float> to_float(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

}  // namespace

struct AttributionJob::State {
    const Model& model;
    std::vector<int32_t> ids;
    AttributionOptions options;
    int T = 0, D = 0, L = 0, H = 0, V = 0;

    Attribution result;
    LogitLens lens;
    ActivationSummary activations;
    std::string stage_label, error;

    std::vector<Stage> stages;
    size_t stage = 0;
    int step = 0;
    long units_done = 0, units_total = 0;
    bool finished = false;

    // What the stages share while they run.
    ScoreSpec spec;                           // resolved by the gradients stage: later passes score the same token
    std::vector<float> embeds;                // (T, D) e
    AttentionTensor attentions;               // (L, H, T, T)
    ResidualAttention ahat;
    IntegratedGradients ig;
    std::vector<float> partial;               // the running stage's per-token or per-head values
    LogitLens lens_work;                      // filled chunk by chunk, published when complete
    int lens_rows = 1;                        // token rows per lens step
    std::unique_ptr<ObservedTensors> seen;
    AttentionFlowSolver flow_solver;

    State(const Model& m, std::vector<int32_t> input, AttributionOptions opt)
        : model(m), ids(std::move(input)), options(opt) {
        options.hooks.editor = nullptr;
        options.hooks.observer = nullptr;
    }

    // A request carrying the job's interventions (gates and knockouts).
    GradRequest fresh() const {
        GradRequest request;
        request.hooks = options.hooks;
        return request;
    }

    // The score of one forward pass (no backward) on `input`, for the token the gradients stage explained.
    float score_of(const std::vector<int32_t>& input, GradRequest request) const {
        request.score = spec;
        request.backward = false;
        request.capture_attentions = false;
        Expected<GradResult> g = model_gradients(model, input, request);
        if (!g) throw Error(g.error().message);
        return g->score;
    }

    void build_stages();
    void run_gradients();
    void run_lens_step(int i);
};

void AttributionJob::State::run_gradients() {
    GradRequest request = fresh();
    request.score = options.score;
    Expected<GradResult> g = model_gradients(model, ids, request);
    if (!g) throw Error(g.error().message);
    Attribution& r = result;
    D = static_cast<int>(g->token_embeds.size() / static_cast<size_t>(T));
    r.n_embd = D;
    r.position = g->position;
    r.target = g->target;
    r.foil = g->foil;
    r.score = g->score;
    r.target_logprob = g->target_logprob;
    r.foil_logprob = g->foil_logprob;
    spec = ScoreSpec{g->position, g->target, g->foil};
    embeds = g->token_embeds;
    attentions = g->attentions;
    r.saliency_grad = g->d_token_embeds;
    r.saliency_l2 = saliency_l2(g->d_token_embeds, T, D);
    r.grad_x_input = grad_x_input(g->d_token_embeds, embeds, T, D);
    r.attn_x_grad = attention_x_gradient(attentions, g->d_attentions, g->position);
    r.head_importance = head_importance(g->d_head_gates);
}

// Step 0 runs the model once and keeps the residual stream entering each layer ("embed",
// "layer.l.out"; the last layer's output is the state the model's own head reads) and after each
// attention sublayer. Each later step puts one state's rows [t0, t1) through the model's final norm and
// head: an unembedding of (rows x D x V) is the costly part, so rows are chunked to keep steps short.
void AttributionJob::State::run_lens_step(int i) {
    const int k = options.lens_top_k;
    auto state_name = [](int s) { return s == 0 ? std::string("embed") : "layer." + std::to_string(s - 1) + ".out"; };
    if (i == 0) {
        std::set<std::string> names = activation_names(L);
        for (int l = 0; l < L; ++l) names.insert("layer." + std::to_string(l) + ".resid_mid");
        seen = std::make_unique<ObservedTensors>(names);
        TraceOptions options_trace;
        options_trace.hooks = options.hooks;
        options_trace.capture_attentions = false;
        options_trace.capture_hidden_states = false;
        options_trace.hooks.observer = seen->observer();
        Expected<Trace> trace = model_trace(model, ids, options_trace);
        if (!trace) throw Error(trace.error().message);
        for (int s = 0; s <= L; ++s)
            if (const ObservedTensor* h = seen->find(state_name(s)); !h || h->rows != T)
                throw Error("logit lens: " + model.info().architecture + "'s forward pass did not report " + state_name(s));
        LogitLens& w = lens_work;
        w = LogitLens{};
        w.n_state = L + 1;
        w.n_token = T;
        w.top_k = k;
        w.argmax.assign(static_cast<size_t>(L + 1) * T, 0);
        w.topk_ids.assign(static_cast<size_t>(L + 1) * T * k, 0);
        w.topk_probs.assign(w.topk_ids.size(), 0.0f);
        w.mid_topk_ids.assign(static_cast<size_t>(L) * T * k, 0);
        w.mid_topk_probs.assign(w.mid_topk_ids.size(), 0.0f);
        w.target_rank.assign(static_cast<size_t>(L + 1), 0);
        w.target_prob.assign(static_cast<size_t>(L + 1), 0.0f);
        return;
    }
    const int chunks = (T + lens_rows - 1) / lens_rows;
    const int s = (i - 1) / chunks, t0 = ((i - 1) % chunks) * lens_rows, n = std::min(lens_rows, T - t0);
    LogitLens& w = lens_work;
    const size_t row = static_cast<size_t>(s) * T + t0;
    auto lens_of = [&](const ObservedTensor& h) {
        Expected<std::vector<float>> z = model_lens_logits(model, h.data.data() + static_cast<size_t>(t0) * h.cols, n);
        if (!z) throw Error(z.error().message);
        return std::move(*z);
    };
    const std::vector<float> z = lens_of(*seen->find(state_name(s)));
    const int V_lens = static_cast<int>(z.size() / static_cast<size_t>(n));
    lens_state_fill(z.data(), n, V_lens, k, &w.argmax[row], &w.topk_ids[row * k], &w.topk_probs[row * k]);
    if (spec.position >= t0 && spec.position < t0 + n) {
        TokenRank tr = lens_token_rank(z.data() + static_cast<size_t>(spec.position - t0) * V_lens, V_lens, spec.target);
        w.target_rank[s] = tr.rank;
        w.target_prob[s] = tr.prob;
    }
    if (s == L) return;
    const ObservedTensor* mid = seen->find("layer." + std::to_string(s) + ".resid_mid");
    if (!mid || mid->rows != T) return;
    const std::vector<float> zm = lens_of(*mid);
    lens_state_fill(zm.data(), n, V_lens, k, nullptr, &w.mid_topk_ids[row * k], &w.mid_topk_probs[row * k]);
}

void AttributionJob::State::build_stages() {
    Attribution& r = result;
    stages.push_back({"gradients", 1, [this](int) { run_gradients(); }});
    stages.push_back({"attention statistics", 1, [this, &r](int) {
                          ahat = residual_attention(attentions);
                          r.rollout = to_float(attention_rollout(ahat));
                          r.entropy = attention_entropy(attentions);
                          r.mean_distance = attention_mean_distance(attentions);
                      }});
    // About 8M multiply-adds of unembedding per step, a few ms even in WASM, so a frame that runs one step
    // stays under 16 ms (one row of a 768 x 50257 head is 39M: there a step is one row).
    const double row_cost = static_cast<double>(model.info().n_embd) * model.info().n_vocab;
    lens_rows = std::clamp(static_cast<int>(8e6 / std::max(row_cost, 1.0)), 1, T);
    const int lens_steps = 1 + (L + 1) * ((T + lens_rows - 1) / lens_rows);
    stages.push_back({"logit lens", lens_steps, [this, lens_steps](int i) {
                          run_lens_step(i);
                          if (i == 0) activations = activation_summary(*seen, L, T);
                          if (i + 1 == lens_steps) {
                              lens = std::move(lens_work);
                              lens_work = LogitLens{};
                              seen.reset();
                          }
                      }});
    stages.push_back({"baseline", 1, [this, &r](int) {
                          GradRequest request = fresh();
                          request.token_embeds.assign(embeds.size(), 0.0f);
                          r.baseline_logprob = score_of(ids, request);
                          r.has_baseline = true;
                      }});
    const int N = options.ig_steps;
    stages.push_back({"integrated gradients", N, [this, &r, N](int i) {
                          if (i == 0) ig = IntegratedGradients(embeds, T, D, N);
                          GradRequest request = fresh();
                          request.score = spec;
                          request.capture_attentions = false;
                          request.token_embeds = ig.path_point(i + 1);
                          Expected<GradResult> g = model_gradients(model, ids, request);
                          if (!g) throw Error(g.error().message);
                          ig.add(g->d_token_embeds);
                          if (i + 1 == N) {
                              r.integrated_gradients = ig.result();
                              r.ig_completeness_gap = ig_completeness_gap(r.integrated_gradients, r.score, r.baseline_logprob);
                          }
                      }});
    stages.push_back({"occlusion", T, [this, &r](int t) {
                          if (t == 0) partial.assign(static_cast<size_t>(T), 0.0f);
                          GradRequest request = fresh();
                          request.token_embeds = occluded_embeds(embeds, D, t);
                          partial[t] = r.score - score_of(ids, request);
                          if (t + 1 == T) r.occlusion_zero = partial;
                      }});
    if (options.head_ablation)
        stages.push_back({"head ablation", L * H, [this, &r](int i) {
                              if (i == 0) partial.assign(static_cast<size_t>(L) * H, 0.0f);
                              GradRequest request = fresh();
                              const std::vector<float> base = request.hooks.head_gates;
                              request.hooks.head_gates = ablation_gates(L, H, i / H, i % H);
                              for (size_t g = 0; g < base.size() && g < request.hooks.head_gates.size(); ++g)
                                  request.hooks.head_gates[g] *= base[g];
                              partial[i] = r.score - score_of(ids, request);
                              if (i + 1 == L * H) r.head_ablation = partial;
                          }});
    const int K = options.permutation_samples;
    if (K > 0)
        stages.push_back({"permutation", T * K, [this, &r, K](int i) {
                              if (i == 0) partial.assign(static_cast<size_t>(T), 0.0f);
                              const int t = i / K, sample = i % K;
                              std::vector<int32_t> changed = ids;
                              changed[t] = permutation_token(options.permutation_seed, t, sample, V, ids[t]);
                              partial[t] += (r.score - score_of(changed, fresh())) / K;
                              if (i + 1 == T * K) r.permutation = partial;
                          }});
    if (T <= options.flow_max_tokens)
        stages.push_back({"attention flow", T, [this, &r](int j) {
                              if (j == 0) {
                                  flow_solver = attention_flow_solver(ahat);
                                  partial.assign(static_cast<size_t>(T) * T, 0.0f);
                              }
                              for (int i = 0; i < T; ++i)
                                  partial[static_cast<size_t>(j) * T + i] =
                                      static_cast<float>(attention_flow_between(flow_solver, i, j));
                              if (j + 1 == T) {
                                  r.attention_flow = partial;
                                  flow_solver = AttentionFlowSolver{};
                              }
                          }});
    for (const Stage& s : stages) units_total += s.steps;
}

AttributionJob::AttributionJob(const Model& model, std::vector<int32_t> ids, AttributionOptions options)
    : state_(std::make_unique<State>(model, std::move(ids), options)) {
    State& s = *state_;
    const ModelInfo& info = model.info();
    s.T = static_cast<int>(s.ids.size());
    s.L = info.n_layer;
    s.H = info.n_head;
    s.V = info.n_vocab;
    s.result.n_token = s.T;
    s.result.n_embd = info.n_embd;
    s.result.n_layer = s.L;
    s.result.n_head = s.H;
    if (info.encoder_decoder)
        s.error = "analyze supports decoder-only and encoder models; " + info.architecture + " is an encoder-decoder";
    else if (s.T == 0)
        s.error = "the input has no tokens to explain";
    else if (s.T > info.n_ctx)
        s.error = "the input has " + std::to_string(s.T) + " tokens, more than the model's context of " +
                  std::to_string(info.n_ctx);
    else if (options.ig_steps < 1)
        s.error = "integrated gradients need at least 1 step, got " + std::to_string(options.ig_steps);
    else if (options.permutation_samples < 0)
        s.error = "permutation samples must be 0 or more, got " + std::to_string(options.permutation_samples);
    else if (options.lens_top_k < 1)
        s.error = "the logit lens top-k must be at least 1, got " + std::to_string(options.lens_top_k);
    for (int32_t id : s.ids)
        if (s.error.empty() && (id < 0 || id >= info.n_vocab))
            s.error = "token id " + std::to_string(id) + " is outside the vocabulary [0, " + std::to_string(info.n_vocab) + ")";
    if (!s.error.empty()) {
        s.finished = true;
        s.stage_label = "failed";
        return;
    }
    s.build_stages();
    s.stage_label = s.stages.front().name;
}

AttributionJob::~AttributionJob() = default;

bool AttributionJob::step() {
    State& s = *state_;
    if (s.finished) return true;
    Stage& stage = s.stages[s.stage];
    try {
        stage.run(s.step);
    } catch (const std::exception& e) {
        s.error = std::string(e.what());
        s.stage_label = "failed";
        s.finished = true;
        return true;
    }
    ++s.units_done;
    if (++s.step >= stage.steps) {
        s.step = 0;
        ++s.stage;
    }
    if (s.stage >= s.stages.size()) {
        s.finished = true;
        s.stage_label = "done";
        return true;
    }
    const Stage& next = s.stages[s.stage];
    s.stage_label = next.steps > 1 ? next.name + " " + std::to_string(s.step + 1) + "/" + std::to_string(next.steps)
                                   : next.name;
    return false;
}

bool AttributionJob::done() const { return state_->finished; }

float AttributionJob::progress() const {
    const State& s = *state_;
    if (s.finished) return 1.0f;
    return s.units_total > 0 ? static_cast<float>(s.units_done) / static_cast<float>(s.units_total) : 0.0f;
}

const std::string& AttributionJob::stage() const { return state_->stage_label; }

void AttributionJob::cancel() {
    State& s = *state_;
    if (s.finished) return;
    s.finished = true;
    s.stage_label = "cancelled";
    s.seen.reset();
    s.lens_work = LogitLens{};
}

const std::string& AttributionJob::error() const { return state_->error; }
const Attribution& AttributionJob::result() const { return state_->result; }
const LogitLens& AttributionJob::lens() const { return state_->lens; }
const ActivationSummary& AttributionJob::activations() const { return state_->activations; }

}  // namespace attn
