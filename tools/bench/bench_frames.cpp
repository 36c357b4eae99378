// Frame-time benchmark of the explorer's views on a synthetic 12-layer x 12-head trace at 1600x1000:
// per view and T, the UI build (NewFrame + app_frame + Render, textures cached), the heatmap texture
// colouring a new trace costs (CPU provider; the GL build does this in a shader), and the software
// rasteriser drawing that frame; and on a new trace, the longest frame until what is computed in steps
// (the grid's tiles, the head statistics, the similarity) is in; and the flow view with the pointer moving
// along its top row (a new output token in focus each frame). Prints a table; asserts nothing.
//   bench_frames [frames] [view] [T]   (default 20 frames per cell, every view, T = 64, 256, 512, 1024)
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/huge_pages.h"
#include "imgui.h"
#include "platform/file_io.h"
#include "tests/ui/synthetic_trace.h"
#include "ui/app.h"
#include "ui/cpu_heatmap.h"
#include "ui/heatmap_cells.h"
#include "ui/picture.h"
#include "ui/soft_raster.h"

using namespace attn;

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

std::vector<FontFile> bench_fonts() {
    std::vector<FontFile> fonts;
    const std::pair<FontFile::Role, const char*> wanted[] = {
        {FontFile::primary, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"},
        {FontFile::cjk, "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"}};
    for (const auto& w : wanted)
        if (Expected<Bytes> b = file_read(w.second)) fonts.push_back(FontFile{w.first, w.second, std::make_shared<const Bytes>(std::move(*b))});
    return fonts;
}

}  // namespace

int main(int argc, char** argv) {
    attn::heap_setup();   // as the desktop app does (core/huge_pages.h)
    const int frames = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
    const std::string only_view = argc > 2 ? argv[2] : "";   // one view (main_view_name), to profile it
    const int only_T = argc > 3 ? std::atoi(argv[3]) : 0;
    const int W = 1600, H = 1000, L = 12, NH = 12;

    ImGui::CreateContext();
    SoftTextures textures;
    CpuHeatmapTextures heatmaps(&textures);
    AppConfig config;
    config.fonts = bench_fonts();
    config.textures = &heatmaps;
    App app;
    app_init(app, std::move(config));
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(W), static_cast<float>(H));
    io.DeltaTime = 1.0f / 60.0f;
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;   // as the desktop GL backend
    unsigned char* atlas = nullptr;
    int atlas_w = 0, atlas_h = 0;
    io.Fonts->GetTexDataAsRGBA32(&atlas, &atlas_w, &atlas_h);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(1)));
    textures.set(io.Fonts->TexID, SoftTexture{atlas, atlas_w, atlas_h, SoftFilter::linear});

    // Warm up first: the first frame ever builds the font atlas and, in WebAssembly, runs baseline code
    // before the optimised code is in. A user's new trace comes to a running app.
    app_show_trace(app, make_synthetic_trace(L, NH, 16, true), 0.0);
    for (MainView view : kMainViews) {
        app.main_view = view;
        for (int warm = 0; warm < 3; ++warm) {
            ImGui::NewFrame();
            app_frame(app);
            ImGui::Render();
        }
    }

    std::printf("views at %dx%d, synthetic %dx%d trace, %d frames per cell (ms per frame; mean)\n", W, H, L, NH, frames);
    std::printf("%-8s %5s  %10s  %10s  %9s\n", "view", "T", "ui build", "raster", "vertices");
    for (int T : {64, 256, 512, 1024}) {
        if (only_T > 0 && T != only_T) continue;
        app_show_trace(app, make_synthetic_trace(L, NH, T, true), 0.0);
        app.selection.layer = 5;
        app.selection.head = 3;
        // Colouring a new head's texture: what a trace or selection change costs once.
        HeatmapImage image;
        image.values = app.trace.attentions.head(5, 3);
        image.rows = image.cols = T;
        image.causal = true;
        std::vector<uint8_t> rgba(static_cast<size_t>(T) * T * 4);
        std::vector<float> texels;
        int rows = 0, cols = 0;
        auto colour_start = Clock::now();
        for (int i = 0; i < frames; ++i) {
            heatmap_cells(image, &texels, &rows, &cols);
            heatmap_colorize(texels.data(), rows, cols, Colormap::viridis, 1.0f, rgba.data());
        }
        const double colour_ms = ms_since(colour_start) / frames;
        std::printf("%-8s %5d  texture colouring on a new trace: %.3f ms per head, %.1f ms for all %d heads\n",
                    "colour", T, colour_ms, colour_ms * L * NH, L * NH);

        // A new trace: the longest frame until the head statistics (and in the similarity view the
        // similarity, at T <= 256 only: 10,296 pairs of heads take half a minute at T = 1024) are in.
        for (MainView view : {MainView::heatmap, MainView::grid, MainView::lines, MainView::flow, MainView::similarity}) {
            if (!only_view.empty() && only_view != main_view_name(view)) continue;
            if (view == MainView::similarity && T > 256) continue;
            app.main_view = view;
            app_show_trace(app, make_synthetic_trace(L, NH, T, true), 0.0);
            double longest = 0.0;
            int n = 0, longest_at = 0;
            const auto all = Clock::now();
            do {
                const auto start = Clock::now();
                ImGui::NewFrame();
                app_frame(app);
                ImGui::Render();
                if (ms_since(start) > longest) longest_at = n;
                longest = std::max(longest, ms_since(start));
                ++n;
            } while (app_view_pending(app) && n < 1000000);
            std::printf("%-8s %5d  new trace: longest frame %.1f ms (frame %d), %d frames (%.0f ms) until %s in\n",
                        main_view_name(view), T, longest, longest_at + 1, n, ms_since(all),
                        view == MainView::similarity ? "statistics and similarity are"
                        : view == MainView::flow ? "the flow graph and head statistics are"
                        : view == MainView::grid ? "tiles and head statistics are" : "head statistics are");
        }

        for (MainView view : kMainViews) {
            if (!only_view.empty() && only_view != main_view_name(view)) continue;
            if (view == MainView::similarity && T > 256) continue;   // its job alone is half a minute (above)
            app.main_view = view;
            // Layout settles, textures get coloured once, the head statistics job finishes.
            for (int warm = 0; warm < 2 || app_view_pending(app); ++warm) {
                ImGui::NewFrame();
                app_frame(app);
                ImGui::Render();
            }
            double ui_ms = 0.0, raster_ms = 0.0;
            int vertices = 0;
            SoftImage img = soft_image_make(W, H, ImGui::GetColorU32(ImGuiCol_WindowBg, 1.0f));
            for (int i = 0; i < frames; ++i) {
                io.MousePos = ImVec2(W * 0.55f, H * (0.2f + 0.6f * i / frames));   // hover sweeps the view
                auto start = Clock::now();
                ImGui::NewFrame();
                app_frame(app);
                ImGui::Render();
                ui_ms += ms_since(start);
                vertices = ImGui::GetDrawData()->TotalVtxCount;
                start = Clock::now();
                soft_raster(*ImGui::GetDrawData(), textures, img);
                raster_ms += ms_since(start);
            }
            std::printf("%-8s %5d  %10.3f  %10.3f  %9d\n", main_view_name(view), T, ui_ms / frames, raster_ms / frames,
                        vertices);
            if (view == MainView::flow && !app.widgets.flow_top.empty()) {
                // The mouse along the top row: a new output token in focus every frame (its lit paths,
                // importances and edges), as a user runs the pointer over the tokens.
                const std::vector<std::array<float, 4>> top = app.widgets.flow_top;
                double sum = 0.0, most = 0.0;
                for (int i = 0; i < frames; ++i) {
                    const std::array<float, 4>& r = top[static_cast<size_t>(i) * top.size() / frames];
                    io.MousePos = ImVec2(r[0] + r[2] * 0.5f, r[1] + r[3] * 0.5f);
                    const auto start = Clock::now();
                    ImGui::NewFrame();
                    app_frame(app);
                    ImGui::Render();
                    sum += ms_since(start);
                    most = std::max(most, ms_since(start));
                }
                std::printf("%-8s %5d  hovering a new output token each frame: %.1f ms per frame, longest %.1f ms\n",
                            main_view_name(view), T, sum / frames, most);
            }
        }
    }
    app_shutdown(app);
    ImGui::DestroyContext();
    return 0;
}
