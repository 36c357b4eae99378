// weights_nonfinite (model/weight_scan.h): the load's scan for NaN and infinities over every float
// tensor. Large tensors are scanned in pieces on every thread; the count, the tensors and the first bad
// value (name order, then element) are the same at any thread count, and bad values past a piece's edge
// are found where they are.
#include <doctest/doctest.h>

#include <cstring>
#include <limits>
#include <vector>

#include "model/safetensors_write.h"
#include "model/weight_scan.h"
#include "thread_count_guard.h"

using namespace attn;

namespace {

// The weight store a load would make of what the writer holds (the scan runs over a store).
WeightStore weight_scan_store(SafetensorsWriter& writer) {
    Expected<Bytes> bytes = writer.write();
    REQUIRE(bytes.ok());
    FileSet files;
    files.add(kWeightsFile, std::move(*bytes));
    Expected<WeightStore> store = weight_store_load(files);
    REQUIRE(store.ok());
    return std::move(*store);
}

}  // namespace

TEST_CASE("weights_nonfinite counts NaN and Inf across pieces and threads; the first is the first in name then element order") {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = -std::numeric_limits<float>::infinity();
    // 9 M values: three pieces of the scan's 4 M; bad values in the second and third, and none in the first.
    const int64_t n = 9 * (int64_t{1} << 20);
    std::vector<float> big(static_cast<size_t>(n), 0.5f);
    big[(size_t{1} << 22) + 5] = nan;   // the second piece's sixth value
    big[(size_t{1} << 23) + 1] = inf;
    big[static_cast<size_t>(n) - 1] = nan;
    std::vector<uint16_t> half(5 * (size_t{1} << 20), 0x3c00);   // f16 1.0; 5 M values: two pieces
    half[(size_t{1} << 22) - 1] = 0x7c00;                       // +Inf, the first piece's last value
    half[size_t{1} << 22] = 0x7e00;                             // NaN, the second's first
    std::vector<uint16_t> bf16(1000, 0x3f80);                    // bf16 1.0, all finite
    std::vector<float> small = {1.0f, inf, 2.0f};

    SafetensorsWriter w;
    w.add_f32("b.big", {n}, big.data());
    w.add("c.half", DType::F16, {static_cast<int64_t>(half.size())}, half.data());
    w.add("a.bf16", DType::BF16, {static_cast<int64_t>(bf16.size())}, bf16.data());
    w.add_f32("d.small", {3}, small.data());
    const WeightStore store = weight_scan_store(w);

    ThreadCountGuard guard;
    for (int threads : {1, 2, 3}) {
        CAPTURE(threads);
        set_thread_count_for_tests(threads);
        const NonFiniteWeights bad = weights_nonfinite(store);
        CHECK(bad.count == 3 + 2 + 1);
        CHECK(bad.tensors == 3);
        CHECK(bad.first_tensor == "b.big");          // a.bf16 comes first by name, but is finite
        CHECK(bad.first_index == (int64_t{1} << 22) + 5);
    }
    // The first tensor found bad when it is the f16 one: its first value sits at a piece's last element.
    big.assign(big.size(), 0.5f);
    SafetensorsWriter w2;
    w2.add_f32("b.big", {n}, big.data());
    w2.add("c.half", DType::F16, {static_cast<int64_t>(half.size())}, half.data());
    const WeightStore store2 = weight_scan_store(w2);
    set_thread_count_for_tests(2);
    const NonFiniteWeights bad = weights_nonfinite(store2);
    CHECK(bad.count == 2);
    CHECK(bad.tensors == 1);
    CHECK(bad.first_tensor == "c.half");
    CHECK(bad.first_index == (int64_t{1} << 22) - 1);
}
