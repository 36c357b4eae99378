// The Train panel's work: the trainer stepped for a bounded slice after each frame (so the page keeps
// drawing), its weights loaded as the explorer's model about once a second while it runs (the head grid
// shows the heads forming), the model that was there before kept to go back to, and Save model.
#include "ui/app_train.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "analysis/head_patterns.h"
#include "core/i18n.h"
#include "model/trace_export.h"
#include "train/task.h"
#include "ui/heads_cache.h"
#include "ui/loss_curve.h"

namespace attn {
namespace {

constexpr double kShowEverySeconds = 1.0;   // the explorer follows the weights about this often
constexpr double kRateWindowSeconds = 0.5;  // steps/second averaged over at least this much running

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string shown_model_name(const TrainPanelState& t) {
    return trf("notices.trained_here", {{"task", t.trainer->task().name()}, {"step", std::to_string(t.trainer->steps_done())}});
}

// The induction task's claim, measured live: the best induction score of a head past layer 0 (where
// induction heads live), on the shown model. One short forward pass; other tasks' claims need held-out
// sets too large for every show.
void measure_live(App& app) {
    TrainPanelState& t = app.train;
    t.induction_score = -1.0f;
    t.induction_layer = t.induction_head = -1;
    if (!app.model || !app.model->info().causal || !t.trainer || t.trainer->task().name() != "induction") return;
    Expected<std::vector<float>> scores = induction_scores(*app.model, InductionOptions{});
    const ModelInfo& info = app.model->info();
    if (!scores || static_cast<int>(scores->size()) != info.n_layer * info.n_head) return;
    for (int l = std::min(1, info.n_layer - 1); l < info.n_layer; ++l)
        for (int h = 0; h < info.n_head; ++h) {
            const float s = (*scores)[static_cast<size_t>(l * info.n_head + h)];
            if (s > t.induction_score) {
                t.induction_score = s;
                t.induction_layer = l;
                t.induction_head = h;
            }
        }
}

bool make_trainer(App& app, const std::string& task_name) {
    TrainPanelState& t = app.train;
    const Task* task = task_find(task_name);
    if (!task) {
        t.error = trf("errors.unknown_task", {{"task", task_name}, {"tasks", task_names()}});
        return false;
    }
    TrainOptions options;
    options.seed = t.seed;
    options.steps = t.steps;
    options.batch = t.batch;
    // What the card says: the panel's run is tools/train's with the same seed and steps.
    options.command = "tools/train --task " + task->name() + " --seed " + std::to_string(t.seed) +
                      (t.steps > 0 ? " --steps " + std::to_string(t.steps) : "") + " (trained in the Train panel)";
    auto trainer = std::make_unique<Trainer>(*task, options);
    if (!trainer->error().empty()) {
        t.error = trf("errors.cannot_train", {{"task", task->name()}, {"problem", trainer->error()}});
        return false;
    }
    t.trainer = std::move(trainer);
    t.task = task->name();
    t.error.clear();
    t.saved_to.clear();
    t.rate_window_seconds = 0.0;
    t.rate_window_steps = 0;
    t.steps_per_second = 0.0;
    return true;
}

// Steps until the speed's slice of this frame is used (at least one: a step is never split).
void run_slice(App& app) {
    TrainPanelState& t = app.train;
    const double start = now_seconds();
    const double slice = kTrainSpeeds[std::clamp(t.speed, 0, kTrainSpeedCount - 1)].slice_ms / 1000.0;
    int ran = 0;
    do {
        t.trainer->step();
        ++ran;
    } while (!t.trainer->done() && now_seconds() - start < slice);
    t.rate_window_seconds += now_seconds() - start;
    t.rate_window_steps += ran;
    if (t.rate_window_seconds >= kRateWindowSeconds) {
        t.steps_per_second = t.rate_window_steps / t.rate_window_seconds;
        t.rate_window_seconds = 0.0;
        t.rate_window_steps = 0;
    }
}

void stop_when_finished(App& app) {
    TrainPanelState& t = app.train;
    if (!t.trainer || !t.trainer->done()) return;
    t.running = false;
    if (!t.trainer->error().empty()) t.error = t.trainer->error();
    else t.notice = trf("notices.finished_steps", {{"steps", std::to_string(t.trainer->steps_done())}});
}

}  // namespace

bool app_train_start(App& app, const std::string& task) {
    if (!make_trainer(app, task)) return false;
    app.train.running = true;
    app.train.follow = true;
    app.train.open_panel = true;
    app.train.notice = trf("notices.training_from_seed", {{"task", app.train.task}, {"seed", std::to_string(app.train.seed)}});
    app.main_view = MainView::grid;   // the heads forming is what there is to watch
    return true;
}

void app_train_pause(App& app) {
    if (!app.train.trainer || !app.train.running) return;
    app.train.running = false;
    app.train.notice = trf("notices.paused_at_step", {{"step", std::to_string(app.train.trainer->steps_done())}});
    if (app.train.follow) app_train_show(app);
}

void app_train_resume(App& app) {
    if (!app.train.trainer || app.train.trainer->done()) return;
    app.train.running = true;
    app.train.notice = trf("notices.training", {{"task", app.train.task}});
}

bool app_train_reset(App& app) {
    const std::string task = app.train.trainer ? app.train.trainer->task().name() : app.train.task;
    if (!make_trainer(app, task)) return false;
    app.train.running = false;
    app.train.notice = trf("notices.fresh_weights", {{"seed", std::to_string(app.train.seed)}});
    if (app.train.follow && !app.train.shown_name.empty()) app_train_show(app);
    return true;
}

int app_train_steps(App& app, int n) {
    TrainPanelState& t = app.train;
    int ran = 0;
    while (t.trainer && !t.trainer->done() && ran < n) {
        t.trainer->step();
        ++ran;
    }
    stop_when_finished(app);
    return ran;
}

bool app_train_show(App& app) {
    TrainPanelState& t = app.train;
    if (!t.trainer) return false;
    Expected<FileSet> files = t.trainer->weights_folder();
    if (!files) {
        t.error = files.error().message;
        return false;
    }
    const bool taking_over = t.shown_name.empty() || app.model_name != t.shown_name;
    if (taking_over) {
        // The model on screen is kept whole, to go back to.
        t.previous = TrainPrevious{};
        t.previous.model = std::move(app.model);
        t.previous.name = app.model_name;
        t.previous.from_disk = app.model_from_disk;
        t.previous.random_weights = app.random_weights;
        t.previous.card = app.card;
        t.previous.text = app.text;
        t.previous.selection = app.selection;
        app.text = t.trainer->task().example_text();
        ++app.text_generation;
    }
    const std::string name = shown_model_name(t);
    if (!app_load_model(app, *files, name)) {
        t.error = app.load_error;
        if (taking_over) {   // nothing changed on screen: the old model goes back where it was
            app.model = std::move(t.previous.model);
            app.text = t.previous.text;
            ++app.text_generation;
        }
        return false;
    }
    if (taking_over) {
        app.selection.head_mode = HeadMode::one;
        selection_clamp(app.selection, app.model->info().n_layer, app.model->info().n_head);
    }
    app.model_from_disk = true;   // a link cannot carry weights made here
    // The random-weights probe reads an English sentence, which a task's small vocabulary mostly lacks, so
    // a half-trained model can look random to it; here we know: only the untrained start is random.
    app.probe_job.reset();
    app.random_weights = t.trainer->steps_done() == 0;
    app.notice = trf("notices.showing_trained", {{"step", std::to_string(t.trainer->steps_done())}});
    t.shown_name = name;
    t.shown_step = t.trainer->steps_done();
    t.follow = true;
    t.last_show_seconds = now_seconds();
    measure_live(app);
    return true;
}

bool app_train_back(App& app) {
    TrainPanelState& t = app.train;
    if (!t.previous.model) return false;
    app.trace_job.reset();   // they read the weights being replaced
    app.probe_job.reset();
    app_heads_forget_model(app);
    app.model = std::move(t.previous.model);
    app.model_name = t.previous.name;
    app.model_from_disk = t.previous.from_disk;
    app.random_weights = t.previous.random_weights;
    app.card = t.previous.card;
    app.text = t.previous.text;
    ++app.text_generation;
    app.selection = t.previous.selection;
    app.stepped_ids.clear();
    app.stepped_decoder_ids.clear();
    app.stepped_position = -1;
    app.trace = Trace{};
    app.has_trace = false;
    app.load_error.clear();
    app.notice = trf("notices.back_to", {{"model", app.model_name}});
    t.previous = TrainPrevious{};
    t.follow = false;
    t.shown_name.clear();
    t.induction_score = -1.0f;
    app_retrace(app);
    return true;
}

Expected<TrainFolder> app_train_folder(App& app) {
    TrainPanelState& t = app.train;
    if (!t.trainer) return make_error(tr("errors.nothing_to_save"));
    if (t.running) return make_error(tr("errors.pause_before_saving"));
    Expected<FileSet> files = t.trainer->save(t.save_eval_examples);
    if (!files) return make_error(trf("errors.cannot_save_model", {{"problem", files.error().message}}));
    const Bytes* font = nullptr;   // the loss curve in the app's own text font when it has one
    for (const FontFile& f : app.config.fonts)
        if (f.role == FontFile::primary && f.present()) font = f.bytes.get();
    if (!t.trainer->log().empty()) {
        Expected<Bytes> png = loss_curve_png(t.trainer->log(), 960, 540, font);
        if (png) files->add("loss.png", std::move(*png));
    }
    TrainFolder folder;
    folder.name = t.trainer->task().name() + "-step" + std::to_string(t.trainer->steps_done());
    folder.files = std::move(*files);
    folder.files.label = folder.name;
    return folder;
}

Bytes train_folder_zip(const TrainFolder& folder) {
    std::vector<std::pair<std::string, Bytes>> entries;
    for (const auto& [name, bytes] : folder.files.files) entries.emplace_back(folder.name + "/" + name, bytes_from_blob(*bytes));
    return zip_store(entries);
}

bool app_train_save(App& app) {
    TrainPanelState& t = app.train;
    Expected<TrainFolder> folder = app_train_folder(app);
    if (!folder) {
        t.error = folder.error().message;
        return false;
    }
    Expected<std::string> where = app.config.save_folder ? app.config.save_folder(folder->name, folder->files)
                                  : app.config.save_file ? app.config.save_file(folder->name + ".zip", train_folder_zip(*folder))
                                                         : Expected<std::string>(make_error(tr("errors.build_cannot_save")));
    if (!where) {
        t.error = trf("errors.cannot_save_file", {{"file", folder->name}, {"problem", where.error().message}});
        return false;
    }
    t.error.clear();
    t.saved_to = *where;
    t.notice = *where;
    app.notice = *where;
    return true;
}

void app_train_after_render(App& app) {
    TrainPanelState& t = app.train;
    // Another model was loaded (picker, Open model...): it is what the user wants to see now.
    if (!t.shown_name.empty() && app.model_name != t.shown_name) {
        t.follow = false;
        t.shown_name.clear();
        t.previous = TrainPrevious{};
        t.induction_score = -1.0f;
    }
    const TrainAction action = t.pending;
    t.pending = TrainAction::none;
    switch (action) {
    case TrainAction::none: break;
    case TrainAction::start: app_train_start(app, t.pending_task.empty() ? t.task : t.pending_task); break;
    case TrainAction::pause: app_train_pause(app); break;
    case TrainAction::resume: app_train_resume(app); break;
    case TrainAction::reset: app_train_reset(app); break;
    case TrainAction::show_model: app_train_show(app); break;
    case TrainAction::back: app_train_back(app); break;
    case TrainAction::save: app_train_save(app); break;
    }
    if (!t.trainer || !t.running) return;
    run_slice(app);
    stop_when_finished(app);
    const bool due = now_seconds() - t.last_show_seconds >= kShowEverySeconds || !t.running;
    if (t.follow && due && t.shown_step != t.trainer->steps_done()) app_train_show(app);
}

void app_show_train_panel(App& app) {
    TrainPanelState& t = app.train;
    TrainPanelView v;
    for (const Task* task : task_table()) {
        if (task->name() == t.task) v.task_index = static_cast<int>(v.tasks.size());
        v.tasks.push_back(task->name());
    }
    v.has_trainer = static_cast<bool>(t.trainer);
    v.running = t.running;
    if (t.trainer) {
        v.finished = t.trainer->done();
        v.step = t.trainer->steps_done();
        v.total_steps = t.trainer->total_steps();
        v.log = &t.trainer->log();
    }
    v.steps_per_second = t.steps_per_second;
    v.speed = t.speed;
    v.following = !t.shown_name.empty() && app.model_name == t.shown_name;
    v.shown_step = t.shown_step;
    if (t.previous.model) v.previous_name = t.previous.name;
    v.induction_score = t.induction_score;
    v.induction_layer = t.induction_layer;
    v.induction_head = t.induction_head;
    v.notice = t.notice;
    v.error = t.error;
    v.saved_to = t.saved_to;
    v.can_save = t.trainer && !t.running && t.trainer->steps_done() > 0 && (app.config.save_folder || app.config.save_file);
    v.open = t.open_panel;
    t.open_panel = false;
    const TrainPanelAnswer a = show_train_panel(v);
    if (!a.task.empty()) t.task = a.task;
    if (a.speed >= 0) t.speed = std::clamp(a.speed, 0, kTrainSpeedCount - 1);
    if (a.action != TrainAction::none) {
        t.pending = a.action;
        t.pending_task = a.task.empty() ? t.task : a.task;
    }
}

}  // namespace attn
