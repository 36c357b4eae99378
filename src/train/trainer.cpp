// The training loop (trainer.h): batches from the task's generator, the loss and gradients split over
// threads with one accumulator each (summed in a fixed order, so a seed gives the same model on one
// machine), clipping, AdamW, the log, and the folder at the end.
#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "model/bart.h"
#include "model/body.h"
#include "model/safetensors_write.h"
#include "model/seq2seq_gradients.h"
#include "model/trace_export.h"
#include "train/hf_layout.h"
#include "train/model_card.h"

namespace attn {
namespace {

// Streams of the one seed, each for its own purpose, so that e.g. evaluating does not shift the training data.
constexpr uint64_t kDataStream = 0x64617461ull;      // "data"
constexpr uint64_t kMonitorStream = 0x6d6f6e69ull;   // "moni": held-out accuracy during training

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string log_csv(const std::vector<TrainLogRow>& log) {
    std::string s = "step,lr,loss,train_accuracy,grad_norm,held_out_accuracy,seconds\n";
    char line[256];
    for (const TrainLogRow& r : log) {
        std::snprintf(line, sizeof line, "%d,%.6g,%.6f,%.4f,%.4f,%s,%.2f\n", r.step, r.lr, r.loss, r.train_accuracy,
                      r.grad_norm, r.held_out_accuracy < 0 ? "" : std::to_string(r.held_out_accuracy).c_str(), r.seconds);
        s += line;
    }
    return s;
}

int effective_threads(int requested) {
#if defined(__EMSCRIPTEN__)
    (void)requested;
    return 1;   // the page has no threads
#else
    return std::max(1, requested);
#endif
}

}  // namespace

Expected<LossResult> example_loss(const Model& model, const Example& e) {
    if (model.info().encoder_decoder) {
        const BartWeights* w = bart_weights(*model.network);
        if (!w) return make_error(model.info().architecture + ": no differentiable pass for this encoder-decoder");
        return seq2seq_loss_gradients(*w, e.ids, e.decoder_ids, e.labels, 1.0f, nullptr);
    }
    const Body* body = model.network->body();
    if (!body) return make_error(model.info().architecture + ": no differentiable pass for this architecture");
    return body_loss_gradients(*body, e.ids, e.labels, 1.0f, nullptr);
}

Expected<double> evaluate_task(const Task& task, const Model& model, int n, uint64_t seed) {
    if (model.info().encoder_decoder != (task.family() == ModelFamily::encoder_decoder))
        return make_error("task " + task.name() + " needs " + (task.family() == ModelFamily::encoder_decoder ? "an" : "a") +
                          " " + model_family_name(task.family()) + " model; " + model.info().architecture + " is not one");
    Rng rng(seed);
    int correct = 0;
    for (int i = 0; i < n; ++i) {
        const Example e = task.sample(rng, Split::held_out);
        Expected<LossResult> r = example_loss(model, e);
        if (!r) return make_error(r.error().message);
        correct += task.example_correct(e, r->predicted);
    }
    return n > 0 ? static_cast<double>(correct) / n : 0.0;
}

Trainer::Trainer(const Task& task, const TrainOptions& options)
    : task_(task), options_(options), settings_(task.settings()), data_rng_(Rng::derive(options.seed, kDataStream)) {
    steps_ = options.steps > 0 ? options.steps : settings_.steps;
    if (options.batch > 0) settings_.batch = options.batch;
    stage_ = "building the model";
    start_seconds_ = now_seconds();
    Expected<FileSet> folder = hf_initial_folder(task.family(), task.size(), task.vocab(), options.seed);
    if (!folder) { error_ = folder.error().message; done_ = true; return; }
    Expected<ModelPtr> model = model_load(*folder);
    if (!model) { error_ = "the new " + task.name() + " model does not load: " + model.error().message; done_ = true; return; }
    Expected<std::unique_ptr<TrainModel>> tm = train_model_open(std::move(*model));
    if (!tm) { error_ = tm.error().message; done_ = true; return; }
    model_ = std::move(*tm);
    task.initialise(*model_);
    model_->set_slots(effective_threads(options.threads));
    optimizer_ = std::make_unique<AdamW>(model_->params(), settings_);
    stage_ = "training";
}

float Trainer::progress() const { return steps_ > 0 ? static_cast<float>(step_) / static_cast<float>(steps_) : 1.0f; }

bool Trainer::step() {
    if (done_) return true;
    std::vector<Example> batch;
    int labelled = 0;
    for (int i = 0; i < settings_.batch; ++i) {
        batch.push_back(task_.sample(data_rng_, Split::train));
        for (int32_t l : batch.back().labels) labelled += l >= 0;
    }
    const float scale = 1.0f / static_cast<float>(std::max(1, labelled));   // the batch's mean per labelled token
    model_->zero_grads();
    const int n_threads = std::min<int>(effective_threads(options_.threads), static_cast<int>(batch.size()));
    std::vector<double> loss(n_threads, 0.0);
    std::vector<int> correct(n_threads, 0);
    std::vector<std::string> errors(n_threads);
    auto work = [&](int slot) {
        for (size_t i = static_cast<size_t>(slot); i < batch.size(); i += static_cast<size_t>(n_threads)) {
            Expected<LossResult> r = model_->add_loss(batch[i], scale, true, slot);
            if (!r) { errors[slot] = r.error().message; return; }
            loss[slot] += r->loss;
            correct[slot] += r->n_correct;
        }
    };
    std::vector<std::thread> threads;
    for (int s = 1; s < n_threads; ++s) threads.emplace_back(work, s);
    work(0);
    for (std::thread& t : threads) t.join();
    for (const std::string& e : errors)
        if (!e.empty()) { error_ = e; done_ = true; return true; }
    model_->reduce();

    TrainLogRow row;
    row.step = step_ + 1;
    row.lr = learning_rate(settings_, step_, steps_);
    for (int s = 0; s < n_threads; ++s) row.loss += loss[s], row.train_accuracy += correct[s];
    row.loss /= std::max(1, labelled);
    row.train_accuracy /= std::max(1, labelled);
    row.grad_norm = global_grad_norm(*model_);
    if (!std::isfinite(row.grad_norm)) { error_ = "training diverged at step " + std::to_string(row.step) + " (the gradient is not finite)"; done_ = true; return true; }
    const double clip = row.grad_norm > settings_.clip ? settings_.clip / row.grad_norm : 1.0;
    optimizer_->update(*model_, row.lr, clip);
    ++step_;
    if (settings_.eval_every > 0 && (step_ % settings_.eval_every == 0 || step_ == steps_)) {
        Expected<double> acc = evaluate_task(task_, model_->model(), settings_.eval_examples,
                                             Rng::derive(options_.seed, kMonitorStream));
        if (acc) row.held_out_accuracy = *acc;
    }
    row.seconds = now_seconds() - start_seconds_;
    log_.push_back(row);
    if (step_ >= steps_) { done_ = true; stage_ = "done"; }
    return done_;
}

Expected<FileSet> Trainer::save(int eval_examples) {
    if (!model_) return make_error(error_.empty() ? "no model was trained" : error_);
    return catch_errors([&]() -> FileSet {
        const Model& model = model_->model();
        const uint64_t held_out_seed = Rng::derive(options_.seed, 0x6576616cull);   // "eval"
        Expected<double> acc = evaluate_task(task_, model, eval_examples, held_out_seed);
        if (!acc) throw Error(acc.error().message);
        final_accuracy_ = *acc;

        ModelCard card;
        card.task = task_.name();
        card.summary = task_.summary();
        card.description = task_.description();
        card.family = model_family_name(task_.family());
        card.hf_class = hf_class_name(task_.family());
        card.command = options_.command.empty() ? "tools/train --task " + task_.name() + " --seed " + std::to_string(options_.seed)
                                                : options_.command;
        card.seed = options_.seed;
        card.steps = step_;
        card.train_seconds = log_.empty() ? 0.0 : log_.back().seconds;
        card.held_out_accuracy = *acc;
        card.held_out_examples = eval_examples;
        card.example_text = task_.example_text();
        card.featured_query = task_.example_query();
        card.claims = task_.find_claims(model, held_out_seed);
        if (!card.claims.empty()) {
            card.featured_layer = card.claims.front().layer;
            card.featured_head = card.claims.front().head;
        }
        card.markdown = model_card_markdown(card);

        Expected<FileSet> weights = weights_folder();
        if (!weights) throw Error(weights.error().message);
        FileSet out = std::move(*weights);
        out.add("README.md", bytes_from_string(card.markdown));
        out.add(kModelCardFile, bytes_from_string(model_card_json(card)));
        out.add("train_log.csv", bytes_from_string(log_csv(log_)));
        // The model's own trace of its example text: the tests check that the folder, loaded natively and in
        // WASM, reproduces it.
        Expected<Trace> golden = model_trace_text(model, card.example_text, TraceOptions{});
        if (!golden) throw Error("the example text does not trace: " + golden.error().message);
        Expected<Bytes> golden_bytes = trace_to_safetensors(*golden, {{"text", card.example_text}});
        if (!golden_bytes) throw Error(golden_bytes.error().message);
        out.add(kGoldenTraceFile, std::move(*golden_bytes));
        const std::string suite = task_.check_suite_json(model, held_out_seed);
        if (!suite.empty()) out.add("checks.json", bytes_from_string(suite));
        return out;
    });
}

Expected<FileSet> Trainer::weights_folder() const {
    if (!model_) return make_error(error_.empty() ? "no model was trained" : error_);
    const HfLayout layout = hf_layout(task_.family(), task_.size(), task_.vocab());
    SafetensorsWriter w;
    for (const TrainParam& p : model_->params()) w.add_f32(p.name, p.shape, p.value);
    w.set_metadata("format", "pt");
    Expected<Bytes> weights = w.write();
    if (!weights) return make_error(weights.error().message);
    FileSet out;
    out.label = task_.name();
    out.add("config.json", bytes_from_string(layout.config_json));
    out.add("model.safetensors", std::move(*weights));
    out.add("tokenizer.json", bytes_from_string(task_.vocab().tokenizer_json()));
    return out;
}

}  // namespace attn
