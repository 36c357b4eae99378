// Where a model's load time goes, phase by phase, on a folder (default: the GPT-2-small-size random
// folders tools/bench/make_gpt2_small.py writes): reading the files, parsing the safetensors header,
// the tokenizer, building the network, and the first traces the app runs after a load (the random-
// weights probe and the text the explorer opens on). Medians over rounds, each round from scratch as
// the CLI and desktop do it. Not a test: unit tests check what loading gives, not how fast.
//   bench_load [FOLDER...]
#include <cstdio>
#include <string>
#include <vector>

#include "bench_timer.h"
#include "model/model.h"
#include "model/weight_store.h"
#include "platform/file_io.h"

using namespace attn;

namespace {

constexpr int kRounds = 5;
const char* const kProbe = "The animal didn't cross the street because it was too tired.";

// Reads one byte per 4 KiB page of every weight file: what the first trace's page faults cost.
uint64_t touch_pages(const FileSet& files) {
    uint64_t sum = 0;
    for (const auto& kv : files.files)
        for (size_t i = 0; i < kv.second->size(); i += 4096) sum += kv.second->data()[i];
    return sum;
}

void row(const char* what, double ms) { std::printf("  %-52s %9.1f\n", what, ms); }

int bench_folder(const std::string& folder) {
    Expected<FileSet> files = folder_read(folder);
    if (!files) {
        std::printf("%s\n", files.error().message.c_str());
        return 1;
    }
    Expected<ModelPtr> model = model_load(*files);
    if (!model) {
        std::printf("%s: %s\n", folder.c_str(), model.error().message.c_str());
        return 1;
    }
    TraceOptions quiet;   // the probe app_load_model runs: logits only
    quiet.capture_hidden_states = false;
    quiet.capture_attentions = false;
    const TraceOptions full;   // what the explorer shows: attentions and hidden states

    std::printf("%s (median ms of %d rounds)\n", folder.c_str(), kRounds);
    volatile uint64_t sink = 0;
    row("read folder (folder_read)", median_ms([&] { sink = sink + folder_read(folder)->files.size(); }, kRounds));
    row("read folder + touch every page", median_ms([&] {
            Expected<FileSet> f = folder_read(folder);
            sink = sink + touch_pages(*f);
        }, kRounds));
    row("safetensors parse (weight_store_load)", median_ms([&] { sink = sink + weight_store_load(*files)->size(); }, kRounds));
    row("tokenizer (tokenizer_load)", median_ms([&] { sink = sink + tokenizer_load(*files)->vocab_size(); }, kRounds));
    row("model_load (config, weights, network, tokenizer)", median_ms([&] { sink = sink + !!model_load(*files); }, kRounds));
    row("probe trace, 13 tokens, logits only", median_ms([&] { sink = sink + !!model_trace_text(**model, kProbe, quiet, nullptr); }, kRounds));
    row("trace, 13 tokens, attentions + hidden states", median_ms([&] { sink = sink + !!model_trace_text(**model, kProbe, full, nullptr); }, kRounds));
    row("folder -> model (folder_read + model_load)", median_ms([&] {
            Expected<FileSet> f = folder_read(folder);
            sink = sink + !!model_load(*f);
        }, kRounds));
    row("folder -> model -> probe trace", median_ms([&] {
            Expected<FileSet> f = folder_read(folder);
            Expected<ModelPtr> m = model_load(*f);
            sink = sink + !!model_trace_text(**m, kProbe, quiet, nullptr);
        }, kRounds));
    row("folder -> model -> probe -> full trace (the desktop)", median_ms([&] {
            Expected<FileSet> f = folder_read(folder);
            Expected<ModelPtr> m = model_load(*f);
            sink = sink + !!model_trace_text(**m, kProbe, quiet, nullptr);
            sink = sink + !!model_trace_text(**m, kProbe, full, nullptr);
        }, kRounds));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> folders;
    for (int i = 1; i < argc; ++i) folders.push_back(argv[i]);
    if (folders.empty()) folders = {"build/bench/gpt2-small-f16", "build/bench/gpt2-small-f32"};
    int failed = 0;
    for (const std::string& f : folders) failed |= bench_folder(f);
    return failed;
}
