// Tokenizer times on the fixtures' tokenizer.json files: loading GPT-2's 3.5 MB file, encoding 100 KB of
// prose, and one huge pre-token (n 'a's) at two sizes, whose time ratio shows whether BPE's merge loop
// stays near-linear (x10 the input: ~x10 the time, not x100). Medians over rounds; not a test (the unit
// tests check the same inputs for correctness only).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "bench_timer.h"
#include "model/tokenizer/tokenizer.h"

using namespace attn;

static std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int main(int argc, char** argv) {
    const std::string fixtures = argc > 1 ? argv[1] : "tests/fixtures";
    std::printf("tokenizer (median ms)\n%-44s %10s\n", "what", "ms");
    for (const char* model : {"gpt2-tiny", "bert-tiny", "llama-tiny"}) {
        const std::string path = fixtures + "/" + model + "/tokenizer.json";
        const std::string json = read_text(path);
        if (json.empty()) {
            std::printf("%s: cannot read %s (run from the repository root or pass the fixtures folder)\n", model, path.c_str());
            return 1;
        }
        Expected<Tokenizer> tok = tokenizer_from_json(json, path);
        if (!tok) {
            std::printf("%s\n", tok.error().message.c_str());
            return 1;
        }
        std::string prose;
        while (prose.size() < 100000) prose += "The animal didn't cross the street because it was too tired. Numbers 1234, symbols $%^! ";
        const std::string small(10000, 'a'), large(100000, 'a');
        char name[96];
        std::snprintf(name, sizeof name, "%s: load tokenizer.json (%zu KB)", model, json.size() / 1024);
        std::printf("%-44s %10.2f\n", name, median_ms([&] { (void)tokenizer_from_json(json, path); }, 3));
        std::snprintf(name, sizeof name, "%s: encode 100 KB of prose", model);
        std::printf("%-44s %10.2f\n", name, median_ms([&] { (void)tok->encode(prose, false); }, 3));
        const double a = median_ms([&] { (void)tok->encode(small, false); }, 3);
        const double b = median_ms([&] { (void)tok->encode(large, false); }, 3);
        std::snprintf(name, sizeof name, "%s: one word of 10k / 100k 'a'", model);
        std::printf("%-44s %10.2f / %.2f (x%.1f)\n", name, a, b, b / a);
    }
    return 0;
}
