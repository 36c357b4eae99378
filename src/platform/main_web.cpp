// Web entry point: GLFW on a WebGL 2 canvas (emscripten), the main loop, and the small C API that
// web/attnscope.js wraps as window.attnscope. The page fetches model files and writes them straight
// into buffers allocated here; this file never fetches anything itself.
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <new>
#include <string>
#include <vector>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <nlohmann/json.hpp>

#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#include "core/attention.h"
#include "core/parallel.h"
#include "model/limits.h"
#include "model/memory_estimate.h"
#include "model/weight_pack.h"
#include "platform/fonts.h"
#include "platform/frame.h"
#include "platform/gl.h"
#include "platform/gl_heatmap.h"
#include "ui/app.h"
#include "ui/app_train.h"
#include "ui/app_analysis.h"
#include "ui/app_explain.h"
#include "ui/app_interventions.h"
#include "ui/app_checks.h"
#include "ui/app_lessons.h"
#include "ui/attribution_methods.h"
#include "ui/bundled_models.h"
#include "ui/draw_pacing.h"
#include "ui/frame_budget.h"
#include "ui/heads_cache.h"
#include "ui/lesson_view.h"
#include "ui/saved_page.h"
#include "ui/theme.h"
#include "ui/token_chars.h"
#include "ui/token_label.h"
#include "ui/url_state.h"

namespace {

GLFWwindow* g_window = nullptr;
attn::GlHeatmapRenderer g_heatmaps;
attn::App g_app;
attn::FileSet g_pending;      // files the page is handing over for the next model load
std::string g_state_json;     // storage behind attn_web_state_json's return value
std::string g_url_state;      // storage behind attn_web_url_state's return value
attn::ExportFile g_export;    // the last export the page asked for (attn_web_export)
attn::Bytes g_font;           // the CJK font the page is handing over (attn_web_font_buffer)

// Exports from the toolbar become downloads; the page keeps the last one for scripts and tests.
attn::Expected<std::string> download(const std::string& name, const attn::Bytes& bytes) {
    int ok = EM_ASM_INT({
        try {
            window.attnscope._download(UTF8ToString($0), HEAPU8.slice($1, $1 + $2));
            return 1;
        } catch (e) {
            return 0;
        }
    }, name.c_str(), bytes.data(), static_cast<int>(bytes.size()));
    if (!ok) return attn::make_error("the browser refused the download");
    return "downloaded " + name;
}

// The canvas fills the page (CSS); keep the GL drawing buffer the same size as its CSS box. Not through
// glfwSetWindowSize: Emscripten's GLFW asks for fullscreen instead of resizing when the size asked for is
// the screen's (a page in a fullscreen browser window), which the browser refuses without a click, so the
// canvas kept its old size and every frame asked again. Browser.setCanvasSize resizes, and GLFW hears of
// it through its resize listener (window and framebuffer size callbacks, as ImGui's backend needs).
void fit_canvas() {
    double css_w = 0, css_h = 0;
    if (emscripten_get_element_css_size("#canvas", &css_w, &css_h) != EMSCRIPTEN_RESULT_SUCCESS) return;
    int w = 0, h = 0;
    glfwGetWindowSize(g_window, &w, &h);
    if (static_cast<int>(css_w) != w || static_cast<int>(css_h) != h)
        EM_ASM({ Browser.setCanvasSize($0, $1); }, static_cast<int>(css_w), static_cast<int>(css_h));
}

// Frames run and frames drawn (the state's "frames"): a frame that would draw what is on the canvas
// already is skipped (frame_render), so an idle page stops drawing.
long long g_frames_run = 0, g_frames_drawn = 0;

// Each frame's times, kept until attnscope.frameTimes() reads them (how tools/bench/page_frames.js
// measures the views in the page): the whole frame on the page's thread (events, the app's frame and the
// WebGL calls, which under SwiftShader can wait for the rasteriser) and the app's own part. The oldest go
// first past kFrameTimesKept.
struct FrameTime {
    float ms = 0.0f, app_ms = 0.0f;
    float steps_ms = 0.0f, budget_ms = 0.0f;   // of app_ms, the stepped jobs' part; the budget they had
    bool drawn = false;
};
constexpr size_t kFrameTimesKept = 4096;
bool g_drawing = true;   // attnscope._setDrawing(false): frames are built and not drawn (the page benchmark)
std::vector<FrameTime> g_frame_times;

void frame() {
    const double start = emscripten_get_now();
    fit_canvas();
    int fb_w = 0, fb_h = 0;
    ++g_frames_run;
    double app_ms = 0.0;
    const bool drawn = attn::frame_render(g_window, g_app, &fb_w, &fb_h, g_drawing ? attn::FrameDraw::if_changed : attn::FrameDraw::never, &app_ms);
    if (drawn) ++g_frames_drawn;
    if (g_frame_times.size() == kFrameTimesKept) g_frame_times.erase(g_frame_times.begin(), g_frame_times.begin() + kFrameTimesKept / 2);
    g_frame_times.push_back({static_cast<float>(emscripten_get_now() - start), static_cast<float>(app_ms),
                             static_cast<float>(attn::frame_steps_ms()), static_cast<float>(g_app.trace_budget_ms), drawn});
}

// The labels the chips and axes show ("动 1/2" for a piece of a split character).
nlohmann::json labels(const attn::TokenSeq& seq, attn::PieceStyle style) {
    nlohmann::json out = nlohmann::json::array();
    for (const attn::TokenChars& tc : *attn::token_chars_kept(seq, style)) out.push_back(tc.label);
    return out;
}

nlohmann::json token_probs(const std::vector<attn::TokenProb>& top, attn::PieceStyle style) {
    nlohmann::json out = nlohmann::json::array();
    for (const attn::TokenProb& p : top)
        out.push_back({{"token", attn::token_label(p.piece, style)}, {"piece", p.piece}, {"id", p.id}, {"prob", p.prob}});
    return out;
}

nlohmann::json rect(const std::array<float, 4>& r) { return {r[0], r[1], r[2], r[3]}; }

const attn::AttentionTensor* web_attention(int kind) {
    if (kind < 0 || kind > 2 || !g_app.has_trace) return nullptr;
    const attn::AttentionTensor* a = attn::attention_view(g_app.trace, static_cast<attn::AttentionKind>(kind)).attention;
    // A decoder-only trace has no decoder or cross attention: asking for it gets nothing, not self.
    if (kind != 0 && !g_app.trace.is_encoder_decoder()) return nullptr;
    return a->empty() ? nullptr : a;
}

}  // namespace

extern "C" {

// Returns a buffer of `size` bytes for file `name` of the next model; the page streams the file in.
// Not zero-filled (a vector would write every byte of a 500 MB model once more before the page does);
// the loaded model keeps this buffer as its weights, so the file is in memory once.
// `size` is a double: a file may pass 2 GB (an int would wrap), up to the page's 4 GB.
EMSCRIPTEN_KEEPALIVE uint8_t* attn_web_file_buffer(const char* name, double size) {
    if (!(size >= 0) || size >= static_cast<double>(attn::memory_limit())) return nullptr;
    std::shared_ptr<uint8_t[]> buffer(new (std::nothrow) uint8_t[static_cast<size_t>(size)]);
    if (!buffer) return nullptr;
    uint8_t* data = buffer.get();
    g_pending.add(name, std::make_shared<const attn::Blob>(data, static_cast<size_t>(size), std::move(buffer)));
    return data;
}

// Loads the files handed over so far as a model. 1: loaded; 0: the error is in the state's "error".
EMSCRIPTEN_KEEPALIVE int attn_web_model_load(const char* label) {
    g_pending.label = label;
    bool ok = attn::app_load_model(g_app, g_pending, label);
    g_pending = attn::FileSet{};
    return ok ? 1 : 0;
}

// Asked before the page streams a model's files in (it knows their sizes, not yet their headers): "" when
// they fit in the page's memory, else the refusal ("this model needs X; the page can use Y at most").
// The load checks again from the headers (model_load_check).
EMSCRIPTEN_KEEPALIVE const char* attn_web_load_refusal(const char* weights_file, double weights_bytes,
                                                       double tokenizer_bytes, double other_bytes) {
    static std::string message;
    const int64_t need = attn::model_load_bytes_from_sizes(static_cast<int64_t>(weights_bytes),
                                                           static_cast<int64_t>(tokenizer_bytes),
                                                           static_cast<int64_t>(other_bytes));
    auto refused = attn::model_memory_refusal(need, weights_file, static_cast<int64_t>(weights_bytes));
    message = refused ? refused->message : "";
    return message.c_str();
}

// Test hook (api._setMemoryLimit): a lower memory limit for the page, so refusals are tested without
// gigabytes of files; 0 restores the real one.
EMSCRIPTEN_KEEPALIVE void attn_web_set_memory_limit(double bytes) { attn::memory_limit_override(static_cast<int64_t>(bytes)); }

// Drops files handed over for a load that will not happen (a later file failed to read).
EMSCRIPTEN_KEEPALIVE void attn_web_pending_clear() { g_pending = attn::FileSet{}; }

// The view as a URL fragment (no '#'), and applying one (everything but the model, which the page loads).
EMSCRIPTEN_KEEPALIVE const char* attn_web_url_state() {
    g_url_state = attn::url_state_format(g_app);
    return g_url_state.c_str();
}
EMSCRIPTEN_KEEPALIVE void attn_web_apply_url_state(const char* fragment) {
    attn::app_apply_url_state(g_app, attn::url_state_parse(fragment));
}

// Builds an export for the page: `kind` is a kExportKinds name ("png", "svg", ...), `scale` the PNG's
// (0: the menu's choice). 1 and the bytes below, or 0 with the reason in the state's "error".
EMSCRIPTEN_KEEPALIVE int attn_web_export(const char* kind, int scale) {
    attn::ExportKind k;
    if (!attn::export_kind_from_name(kind, &k)) {
        g_app.action_error = "cannot export: '" + std::string(kind ? kind : "") + "' is not one of " + attn::export_kind_names();
        return 0;
    }
    attn::Expected<attn::ExportFile> file = attn::app_export_file(g_app, k, scale);
    if (!file) {
        g_app.action_error = "cannot export: " + file.error().message;
        return 0;
    }
    g_export = std::move(*file);
    return 1;
}
// The CLI's `analyze` tensors for the input on screen as safetensors bytes (read like an export);
// -1 for position/target/foil: the defaults, ig_steps 0: the job's. 0 with the reason in "error".
EMSCRIPTEN_KEEPALIVE int attn_web_analyze(int position, int target, int foil, int ig_steps) {
    attn::AnalyzeRequest req{position, target, foil, ig_steps};
    attn::Expected<attn::Bytes> bytes = attn::app_analyze_safetensors(g_app, req);
    if (!bytes) {
        g_app.action_error = "cannot analyze: " + bytes.error().message;
        return 0;
    }
    g_app.action_error.clear();
    g_export = attn::ExportFile{"analysis.safetensors", std::move(*bytes)};
    return 1;
}
// The CLI's `heads` JSON for the text and attention kind on screen (per_query: 1 with per-query arrays),
// or null with the reason in the state's "error".
EMSCRIPTEN_KEEPALIVE const char* attn_web_heads(int per_query) {
    static std::string json;
    attn::Expected<std::string> r = attn::app_heads_json(g_app, per_query != 0);
    if (!r) {
        g_app.action_error = "cannot report heads: " + r.error().message;
        return nullptr;
    }
    g_app.action_error.clear();
    json = std::move(*r);
    return json.c_str();
}
// The Attributions panel's choices (as its widgets set them): ig_steps 0 and -2 leave one unchanged.
EMSCRIPTEN_KEEPALIVE void attn_web_set_analysis(int ig_steps, int target, int foil, int method) {
    attn::AnalysisState& a = g_app.analysis;
    if (ig_steps > 0) a.ig_steps = ig_steps;
    if (target >= -1) a.target = target;
    if (foil >= -1) a.foil = foil;
    if (method >= 0 && method < attn::kNumAttributionMethods) a.method = method;
}
// The explanation of the input on screen as JSON (see app_explain.h), read like an export; -1 for
// target/foil: the defaults, ig_steps 0: the job's. 0 with the reason in "error".
EMSCRIPTEN_KEEPALIVE int attn_web_explain(int target, int foil, int ig_steps) {
    attn::Expected<std::string> json = attn::app_explain_json(g_app, attn::ExplainRequest{target, foil, ig_steps});
    if (!json) {
        g_app.action_error = "cannot explain: " + json.error().message;
        return 0;
    }
    g_app.action_error.clear();
    g_export = attn::ExportFile{"explanation.json", attn::Bytes(json->begin(), json->end())};
    return 1;
}
// The Train panel (ui/app_train.h). start: task, steps (-1: the task's own), seed (0: keep), speed (-1:
// keep; an index into kTrainSpeeds). action: pause, resume, reset, show, back, save; 1 when it did it.
EMSCRIPTEN_KEEPALIVE int attn_web_train_start(const char* task, int steps, int seed, int speed) {
    g_app.train.steps = steps > 0 ? steps : -1;
    if (seed > 0) g_app.train.seed = static_cast<uint64_t>(seed);
    if (speed >= 0 && speed < attn::kTrainSpeedCount) g_app.train.speed = speed;
    return attn::app_train_start(g_app, task) ? 1 : 0;
}
EMSCRIPTEN_KEEPALIVE int attn_web_train_action(const char* action) {
    const std::string a = action;
    if (a == "pause") return attn::app_train_pause(g_app), 1;
    if (a == "resume") return attn::app_train_resume(g_app), 1;
    if (a == "reset") return attn::app_train_reset(g_app) ? 1 : 0;
    if (a == "show") return attn::app_train_show(g_app) ? 1 : 0;
    if (a == "back") return attn::app_train_back(g_app) ? 1 : 0;
    if (a == "save") return attn::app_train_save(g_app) ? 1 : 0;
    g_app.train.error = "unknown train action '" + a + "': pause, resume, reset, show, back or save";
    return 0;
}
EMSCRIPTEN_KEEPALIVE int attn_web_train_steps(int n) { return attn::app_train_steps(g_app, n); }

EMSCRIPTEN_KEEPALIVE const uint8_t* attn_web_export_data() { return g_export.bytes.data(); }
EMSCRIPTEN_KEEPALIVE int attn_web_export_size() { return static_cast<int>(g_export.bytes.size()); }
EMSCRIPTEN_KEEPALIVE const char* attn_web_export_name() { return g_export.name.c_str(); }
// "png, svg, csv, ...": the kinds exportFile accepts, from the app's one table.
EMSCRIPTEN_KEEPALIVE const char* attn_web_export_kinds() {
    static const std::string names = attn::export_kind_names();
    return names.c_str();
}

// The CJK font, fetched by the page when app asked for it (request_cjk_font): a buffer of `size` bytes
// to copy it into, then attn_web_font_loaded hands it to the app, which rebuilds its atlas next frame.
EMSCRIPTEN_KEEPALIVE uint8_t* attn_web_font_buffer(int size) {
    if (size <= 0) return nullptr;
    g_font.assign(static_cast<size_t>(size), 0);
    return g_font.data();
}
EMSCRIPTEN_KEEPALIVE void attn_web_font_loaded(const char* name) {
    attn::app_add_font(g_app, attn::FontFile{attn::FontFile::cjk, name, std::make_shared<const attn::Bytes>(std::move(g_font))});
    g_font = attn::Bytes{};
}
EMSCRIPTEN_KEEPALIVE void attn_web_font_failed(const char* message) { g_app.action_error = message; }
// 1 when the atlas has a glyph for every character of `text` (tests: the CJK font really arrived).
EMSCRIPTEN_KEEPALIVE int attn_web_has_glyphs(const char* text) { return attn::app_font_has_glyphs(text) ? 1 : 0; }

// The page could not fetch a model: the status bar says so, the loaded model stays.
EMSCRIPTEN_KEEPALIVE void attn_web_load_failed(const char* message) { g_app.load_error = message; }
// For tests: split kernels between threads from this much work on (the default keeps tiny models on one
// thread), so a tiny model exercises the threaded build's split paths.
EMSCRIPTEN_KEEPALIVE void attn_web_set_parallel_min_work(double multiply_adds) {
    attn::set_parallel_min_work(static_cast<long>(multiply_adds));
}
// For benchmarks: an edit retraces in steps (one block a frame) only when the last trace took longer than
// this; a large value traces at once, as the CLI does, so the page's trace time can be told from its frames'.
EMSCRIPTEN_KEEPALIVE void attn_web_set_trace_step_above(double ms) { g_app.trace_step_above_ms = ms; }
EMSCRIPTEN_KEEPALIVE void attn_web_set_trace_step_work(double multiply_adds) { g_app.trace_step_multiply_adds = multiply_adds; }
// attnscope._setPacing({...}): the draw pacing's numbers (ui/draw_pacing.h) for tests and benchmarks; a
// negative value leaves one as it is. Returns the pacing as it was, to restore it.
std::string g_pacing_json;
EMSCRIPTEN_KEEPALIVE const char* attn_web_set_pacing(double quiet_frame_ms, double used_frame_ms, double least_budget_ms,
                                                     double busy_every_ms) {
    attn::DrawPacing& p = attn::frame_draw_pacing();
    g_pacing_json = nlohmann::json{{"quietFrameMs", p.quiet_frame_ms}, {"usedFrameMs", p.used_frame_ms},
                                   {"leastBudgetMs", p.least_budget_ms}, {"busyEveryMs", p.busy_every_ms}}.dump();
    auto set = [](double v, double& to) {
        if (v >= 0.0) to = v;
    };
    set(quiet_frame_ms, p.quiet_frame_ms);
    set(used_frame_ms, p.used_frame_ms);
    set(least_budget_ms, p.least_budget_ms);
    set(busy_every_ms, p.busy_every_ms);
    return g_pacing_json.c_str();
}
// For benchmarks: 0 puts the loaded model's stored weights back and keeps them so (its products pack per
// call, as before the page packed in place), 1 packs them again over the next frames: one page, both ways.
EMSCRIPTEN_KEEPALIVE void attn_web_set_weights_packed(int on) {
    if (!g_app.model) return;
    if (!on) g_app.model->network->weights_will_change();
    g_app.packed_network = on ? nullptr : g_app.model->network.get();   // null: app_pack_weights_frame packs
}
// Test hook: models past `params` parameters are probed for random weights in steps (0: all at once).
EMSCRIPTEN_KEEPALIVE void attn_web_set_probe_in_steps_above(double params) {
    g_app.probe_in_steps_above_params = static_cast<int64_t>(params);
}
// Good news and warnings from the page (a saved page, a saved page without its model) for the status bar.
EMSCRIPTEN_KEEPALIVE void attn_web_notice(const char* message) { g_app.notice = message; }
// A string of the app's tables in the current language, with {name} fields filled from a JSON object:
// the page's own messages speak the app's language.
EMSCRIPTEN_KEEPALIVE const char* attn_web_tr(const char* key, const char* fields_json) {
    static std::string out;
    out = attn::tr(key);
    nlohmann::json fields = nlohmann::json::parse(fields_json, nullptr, false);
    if (fields.is_object())
        for (auto& [name, value] : fields.items()) {
            const std::string field = "{" + name + "}";
            const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
            for (size_t at = out.find(field); at != std::string::npos; at = out.find(field, at + text.size()))
                out.replace(at, field.size(), text);
        }
    return out.c_str();
}

// The app's language code ("en", "zh"): the page translates its own HTML when it changes.
EMSCRIPTEN_KEEPALIVE const char* attn_web_language() { return attn::language_info(attn::current_language()).code; }

// The page's text areas (see web/attnscope.js): where the input panel keeps room for them, what they
// look like, and which text generation they should show; their edits come back through
// attn_web_edit_text / attn_web_edit_target, which keep the generation (the area keeps its caret).
EMSCRIPTEN_KEEPALIVE const char* attn_web_text_boxes() {
    static std::string json;
    const ImGuiStyle& st = ImGui::GetStyle();
    auto hex = [](ImVec4 c) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(c.x * 255.0f + 0.5f),
                      static_cast<int>(c.y * 255.0f + 0.5f), static_cast<int>(c.z * 255.0f + 0.5f));
        return std::string(buf);
    };
    // ImGui's frame colour is translucent over the window: the area gets the colour one sees.
    ImVec4 bg = st.Colors[ImGuiCol_WindowBg], frame = st.Colors[ImGuiCol_FrameBg];
    ImVec4 seen(bg.x + (frame.x - bg.x) * frame.w, bg.y + (frame.y - bg.y) * frame.w, bg.z + (frame.z - bg.z) * frame.w, 1);
    ImVec4 sel = st.Colors[ImGuiCol_TextSelectedBg];
    char sel_css[48];
    std::snprintf(sel_css, sizeof sel_css, "rgba(%d,%d,%d,%.2f)", static_cast<int>(sel.x * 255), static_cast<int>(sel.y * 255),
                  static_cast<int>(sel.z * 255), sel.w);
    ImVec4 warn = attn::theme_warning();
    char cut_css[48];
    std::snprintf(cut_css, sizeof cut_css, "rgba(%d,%d,%d,0.22)", static_cast<int>(warn.x * 255), static_cast<int>(warn.y * 255),
                  static_cast<int>(warn.z * 255));
    const attn::WidgetRects& w = g_app.widgets;
    nlohmann::json j = {
        {"text", {{"rect", rect(w.text_box)}, {"visible", rect(w.text_box_visible)}, {"generation", g_app.text_generation},
                  {"cutByte", g_app.text_cut_byte}}},
        {"target", {{"rect", rect(w.target_box)}, {"visible", rect(w.target_box_visible)}, {"generation", g_app.target_generation},
                    {"cutByte", -1}}},
        {"covered", w.popup_open},
        {"style", {{"fontSize", g_app.font_size}, {"padding", {st.FramePadding.x, st.FramePadding.y}},
                   {"rounding", st.FrameRounding}, {"background", hex(seen)}, {"text", hex(st.Colors[ImGuiCol_Text])},
                   {"border", hex(st.Colors[ImGuiCol_Border])}, {"accent", hex(st.Colors[ImGuiCol_NavHighlight])},
                   {"selection", sel_css}, {"warning", hex(warn)}, {"cutFill", cut_css}}}};
    json = j.dump();
    return json.c_str();
}
// Texts cross with their byte length, both ways: a NUL in the text (a script's setText, a link's %00)
// must not cut it short.
EMSCRIPTEN_KEEPALIVE const char* attn_web_text() { return g_app.text.c_str(); }
EMSCRIPTEN_KEEPALIVE const char* attn_web_target() { return g_app.target.c_str(); }
EMSCRIPTEN_KEEPALIVE int attn_web_text_size() { return static_cast<int>(g_app.text.size()); }
EMSCRIPTEN_KEEPALIVE int attn_web_target_size() { return static_cast<int>(g_app.target.size()); }
EMSCRIPTEN_KEEPALIVE void attn_web_edit_text(const char* text, int size) {
    attn::frame_note_input();   // typed into the HTML text box: its keys never reach ImGui's IO
    g_app.text.assign(text, static_cast<size_t>(size));
    attn::app_set_text(g_app, g_app.text);   // the same string: no generation bump, as the ImGui box edits
}
EMSCRIPTEN_KEEPALIVE void attn_web_edit_target(const char* text, int size) {
    attn::frame_note_input();
    g_app.target.assign(text, static_cast<size_t>(size));
    attn::app_set_target(g_app, g_app.target);
}

EMSCRIPTEN_KEEPALIVE void attn_web_set_text(const char* text, int size) {
    attn::app_set_text(g_app, std::string(text, static_cast<size_t>(size)));
}
EMSCRIPTEN_KEEPALIVE void attn_web_set_target(const char* text, int size) {
    attn::app_set_target(g_app, std::string(text, static_cast<size_t>(size)));
}
EMSCRIPTEN_KEEPALIVE int attn_web_next_token() { return attn::app_next_token(g_app) ? 1 : 0; }

// The model just loaded came from the user's disk (picker, drop): links mark it as local.
EMSCRIPTEN_KEEPALIVE void attn_web_mark_from_disk() { attn::app_mark_model_from_disk(g_app); }

// "Copy link" from a script: what the toolbar button does. Returns the fragment (no '#').
EMSCRIPTEN_KEEPALIVE const char* attn_web_copy_link() {
    g_url_state = attn::app_copy_link(g_app);
    return g_url_state.c_str();
}

// kind: 0 self, 1 decoder, 2 cross; models without a decoder always show self.
EMSCRIPTEN_KEEPALIVE void attn_web_select(int layer, int head, int kind) {
    if (g_app.trace.is_encoder_decoder() && kind >= 0 && kind <= 2) g_app.selection.kind = static_cast<attn::AttentionKind>(kind);
    g_app.selection.layer = layer;
    g_app.selection.head = head;
    const attn::AttentionTensor& a = *attn::attention_view(g_app.trace, g_app.selection.kind).attention;
    attn::selection_clamp(g_app.selection, a.n_layer, a.n_head);
}

// Colour scale: a colormap name (colormap_name's; unknown: unchanged, returns 0) and auto scale (0/1).
EMSCRIPTEN_KEEPALIVE int attn_web_set_colormap(const char* name, int auto_scale) {
    g_app.selection.auto_scale = auto_scale != 0;
    return attn::colormap_from_name(name, &g_app.selection.colormap) ? 1 : 0;
}

// attnscope.frameTimes(): {ms: [...], appMs: [...], drawn: [...]} of the frames since the last call (at
// most the last 2,048-4,096), then forgets them.
std::string g_frame_times_json;
EMSCRIPTEN_KEEPALIVE const char* attn_web_frame_times() {
    nlohmann::json ms = nlohmann::json::array(), app_ms = nlohmann::json::array(), drawn = nlohmann::json::array();
    nlohmann::json steps_ms = nlohmann::json::array(), budget_ms = nlohmann::json::array();
    for (const FrameTime& t : g_frame_times) {
        ms.push_back(t.ms);
        app_ms.push_back(t.app_ms);
        steps_ms.push_back(t.steps_ms);
        budget_ms.push_back(t.budget_ms);
        drawn.push_back(t.drawn);
    }
    g_frame_times.clear();
    g_frame_times_json = nlohmann::json{{"ms", ms}, {"appMs", app_ms}, {"stepsMs", steps_ms}, {"budgetMs", budget_ms},
                                        {"drawn", drawn}}.dump();
    return g_frame_times_json.c_str();
}

EMSCRIPTEN_KEEPALIVE void attn_web_set_drawing(int on) { g_drawing = on != 0; }

// {model, architecture, encoderDecoder, attentionKind, view ("heatmap" or "lines"), layers, heads, tokens, pieces, targetTokens,
//  layer, head, text, target, maskPredictions, maskPosition, nextPredictions, bundled, widgets, error, ...}
// layers/heads are those of the attention kind shown (BART's decoder may differ from its encoder).
EMSCRIPTEN_KEEPALIVE const char* attn_web_state_json() {
    nlohmann::json s;
    const attn::ModelInfo* info = g_app.model ? &g_app.model->info() : nullptr;
    const attn::AttentionTensor& shown = *attn::attention_view(g_app.trace, g_app.selection.kind).attention;
    s["model"] = g_app.model_name;
    s["threads"] = attn::thread_count();   // > 1 only in the threaded build (web/attnscope.js adds "build")
    s["kernels"] = attn::simd_name();       // "wasm_relaxed_simd" in the relaxed-SIMD twins, else "wasm_simd128"
    // The layer weights are packed in place a few a frame after a model shows (model/weight_pack.h): done
    // (or turned off by _setWeightsPacked(false)), and how many matrices hold panels (those whose output
    // columns are whole panels, and out_in ones of at most 16 MiB: core/gemm.h).
    s["weightsPacked"] = g_app.model != nullptr && g_app.packed_network == g_app.model->network.get();
    s["weightsPackedInPlace"] = g_app.model ? g_app.model->network->packed_in_place() : 0;
    s["frames"] = {{"run", g_frames_run}, {"drawn", g_frames_drawn}};
    s["architecture"] = info ? info->architecture : "";
    s["encoderDecoder"] = info ? info->encoder_decoder : false;
    s["causal"] = info ? info->causal : false;
    s["attentionKind"] = attn::attention_kind_name(g_app.selection.kind);
    s["view"] = attn::main_view_name(g_app.main_view);
    s["views"] = nlohmann::json::array();   // every view's name, from the one table (setView takes them)
    for (const attn::MainViewInfo& v : attn::kMainViewTable) s["views"].push_back(v.name);
    s["layers"] = g_app.has_trace ? shown.n_layer : info ? info->n_layer : 0;
    s["heads"] = g_app.has_trace ? shown.n_head : info ? info->n_head : 0;
    attn::PieceStyle style = attn::piece_style_for(g_app.trace);
    nlohmann::json pieces = nlohmann::json::array();
    if (g_app.has_trace)
        for (const std::string& p : g_app.trace.tokens.pieces) pieces.push_back(p);
    s["tokens"] = g_app.has_trace ? labels(g_app.trace.tokens, style) : nlohmann::json::array();
    s["pieces"] = pieces;
    s["ids"] = g_app.has_trace ? g_app.trace.tokens.ids : std::vector<int32_t>{};
    s["targetTokens"] = g_app.has_trace ? labels(g_app.trace.decoder_tokens, style) : nlohmann::json::array();
    s["target"] = g_app.target;
    const bool has_mask = !g_app.mask_predictions.empty();
    s["maskPosition"] = has_mask ? g_app.mask_predictions[0].position : -1;
    s["maskPredictions"] = has_mask ? token_probs(g_app.mask_predictions[0].top, style) : nlohmann::json::array();
    s["nextPredictions"] = token_probs(g_app.next_predictions, style);
    s["steppedPosition"] = g_app.stepped_position;
    s["stepError"] = g_app.step_error;
    s["bundled"] = g_app.config.bundled_models;
    // The picker's entries in order (zoo models first; the random fixtures under "test models") and the
    // model the page opens with.
    nlohmann::json picker = nlohmann::json::array();
    const std::vector<attn::BundledModel>& bundled = attn::bundled_models();
    for (size_t i = 0; i < bundled.size(); ++i)   // config.model_labels: the labels main() made from the cards
        picker.push_back({{"name", bundled[i].name}, {"label", g_app.config.model_labels.at(i)}, {"zoo", bundled[i].zoo},
                          {"random", !bundled[i].zoo}});
    s["picker"] = picker;
    const attn::BundledModel* first = attn::bundled_model_default(attn::bundled_models());
    s["defaultModel"] = first ? first->name : "";
    // The loaded model's card (zoo models), null when it has none.
    if (!g_app.card.present) {
        s["card"] = nullptr;
    } else {
        const attn::ModelCard& c = g_app.card.card;
        nlohmann::json claims = nlohmann::json::array();
        for (const attn::HeadClaim& h : c.claims)
            claims.push_back({{"layer", h.layer}, {"head", h.head}, {"pattern", h.pattern}, {"metric", h.metric},
                              {"value", h.value}, {"statement", h.statement}});
        s["card"] = {{"task", c.task}, {"summary", c.summary}, {"heldOutAccuracy", c.held_out_accuracy},
                     {"exampleText", c.example_text}, {"featuredLayer", c.featured_layer},
                     {"featuredHead", c.featured_head}, {"featuredQuery", c.featured_query}, {"claims", claims}, {"error", g_app.card.error}};
    }
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : g_app.widgets.model_items) items.push_back(rect(r));
    nlohmann::json export_items = nlohmann::json::array();
    for (const auto& r : g_app.widgets.export_items) export_items.push_back(rect(r));
    s["widgets"] = {{"modelPicker", rect(g_app.widgets.model_picker)}, {"modelItems", items},
                    {"nextToken", rect(g_app.widgets.next_token)}, {"openModel", rect(g_app.widgets.open_model)},
                    {"exportButton", rect(g_app.widgets.export_button)}, {"exportItems", export_items},
                    {"emptyHint", rect(g_app.widgets.empty_hint)}, {"textBox", rect(g_app.widgets.text_box)},
                    {"targetBox", rect(g_app.widgets.target_box)},
                    {"mainView", rect(g_app.widgets.main_view)}, {"cardPanel", rect(g_app.widgets.card_panel)}};
    s["theme"] = g_app.theme == attn::Theme::light ? "light" : "dark";
    s["lang"] = attn::language_info(attn::current_language()).code;
    s["fontSize"] = g_app.font_size;
    s["present"] = g_app.presenter;
    s["savedPageModelLimit"] = attn::kSavedPageModelLimitBytes;   // save_page.js: the largest model a saved page holds
    s["widgets"]["savePage"] = rect(g_app.widgets.save_page);
    s["widgets"]["presenter"] = rect(g_app.widgets.presenter);
    s["notice"] = g_app.notice;
    for (auto [name, rects] : {std::pair{"gridTiles", &g_app.widgets.grid_tiles}, std::pair{"chips", &g_app.widgets.chips},
                               std::pair{"targetChips", &g_app.widgets.target_chips}}) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& r : *rects) list.push_back(rect(r));
        s["widgets"][name] = list;
    }
    s["colormap"] = attn::colormap_name(g_app.selection.colormap);
    s["autoScale"] = g_app.selection.auto_scale;
    s["pinnedQuery"] = g_app.selection.pinned_query;
    s["flowThreshold"] = g_app.flow.threshold;
    s["flowPinned"] = g_app.flow.pinned;
    nlohmann::json line_heads = nlohmann::json::array();
    for (size_t h = 0; h < g_app.line_heads.on.size(); ++h)
        if (g_app.line_heads.on[h]) line_heads.push_back(h);
    s["lineHeads"] = line_heads;
    static const char* const head_modes[] = {"one", "all", "chosen"};
    s["headMode"] = head_modes[static_cast<int>(g_app.selection.head_mode)];
    s["averagedHeads"] = g_app.selection.averaged_heads;
    s["words"] = g_app.selection.words;
    s["randomWeights"] = g_app.model && g_app.random_weights;
    s["probing"] = attn::app_probing(g_app);   // randomWeights is not measured yet (a large model)
    s["inductionPending"] = attn::app_heads_induction_pending(g_app);   // the heads' induction score, likewise
    s["randomModels"] = g_app.config.random_models;
    s["modelFromDisk"] = g_app.model && g_app.model_from_disk;
    s["linkWarning"] = attn::app_link_warning(g_app);
    s["widgets"]["copyLink"] = rect(g_app.widgets.copy_link);
    s["widgets"]["flowSlider"] = rect(g_app.widgets.flow_slider);
    s["widgets"]["flowTop"] = nlohmann::json::array();   // the output tokens along the flow graph's top
    for (const auto& r : g_app.widgets.flow_top) s["widgets"]["flowTop"].push_back(rect(r));
    s["layer"] = g_app.selection.layer;
    s["head"] = g_app.selection.head;
    s["text"] = g_app.text;
    s["error"] = attn::app_error_text(g_app);
    s["trace_ms"] = g_app.has_trace ? g_app.trace_ms : -1.0;
    int traced = 0, trace_steps = 0;   // a stepped retrace in flight (large models): scripts wait for it
    s["tracing"] = attn::app_tracing(g_app, &traced, &trace_steps)
                       ? nlohmann::json{{"done", traced}, {"total", trace_steps}}
                       : nlohmann::json(nullptr);
    s["viewPending"] = attn::app_view_pending(g_app);
    s["beforePending"] = g_app.interventions.before_job != nullptr;   // interventions: the trace without them
    s["truncated"] = g_app.truncated;
    s["traceVersion"] = g_app.trace_version;
    // The text's length in tokens before the context cut it, and the byte offset in `text` after the
    // last piece the model reads (-1: not cut).
    s["textTokens"] = g_app.n_text_tokens;
    s["cutByte"] = g_app.text_cut_byte;
    s["waitingForText"] = attn::app_waiting_for_text(g_app);
    const attn::AnalysisState& an = g_app.analysis;
    const attn::AnalysisRects& ar = g_app.widgets.analysis;
    nlohmann::json targets = nlohmann::json::array(), foils = nlohmann::json::array();
    for (const auto& r : ar.targets) targets.push_back(rect(r));
    for (const auto& r : ar.foils) foils.push_back(rect(r));
    s["analysis"] = {{"running", static_cast<bool>(an.job)}, {"progress", an.progress}, {"stage", an.stage},
                     {"current", attn::app_analysis_current(g_app)}, {"cancelled", an.cancelled},
                     {"error", an.error}, {"method", an.method}, {"target", an.target}, {"foil", an.foil},
                     {"igSteps", an.ig_steps}, {"resultTarget", an.has_result ? an.result.target : -1},
                     {"resultFoil", an.has_result ? an.result.foil : -1},
                     {"cellLayer", an.cell_layer}, {"cellToken", an.cell_token}, {"neurons", an.neurons.size()},
                     {"widgets", {{"run", rect(ar.run)}, {"method", rect(ar.method)}, {"tokens", rect(ar.tokens)},
                                  {"progress", rect(ar.progress)}, {"cancel", rect(ar.cancel)},
                                  {"lensGrid", rect(ar.lens_grid)}, {"activationsGrid", rect(ar.activations_grid)},
                                  {"targets", targets}, {"foils", foils}}}};
    const attn::ChecksState& ch = g_app.checks;
    s["checks"] = {{"running", static_cast<bool>(ch.run)}, {"progress", ch.progress}, {"stage", ch.stage},
                   {"hasResult", ch.has_result}, {"results", ch.results}, {"suite", ch.has_result ? ch.result.suite : ""},
                   {"highlight", ch.highlight}, {"highlighted", g_app.heads.highlighted}, {"error", ch.error},
                   {"widgets", {{"run", rect(ch.run_rect)}, {"highlight", rect(ch.highlight_rect)}}}};
    {   // The Train panel: the run's progress and what the explorer shows of it.
        const attn::TrainPanelState& t = g_app.train;
        const attn::Trainer* tr = t.trainer.get();
        const attn::TrainLogRow* last = tr && !tr->log().empty() ? &tr->log().back() : nullptr;
        double held_out = -1.0;
        if (tr)
            for (const attn::TrainLogRow& r : tr->log())
                if (r.held_out_accuracy >= 0.0) held_out = r.held_out_accuracy;
        nlohmann::json tasks = nlohmann::json::array();
        for (const attn::Task* task : attn::task_table()) tasks.push_back(task->name());
        s["train"] = {{"task", tr ? tr->task().name() : t.task}, {"tasks", tasks}, {"running", t.running},
                      {"finished", tr && tr->done()}, {"step", tr ? tr->steps_done() : 0},
                      {"totalSteps", tr ? tr->total_steps() : 0}, {"firstLoss", tr && last ? tr->log().front().loss : -1.0},
                      {"loss", last ? last->loss : -1.0}, {"trainAccuracy", last ? last->train_accuracy : -1.0},
                      {"accuracy", held_out}, {"stepsPerSecond", t.steps_per_second},
                      {"speed", attn::kTrainSpeeds[t.speed].label}, {"shownStep", t.shown_step},
                      {"following", !t.shown_name.empty() && g_app.model_name == t.shown_name},
                      {"previous", t.previous.model ? t.previous.name : ""}, {"inductionScore", t.induction_score},
                      {"inductionLayer", t.induction_layer}, {"inductionHead", t.induction_head},
                      {"savedTo", t.saved_to}, {"error", t.error}, {"notice", t.notice}};
    }
    s["cjkFont"] = attn::app_has_cjk_font(g_app) ? "loaded" : g_app.cjk_font_requested ? "requested" : "none";
    {   // The heads and similarity views: their clickable parts and the head map's axes.
        nlohmann::json h = {{"mapX", attn::kHeadStatTable[g_app.heads.map_x].key},
                            {"mapY", attn::kHeadStatTable[g_app.heads.map_y].key},
                            {"sortColumn", g_app.heads.sort_column}, {"sortDescending", g_app.heads.sort_descending}};
        for (auto [name, rects] : {std::pair{"mapDots", &g_app.widgets.head_map_dots},
                                   std::pair{"tableRows", &g_app.widgets.head_table_rows},
                                   std::pair{"tableHeaders", &g_app.widgets.head_table_headers},
                                   std::pair{"similarityDots", &g_app.widgets.similarity_dots},
                                   std::pair{"layerHeads", &g_app.widgets.layer_heads}}) {
            nlohmann::json list = nlohmann::json::array();
            for (const auto& r : *rects) list.push_back(rect(r));
            h[name] = list;
        }
        s["headsView"] = h;
    }
    {   // Lesson mode: the step shown, the steps this model has, the numbers printed of the query's row.
        const attn::LessonState& l = g_app.lesson;
        nlohmann::json steps = nlohmann::json::array();
        for (attn::HeadStep st : attn::app_lesson_steps(g_app)) steps.push_back(attn::head_step_name(st));
        const int index = attn::app_lesson_index(g_app);
        s["lesson"] = {{"step", steps[index]}, {"index", index}, {"steps", steps}, {"computed", l.has_result},
                       {"layer", l.has_result ? l.result.layer : -1}, {"head", l.has_result ? l.result.head : -1},
                       {"scale", l.has_result ? l.result.scale : 0.0f},
                       {"dHead", l.has_result ? l.result.d_head : 0}, {"error", l.error},
                       {"numbers", l.shown_numbers}, {"rowSum", l.shown_row_sum},
                       {"widgets", {{"prev", rect(l.prev_rect)}, {"next", rect(l.next_rect)}}}};
    }
    s["lessons"] = nlohmann::json::parse(attn::app_lessons_state_json(g_app));   // the Lessons panel
    // Invalid UTF-8 (a byte-level piece cut mid-character) becomes U+FFFD instead of throwing.
    g_state_json = s.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return g_state_json.c_str();
}

// The (T, S) probabilities of one head of attention `kind` (0 self, 1 decoder, 2 cross), or null;
// valid until the next trace. Cross: T target tokens (rows) x S source tokens (columns).
EMSCRIPTEN_KEEPALIVE const float* attn_web_attention(int layer, int head, int kind) {
    const attn::AttentionTensor* a = web_attention(kind);
    if (!a || layer < 0 || layer >= a->n_layer || head < 0 || head >= a->n_head) return nullptr;
    return a->head(layer, head);
}

EMSCRIPTEN_KEEPALIVE int attn_web_attention_rows(int kind) {
    const attn::AttentionTensor* a = web_attention(kind);
    return a ? a->n_query : 0;
}

EMSCRIPTEN_KEEPALIVE int attn_web_attention_cols(int kind) {
    const attn::AttentionTensor* a = web_attention(kind);
    return a ? a->n_key : 0;
}

// attnscope.intervene / clearInterventions / patch: JSON in, JSON out (ui/app_interventions.h).
std::string g_intervention_json;   // storage behind their return values
EMSCRIPTEN_KEEPALIVE const char* attn_web_intervene(const char* request) {
    g_intervention_json = attn::app_intervene_json(g_app, request);
    return g_intervention_json.c_str();
}
EMSCRIPTEN_KEEPALIVE const char* attn_web_clear_interventions() {
    g_intervention_json = attn::app_clear_interventions_json(g_app);
    return g_intervention_json.c_str();
}
EMSCRIPTEN_KEEPALIVE const char* attn_web_patch(const char* request) {
    g_intervention_json = attn::app_patch_json(g_app, request);
    return g_intervention_json.c_str();
}

// attnscope.probe: runs a check suite (a built-in name or its JSON) on the loaded model; 1 and the results
// JSON (the CLI's `probe --out`) read like an export, or 0 with the reason in the state's "error".
// attnscope.lessons*: JSON in, the lessons state (or {"error"}) out (ui/app_lessons.h).
std::string g_lessons_json;
EMSCRIPTEN_KEEPALIVE const char* attn_web_lessons(const char* request) {
    g_lessons_json = attn::app_lessons_api(g_app, request);
    return g_lessons_json.c_str();
}

EMSCRIPTEN_KEEPALIVE int attn_web_probe(const char* name_or_json) {
    attn::Expected<std::string> json = attn::app_checks_probe(g_app, name_or_json ? name_or_json : "");
    if (!json) {
        g_app.action_error = "cannot run the checks: " + json.error().message;
        return 0;
    }
    g_app.action_error.clear();
    g_export = attn::ExportFile{"checks.json", attn::Bytes(json->begin(), json->end())};
    return 1;
}
}  // extern "C"

int main() {
    // The threaded build's pre-spawned workers (1 in the single-threaded build, where this does nothing).
    attn::set_thread_count(attn::default_thread_count());
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
    // The picker asks the page to fetch the model; the page loads it through attn_web_model_load.
    // EM_ASM, not emscripten_run_script: the page's CSP forbids eval.
    config.request_model = [](const std::string& name) {
        EM_ASM({ if (window.attnscope) window.attnscope.loadBundled(UTF8ToString($0)).catch(function () {}); },
               name.c_str());
    };
    config.open_model = [] {
        EM_ASM({ if (window.attnscope) window.attnscope.openFilePicker(); });
    };
    config.save_file = download;
    // "Save as page": the page builds the file (it holds the scripts, the wasm and the model's bytes).
    config.save_page = [] { EM_ASM({ if (window.attnscope) window.attnscope._savePageButton(); }); };
    config.html_text_boxes = true;   // input methods, the system clipboard and soft wrap come with a real text area
    // Text needs CJK glyphs: the page fetches the font (same origin) and calls attn_web_font_loaded.
    config.request_cjk_font = [] {
        EM_ASM({ if (window.attnscope) window.attnscope._fetchCjkFont(Module); });
    };
    // The page builds the full URL (origin, path, ?model=) around the fragment and owns the clipboard.
    config.copy_link = [](const std::string& fragment) {
        return EM_ASM_INT({
            try {
                return window.attnscope._copyLink(UTF8ToString($0)) ? 1 : 0;
            } catch (e) {
                return 0;
            }
        }, fragment.c_str()) != 0;
    };
    // The picker's models: ui/bundled_models.h's table (the build serves the same folders at models/).
    for (const attn::BundledModel& m : attn::bundled_models()) {
        config.bundled_models.push_back(m.name);
        config.model_labels.push_back(attn::bundled_model_label(m));
        if (!m.zoo) config.random_models.push_back(m.name);
    }
    attn::app_init(g_app, std::move(config));
    g_app.probe_in_steps_above_params = attn::kProbeInStepsAboveParams;   // a large model shows first
    g_app.text = "The animal didn't cross the street because it was too tired.";
    // The page opens on the default model (attnscope.js); a zoo model opens on its card's example and head.
    if (const attn::BundledModel* first = attn::bundled_model_default(attn::bundled_models())) g_app.open_card_for = first->name;
    ImGui_ImplGlfw_InitForOpenGL(g_window, true);
    ImGui_ImplOpenGL3_Init("#version 300 es");
    // The page's JS loads the model through the C API above once the runtime is up.
    emscripten_set_main_loop(frame, 0, false);
    return 0;
}
