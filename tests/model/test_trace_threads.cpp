// A whole trace split over threads (core/parallel.h: gemm's column panels, the attention's heads) gives the
// same bits as on one thread: attentions, hidden states and logits, with and without captures and hooks.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "core/parallel.h"
#include "decoder_reference.h"
#include "same_floats.h"
#include "thread_count_guard.h"

using namespace attn;

TEST_CASE("a trace at 3 threads equals the trace at 1 thread bit for bit (gpt2, f16, llama GQA, bert)") {
    ThreadCountGuard guard;
    set_parallel_min_work(0);   // split even the fixtures' tiny products and heads
    for (const char* name : {"gpt2-tiny", "gpt2-f16", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const std::vector<int32_t> ids = {5, 17, 3, 99, 42, 7, 11, 23, 64, 2, 8};
        for (bool hooked : {false, true}) {
            CAPTURE(hooked);
            TraceOptions options;
            options.logit_positions = {-1, 1, 4};
            options.capture_attentions = !hooked;   // uncaptured: each thread's own probability scratch
            if (hooked) {
                const ModelInfo& info = model->info();
                options.hooks.head_gates = head_gates_ones(info.n_layer, info.n_head);
                options.hooks.head_gates[1] = 0.25f;
                options.hooks.knockouts.push_back(EdgeKnockout{-1, 6, 2});
            }
            set_thread_count_for_tests(1);
            Expected<Trace> one = model_trace(*model, ids, options);
            REQUIRE(one.ok());
            set_thread_count_for_tests(3);
            Expected<Trace> three = model_trace(*model, ids, options);
            REQUIRE(three.ok());
            CHECK(same_floats(three->attentions.probs, one->attentions.probs));
            CHECK(same_floats(three->hidden_states.values, one->hidden_states.values));
            CHECK(same_floats(three->logits, one->logits));
            CHECK(!one->logits.empty());
            CHECK(one->attentions.probs.empty() == hooked);
        }
    }
}
