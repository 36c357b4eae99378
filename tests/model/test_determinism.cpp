// Determinism (issue 14): the same input gives the same trace bit for bit, on a fresh model and after
// many other traces of other inputs (no state leaks between traces: thread-local packing buffers,
// scratch rows, caches), for every architecture.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "decoder_reference.h"
#include "same_floats.h"

using namespace attn;

namespace {

void check_same(const Trace& a, const Trace& b) {
    CHECK(a.tokens.ids == b.tokens.ids);
    CHECK(same_floats(a.attentions.probs, b.attentions.probs));
    CHECK(same_floats(a.hidden_states.values, b.hidden_states.values));
    CHECK(same_floats(a.logits, b.logits));
}

}  // namespace

TEST_CASE("the same input traces to the same bits, fresh and after many edits of other lengths") {
    for (const std::string name : {"gpt2-tiny", "gpt2-f16", "llama-tiny", "llama-bf16-sharded", "qwen2-tiny",
                                   "bert-tiny", "roberta-tiny", "distilbert-tiny"}) {
        CAPTURE(name);
        const std::vector<int32_t> ids = {5, 17, 3, 99, 42, 7, 11, 23, 64, 2, 8};
        TraceOptions options;
        options.logit_positions = {-1, 0, 4};

        ModelPtr fresh = load_fixture_model(name);
        Expected<Trace> first = model_trace(*fresh, ids, options);
        REQUIRE(first.ok());
        CHECK(!first->logits.empty());

        // Another model object from the same files: nothing global decides the result.
        ModelPtr other = load_fixture_model(name);
        Expected<Trace> again = model_trace(*other, ids, options);
        REQUIRE(again.ok());
        check_same(*again, *first);

        // Many traces of other texts, longer and shorter (buffers grow and are reused), then the same one.
        for (int edit = 0; edit < 30; ++edit) {
            std::vector<int32_t> typed;
            for (int t = 0; t < 1 + (edit * 7) % 40; ++t) typed.push_back((edit * 31 + t * 13) % 200 + 1);
            Expected<Trace> edited = model_trace(*fresh, typed, TraceOptions{});
            if (!edited.ok()) FAIL(edited.error().message);
        }
        Expected<Trace> after = model_trace(*fresh, ids, options);
        REQUIRE(after.ok());
        check_same(*after, *first);
    }
}
