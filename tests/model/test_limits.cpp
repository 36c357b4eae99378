// Limits and memory estimates (issue 14 item 3): the header estimate against the fixtures' real weights
// and the heap a load really takes, the trace estimate against a trace's real arrays, and the refusals
// ("this model needs X; this machine has Y") with a lowered limit, in English and Chinese.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "core/i18n.h"
#include "core/json.h"
#include "core/address_sanitizer.h"
#include "fixture_path.h"
#include "text_contains.h"
#include "model/gradients.h"
#include "model/limits.h"
#include "model/memory_estimate.h"
#include "model/model.h"
#include "model/weight_store.h"
#include "platform/file_io.h"

#if defined(ATTN_ADDRESS_SANITIZER)
#define ATTN_HEAP_COUNTER 1
// libasan's (sanitizer/allocator_interface.h, which GCC does not install).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#elif defined(__EMSCRIPTEN__)
#define ATTN_HEAP_COUNTER 1
#include <malloc.h>
#endif

using namespace attn;

namespace {

// Files read into vectors (not mapped), so the heap measured around a load holds only what it allocates.
FileSet read_fixture_folder(const std::string& name) {
    auto files = folder_read(fixture_path(name));
    REQUIRE_MESSAGE(files.ok(), files.error().message);
    FileSet copy;
    copy.label = files->label;
    for (const auto& [file, blob] : files->files) copy.add(file, bytes_from_blob(*blob));
    return copy;
}

// Restores the real limit and English however a test ends.
struct LimitGuard {
    ~LimitGuard() {
        memory_limit_override(0);
        set_language(Language::en);
    }
};

#ifdef ATTN_HEAP_COUNTER
int64_t heap_in_use() {
#if defined(ATTN_ADDRESS_SANITIZER)
    return static_cast<int64_t>(__sanitizer_get_current_allocated_bytes());
#else
    return static_cast<int64_t>(mallinfo().uordblks);
#endif
}
#endif

// A safetensors file whose one F32 tensor is consistent ([rows, cols], offsets [0, rows*cols*4]) but
// whose data is missing: the header claims what a huge checkpoint would.
Bytes huge_claim(int64_t rows, int64_t cols) {
    Json header = Json::object();
    header["transformer.wte.weight"] = {{"dtype", "F32"}, {"shape", {rows, cols}}, {"data_offsets", {0, rows * cols * 4}}};
    std::string text = header.dump();
    while (text.size() % 8) text += ' ';
    Bytes b(8);
    for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * i));
    b.insert(b.end(), text.begin(), text.end());
    b.resize(b.size() + 64, 0);   // a little data, nowhere near what is claimed
    return b;
}

FileSet with_weights(FileSet files, Bytes weights) {
    files.add(kWeightsFile, std::move(weights));
    return files;
}

std::string load_error(const FileSet& files) {
    Expected<ModelPtr> m = model_load(files);
    REQUIRE_FALSE(m.ok());
    return m.error().message;
}

int64_t trace_arrays_bytes(const Trace& t) {
    return 4 * static_cast<int64_t>(t.attentions.probs.size() + t.decoder_attentions.probs.size() +
                                    t.cross_attentions.probs.size() + t.hidden_states.values.size() +
                                    t.decoder_hidden_states.values.size() + t.logits.size());
}

}  // namespace

TEST_CASE("limits: sizes are written in binary units, one decimal from 1 GB") {
    CHECK(memory_size_text(int64_t(4) << 30) == "4.0 GB");
    CHECK(memory_size_text(2040109466) == "1.9 GB");
    CHECK(memory_size_text(int64_t(512) << 20) == "512 MB");
    CHECK(memory_size_text(40 * 1024) == "40 KB");
}

TEST_CASE("limits: the memory limit is the page's maximum or the machine's RAM, and a test can lower it") {
    LimitGuard guard;
    const int64_t real = memory_limit();
#ifdef __EMSCRIPTEN__
    CHECK(memory_limit_is_page());
    CHECK(real == 4294901760);   // -sMAXIMUM_MEMORY=4GB: 4 GiB less the last 64 KB page
    CHECK(memory_size_text(real) == "4.0 GB");
#else
    CHECK_FALSE(memory_limit_is_page());
    CHECK(real > (int64_t(256) << 20));
#endif
    memory_limit_override(12345678);
    CHECK(memory_limit() == 12345678);
    memory_limit_override(0);
    CHECK(memory_limit() == real);
}

TEST_CASE("limits: the header estimate finds exactly the weights, tensors and files of each fixture") {
    for (const char* name : {"gpt2-tiny", "gpt2-f16", "llama-tiny", "bert-tiny", "bart-tiny", "llama-bf16-sharded"}) {
        CAPTURE(std::string(name));
        FileSet files = read_fixture_folder(name);
        auto store = weight_store_load(files);
        REQUIRE(store.ok());
        WeightsClaim claim = weights_claim(files);
        CHECK(claim.weight_bytes == store->total_bytes());
        CHECK(claim.tensor_count == static_cast<int64_t>(store->size()));
        CHECK(claim.weights_file == store->source());
        int64_t all = 0;
        for (const auto& [file, blob] : files.files) all += static_cast<int64_t>(blob->size());
        CHECK(claim.file_bytes == all);
        CHECK(claim.tokenizer_bytes > 0);
    }
}

#ifdef ATTN_HEAP_COUNTER
TEST_CASE("limits: a load allocates no more than the estimate says beyond its files") {
    for (const char* name : {"gpt2-tiny", "gpt2-f16", "llama-tiny", "bert-tiny", "bart-tiny", "llama-bf16-sharded"}) {
        CAPTURE(std::string(name));
        FileSet files = read_fixture_folder(name);
        WeightsClaim claim = weights_claim(files);
        const int64_t estimate = model_load_bytes_estimate(claim) - claim.file_bytes;
        const int64_t before = heap_in_use();
        Expected<ModelPtr> model = model_load(files);
        REQUIRE(model.ok());
        const int64_t kept = heap_in_use() - before;   // what the loaded model keeps beside its files
        CAPTURE(kept);
        CAPTURE(estimate);
        CHECK(kept <= estimate);
        // The copies are counted exactly: 1-D tensors (and misaligned matrices) widened to f32, which the
        // model keeps; the tokenizer's tables are within its allowance.
        CHECK(kept >= claim.copied_bytes);
    }
}
#endif

TEST_CASE("limits: a model over the limit is refused before its weights are read, naming the file, in en and zh") {
    LimitGuard guard;
    FileSet files = read_fixture_folder("gpt2-tiny");
    const int64_t need = model_load_bytes_estimate(weights_claim(files));
    memory_limit_override(need - 1);
    const std::string en = load_error(files);
    CHECK(contains(en, "this model needs " + memory_size_text(need)));
    CHECK(contains(en, "model.safetensors holds"));
    CHECK(contains(en, memory_limit_is_page() ? "the page can use " + memory_size_text(need - 1) + " at most"
                                              : "this machine has " + memory_size_text(need - 1)));
    set_language(Language::zh);
    const std::string zh = load_error(files);
    CHECK(contains(zh, "这个模型需要 " + memory_size_text(need)));
    CHECK(contains(zh, "（model.safetensors 中的权重有"));
    set_language(Language::en);
    memory_limit_override(need);
    CHECK(model_load(files).ok());
}

TEST_CASE("limits: a small file whose header claims more than the page has is refused by the estimate, not as truncated") {
    LimitGuard guard;
    FileSet files = with_weights(read_fixture_folder("gpt2-tiny"), huge_claim(50257, 25600));   // 4.8 GiB of F32
    memory_limit_override(int64_t(4294901760));                                       // the page's limit
    const std::string e = load_error(files);
    const int64_t need = model_load_bytes_estimate(weights_claim(files));
    CHECK(need > (int64_t(4) << 30));
    CHECK(contains(e, "this model needs " + memory_size_text(need) + " (model.safetensors holds 4.8 GB of weights)"));
    CHECK(contains(e, "4.0 GB"));
    // Under the limit the same file is what it is: truncated.
    memory_limit_override(int64_t(8) << 30);
    CHECK(contains(load_error(files), "model.safetensors"));
    CHECK_FALSE(contains(load_error(files), "this model needs"));
}

TEST_CASE("limits: a header claiming petabytes is refused on any machine; an inconsistent one is left to the parser") {
    FileSet files = with_weights(read_fixture_folder("gpt2-tiny"), huge_claim(int64_t(1) << 24, int64_t(1) << 24));   // 1 PiB
    CHECK(contains(load_error(files), "this model needs 1048576."));
    // Offsets that do not match the shape: the parser's message, not a memory estimate.
    Bytes bad = huge_claim(int64_t(1) << 24, int64_t(1) << 24);
    const std::string claim = "1125899906842624]";
    auto at = std::search(bad.begin(), bad.end(), claim.begin(), claim.end());
    REQUIRE(at != bad.end());
    *(at + 15) = '5';   // data_offsets end ...625: one byte past elements x size
    const std::string e = load_error(with_weights(read_fixture_folder("gpt2-tiny"), bad));
    CAPTURE(e);
    CHECK_FALSE(contains(e, "this model needs"));
}

TEST_CASE("limits: more tensors than kMaxTensorCount are refused by the header scan") {
    Json header = Json::object();
    for (int64_t i = 0; i <= kMaxTensorCount; ++i)
        header["t" + std::to_string(i)] = {{"dtype", "F32"}, {"shape", {0}}, {"data_offsets", {0, 0}}};
    std::string text = header.dump();
    Bytes b(8);
    for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * i));
    b.insert(b.end(), text.begin(), text.end());
    const std::string e = load_error(with_weights(read_fixture_folder("gpt2-tiny"), b));
    CHECK(contains(e, "model.safetensors: " + std::to_string(kMaxTensorCount + 1) + " tensors"));
    CHECK(contains(e, "at most " + std::to_string(kMaxTensorCount)));
}

TEST_CASE("limits: the trace estimate covers the trace's arrays, and its scratch is bounded") {
    for (const char* name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(std::string(name));
        Expected<ModelPtr> model = model_load(read_fixture_folder(name));
        REQUIRE(model.ok());
        const ModelInfo& info = (*model)->info();
        const int T = std::min(info.n_ctx, 24);
        std::vector<int32_t> ids(T);
        for (int t = 0; t < T; ++t) ids[t] = (t * 7 + 3) % info.n_vocab;
        for (bool capture : {true, false}) {
            TraceOptions options;
            options.capture_attentions = options.capture_hidden_states = capture;
            options.logit_positions = {0, T - 1};
            Expected<Trace> trace = model_trace(**model, ids, options);
            REQUIRE(trace.ok());
            const int64_t actual = trace_arrays_bytes(*trace), estimate = trace_bytes_estimate(info, T, T, options);
            CAPTURE(actual);
            CAPTURE(estimate);
            CHECK(estimate >= actual);
            // Beyond the arrays: one layer's scratch (15 rows of width D), every head's probabilities
            // when not captured, a mask, and the rows the logits are computed from.
            const int64_t scratch = 4 * (15 * int64_t(T) * info.n_embd + (capture ? 0 : int64_t(info.n_head) * T * T) +
                                         int64_t(T) * T + 2 * int64_t(info.n_embd));
            CHECK(estimate - actual == scratch);
        }
    }
    Expected<ModelPtr> bart = model_load(read_fixture_folder("bart-tiny"));
    REQUIRE(bart.ok());
    std::vector<int32_t> source = {0, 5, 6, 7, 8, 2}, target = {2, 0, 9, 10};
    Expected<Trace> t = model_trace_seq2seq(**bart, source, target, TraceOptions{});
    REQUIRE(t.ok());
    CHECK(trace_seq2seq_bytes_estimate((*bart)->info(), 6, 4, TraceOptions{}) >= trace_arrays_bytes(*t));
}

TEST_CASE("limits: a trace that does not fit beside the model is refused before the forward pass") {
    LimitGuard guard;
    Expected<ModelPtr> model = model_load(read_fixture_folder("gpt2-tiny"));
    REQUIRE(model.ok());
    const ModelInfo& info = (*model)->info();
    const int T = std::min(info.n_ctx, 64);
    std::vector<int32_t> ids(T, 11), few(4, 11);
    TraceOptions options;
    memory_limit_override(info.weight_bytes + trace_bytes_estimate(info, 4, 4, options));
    CHECK(model_trace(**model, few, options).ok());
    Expected<Trace> refused = model_trace(**model, ids, options);
    REQUIRE_FALSE(refused.ok());
    CHECK(contains(refused.error().message, "running the model on " + std::to_string(T) + " tokens needs " +
                                                memory_size_text(trace_bytes_estimate(info, T, T, options)) +
                                                " besides the model's " + memory_size_text(info.weight_bytes)));
    // Gradient passes (attributions) are estimated and refused the same way.
    GradRequest request;
    Expected<GradResult> g = model_gradients(**model, ids, request);
    REQUIRE_FALSE(g.ok());
    CHECK(contains(g.error().message, "running the model on " + std::to_string(T) + " tokens needs"));
    set_language(Language::zh);
    refused = model_trace(**model, ids, options);
    REQUIRE_FALSE(refused.ok());
    CHECK(contains(refused.error().message, "在 " + std::to_string(T) + " 个词元上运行模型"));
}

TEST_CASE("limits: no trace runs more than kMaxTokens tokens, whatever n_ctx the config claims") {
    FileSet files = read_fixture_folder("llama-tiny");   // RoPE: a longer context adds no weights
    Json config = json_parse(string_from_bytes(*files.find("config.json")), "config.json");
    config["max_position_embeddings"] = 1000000;
    files.add("config.json", bytes_from_string(config.dump()));
    Expected<ModelPtr> model = model_load(files);
    REQUIRE(model.ok());
    std::vector<int32_t> ids(kMaxTokens + 1, 5);
    Expected<Trace> t = model_trace(**model, ids, TraceOptions{});
    REQUIRE_FALSE(t.ok());
    CHECK(contains(t.error().message, std::to_string(kMaxTokens + 1) + " tokens: AttnScope runs at most " +
                                          std::to_string(kMaxTokens) + " tokens at once"));
}

#ifdef __EMSCRIPTEN__
// With ALLOW_MEMORY_GROWTH, Emscripten's malloc returns null past MAXIMUM_MEMORY (ABORTING_MALLOC=0 is
// its default then), so operator new throws std::bad_alloc and catch_errors turns it into a message:
// the page shows it instead of aborting.
TEST_CASE("limits: an allocation past the page's memory becomes a message, not an abort") {
    // Through a volatile pointer: a new/delete pair the compiler can see may be elided altogether.
    void* (*volatile allocate)(size_t) = ::operator new;
    Expected<bool> r = catch_errors([&] {
        void* huge = allocate(size_t{0xFFFF0000u});   // the whole 4 GB, more than is left beside the heap
        ::operator delete(huge);
        return true;
    });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "out of memory");
}
#endif
