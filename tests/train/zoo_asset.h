// Helpers for the zoo tasks' own tests: the committed folder of a task (assets/models/NAME; test_zoo.cpp
// re-measures every card's claims and accuracy, these tests check what is particular to a task) and a short
// training run.
#pragma once
#include <doctest/doctest.h>

#include <string>

#include "platform/file_io.h"
#include "train/model_card.h"
#include "train/trainer.h"

namespace zoo_test {

inline std::string asset_dir(const std::string& task) { return std::string(ATTN_ZOO_DIR) + "/" + task; }

struct Asset {
    attn::ModelPtr model;
    attn::ModelCard card;
};

inline Asset load_asset(const std::string& task_name) {
    using namespace attn;
    Expected<FileSet> files = folder_read(asset_dir(task_name));
    REQUIRE_MESSAGE(files.ok(), (files ? "" : files.error().message));
    Expected<ModelPtr> model = model_load(*files);
    REQUIRE_MESSAGE(model.ok(), (model ? "" : model.error().message));
    const Blob* card_bytes = files->find(kModelCardFile);
    REQUIRE(card_bytes != nullptr);
    Expected<ModelCard> card = model_card_parse(string_from_bytes(*card_bytes), task_name + "/card.json");
    REQUIRE_MESSAGE(card.ok(), (card ? "" : card.error().message));
    CHECK(card->task == task_name);
    REQUIRE_FALSE(card->claims.empty());
    CHECK(card->featured_layer == card->claims.front().layer);
    CHECK(card->featured_head == card->claims.front().head);
    return Asset{std::move(*model), std::move(*card)};
}

// Training unoptimised under the sanitizers is some 30 times slower (150 brackets steps: over 2 minutes of
// CPU), so the short runs are skipped in that build and run in the optimised ones: native release and the
// WASM unit run of tools/test.
#ifdef NDEBUG
constexpr bool kUnoptimisedBuild = false;
#else
constexpr bool kUnoptimisedBuild = true;
#endif

// Trains a short run of the task; the loss of its first step and the mean loss of its last `tail` steps.
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
