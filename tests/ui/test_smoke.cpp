// Smoke test of the app's frames on synthetic traces: sizes from tiny to T=256, causal or not, mouse
// swept over everything so tooltips, highlights and label paths all run. Failures are IM_ASSERTs
// (thrown), sanitizer reports, or a draw list too big for 16-bit indices.
#include <doctest/doctest.h>

#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "imgui_internal.h"

using namespace attn;

TEST_CASE("ui smoke: no model, no trace") {
    UiHarness ui(ImVec2(1024, 768));
    for (int i = 0; i < 3; ++i) CHECK_NOTHROW(ui.frame());
    CHECK(ui.textures.uploads == 0);
}

TEST_CASE("ui smoke: synthetic traces of many sizes") {
    const ImVec2 displays[] = {ImVec2(1024, 768), ImVec2(1920, 1080), ImVec2(320, 240)};
    const int lengths[] = {1, 2, 7, 64, 256};
    for (ImVec2 display : displays)
        for (int T : lengths)
            for (bool causal : {true, false}) {
                CAPTURE(display.x);
                CAPTURE(T);
                CAPTURE(causal);
                UiHarness ui(display);
                app_show_trace(ui.app, make_synthetic_trace(2, 4, T, causal), 0.5);
                bool hovered = false;
                CHECK_NOTHROW(hovered = sweep(ui, display, T >= 64 ? 5 : 9));
                if (display.x >= 1024 && T >= 7) CHECK(hovered);   // a 9x9 mouse grid can miss one small cell
                CHECK(ui.textures.uploads == 1);   // one upload per trace, not per frame
            }
}

TEST_CASE("ui smoke: layer and head changes re-upload, out-of-range selection is clamped") {
    UiHarness ui(ImVec2(1280, 800));
    app_show_trace(ui.app, make_synthetic_trace(3, 2, 12, true), 0.1);
    ui.frame();
    ui.app.selection.layer = 2;
    ui.app.selection.head = 1;
    ui.frame();
    CHECK(ui.textures.uploads == 2);
    ui.app.selection.layer = 99;
    ui.app.selection.head = -5;
    CHECK_NOTHROW(ui.frame());
    CHECK(ui.app.selection.layer == 2);
    CHECK(ui.app.selection.head == 0);
    app_show_trace(ui.app, make_synthetic_trace(1, 1, 3, false), 0.1);
    CHECK(ui.app.selection.layer == 0);
    CHECK_NOTHROW(ui.frame());
}

TEST_CASE("ui smoke: built-in font only (no system fonts)") {
    UiHarness ui(ImVec2(1024, 768), /*real_fonts=*/false);
    app_show_trace(ui.app, make_synthetic_trace(2, 2, 20, true), 0.2);
    CHECK(sweep(ui, ImVec2(1024, 768)));
}

TEST_CASE("ui smoke: the harness really catches a Begin/End mismatch") {
    UiHarness ui(ImVec2(640, 480));
    ImGui::NewFrame();
    ImGui::Begin("left open");
    CHECK_THROWS(ImGui::Render());
    ImGui::ErrorCheckEndFrameRecover(nullptr);
}
