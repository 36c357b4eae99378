// The app core shared by the desktop window and the web page: the loaded model, the current text and
// trace, the selection, and the per-frame layout of the views. The platform layer owns the window,
// GL and the ImGui backends; it calls these between ImGui::NewFrame() and ImGui::Render().
//
//   ImGui::CreateContext();
//   App app;
//   app_init(app, AppConfig{fonts, 16.0f, &gl_textures});
//   app_load_model(app, files, "gpt2-tiny");     // false: app.load_error says why, old model kept
//   app_set_text(app, "The animal didn't cross the street");
//   each frame: ImGui::NewFrame(); app_frame(app); ImGui::Render();
//   app_shutdown(app);
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/file_set.h"
#include "model/model.h"
#include "model/trace.h"
#include "ui/selection.h"
#include "ui/texture_provider.h"

namespace attn {

// TrueType bytes the platform read (from /usr/share/fonts natively, from the preloaded package on
// the web). The app never opens files itself.
struct FontFile {
    enum Role { primary, cjk };
    Role role = primary;
    std::string name;
    Bytes bytes;
};

struct AppConfig {
    std::vector<FontFile> fonts;       // none: ImGui's built-in font (ASCII only)
    float font_size = 16.0f;
    TextureProvider* textures = nullptr;
};

struct App {
    AppConfig config;                  // fonts are kept here: the atlas points into them

    ModelPtr model;                    // null until a model loads
    std::string model_name;

    std::string text;
    int text_generation = 0;           // bumps when text is replaced from outside the text box
    Trace trace;                       // the current trace of `text`
    uint64_t trace_version = 0;        // bumps on every new trace (texture cache key)
    bool has_trace = false;
    bool truncated = false;
    double trace_ms = -1.0;

    std::string load_error;            // last failed model load (cleared by a good one)
    std::string trace_error;           // last failed trace (cleared by a good one)
    Selection selection;
};

void app_init(App& app, AppConfig config);
void app_frame(App& app);
void app_shutdown(App& app);

// Replaces the model only when `files` load; otherwise sets app.load_error and keeps the previous one.
bool app_load_model(App& app, const FileSet& files, const std::string& name);
// Sets the text and re-runs the model on it (when one is loaded).
void app_set_text(App& app, const std::string& text);
// Installs a trace made elsewhere (the model, or a test's synthetic trace).
void app_show_trace(App& app, Trace trace, double trace_ms);

}  // namespace attn
