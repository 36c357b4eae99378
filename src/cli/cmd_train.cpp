// `train`: trains a task's model from scratch (train/trainer.h) and writes its Hugging Face folder with the
// model card, the log as CSV and, in builds with the UI, the loss curve as PNG.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/commands.h"
#include "platform/file_io.h"
#include "train/trainer.h"

namespace attn {
namespace {

void make_folder(const std::string& path) {
    std::string partial;
    for (size_t i = 0; i <= path.size(); ++i) {
        if (i == path.size() || path[i] == '/') {
            if (!partial.empty() && mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
                throw UsageError{"cannot create folder " + partial + ": " + std::strerror(errno)};
        }
        if (i < path.size()) partial += path[i];
    }
    if (!path_is_directory(path)) throw UsageError{path + " exists and is not a folder"};
}

// One line redrawn in place on a terminal; a line per tenth otherwise (logs, CI).
void print_progress(const Trainer& t, bool tty) {
    const TrainLogRow& r = t.log().back();
    const int total = t.total_steps(), width = 30;
    const int filled = total > 0 ? r.step * width / total : width;
    if (!tty && r.step != total && r.step % std::max(1, total / 10) != 0) return;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, ' ');
    std::fprintf(stderr, "%s[%s] step %d/%d  loss %.4f  train acc %5.1f%%%s  %.0f s%s", tty ? "\r" : "", bar.c_str(),
                 r.step, total, r.loss, 100.0 * r.train_accuracy,
                 r.held_out_accuracy >= 0 ? ("  held-out " + std::to_string(static_cast<int>(1000 * r.held_out_accuracy) / 10.0).substr(0, 5) + "%").c_str() : "",
                 r.seconds, tty ? "" : "\n");
    std::fflush(stderr);
}

}  // namespace

int cmd_train(int argc, char** argv) {
    Args args = args_parse(argc, argv, {"--task", "--out", "--seed", "--steps", "--threads"}, {"--quiet"});
    const std::string name = args.require("--task"), out = args.require("--out");
    const Task* task = task_find(name);
    if (!task) throw UsageError{"unknown task '" + name + "' (tasks: " + task_names() + ")"};
    TrainOptions options;
    options.seed = static_cast<uint64_t>(args.get_int("--seed", 1));
    options.steps = args.get_int("--steps", -1);
    options.threads = args.get_int("--threads", 2);
    options.command = "tools/train --task " + name + " --out " + out + " --seed " + std::to_string(options.seed) +
                      (args.has("--steps") ? " --steps " + args.get("--steps") : "");
    make_folder(out);

    Trainer trainer(*task, options);
    const bool tty = isatty(fileno(stderr)) != 0, quiet = args.has("--quiet");
    while (!trainer.done()) {
        trainer.step();
        if (!quiet && !trainer.log().empty()) print_progress(trainer, tty);
    }
    if (tty && !quiet) std::fprintf(stderr, "\n");
    if (!trainer.error().empty()) throw UsageError{"train " + name + ": " + trainer.error()};
    Expected<FileSet> folder = trainer.save();
    if (!folder) throw UsageError{"train " + name + ": " + folder.error().message};
    for (const auto& [file, bytes] : folder->files) {
        Expected<bool> ok = file_write_atomic(out + "/" + file, *bytes);
        if (!ok) throw UsageError{ok.error().message};
    }
    std::printf("trained %s in %.0f s (%d steps, seed %llu): held-out accuracy %.1f%% -> %s\n", name.c_str(),
                trainer.log().empty() ? 0.0 : trainer.log().back().seconds, trainer.total_steps(),
                static_cast<unsigned long long>(options.seed), 100.0 * trainer.final_accuracy(), out.c_str());
    return 0;
}

}  // namespace attn
