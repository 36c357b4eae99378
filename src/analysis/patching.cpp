// Activation patching: one clean pass keeps every site's activation (through an editor that only
// copies: the observer is not shown the context vectors), one corrupted pass gives the baseline, then
// each step is one corrupted pass with one site overwritten from the clean copy.
#include "analysis/patching.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "model/gradients.h"

namespace attn {

namespace {

using Activations = std::map<std::string, std::vector<float>>;

std::string state_name(int state) { return state == 0 ? "embed" : "layer." + std::to_string(state - 1) + ".out"; }
std::string context_name(int layer) { return "layer." + std::to_string(layer) + ".context"; }

// Runs ids with `editor`, returning the logits row at `position`.
std::vector<float> run_logits(const Model& model, const std::vector<int32_t>& ids, int position,
                              ForwardEditor editor) {
    TraceOptions opt;
    opt.capture_attentions = false;
    opt.capture_hidden_states = false;
    opt.logit_positions = {position};
    opt.hooks.editor = std::move(editor);
    Expected<Trace> t = model_trace(model, ids, opt);
    if (!t) throw Error(t.error().message);
    const float* z = t->logits_at(position);
    if (!z) throw Error("patching: the model kept no logits at position " + std::to_string(position));
    return std::vector<float>(z, z + t->n_vocab);
}

Activations clean_activations(const Model& model, const std::vector<int32_t>& ids, int position,
                              std::vector<float>* logits) {
    Activations acts;
    const int L = model.info().n_layer;
    std::vector<std::string> wanted{"embed"};
    for (int l = 0; l < L; ++l) {
        wanted.push_back(state_name(l + 1));
        wanted.push_back(context_name(l));
    }
    auto copy = [&acts, wanted](const std::string& name, int rows, int cols, float* data) {
        if (std::find(wanted.begin(), wanted.end(), name) != wanted.end())
            acts[name].assign(data, data + static_cast<size_t>(rows) * cols);
    };
    *logits = run_logits(model, ids, position, copy);
    for (const std::string& w : wanted)
        if (!acts.count(w))
            throw Error("patching: " + model.info().architecture + "'s forward pass did not report " + w);
    return acts;
}

// The corrupted pass with `sites` overwritten from `clean`.
float patched_diff(const Model& model, const std::vector<int32_t>& corrupted, const Activations& clean,
                   const std::vector<PatchSite>& sites, const PatchingResult& setup) {
    const int H = model.info().n_head;
    auto edit = [&](const std::string& name, int rows, int cols, float* data) {
        for (const PatchSite& s : sites) {
            const bool residual = s.kind == PatchSite::Kind::residual;
            if (name != (residual ? state_name(s.layer) : context_name(s.layer))) continue;
            const std::vector<float>& src = clean.at(name);
            if (residual) {
                for (int t = 0; t < rows; ++t)
                    if (s.position < 0 || s.position == t)
                        std::copy_n(src.data() + static_cast<size_t>(t) * cols, cols, data + static_cast<size_t>(t) * cols);
            } else {
                const int hd = cols / H;
                for (int t = 0; t < rows; ++t) {
                    const size_t at = static_cast<size_t>(t) * cols + static_cast<size_t>(s.head) * hd;
                    std::copy_n(src.data() + at, hd, data + at);
                }
            }
        }
    };
    const std::vector<float> z = run_logits(model, corrupted, setup.position, edit);
    return z[setup.answer] - z[setup.wrong_answer];
}

float recovered(float patched, const PatchingResult& r) {
    const float span = r.clean_diff - r.corrupted_diff;
    // Equal differences (clean = corrupted): there is nothing to recover, so nothing is.
    return std::fabs(span) < 1e-6f ? 0.0f : (patched - r.corrupted_diff) / span;
}

std::string check_inputs(const Model& model, const std::vector<int32_t>& clean, const std::vector<int32_t>& corrupted) {
    const ModelInfo& info = model.info();
    if (info.encoder_decoder)
        return "patching supports decoder-only and encoder models; " + info.architecture + " is an encoder-decoder";
    if (clean.empty()) return "the clean input has no tokens";
    if (clean.size() != corrupted.size())
        return "the clean and corrupted inputs must have the same number of tokens: clean has " +
               std::to_string(clean.size()) + ", corrupted has " + std::to_string(corrupted.size());
    return "";
}

void check_sites(const std::vector<PatchSite>& sites, int L, int H, int T) {
    for (const PatchSite& s : sites) {
        if (s.kind == PatchSite::Kind::residual && (s.layer < 0 || s.layer > L || s.position >= T))
            throw Error("patching: residual site (state " + std::to_string(s.layer) + ", position " +
                        std::to_string(s.position) + ") is outside the model's " + std::to_string(L + 1) +
                        " states and " + std::to_string(T) + " positions");
        if (s.kind == PatchSite::Kind::head && (s.layer < 0 || s.layer >= L || s.head < 0 || s.head >= H))
            throw Error("patching: head site L" + std::to_string(s.layer) + " H" + std::to_string(s.head) +
                        " is outside the model's " + std::to_string(L) + " x " + std::to_string(H) + " heads");
    }
}

}  // namespace

Expected<float> patched_logit_diff(const Model& model, const std::vector<int32_t>& clean_ids,
                                   const std::vector<int32_t>& corrupted_ids, const std::vector<PatchSite>& sites,
                                   const PatchingResult& setup) {
    const std::string bad = check_inputs(model, clean_ids, corrupted_ids);
    if (!bad.empty()) return make_error(bad);
    return catch_errors([&] {
        check_sites(sites, model.info().n_layer, model.info().n_head, static_cast<int>(clean_ids.size()));
        std::vector<float> logits;
        const Activations clean = clean_activations(model, clean_ids, setup.position, &logits);
        return patched_diff(model, corrupted_ids, clean, sites, setup);
    });
}

struct PatchingJob::State {
    const Model& model;
    std::vector<int32_t> clean, corrupted;
    PatchingOptions options;
    PatchingResult result;
    Activations acts;
    std::vector<std::function<void()>> steps;
    size_t next = 0;
    bool finished = false;
    std::string stage_label, error;

    State(const Model& m, std::vector<int32_t> c, std::vector<int32_t> x, PatchingOptions o)
        : model(m), clean(std::move(c)), corrupted(std::move(x)), options(o) {}

    void run_clean() {
        PatchingResult& r = result;
        std::vector<float> z;
        acts = clean_activations(model, clean, r.position, &z);
        const int V = static_cast<int>(z.size());
        if (options.answer >= V || options.wrong_answer >= V)
            throw Error("patching: answer token " + std::to_string(std::max(options.answer, options.wrong_answer)) +
                        " is outside the vocabulary [0, " + std::to_string(V) + ")");
        r.clean_top = static_cast<int>(std::max_element(z.begin(), z.end()) - z.begin());
        r.answer = options.answer >= 0 ? options.answer : r.clean_top;
        clean_logits = std::move(z);
    }
    void run_corrupted() {
        PatchingResult& r = result;
        const std::vector<float> z = run_logits(model, corrupted, r.position, nullptr);
        r.corrupted_top = static_cast<int>(std::max_element(z.begin(), z.end()) - z.begin());
        if (options.wrong_answer >= 0) {
            r.wrong_answer = options.wrong_answer;
        } else {   // the corrupted run's best token other than the answer
            int best = -1;
            for (int i = 0; i < static_cast<int>(z.size()); ++i)
                if (i != r.answer && (best < 0 || z[i] > z[best])) best = i;
            r.wrong_answer = best;
        }
        r.clean_diff = clean_logits[r.answer] - clean_logits[r.wrong_answer];
        r.corrupted_diff = z[r.answer] - z[r.wrong_answer];
        clean_logits.clear();
    }
    std::vector<float> clean_logits;
};

PatchingJob::PatchingJob(const Model& model, std::vector<int32_t> clean_ids, std::vector<int32_t> corrupted_ids,
                         PatchingOptions options)
    : state_(std::make_unique<State>(model, std::move(clean_ids), std::move(corrupted_ids), options)) {
    State& s = *state_;
    s.error = check_inputs(model, s.clean, s.corrupted);
    PatchingResult& r = s.result;
    const ModelInfo& info = model.info();
    r.n_layer = info.n_layer;
    r.n_head = info.n_head;
    r.n_token = static_cast<int>(s.clean.size());
    if (s.error.empty()) {
        r.position = options.position >= 0 ? options.position : score_position_default(model, s.clean);
        if (r.position >= r.n_token)
            s.error = "the scored position " + std::to_string(r.position) + " is past the input's " +
                      std::to_string(r.n_token) + " tokens";
    }
    if (!s.error.empty()) {
        s.finished = true;
        s.stage_label = "failed";
        return;
    }
    const int L = r.n_layer, H = r.n_head, T = r.n_token;
    s.steps.push_back([&s] { s.run_clean(); });
    s.steps.push_back([&s] { s.run_corrupted(); });
    if (options.residual)
        for (int i = 0; i < (L + 1) * T; ++i)
            s.steps.push_back([&s, i, T] {
                if (i == 0) s.result.residual.assign(static_cast<size_t>(s.result.n_layer + 1) * T, 0.0f);
                const PatchSite site{PatchSite::Kind::residual, i / T, i % T, 0};
                s.result.residual[i] = recovered(patched_diff(s.model, s.corrupted, s.acts, {site}, s.result), s.result);
            });
    if (options.heads)
        for (int i = 0; i < L * H; ++i)
            s.steps.push_back([&s, i, H] {
                if (i == 0) s.result.heads.assign(static_cast<size_t>(s.result.n_layer) * H, 0.0f);
                const PatchSite site{PatchSite::Kind::head, i / H, -1, i % H};
                s.result.heads[i] = recovered(patched_diff(s.model, s.corrupted, s.acts, {site}, s.result), s.result);
            });
    s.stage_label = "clean run";
}

PatchingJob::~PatchingJob() = default;

bool PatchingJob::step() {
    State& s = *state_;
    if (s.finished) return true;
    try {
        s.steps[s.next]();
    } catch (const std::exception& e) {
        s.error = e.what();
        s.stage_label = "failed";
        s.finished = true;
        s.acts.clear();
        return true;
    }
    ++s.next;
    const PatchingResult& r = s.result;
    const size_t residual_end = 2 + (s.options.residual ? static_cast<size_t>(r.n_layer + 1) * r.n_token : 0);
    if (s.next >= s.steps.size()) {
        s.finished = true;
        s.stage_label = "done";
        s.acts.clear();
        return true;
    }
    s.stage_label = s.next == 1 ? "corrupted run"
                    : s.next < residual_end
                        ? "residual stream " + std::to_string(s.next - 1) + "/" + std::to_string(residual_end - 2)
                        : "head outputs " + std::to_string(s.next - residual_end + 1) + "/" +
                              std::to_string(s.steps.size() - residual_end);
    return false;
}

bool PatchingJob::done() const { return state_->finished; }

float PatchingJob::progress() const {
    const State& s = *state_;
    if (s.finished) return 1.0f;
    return s.steps.empty() ? 0.0f : static_cast<float>(s.next) / static_cast<float>(s.steps.size());
}

const std::string& PatchingJob::stage() const { return state_->stage_label; }

void PatchingJob::cancel() {
    State& s = *state_;
    if (s.finished) return;
    s.finished = true;
    s.stage_label = "cancelled";
    s.acts.clear();
}

const std::string& PatchingJob::error() const { return state_->error; }
const PatchingResult& PatchingJob::result() const { return state_->result; }

}  // namespace attn
