// The Train panel: a toy-sized induction run started in the explorer, stepped by frames, paused,
// resumed and reset through the panel's buttons; reset + N steps gives the same weights as a fresh
// trainer's N steps; the explorer shows the weights while they train and goes back to the model loaded
// before; Save model writes tools/train's folder, which loads back; its zip unpacks byte-exact.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "model/model.h"
#include "tests/ui/ui_click_mark.h"
#include "tests/ui/ui_harness.h"
#include "train/task.h"
#include "ui/app_train.h"
#include "ui/widget_marks.h"

using namespace attn;

namespace {



Bytes weights_now(const App& app) {
    Expected<FileSet> files = app.train.trainer->weights_folder();
    REQUIRE(files);
    const Blob* w = files->find("model.safetensors");
    REQUIRE(w);
    return bytes_from_blob(*w);
}

// A toy run: small batches, so a debug build with the sanitizers steps in well under a second.
void toy_settings(App& app) {
    app.train.steps = 60;
    app.train.batch = 4;
    app.train.save_eval_examples = 16;
    app.train.speed = 0;   // one step per frame, or a few
}

std::filesystem::path temp_folder(const char* name) {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / (std::string(name) + "-" + std::to_string(std::rand()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace

TEST_CASE("train panel: start, frames step it, pause / resume / reset by the buttons, the explorer follows and goes back") {
    UiHarness ui(ImVec2(1280, 720));
    ui.load_fixture("gpt2-tiny");
    const std::string text_before = ui.app.text = "The animal didn't cross the street";
    app_set_text(ui.app, ui.app.text);
    toy_settings(ui.app);
    // More steps than the test's frames can run: an optimised build finished 60 before the Reset click,
    // and the finished panel drops its Pause button, which moved Reset from under the pointer.
    ui.app.train.steps = 100000;

    CHECK_FALSE(app_train_start(ui.app, "no-such-task"));
    CHECK(ui.app.train.error.find("no-such-task") != std::string::npos);
    CHECK(ui.app.train.error.find("induction") != std::string::npos);   // names the tasks there are

    REQUIRE(app_train_start(ui.app, "induction"));
    CHECK(ui.app.train.running);
    CHECK(ui.app.main_view == MainView::grid);
    ui.frame();
    ui.frame();
    const int after_two = ui.app.train.trainer->steps_done();
    CHECK(after_two >= 2);
    // The first frame showed the weights: the explorer's model is the one in training, on the task's text.
    CHECK(ui.app.model_name.rfind("trained here: induction (step ", 0) == 0);
    CHECK(ui.app.text == task_find("induction")->example_text());
    REQUIRE(ui.app.has_trace);
    CHECK(ui.app.trace.attentions.n_layer == 2);
    CHECK(ui.app.widgets.grid_tiles.size() == 8u);   // the head grid draws the model in training
    CHECK(ui.app.train.previous.name == "gpt2-tiny");
    CHECK(ui.app.train.induction_score >= 0.0f);     // measured live on the shown weights
    CHECK(ui.app.train.induction_layer == 1);

    // Start unfolded the panel; Pause stops the steps and shows the weights of that step.
    click_mark(ui, "train_pause");
    CHECK_FALSE(ui.app.train.running);
    const int paused_at = ui.app.train.trainer->steps_done();
    for (int i = 0; i < 3; ++i) ui.frame();
    CHECK(ui.app.train.trainer->steps_done() == paused_at);
    CHECK(ui.app.train.shown_step == paused_at);
    CHECK(ui.app.model_name == "trained here: induction (step " + std::to_string(paused_at) + ")");
    // Weights that have trained are not called random (the probe's English sentence is not this task's).
    CHECK_FALSE(ui.app.random_weights);
    REQUIRE(find_mark("train_loss"));       // the curves are drawn
    REQUIRE(find_mark("train_accuracy"));
    REQUIRE(find_mark("train_save") == nullptr);   // no save_file or save_folder in this harness

    click_mark(ui, "train_resume");
    CHECK(ui.app.train.running);
    ui.frame();
    CHECK(ui.app.train.trainer->steps_done() > paused_at);
    CHECK(ui.app.train.trainer->log().size() == static_cast<size_t>(ui.app.train.trainer->steps_done()));

    click_mark(ui, "train_reset");
    CHECK_FALSE(ui.app.train.running);
    CHECK(ui.app.train.trainer->steps_done() == 0);
    CHECK(ui.app.train.trainer->log().empty());
    ui.frame();
    CHECK(ui.app.train.trainer->steps_done() == 0);   // reset leaves it paused
    if (ui.app.train.shown_step == 0) CHECK(ui.app.random_weights);   // the fresh start is random

    click_mark(ui, "train_back");
    CHECK(ui.app.model_name == "gpt2-tiny");
    CHECK(ui.app.text == text_before);
    CHECK(ui.app.has_trace);
    CHECK(ui.app.trace.tokens.size() > 0);
    CHECK(ui.app.train.previous.model == nullptr);
    // Training goes on without the explorer following it.
    app_train_resume(ui.app);
    ui.frame();
    CHECK(ui.app.train.trainer->steps_done() > 0);
    CHECK(ui.app.model_name == "gpt2-tiny");
}

TEST_CASE("train panel: reset + N steps gives the same weights as a fresh trainer's N steps") {
    UiHarness ui(ImVec2(1280, 720));
    toy_settings(ui.app);
    REQUIRE(app_train_start(ui.app, "induction"));
    CHECK(app_train_steps(ui.app, 3) == 3);
    const Bytes first = weights_now(ui.app);
    CHECK(app_train_steps(ui.app, 2) == 2);
    CHECK(weights_now(ui.app) != first);   // training moves the weights

    REQUIRE(app_train_reset(ui.app));
    CHECK(app_train_steps(ui.app, 3) == 3);
    CHECK(weights_now(ui.app) == first);

    TrainOptions o;
    o.seed = ui.app.train.seed;
    o.steps = ui.app.train.steps;
    o.batch = ui.app.train.batch;
    Trainer fresh(*task_find("induction"), o);
    for (int i = 0; i < 3; ++i) fresh.step();
    Expected<FileSet> files = fresh.weights_folder();
    REQUIRE(files);
    CHECK(bytes_from_blob(*files->find("model.safetensors")) == first);

    // Another seed, other weights.
    ui.app.train.seed = 2;
    REQUIRE(app_train_reset(ui.app));
    app_train_steps(ui.app, 3);
    CHECK(weights_now(ui.app) != first);
}

TEST_CASE("train panel: Save model writes tools/train's folder, which loads back with its card; refused while running") {
    UiHarness ui(ImVec2(1280, 720));
    toy_settings(ui.app);
    const std::filesystem::path dir = temp_folder("attn-train-save");
    std::string saved_name;
    ui.app.config.save_folder = [&](const std::string& name, const FileSet& files) -> Expected<std::string> {
        saved_name = name;
        std::filesystem::create_directories(dir / name);
        for (const auto& [file, bytes] : files.files) {
            Expected<bool> ok = file_write_atomic((dir / name / file).string(), *bytes);
            if (!ok) return ok.error();
        }
        return "saved the model in " + (dir / name).string();
    };
    REQUIRE(app_train_start(ui.app, "induction"));
    ui.frame();
    CHECK_FALSE(app_train_save(ui.app));   // running: nothing written
    CHECK(ui.app.train.error.find("pause") != std::string::npos);
    CHECK(saved_name.empty());

    click_mark(ui, "train_pause");
    REQUIRE_FALSE(ui.app.train.running);
    const int step = ui.app.train.trainer->steps_done();
    click_mark(ui, "train_save");   // the panel's button, handled after the frame
    REQUIRE_MESSAGE(ui.app.train.error.empty(), ui.app.train.error);
    CHECK(saved_name == "induction-step" + std::to_string(step));
    CHECK(ui.app.train.saved_to.find(saved_name) != std::string::npos);
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "README.md", "card.json",
                          "train_log.csv", "golden_trace.safetensors", "loss.png"})
        CHECK_MESSAGE(std::filesystem::exists(dir / saved_name / f), f);

    // The folder loads as any model does, with its card (the panel's run, its steps).
    Expected<FileSet> back = folder_read((dir / saved_name).string());
    REQUIRE(back);
    REQUIRE_MESSAGE(app_load_model(ui.app, *back, saved_name), ui.app.load_error);
    CHECK(ui.app.model_name == saved_name);
    CHECK(ui.app.card.present);
    CHECK(ui.app.card.error.empty());
    CHECK(ui.app.card.card.task == "induction");
    CHECK(ui.app.card.card.steps == step);
    CHECK(bytes_from_blob(*back->find("model.safetensors")) == weights_now(ui.app));
    std::filesystem::remove_all(dir);
}

TEST_CASE("train panel: the page's zip holds the folder's files byte-exact (Python's zipfile reads it)") {
    UiHarness ui(ImVec2(1280, 720));
    toy_settings(ui.app);
    REQUIRE(app_train_start(ui.app, "induction"));
    app_train_steps(ui.app, 2);
    app_train_pause(ui.app);
    Expected<TrainFolder> folder = app_train_folder(ui.app);
    REQUIRE_MESSAGE(folder, folder.error().message);
    CHECK(folder->name == "induction-step2");
    const Bytes zip = train_folder_zip(*folder);

    // The page hands this to save_file as NAME.zip.
    std::string downloaded;
    Bytes downloaded_bytes;
    ui.app.config.save_file = [&](const std::string& name, const Bytes& bytes) -> Expected<std::string> {
        downloaded = name;
        downloaded_bytes = bytes;
        return "downloaded " + name;
    };
    REQUIRE(app_train_save(ui.app));
    CHECK(downloaded == "induction-step2.zip");
    CHECK(downloaded_bytes == zip);   // the same folder again: saving is deterministic

#if !defined(__EMSCRIPTEN__)   // node has no Python to run
    const std::filesystem::path dir = temp_folder("attn-train-zip");
    REQUIRE(file_write_atomic((dir / "m.zip").string(), zip));
    for (const auto& [name, bytes] : folder->files.files) {
        std::filesystem::create_directories(dir / "expected");
        REQUIRE(file_write_atomic((dir / "expected" / name).string(), *bytes));
    }
    // Every entry is NAME/<file>, its CRC checks, and its bytes are the folder's; no file is missing.
    const std::string script =
        "import os, sys, zipfile\n"
        "d = sys.argv[1]\n"
        "z = zipfile.ZipFile(os.path.join(d, 'm.zip'))\n"
        "assert z.testzip() is None, 'bad CRC'\n"
        "names = sorted(z.namelist())\n"
        "want = sorted('induction-step2/' + f for f in os.listdir(os.path.join(d, 'expected')))\n"
        "assert names == want, (names, want)\n"
        "for n in names:\n"
        "    assert z.read(n) == open(os.path.join(d, 'expected', n.split('/', 1)[1]), 'rb').read(), n\n";
    {
        std::ofstream(dir / "check.py") << script;
    }
    const std::string cmd = "python3 '" + (dir / "check.py").string() + "' '" + dir.string() + "'";
    CHECK(std::system(cmd.c_str()) == 0);
    const std::string unzip = "unzip -tq '" + (dir / "m.zip").string() + "' > /dev/null";
    if (std::system("command -v unzip > /dev/null") == 0) CHECK(std::system(unzip.c_str()) == 0);
    std::filesystem::remove_all(dir);
#endif
}
