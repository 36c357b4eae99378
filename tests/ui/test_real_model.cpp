// Smoke test on real traces: the gpt2-tiny fixture loaded through the same app_load_model /
// app_set_text path the desktop and web apps use, with texts that stress labels and the context limit.
#include <doctest/doctest.h>

#include "model/body.h"
#include "model/weight_pack.h"
#include "platform/file_io.h"
#include "tests/fixture_path.h"
#include "tests/ui/ui_harness.h"

using namespace attn;

TEST_CASE("ui smoke: real gpt2-tiny traces") {
    const ImVec2 display(1280, 800);
    UiHarness ui(display);
    ui.app.text = "The animal didn't cross the street because it was too tired.";
    ui.load_fixture("gpt2-tiny");
    REQUIRE(ui.app.has_trace);
    CHECK(ui.app.model->info().n_layer == 2);
    // The app packs the layer weights for its retraces (model/weight_pack.h), a matrix or more a frame
    // once the model shows, not in the load: natively into a second copy, in the page in place.
    const Body& body = *ui.app.model->network->body();
    CHECK(body.packed.matrices == 0);
    CHECK(body.blocks[0].attn.qkv.w.view.packed == nullptr);
    const double budget = ui.app.trace_budget_ms;
    ui.app.trace_budget_ms = 0.0;   // no time left in a frame: still one matrix a frame
    ui.frame();
    CHECK(body.packed.matrices == 1);
    CHECK(body.blocks[0].attn.qkv.w.view.packed != nullptr);
    CHECK(body.blocks[1].ffn.fc2.w.view.packed == nullptr);
    ui.frame();
    CHECK(body.packed.matrices == 2);
    ui.app.trace_budget_ms = budget;
    for (int i = 0; i < 20; ++i) ui.frame();
    CHECK(body.packed.matrices == 8);   // 2 blocks x (qkv, out, fc1, fc2)
    CHECK(body.blocks[1].ffn.fc2.w.view.packed != nullptr);
    CHECK(ui.app.packed_network == ui.app.model->network.get());
#if defined(__EMSCRIPTEN__)
    CHECK(body.packed.panels.empty());   // in place: no second copy
    CHECK(ui.app.model->network->packed_in_place() == 8);
#else
    CHECK(ui.app.model->network->packed_in_place() == 0);
#endif
    CHECK(ui.app.trace.attentions.n_layer == 2);
    CHECK(ui.app.trace.tokens.size() > 5);
    CHECK(ui.app.trace_error.empty());
    sweep(ui, display, 7);

    const char* texts[] = {
        "x",
        ("Unicode: na\xC3\xAFve caf\xC3\xA9, \xCE\xB1\xCE\xB2\xCE\xB3, \xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, "
         "\xE6\xB3\xA2\xE7\x8C\xAB, emoji \xF0\x9F\x98\x80\n\ttabs and newlines"),
        "",
    };
    for (const char* text : texts) {
        CAPTURE(text);
        app_set_text(ui.app, text);
        CHECK_NOTHROW(sweep(ui, display, 7));
    }

    std::string long_text;
    for (int i = 0; i < 200; ++i) long_text += "word" + std::to_string(i) + " ";
    app_set_text(ui.app, long_text);
    CHECK(ui.app.truncated);
    CHECK(ui.app.trace.tokens.size() == ui.app.model->info().n_ctx);
    CHECK_NOTHROW(sweep(ui, display, 7));
}

TEST_CASE("ui smoke: a broken model leaves the loaded one in place") {
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "Hello world";
    ui.load_fixture("gpt2-tiny");
    FileSet broken;
    broken.add("config.json", bytes_from_string("{\"model_type\": \"gpt2\", \"n_layer\": "));
    CHECK_FALSE(app_load_model(ui.app, broken, "broken"));
    CHECK(ui.app.load_error.find("broken") != std::string::npos);
    CHECK(ui.app.model_name == "gpt2-tiny");
    app_set_text(ui.app, "Still works");
    CHECK(ui.app.has_trace);
    CHECK_NOTHROW(ui.frame());
}
