// The committed zoo folder of a task (assets/models/NAME): loaded as the explorer loads it, its card's
// claims re-measured on freshly generated held-out data and its task accuracy measured the same way.
#pragma once
#include <doctest/doctest.h>

#include <string>

#include "fixture_path.h"
#include "platform/file_io.h"
#include "train/model_card.h"
#include "train/trainer.h"

namespace zoo_test {

inline std::string asset_dir(const std::string& task) { return fixture_path("../../assets/models/" + task); }

// Checks every claim of the card (re-measured with a seed the card was not written with) and the
// held-out accuracy; returns the card for task-specific checks.
inline attn::ModelCard check_asset(const std::string& task_name, uint64_t seed, int n_examples) {
    using namespace attn;
    const Task* task = task_find(task_name);
    REQUIRE(task != nullptr);
    Expected<FileSet> files = folder_read(asset_dir(task_name));
    REQUIRE_MESSAGE(files.ok(), files.error().message);
    Expected<ModelPtr> model = model_load(*files);
    REQUIRE_MESSAGE(model.ok(), model.error().message);
    const Bytes* card_bytes = files->find(kModelCardFile);
    REQUIRE(card_bytes != nullptr);
    Expected<ModelCard> card = model_card_parse(string_from_bytes(*card_bytes), task_name + "/card.json");
    REQUIRE_MESSAGE(card.ok(), card.error().message);
    CHECK(card->task == task_name);
    REQUIRE_FALSE(card->claims.empty());
    CHECK(card->featured_layer == card->claims.front().layer);
    CHECK(card->featured_head == card->claims.front().head);
    for (const HeadClaim& c : card->claims) {
        Expected<double> v = task->measure_claim(**model, c, seed);
        REQUIRE_MESSAGE(v.ok(), v.error().message);
        INFO(c.statement);
        CHECK(*v >= c.min_value);
    }
    Expected<double> acc = evaluate_task(*task, **model, n_examples, seed);
    REQUIRE_MESSAGE(acc.ok(), acc.error().message);
    CHECK(*acc >= 0.95);
    return *card;
}

// Trains a short run of the task and returns the mean loss of its last `tail` steps and of its first step.
struct ShortRun {
    double first_loss = 0.0, last_loss = 0.0;
};
inline ShortRun short_training(const std::string& task_name, int steps, int tail) {
    using namespace attn;
    const Task* task = task_find(task_name);
    REQUIRE(task != nullptr);
    TrainOptions options;
    options.seed = 7;
    options.steps = steps;
    Trainer trainer(*task, options);
    while (!trainer.done()) trainer.step();
    REQUIRE_MESSAGE(trainer.error().empty(), trainer.error());
    REQUIRE(static_cast<int>(trainer.log().size()) == steps);
    ShortRun r;
    r.first_loss = trainer.log().front().loss;
    for (int i = steps - tail; i < steps; ++i) r.last_loss += trainer.log()[static_cast<size_t>(i)].loss / tail;
    return r;
}

}  // namespace zoo_test
