// Desktop entry point: GLFW window + GL 3.3 core, ImGui backends, and the loop that drives
// app_frame. Model files are read here (folder_read) and handed to the app as a FileSet.
//   attnscope [--model DIR] [--text TEXT] [--target TEXT] [--kind self|decoder|cross] [--next N]
//             [--view NAME (heatmap, grid, lines, flow, attributions, lens, activations)] [--state FRAGMENT] [--size WxH] [--font-size N]
//             [--screenshot FILE.png --frames N]
// The model picker lists the bundled models (ui/bundled_models.h: the zoo, then the test fixtures); the
// default model is the first of them.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#include "core/huge_pages.h"
#include "core/parallel.h"
#include "platform/file_io.h"
#include "platform/fonts.h"
#include "platform/frame.h"
#include "platform/gl.h"
#include "platform/gl_heatmap.h"
#include "platform/screenshot.h"
#include "ui/app.h"
#include "ui/app_train.h"
#include "ui/app_interventions.h"
#include "ui/app_checks.h"
#include "ui/bundled_models.h"
#include "ui/url_state.h"

namespace {

struct Options {
    std::string model_dir;    // empty: the default bundled model
    std::string text = "The animal didn't cross the street because it was too tired.";
    bool text_given = false;  // --text: the user's text wins over a zoo model's example
    std::string target;       // encoder-decoder models: the decoder's text
    std::string kind;         // "", "self", "decoder" or "cross": the attention shown first
    attn::MainView view = attn::MainView::heatmap;   // --view: the main view shown first
    std::string state;        // a web link's #fragment (view, layer, head, theme, font, text, ...)
    attn::Colormap colormap = attn::Colormap::viridis;
    bool auto_scale = false;
    int pin = -1;             // --pin: query row pinned first (the inspector's token)
    int next = 0;             // Next token steps to take before showing (screenshots of generation)
    std::string screenshot;   // empty: interactive
    int frames = 10;          // frames to render before the screenshot
    int width = 1280, height = 800;
    int font_size = 0;        // --font-size: the user's size; 0: it grows with the window
    std::string intervene;    // --intervene: the page's attnscope.intervene() request, as JSON
    std::string checks;       // --checks: a built-in check suite run at start (the checks view's Run)
    std::string train;        // --train: a task the Train panel starts training at start
    int train_steps = 0;      // --train-steps: steps run at once, then paused (screenshots)
};

// The first bundled model (a zoo model when there is one; see ui/bundled_models.h).
std::string default_model_dir() {
    const attn::BundledModel* m = attn::bundled_model_default(attn::bundled_models());
    return m ? m->dir : std::string();
}

void usage() {
    std::fprintf(stderr,
                 "usage: attnscope [--model DIR] [--text TEXT] [--target TEXT] [--kind self|decoder|cross]\n"
                 "                 [--next N] [--view heatmap|grid|lines|flow|attributions|lens|activations] [--colormap NAME] [--auto-scale on|off]\n"
                 "                 [--pin ROW] [--state FRAGMENT] [--size WxH] [--font-size N] [--screenshot FILE.png [--frames N]]\n"
                 "                 [--intervene JSON]\n"
                 "  --model DIR       model folder (config.json, model.safetensors, tokenizer.json);\n"
                 "                    default: %s\n"
                 "  --target TEXT     encoder-decoder models: the target the decoder reads\n"
                 "  --kind KIND       attention shown first: self, decoder or cross (encoder-decoder)\n"
                 "  --next N          press Next token N times before showing\n"
                 "  --view VIEW       main view shown first: heatmap (default), grid, lines, flow, attributions, lens,\n"
                 "                    activations, heads, similarity, patching, checks or explain\n"
                 "  --state FRAGMENT  a web link's #fragment, e.g. 'theme=light&font=24&layer=1&head=2'\n"
                 "  --colormap NAME   viridis (default), plasma, magma, inferno, cividis or greys\n"
                 "  --auto-scale on   colours span 0 to each head's largest weight instead of 0 to 1\n"
                 "  --pin ROW         pin token ROW (0-based): the inspector describes it, the flow view lights its paths\n"
                 "  --font-size N     text size in pixels (12-32 for projectors); default: grows with the window\n"
                 "  --screenshot FILE render N frames (default 10), save the window as PNG and exit\n"
                 "  --intervene JSON  interventions as the page's attnscope.intervene() takes them, e.g.\n"
                 "                    '{\"ablate\":[{\"layer\":1,\"head\":2,\"mode\":\"mean\"}],\"mask\":[3]}'\n"
                 "  --checks SUITE    run a built-in check suite at start (coreference, agreement, ...)\n"
                 "  --train TASK      start training TASK in the Train panel (induction, agreement, ...)\n"
                 "  --train-steps N   with --train: run N steps at once, then pause (for screenshots)\n",
                 default_model_dir().c_str());
}

bool parse(int argc, char** argv, Options* o) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        bool has_value = i + 1 < argc;
        if (a == "--help" || a == "-h") return false;
        if (!has_value) {
            std::fprintf(stderr, "attnscope: %s needs a value\n", a.c_str());
            return false;
        }
        std::string v = argv[++i];
        if (a == "--model") o->model_dir = v;
        else if (a == "--text") {
            o->text = v;
            o->text_given = true;
        }
        else if (a == "--target") o->target = v;
        else if (a == "--kind") {
            if (v != "self" && v != "decoder" && v != "cross") {
                std::fprintf(stderr, "attnscope: --kind wants self, decoder or cross\n");
                return false;
            }
            o->kind = v;
        } else if (a == "--view") {
            if (!attn::main_view_from_name(v, &o->view)) {
                std::fprintf(stderr, "attnscope: --view wants one of %s\n", attn::main_view_names().c_str());
                return false;
            }
        } else if (a == "--state") {
            o->state = v;
        } else if (a == "--colormap") {
            if (!attn::colormap_from_name(v, &o->colormap)) {
                std::fprintf(stderr, "attnscope: --colormap wants viridis, plasma, magma, inferno, cividis or greys\n");
                return false;
            }
        } else if (a == "--auto-scale") o->auto_scale = v == "on" || v == "1" || v == "true";
        else if (a == "--pin") o->pin = std::atoi(v.c_str());
        else if (a == "--next") o->next = std::max(0, std::atoi(v.c_str()));
        else if (a == "--screenshot") o->screenshot = v;
        else if (a == "--intervene") o->intervene = v;
        else if (a == "--checks") o->checks = v;
        else if (a == "--train") o->train = v;
        else if (a == "--train-steps") o->train_steps = std::max(0, std::atoi(v.c_str()));
        else if (a == "--frames") o->frames = std::max(1, std::atoi(v.c_str()));
        else if (a == "--font-size") {
            o->font_size = std::atoi(v.c_str());
            if (o->font_size < 8 || o->font_size > 64) {
                std::fprintf(stderr, "attnscope: --font-size wants a size in pixels, e.g. 24\n");
                return false;
            }
        }
        else if (a == "--size") {
            if (std::sscanf(v.c_str(), "%dx%d", &o->width, &o->height) != 2 || o->width < 64 || o->height < 64) {
                std::fprintf(stderr, "attnscope: --size wants WxH, e.g. 1280x800\n");
                return false;
            }
        } else {
            std::fprintf(stderr, "attnscope: unknown option %s\n", a.c_str());
            return false;
        }
    }
    return true;
}

std::string base_name(std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string parent_dir(std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

// Reads a model folder and loads it; on failure (false) the message lands in the status bar.
bool load_folder(attn::App& app, const std::string& dir, const std::string& name) {
    attn::Expected<attn::FileSet> files = attn::folder_read(dir);
    if (!files) {
        app.load_error = "cannot load model " + name + ": " + files.error().message;
        std::fprintf(stderr, "attnscope: %s\n", app.load_error.c_str());
        return false;
    }
    if (attn::app_load_model(app, *files, name)) return true;
    std::fprintf(stderr, "attnscope: %s\n", app.load_error.c_str());
    return false;
}

// Exports land in the current folder; an existing file is never overwritten (name-1.png, ...).
attn::Expected<std::string> save_export(const std::string& name, const attn::Bytes& bytes) {
    std::string path = name;
    size_t dot = name.find_last_of('.');
    for (int i = 1; std::filesystem::exists(path) && i < 1000; ++i)
        path = name.substr(0, dot) + "-" + std::to_string(i) + (dot == std::string::npos ? "" : name.substr(dot));
    attn::Expected<bool> written = attn::file_write_atomic(path, bytes);
    if (!written) return written.error();
    std::error_code ec;
    std::filesystem::path full = std::filesystem::absolute(path, ec);
    return "saved " + (ec ? path : full.string());
}

// The Train panel's Save model: a new folder in the current folder (name-1, ... when it exists), the
// files tools/train writes.
attn::Expected<std::string> save_folder(const std::string& name, const attn::FileSet& files) {
    std::string dir = name;
    for (int i = 1; std::filesystem::exists(dir) && i < 1000; ++i) dir = name + "-" + std::to_string(i);
    std::error_code ec;
    if (!std::filesystem::create_directories(dir, ec) || ec)
        return attn::make_error("cannot create folder " + dir + ": " + ec.message());
    for (const auto& [file, bytes] : files.files) {
        attn::Expected<bool> written = attn::file_write_atomic(dir + "/" + file, *bytes);
        if (!written) return written.error();
    }
    std::filesystem::path full = std::filesystem::absolute(dir, ec);
    return "saved the model in " + (ec ? dir : full.string());
}

attn::App* g_drop_target = nullptr;   // GLFW's drop callback carries no user data we may use

// A folder or model files dropped onto the window: loaded like the picker's models, errors in the status bar.
void on_drop(GLFWwindow*, int count, const char** paths) {
    if (!g_drop_target || count <= 0) return;
    std::vector<std::string> list(paths, paths + count);
    attn::Expected<attn::FileSet> files = attn::files_read(list);
    if (!files) {
        g_drop_target->load_error = "cannot load the dropped files: " + files.error().message;
        std::fprintf(stderr, "attnscope: %s\n", g_drop_target->load_error.c_str());
        return;
    }
    std::string label = base_name(files->label);
    if (!attn::app_load_model(*g_drop_target, *files, label))
        std::fprintf(stderr, "attnscope: %s\n", g_drop_target->load_error.c_str());
    else
        attn::app_mark_model_from_disk(*g_drop_target);
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    if (!parse(argc, argv, &opt)) {
        usage();
        return 2;
    }
    attn::heap_setup();   // each retrace reuses the last one's memory; a load faults in 2 MB pages (huge_pages.h)
    attn::set_thread_count(attn::default_thread_count());   // the forward pass's kernels (ATTN_THREADS overrides)
    glfwSetErrorCallback([](int code, const char* message) { std::fprintf(stderr, "GLFW error %d: %s\n", code, message); });
    if (!glfwInit()) return 1;
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    GLFWwindow* window = glfwCreateWindow(opt.width, opt.height, "AttnScope", nullptr, nullptr);
    if (!window) {
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(opt.screenshot.empty() ? 1 : 0);   // capture runs as fast as it can

    ImGui::CreateContext();
    attn::GlHeatmapRenderer heatmaps;
    std::string error;
    if (!heatmaps.init(&error)) {
        std::fprintf(stderr, "attnscope: %s\n", error.c_str());
        return 1;
    }
    float scale = 1.0f;
    glfwGetWindowContentScale(window, &scale, nullptr);
    attn::AppConfig config;
    config.fonts = attn::fonts_read_default();
    config.font_size = 16.0f * (scale > 0.5f ? scale : 1.0f);
    config.textures = &heatmaps;
    if (opt.model_dir.empty()) opt.model_dir = default_model_dir();
    const std::string models_dir = parent_dir(opt.model_dir);
    const std::vector<attn::BundledModel>& bundled = attn::bundled_models();
    for (const attn::BundledModel& m : bundled) {
        config.bundled_models.push_back(m.name);
        config.model_labels.push_back(attn::bundled_model_label(m));
        // The explicit mark for random weights: the test fixtures are random models; the zoo is trained.
        if (!m.zoo) config.random_models.push_back(m.name);
    }
    attn::App app;
    // The picker's models and links name bundled models; their folders are where the build found them.
    auto load_bundled = [&app, &bundled](const std::string& name) {
        const attn::BundledModel* m = attn::bundled_model_find(bundled, name);
        if (m) return load_folder(app, m->dir, name);
        app.load_error = "cannot load model " + name + ": not one of the bundled models";
        return false;
    };
    config.request_model = [load_bundled](const std::string& name) { load_bundled(name); };
    config.list_folders = [](const std::string& dir) { return attn::subfolders(dir); };
    config.is_model_folder = [](const std::string& dir) { return std::filesystem::exists(dir + "/config.json"); };
    // The Open model prompt reads any folder on disk: a link cannot carry it (the picker's can).
    config.load_folder = [&app](const std::string& dir) {
        if (load_folder(app, dir, base_name(dir))) attn::app_mark_model_from_disk(app);
    };
    config.save_file = save_export;
    config.save_folder = save_folder;
    attn::app_init(app, std::move(config));
    app.probe_in_steps_above_params = attn::kProbeInStepsAboveParams;   // a large model shows first
    app.folder_prompt.dir = models_dir;
    g_drop_target = &app;
    glfwSetDropCallback(window, on_drop);
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");

    app.text = opt.text;
    app.target = opt.target;
    // A zoo model opens on its card's example and featured head unless the user gave a text (--text, or
    // text= in --state). A state without one used to keep the default English sentence, which a zoo
    // model's vocabulary reads as <unk>s; the state is applied on top, so its view, layer and head win.
    if (!opt.text_given && !attn::url_state_parse(opt.state).text) app.open_card_for = base_name(opt.model_dir);
    load_folder(app, opt.model_dir, base_name(opt.model_dir));
    if (app.model && app.model->info().encoder_decoder && !opt.kind.empty())
        app.selection.kind = opt.kind == "decoder" ? attn::AttentionKind::decoder
                             : opt.kind == "cross" ? attn::AttentionKind::cross
                                                   : attn::AttentionKind::self;
    app.main_view = opt.view;
    if (opt.font_size > 0) attn::app_set_font_size(app, static_cast<float>(opt.font_size));
    app.selection.colormap = opt.colormap;
    app.selection.auto_scale = opt.auto_scale;
    app.selection.pinned_query = opt.pin;
    app.flow.pinned = opt.pin;   // the flow view lights the same token's paths
    if (!opt.state.empty()) {
        attn::UrlState st = attn::url_state_parse(opt.state);
        if (st.model && *st.model != app.model_name && attn::bundled_model_find(bundled, *st.model))
            load_bundled(*st.model);
        attn::app_apply_url_state(app, st);
    }
    if (!opt.checks.empty()) {
        attn::Expected<std::string> ran = attn::app_checks_probe(app, opt.checks);
        if (!ran) std::fprintf(stderr, "attnscope: --checks: %s\n", ran.error().message.c_str());
    }
    for (int i = 0; i < opt.next; ++i)
        if (!attn::app_next_token(app)) std::fprintf(stderr, "attnscope: Next token: %s\n", app.step_error.c_str());
    if (!opt.intervene.empty()) {
        const std::string r = attn::app_intervene_json(app, opt.intervene);
        if (r.find("\"error\"") != std::string::npos) std::fprintf(stderr, "attnscope: --intervene: %s\n", r.c_str());
    }

    if (!opt.train.empty()) {
        if (!attn::app_train_start(app, opt.train)) std::fprintf(stderr, "attnscope: --train: %s\n", app.train.error.c_str());
        if (opt.train_steps > 0) {
            attn::app_train_steps(app, opt.train_steps);
            attn::app_train_pause(app);
        }
    }

    int rc = 0;
    for (int frame = 1; !glfwWindowShouldClose(window); ++frame) {
        int fb_w = 0, fb_h = 0;
        attn::frame_render(window, app, &fb_w, &fb_h);
        if (!opt.screenshot.empty() && frame >= opt.frames) {
            if (attn::screenshot_save_png(opt.screenshot, fb_w, fb_h, &error)) {
                std::printf("attnscope: saved %s (%dx%d)\n", opt.screenshot.c_str(), fb_w, fb_h);
                // What the picture shows, for scripts (tests/ui/native_screenshot.sh) that check the start-up.
                std::printf("attnscope: showing %s, layer %d head %d, card %s\n", app.model_name.c_str(),
                            app.selection.layer, app.selection.head,
                            app.card.present ? (app.card.error.empty() ? app.card.card.task.c_str() : "unreadable") : "none");
            } else {
                std::fprintf(stderr, "attnscope: %s\n", error.c_str());
                rc = 1;
            }
            break;
        }
        glfwSwapBuffers(window);
    }

    attn::app_shutdown(app);
    heatmaps.shutdown();
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return rc;
}
