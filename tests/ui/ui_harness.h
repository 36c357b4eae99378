// A headless ImGui for tests: context, display size, font atlas built (no GPU), IM_ASSERT turned
// into an exception, and a texture provider that checks what views hand it instead of uploading.
#pragma once
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>

#include <doctest/doctest.h>

#include "imgui.h"
#include "platform/file_io.h"
#include "tests/fixture_path.h"
#include "ui/app.h"
#include "ui/heatmap_cells.h"
#include "ui/texture_provider.h"

namespace attn {

struct NullTextures : TextureProvider {
    // What one slot was last asked for, and how often the GL provider would have re-sent its values
    // (key, shape or pooling changed) or re-coloured them (colormap or vmax changed too).
    struct SlotRecord {
        HeatmapImage image;           // image.values may point into a view's per-frame scratch: read `values`
        std::vector<float> values;    // (image.rows, image.cols) as last uploaded
        int uploads = 0;
        int colorings = 0;
        int texel_rows = 0, texel_cols = 0;   // after pooling
    };
    std::map<int, SlotRecord> slots;
    int uploads = 0;                 // the main heatmap's (slot kSlotHeatmap) uploads
    uint64_t last_key = ~0ull;       // the main heatmap's last key
    int calls = 0;

    ImTextureID heatmap_texture(int slot, const HeatmapImage& image) override {
        if (!image.values || image.rows <= 0 || image.cols <= 0) throw std::runtime_error("empty heatmap image");
        if (!(image.vmax > 0.0f)) throw std::runtime_error("heatmap vmax not positive");
        ++calls;
        auto found = slots.find(slot);
        const bool fresh = found == slots.end();
        SlotRecord& r = slots[slot];
        const bool new_values = fresh || r.image.key != image.key || r.image.rows != image.rows ||
                                r.image.cols != image.cols || r.image.max_side != image.max_side;
        if (new_values) {
            // Reading every cell is what the GL provider does; out-of-range views would fault here (ASan).
            for (int i = 0; i < image.rows * image.cols; ++i) {
                float v = image.values[i];
                const bool mark = image.texels && (v == kHeatmapMaskedTexel || v == kHeatmapBadTexel);   // made texels
                if (!(v >= 0.0f && v <= 1.0f) && !mark) throw std::runtime_error("heatmap value outside [0,1]");
            }
            r.values.assign(image.values, image.values + static_cast<size_t>(image.rows) * image.cols);
            std::vector<float> texels;
            heatmap_cells(image, &texels, &r.texel_rows, &r.texel_cols);
            ++r.uploads;
            if (slot == kSlotHeatmap) ++uploads;
        }
        if (new_values || r.image.colormap != image.colormap || r.image.vmax != image.vmax) ++r.colorings;
        r.image = image;
        if (slot == kSlotHeatmap) last_key = image.key;
        return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(100 + slot));
    }
};

inline void throw_on_imgui_assert(const char* expression, const char* file, int line) {
    throw std::runtime_error(std::string("IM_ASSERT(") + expression + ") at " + file + ":" + std::to_string(line));
}

// Real fonts when this machine has them (so CJK merging and label escapes are exercised), else none.
// Read once: every harness shares the bytes (reading 6 MB per harness was a tenth of the UI tests' page faults).
inline std::vector<FontFile> test_fonts() {
    static const std::vector<FontFile> fonts = [] {
        std::vector<FontFile> read;
        struct { FontFile::Role role; const char* path; } wanted[] = {
            {FontFile::primary, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"},
            {FontFile::cjk, "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"},
        };
        for (auto& w : wanted) {
            Expected<Bytes> bytes = file_read(w.path);
            if (bytes) read.push_back(FontFile{w.role, w.path, std::make_shared<const Bytes>(std::move(*bytes))});
        }
        return read;
    }();
    return fonts;
}

class UiHarness {
public:
    explicit UiHarness(ImVec2 display, bool real_fonts = true) {
        previous_ = imgui_set_assert_handler(throw_on_imgui_assert);
        ImGui::CreateContext();
        AppConfig config;
        if (real_fonts) config.fonts = test_fonts();
        config.textures = &textures;
        app_init(app, std::move(config));
        // An edit is traced before app_set_text returns, however slow the machine: with the app's 50 ms an
        // ASan build on a busy machine turned some edits into stepped traces, and a test read the old trace.
        // test_trace_job.cpp sets it back to test the stepped path.
        app.trace_step_above_ms = 1e9;
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = display;
        io.DeltaTime = 1.0f / 60.0f;
        // Deliberately no ImGuiBackendFlags_RendererHasVtxOffset: WebGL's backend lacks it, so a draw
        // list past 65535 vertices must fail here, not in the browser.
        build_font_texture();
    }
    // The atlas built as frame_render builds it, but with no GPU texture to fill, its pixels stay 8-bit:
    // the 32-bit copy was an eighth of the UI tests' page faults (a software picture asks for it itself).
    static void build_font_texture() {
        ImGuiIO& io = ImGui::GetIO();
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsAlpha8(&pixels, &w, &h);
        io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(1)));
    }
    ~UiHarness() {
        app_shutdown(app);
        ImGui::DestroyContext();
        imgui_set_assert_handler(previous_);
    }
    UiHarness(const UiHarness&) = delete;
    UiHarness& operator=(const UiHarness&) = delete;

    // One full frame with the mouse at `mouse`; returns the largest draw list's vertex count.
    int frame(ImVec2 mouse = ImVec2(-1.0f, -1.0f)) {
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = mouse;
        if (app.fonts_dirty) {   // what frame_render does, minus the GL texture
            app_rebuild_fonts(app);
            build_font_texture();
        }
        ImGui::NewFrame();
        app_frame(app);
        ImGui::Render();
        int most = 0;
        ImDrawData* dd = ImGui::GetDrawData();
        for (int i = 0; i < dd->CmdListsCount; ++i) most = std::max(most, dd->CmdLists[i]->VtxBuffer.Size);
        app_after_render(app);
        return most;
    }

    // A left click at `at`: one frame with the button down, one with it up.
    void click(ImVec2 at) {
        ImGuiIO& io = ImGui::GetIO();
        io.MouseDown[0] = true;
        frame(at);
        io.MouseDown[0] = false;
        frame(at);
    }

    // tests/fixtures/<name> through app_load_model, as the desktop app loads a folder; the test stops
    // here when it does not load or trace.
    void load_fixture(const char* name) {
        Expected<FileSet> files = folder_read(fixture_path(name));
        REQUIRE_MESSAGE(files.ok(), files.error().message);
        REQUIRE_MESSAGE(app_load_model(app, *files, name), app.load_error);
        REQUIRE_MESSAGE(app.trace_error.empty(), app.trace_error);
    }

    NullTextures textures;
    App app;

private:
    ImGuiAssertHandler previous_ = nullptr;
};

// Frames with the mouse at the middles of a steps x steps grid over the display, each under 64 K
// vertices; returns whether any frame hovered a heatmap cell.
inline bool sweep(UiHarness& ui, ImVec2 display, int steps = 9) {
    bool hovered_cell = false;
    for (int iy = 0; iy < steps; ++iy)
        for (int ix = 0; ix < steps; ++ix) {
            CHECK(ui.frame(ImVec2(display.x * (ix + 0.5f) / steps, display.y * (iy + 0.5f) / steps)) < 65536);
            hovered_cell = hovered_cell || (ui.app.selection.hover_query >= 0 && ui.app.selection.hover_key >= 0);
        }
    return hovered_cell;
}

// A number as the lessons print it: two decimals.
inline std::string two_decimals(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(v));
    return buf;
}

// The middle of a widget's rectangle {x, y, w, h} (as widget_marks records it): where a test clicks.
inline ImVec2 center(const std::array<float, 4>& r) { return ImVec2(r[0] + r[2] * 0.5f, r[1] + r[3] * 0.5f); }

}  // namespace attn
