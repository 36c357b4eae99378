// The model-file rows of the bad-input catalog (bad_model_catalog.h): every broken folder is refused
// with one message that names the file and the problem, never an abort or a sanitizer report (this
// binary runs natively under ASan+UBSan and in the WASM build, whose stack is 64 KB).
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "model/bad_model_catalog.h"
#include "fixture_path.h"
#include "model/model.h"

using namespace attn;

TEST_CASE("bad-input catalog: every broken model folder is refused with a message naming the file and the problem") {
    const auto cases = bad_model_catalog(fixture_path(""));
    std::set<std::string> names;
    for (const BadModelCase& c : cases) {
        INFO("row: " << c.row << " (" << c.name << ")");
        CHECK(names.insert(c.name).second);
        Expected<ModelPtr> m = model_load(c.make());
        CHECK(m.ok() == c.loads);
        if (m.ok() != c.loads) continue;
        std::string message;
        if (c.loads) {
            // It loads with a warning (two for the id 2^24 - 1), and still traces (what it computes is
            // what it computes). Each warning is one line of its own.
            CHECK(!(*m)->warnings.empty());
            CHECK((*m)->warnings.size() <= 2);
            if ((*m)->warnings.empty()) continue;
            for (const std::string& w : (*m)->warnings) {
                CHECK(w.find('\n') == std::string::npos);
                message += (message.empty() ? "" : " | ") + w;
            }
            CHECK(model_trace_text(**m, "hello", TraceOptions{}).ok());
        } else {
            message = m.error().message;
        }
        INFO("message: " << message);
        CHECK(message.find('\n') == std::string::npos);
        CHECK(message.size() < (c.loads ? 800 : 400));
        for (const std::string& phrase : c.expect) CHECK_MESSAGE(message.find(phrase) != std::string::npos, phrase);
        if (getenv("ATTN_PRINT_CATALOG")) MESSAGE(c.name << ": " << message);
    }
    CHECK(cases.size() >= 80);
}

TEST_CASE("bad-input catalog: the good fixtures load without a warning") {
    for (const char* name : {"gpt2-tiny", "gpt2-f16", "llama-tiny", "llama-bf16-sharded", "qwen2-tiny", "bert-tiny", "roberta-tiny", "distilbert-tiny", "bart-tiny"}) {
        INFO(name);
        Expected<ModelPtr> m = model_load(fixture_files(fixture_path(""), name));
        REQUIRE(m.ok());
        CHECK((*m)->warnings.empty());
    }
}
