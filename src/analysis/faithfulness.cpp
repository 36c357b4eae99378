// The faithfulness job: one forward pass for the full input, then one per (method, k, test). Inputs that
// come out the same (methods that rank the same tokens first) are looked up, not run again.
//
// Which tokens may go: never the scored position (deleting it would change the question, not the
// evidence) and never special tokens ([CLS], [SEP], <s>, a BOS: without them the input is out of the
// distribution the model was trained on, and the drop would measure that, not the attribution).
#include "analysis/faithfulness.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "analysis/attribution_methods.h"

namespace attn {

namespace {

// One planned pass: which method's ranking, how many of its top tokens, and keep or remove them.
struct Pass {
    int method = 0;   // kAttributionMethods index
    int k = 0;
    bool keep_top = false;   // sufficiency: keep only the top k; comprehensiveness: remove them
};

}  // namespace

float softmax_probability(const float* logits, int V, int target) {
    float m = logits[0];
    for (int v = 1; v < V; ++v) m = std::max(m, logits[v]);
    double sum = 0.0;
    for (int v = 0; v < V; ++v) sum += std::exp(static_cast<double>(logits[v]) - m);
    return static_cast<float>(std::exp(static_cast<double>(logits[target]) - m) / sum);
}

float target_probability(const Model& model, const std::vector<int32_t>& ids, int position, int target,
                         const ForwardHooks& hooks) {
    TraceOptions options;
    options.capture_attentions = false;
    options.capture_hidden_states = false;
    options.logit_positions = {position};
    options.hooks = hooks;
    Expected<Trace> trace = model_trace(model, ids, options);
    if (!trace) throw Error(trace.error().message);
    const float* logits = trace->logits_at(position);
    if (!logits || target < 0 || target >= trace->n_vocab) throw Error("no logits at position " + std::to_string(position));
    return softmax_probability(logits, trace->n_vocab, target);
}

std::vector<int> faithfulness_ranking(const std::vector<float>& scores, const std::vector<uint8_t>& removable) {
    std::vector<int> order;
    for (size_t t = 0; t < scores.size() && t < removable.size(); ++t)
        if (removable[t]) order.push_back(static_cast<int>(t));
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
    return order;
}

struct FaithfulnessJob::State {
    const Model& model;
    std::vector<int32_t> ids;
    int position = 0, target = 0;
    std::vector<std::vector<float>> scores;   // per kAttributionMethods entry; empty: not computed
    std::vector<uint8_t> removable;
    std::vector<Pass> passes;
    size_t next = 0;
    bool started = false, finished = false, cancelled = false;
    std::map<std::vector<int32_t>, float> seen;
    Faithfulness result;
    std::string stage_label = "full input", error;

    State(const Model& m, std::vector<int32_t> input) : model(m), ids(std::move(input)) {}

    // The input with `top` tokens kept (all others removable ones deleted) or deleted; the scored
    // position moves left by the deletions before it.
    float prob_for(const std::vector<int>& top, bool keep_top) {
        std::vector<uint8_t> chosen(ids.size(), 0);
        for (int t : top) chosen[static_cast<size_t>(t)] = 1;
        std::vector<int32_t> input;
        int pos = -1;
        for (size_t t = 0; t < ids.size(); ++t) {
            const bool drop = removable[t] && (keep_top ? !chosen[t] : chosen[t]);
            if (drop) continue;
            if (static_cast<int>(t) == position) pos = static_cast<int>(input.size());
            input.push_back(ids[t]);
        }
        auto it = seen.find(input);
        if (it != seen.end()) return it->second;
        const float p = target_probability(model, input, pos, target);
        seen.emplace(std::move(input), p);
        return p;
    }
};

FaithfulnessJob::FaithfulnessJob(const Model& model, std::vector<int32_t> ids, const Attribution& attribution,
                                 FaithfulnessOptions options)
    : state_(std::make_unique<State>(model, std::move(ids))) {
    State& s = *state_;
    s.position = attribution.position;
    s.target = attribution.target;
    const int T = static_cast<int>(s.ids.size());
    if (model.info().encoder_decoder) {
        s.error = "faithfulness re-runs a decoder-only or encoder model on its own input; " + model.info().architecture +
                  " is an encoder-decoder";
        s.finished = true;
        return;
    }
    if (attribution.n_token != T || s.position < 0 || s.position >= T) {
        s.error = "the attribution is for another input (" + std::to_string(attribution.n_token) + " tokens, this one has " +
                  std::to_string(T) + ")";
        s.finished = true;
        return;
    }
    s.removable.assign(static_cast<size_t>(T), 1);
    for (int t = 0; t < T; ++t)
        if (t == s.position || model.tokenizer.is_special(s.ids[static_cast<size_t>(t)])) s.removable[static_cast<size_t>(t)] = 0;
    for (int m = 0; m < kNumAttributionMethods; ++m) {
        s.scores.push_back(kAttributionMethods[m].scores(attribution));
        if (static_cast<int>(s.scores.back().size()) != T) {
            s.scores.back().clear();
            continue;
        }
        for (int k : options.ks)
            for (bool keep : {true, false}) s.passes.push_back(Pass{m, std::max(0, k), keep});
    }
}

FaithfulnessJob::~FaithfulnessJob() = default;

bool FaithfulnessJob::step() {
    State& s = *state_;
    if (s.finished) return true;
    try {
        if (s.cancelled) {
            s.finished = true;
        } else if (!s.started) {
            s.result.full_prob = s.prob_for({}, false);
            s.started = true;
        } else if (s.next < s.passes.size()) {
            const Pass& p = s.passes[s.next++];
            std::vector<int> order = faithfulness_ranking(s.scores[static_cast<size_t>(p.method)], s.removable);
            order.resize(std::min(order.size(), static_cast<size_t>(p.k)));
            const float drop = s.result.full_prob - s.prob_for(order, p.keep_top);
            const std::string name = kAttributionMethods[p.method].name;
            // Sufficiency and comprehensiveness of one (method, k) land in one row.
            if (s.result.rows.empty() || s.result.rows.back().method != name || s.result.rows.back().k != p.k)
                s.result.rows.push_back(FaithfulnessRow{name, p.k, 0.0f, 0.0f});
            (p.keep_top ? s.result.rows.back().sufficiency : s.result.rows.back().comprehensiveness) = drop;
            if (s.next < s.passes.size()) {
                const Pass& n = s.passes[s.next];
                s.stage_label = std::string(kAttributionMethods[n.method].short_label) + " k=" + std::to_string(n.k) +
                                (n.keep_top ? " sufficiency" : " comprehensiveness");
            }
        }
        if (s.started && s.next >= s.passes.size()) s.finished = true;
    } catch (const std::exception& e) {
        s.error = e.what();
        s.finished = true;
    }
    if (s.finished) {
        s.stage_label.clear();
        s.result.best_method = faithfulness_best_method(s.result);
    }
    return s.finished;
}

bool FaithfulnessJob::done() const { return state_->finished; }

float FaithfulnessJob::progress() const {
    const State& s = *state_;
    if (s.finished) return 1.0f;
    return static_cast<float>((s.started ? 1 : 0) + s.next) / static_cast<float>(1 + s.passes.size());
}

const std::string& FaithfulnessJob::stage() const { return state_->stage_label; }
void FaithfulnessJob::cancel() { state_->cancelled = true; }
const std::string& FaithfulnessJob::error() const { return state_->error; }
const Faithfulness& FaithfulnessJob::result() const { return state_->result; }

float faithfulness_mean_gap(const Faithfulness& f, const std::string& method) {
    double sum = 0.0;
    int n = 0;
    for (const FaithfulnessRow& r : f.rows)
        if (r.method == method) {
            sum += r.comprehensiveness - r.sufficiency;
            ++n;
        }
    return n ? static_cast<float>(sum / n) : 0.0f;
}

std::string faithfulness_best_method(const Faithfulness& f) {
    std::string best;
    float best_gap = 0.0f;
    for (const FaithfulnessRow& r : f.rows) {
        const float gap = faithfulness_mean_gap(f, r.method);
        if (best.empty() || gap > best_gap) {
            best = r.method;
            best_gap = gap;
        }
    }
    return best;
}

}  // namespace attn
