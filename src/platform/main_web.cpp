// Web entry point: GLFW on a WebGL 2 canvas (emscripten), the main loop, and the small C API that
// web/attnscope.js wraps as window.attnscope. The page fetches model files and writes them straight
// into buffers allocated here; this file never fetches anything itself.
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>

#include <cstdint>
#include <string>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <nlohmann/json.hpp>

#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#include "platform/fonts.h"
#include "platform/gl.h"
#include "platform/gl_heatmap.h"
#include "ui/app.h"
#include "ui/token_label.h"

namespace {

GLFWwindow* g_window = nullptr;
attn::GlHeatmapRenderer g_heatmaps;
attn::App g_app;
attn::FileSet g_pending;      // files the page is handing over for the next model load
std::string g_state_json;     // storage behind attn_web_state_json's return value

// The canvas fills the page (CSS); keep the GL drawing buffer the same size as its CSS box.
void fit_canvas() {
    double css_w = 0, css_h = 0;
    if (emscripten_get_element_css_size("#canvas", &css_w, &css_h) != EMSCRIPTEN_RESULT_SUCCESS) return;
    int w = 0, h = 0;
    glfwGetWindowSize(g_window, &w, &h);
    if (static_cast<int>(css_w) != w || static_cast<int>(css_h) != h)
        glfwSetWindowSize(g_window, static_cast<int>(css_w), static_cast<int>(css_h));
}

void frame() {
    fit_canvas();
    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    attn::app_frame(g_app);
    ImGui::Render();
    int fb_w = 0, fb_h = 0;
    glfwGetFramebufferSize(g_window, &fb_w, &fb_h);
    glViewport(0, 0, fb_w, fb_h);
    glClearColor(0.08f, 0.08f, 0.09f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

}  // namespace

extern "C" {

// Returns a buffer of `size` bytes for file `name` of the next model; the page copies the file in.
EMSCRIPTEN_KEEPALIVE uint8_t* attn_web_file_buffer(const char* name, int size) {
    if (size < 0) return nullptr;
    auto bytes = std::make_shared<attn::Bytes>(static_cast<size_t>(size));
    uint8_t* data = bytes->data();
    g_pending.add(name, attn::SharedBytes(std::move(bytes)));
    return data;
}

// Loads the files handed over so far as a model. 1: loaded; 0: the error is in the state's "error".
EMSCRIPTEN_KEEPALIVE int attn_web_model_load(const char* label) {
    g_pending.label = label;
    bool ok = attn::app_load_model(g_app, g_pending, label);
    g_pending = attn::FileSet{};
    return ok ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE void attn_web_set_text(const char* text) { attn::app_set_text(g_app, text); }

EMSCRIPTEN_KEEPALIVE void attn_web_select(int layer, int head) {
    g_app.selection.layer = layer;
    g_app.selection.head = head;
    const attn::AttentionTensor& a = g_app.trace.attentions;
    attn::selection_clamp(g_app.selection, a.n_layer, a.n_head);
}

// {model, architecture, layers, heads, tokens, pieces, layer, head, text, error, trace_ms, truncated}
EMSCRIPTEN_KEEPALIVE const char* attn_web_state_json() {
    nlohmann::json s;
    const attn::ModelInfo* info = g_app.model ? &g_app.model->info() : nullptr;
    s["model"] = g_app.model_name;
    s["architecture"] = info ? info->architecture : "";
    s["layers"] = info ? info->n_layer : 0;
    s["heads"] = info ? info->n_head : 0;
    attn::PieceStyle style = attn::piece_style_for(g_app.trace.architecture);
    nlohmann::json tokens = nlohmann::json::array(), pieces = nlohmann::json::array();
    if (g_app.has_trace)
        for (const std::string& p : g_app.trace.tokens.pieces) {
            tokens.push_back(attn::token_label(p, style));
            pieces.push_back(p);
        }
    s["tokens"] = tokens;
    s["pieces"] = pieces;
    s["layer"] = g_app.selection.layer;
    s["head"] = g_app.selection.head;
    s["text"] = g_app.text;
    std::string error = g_app.load_error;
    if (!g_app.trace_error.empty()) error += (error.empty() ? "" : "; ") + g_app.trace_error;
    s["error"] = error;
    s["trace_ms"] = g_app.has_trace ? g_app.trace_ms : -1.0;
    s["truncated"] = g_app.truncated;
    // Invalid UTF-8 (a byte-level piece cut mid-character) becomes U+FFFD instead of throwing.
    g_state_json = s.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return g_state_json.c_str();
}

// The (T, S) probabilities of one head, or null; valid until the next trace. T = S = tokens.length.
EMSCRIPTEN_KEEPALIVE const float* attn_web_attention(int layer, int head) {
    const attn::AttentionTensor& a = g_app.trace.attentions;
    if (!g_app.has_trace || a.empty() || layer < 0 || layer >= a.n_layer || head < 0 || head >= a.n_head)
        return nullptr;
    return a.head(layer, head);
}

EMSCRIPTEN_KEEPALIVE int attn_web_attention_size() {
    const attn::AttentionTensor& a = g_app.trace.attentions;
    return g_app.has_trace ? a.n_query * a.n_key : 0;
}

}  // extern "C"

int main() {
    if (!glfwInit()) return 1;
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    double css_w = 1280, css_h = 800;
    emscripten_get_element_css_size("#canvas", &css_w, &css_h);
    g_window = glfwCreateWindow(static_cast<int>(css_w), static_cast<int>(css_h), "AttnScope", nullptr, nullptr);
    if (!g_window) return 1;
    glfwMakeContextCurrent(g_window);

    ImGui::CreateContext();
    std::string error;
    if (!g_heatmaps.init(&error)) emscripten_log(EM_LOG_ERROR, "attnscope: %s", error.c_str());
    attn::AppConfig config;
    config.fonts = attn::fonts_read_default();
    config.textures = &g_heatmaps;
    attn::app_init(g_app, std::move(config));
    g_app.text = "The animal didn't cross the street because it was too tired.";
    ImGui_ImplGlfw_InitForOpenGL(g_window, true);
    ImGui_ImplOpenGL3_Init("#version 300 es");
    // The page's JS loads the model through the C API above once the runtime is up.
    emscripten_set_main_loop(frame, 0, false);
    return 0;
}
