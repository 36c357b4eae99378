// Every model folder under assets/models (the zoo the page and the desktop app bundle): it loads, follows
// the Hugging Face layout of its class exactly (the config keys and the tensor names of the fixture that
// transformers itself saved for the same class), reproduces its golden trace (natively and, in the WASM
// test run, in WebAssembly), reaches 95% on fresh held-out data of its task, and every claim of its card
// holds when re-measured on fresh held-out data.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "core/json.h"
#include "fixture_path.h"
#include "model/safetensors.h"
#include "model/weight_store.h"
#include "platform/file_io.h"
#include "train/model_card.h"
#include "train/trainer.h"

using namespace attn;

namespace {

std::string zoo_dir() { return std::string(ATTN_ZOO_DIR); }

// The fixture transformers saved for the same model_type.
std::string fixture_for(const std::string& model_type) {
    if (model_type == "gpt2") return "gpt2-tiny";
    if (model_type == "bert") return "bert-tiny";
    if (model_type == "bart") return "bart-tiny";
    return "";
}

// "bert.encoder.layer.11.output.dense.weight" -> "bert.encoder.layer.#.output.dense.weight"
std::string layerless(const std::string& name) {
    std::string out;
    for (size_t i = 0; i < name.size(); ++i) {
        if (std::isdigit(static_cast<unsigned char>(name[i])) && i > 0 && name[i - 1] == '.') {
            while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
            out += '#';
            --i;
            continue;
        }
        out += name[i];
    }
    return out;
}

std::set<std::string> layerless_names(const FileSet& files) {
    Expected<WeightStore> w = weight_store_load(files);
    REQUIRE(w);
    std::set<std::string> s;
    for (const std::string& n : w->names()) s.insert(layerless(n));
    return s;
}

std::set<std::string> config_keys(const FileSet& files) {
    const Json j = json_parse(string_from_bytes(*files.find("config.json")), "config.json");
    std::set<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "transformers_version") keys.insert(it.key());
    return keys;
}

}  // namespace

TEST_CASE("zoo: every bundled model loads, follows the HF layout, reproduces its golden trace and its card") {
    const std::vector<std::string> folders = subfolders(zoo_dir());
    CHECK(folders.size() >= 6);   // coref, brackets, translate, induction, agreement, mini-english
    for (const std::string& name : folders) {
        CAPTURE(name);
        const std::string dir = zoo_dir() + "/" + name;
        Expected<FileSet> files = folder_read(dir);
        REQUIRE(files);
        Expected<ModelPtr> model = model_load(*files);
        REQUIRE_MESSAGE(model, (model ? "" : model.error().message));
        const Json config = json_parse(string_from_bytes(*files->find("config.json")), dir + "/config.json");
        const std::string fixture = fixture_for(json_get_string(config, "model_type", "config.json"));
        REQUIRE_MESSAGE(!fixture.empty(), "no transformers fixture for this model_type");
        Expected<FileSet> ref = folder_read(fixture_path(fixture));
        REQUIRE(ref);
        CHECK(config_keys(*files) == config_keys(*ref));
        CHECK(config["architectures"] == json_parse(string_from_bytes(*ref->find("config.json")), "config.json")["architectures"]);
        CHECK(layerless_names(*files) == layerless_names(*ref));
        const Blob* size = files->find("model.safetensors");
        REQUIRE(size);
        CHECK(size->size() <= 4u * 1024 * 1024);

        // The golden trace: the same attentions and logits here as where it was trained.
        Expected<ModelCard> card = model_card_parse(string_from_bytes(*files->find(kModelCardFile)), dir + "/card.json");
        REQUIRE_MESSAGE(card, (card ? "" : card.error().message));
        const Blob* golden_bytes = files->find(kGoldenTraceFile);
        REQUIRE(golden_bytes);
        Expected<SafetensorsFile> golden = safetensors_parse(files->find_shared(kGoldenTraceFile), kGoldenTraceFile);
        REQUIRE(golden);
        Expected<Trace> trace = model_trace_text(**model, card->example_text, TraceOptions{});
        REQUIRE(trace);
        const char* attention_name = (*model)->info().encoder_decoder ? "encoder_attentions" : "attentions";
        const TensorView* att = golden->find(attention_name);
        REQUIRE(att);
        const std::vector<float> want = tensor_to_f32(*att);
        const std::vector<float>& got = trace->attentions.probs;
        REQUIRE(want.size() == got.size());
        float worst = 0.0f;
        for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::fabs(want[i] - got[i]));
        CHECK(worst < 1e-4f);

        // Held-out accuracy and the card's claims, on data the card did not see (another seed).
        const Task* task = task_find(card->task);
        REQUIRE_MESSAGE(task, "the card names an unregistered task");
        Expected<double> acc = evaluate_task(*task, **model, 200, 424242);
        REQUIRE(acc);
        CHECK(*acc >= 0.95);
        for (const HeadClaim& c : card->claims) {
            CAPTURE(c.statement);
            Expected<double> v = task->measure_claim(**model, c, 424242);
            REQUIRE_MESSAGE(v, (v ? "" : v.error().message));
            CHECK(*v >= c.min_value);
        }
    }
}
