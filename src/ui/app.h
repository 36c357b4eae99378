// The app core shared by the desktop window and the web page: the loaded model, the current text and
// trace, the selection, and the per-frame layout of the views. The platform layer owns the window,
// GL and the ImGui backends; it calls these between ImGui::NewFrame() and ImGui::Render().
//
//   ImGui::CreateContext();
//   App app;
//   app_init(app, AppConfig{fonts, 16.0f, &gl_textures});
//   app_load_model(app, files, "gpt2-tiny");     // false: app.load_error says why, old model kept
//   app_set_text(app, "The animal didn't cross the street");
//   app_next_token(app);                        // decoders and BART: append the greedy next token
//   each frame: ImGui::NewFrame(); app_frame(app); ImGui::Render(); app_after_render(app);
//   app_shutdown(app);
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/file_set.h"
#include "core/i18n.h"
#include "model/model.h"
#include "model/trace.h"
#include "analysis/nonfinite.h"
#include "ui/analysis_state.h"
#include "ui/checks_state.h"
#include "ui/grid_tiles.h"
#include "ui/flow_state.h"
#include "ui/glyph_set.h"
#include "ui/head_views.h"
#include "ui/heads_state.h"
#include "ui/intervention_state.h"
#include "ui/lesson_state.h"
#include "ui/lessons_state.h"
#include "ui/predictions.h"
#include "ui/selection.h"
#include "ui/texture_provider.h"
#include "ui/theme_kind.h"
#include "ui/train_state.h"
#include "ui/views.h"
#include "ui/zoo_card.h"

namespace attn {

// TrueType bytes the platform read (from /usr/share/fonts natively, from the preloaded package on
// the web). The app never opens files itself.
struct FontFile {
    enum Role { primary, cjk };
    Role role = primary;
    std::string name;
    // Shared, since fonts never change: every App and every atlas build reads the same bytes (the UI
    // tests make hundreds of Apps; the CJK font is 5.5 MB).
    std::shared_ptr<const Bytes> bytes;
    bool present() const { return bytes && !bytes->empty(); }
};

struct AppConfig {
    std::vector<FontFile> fonts;       // none: ImGui's built-in font (ASCII only)
    float font_size = 16.0f;
    TextureProvider* textures = nullptr;
    // Models the picker lists (the platforms fill it from ui/bundled_models.h) and how to load one:
    // natively at once, on the web after a fetch. Unset: no picker.
    std::vector<std::string> bundled_models;
    std::vector<std::string> model_labels;   // the picker's text per bundled model (missing: the name)
    std::function<void(const std::string& name)> request_model;
    // "Open model...": the page's file picker. Unset: the desktop's folder prompt, when the three
    // folder callbacks below are set; otherwise no button.
    std::function<void()> open_model;
    std::function<std::vector<std::string>(const std::string& dir)> list_folders;
    std::function<bool(const std::string& dir)> is_model_folder;
    std::function<void(const std::string& dir)> load_folder;
    // Hands an export to the user: a download in the browser, a file natively. Returns where it went
    // ("saved /home/me/x.png") or an error. Unset: no Export menu.
    std::function<Expected<std::string>(const std::string& file_name, const Bytes& bytes)> save_file;
    // The page lays HTML text areas over the canvas (input methods, the system clipboard, soft wrap):
    // the input panel keeps their space and reports where they go (WidgetRects::text_boxes).
    bool html_text_boxes = false;
    // The page fetches the large CJK font only when text needs it: asked once, it hands the bytes
    // back through app_add_font. Unset (desktop, CLI): the CJK font is in `fonts` from the start.
    std::function<void()> request_cjk_font;
    // Bundled models known to have random weights (the test fixtures): the picker says so before
    // loading. Whatever loads is also measured (App::random_weights).
    std::vector<std::string> random_models;
    // "Copy link": hands the fragment (no '#') to the platform (the page writes its full URL to the
    // clipboard). Unset: ImGui's clipboard gets "#fragment" (what --state takes).
    std::function<bool(const std::string& fragment)> copy_link;
    // The Train panel's Save model: the desktop writes the files as a new folder named `name` and says
    // where. Unset (the page): the folder goes to save_file as NAME.zip.
    std::function<Expected<std::string>(const std::string& name, const FileSet& files)> save_folder;
    // "Save as page": the page writes itself, the model, the text and the view as one HTML file
    // (web/attnscope.js savePage). Unset (desktop): no button.
    std::function<void()> save_page;
};

// Screen rectangles (x, y, w, h) of widgets drawn last frame, so browser tests can click inside the
// canvas without guessing ImGui's layout. Written by the views, read by the page API.
struct WidgetRects {
    std::array<float, 4> model_picker{};
    std::array<float, 4> card_panel{};   // the left panel's model card section (zero when there is none)
    std::vector<std::array<float, 4>> model_items;   // the open picker's entries, in bundled_models order
    std::array<float, 4> next_token{};
    std::array<float, 4> open_model{};
    std::array<float, 4> copy_link{};
    std::array<float, 4> save_page{}, presenter{};   // the toolbar's Save as page and Presenter buttons
    std::array<float, 4> export_button{};
    std::vector<std::array<float, 4>> export_items;   // the open Export menu's entries, then its PNG scales
    std::array<float, 4> lines_left{};    // the lines view's token columns (labels and line ends)
    std::array<float, 4> lines_right{};
    std::vector<std::array<float, 4>> grid_tiles;   // the head grid's tiles, (L, H) row-major
    std::vector<std::array<float, 4>> chips;        // token chips (encoder-decoder: the source's)
    std::vector<std::array<float, 4>> target_chips; // encoder-decoder: the target's chips
    std::array<float, 4> heatmap_grid{};  // the heatmap's cells (x, y, w, h): cell (t, s) is at w*s/S, h*t/T
    std::vector<std::array<float, 4>> flow_top;   // the flow view's top-row tokens, one rect per token
    // The text box and (encoder-decoder) the target box, and the part of each the panel shows (x, y, w,
    // h; zero when not drawn): where the page lays its text areas.
    std::array<float, 4> text_box{}, text_box_visible{};
    std::array<float, 4> target_box{}, target_box_visible{};
    bool popup_open = false;   // a menu or combo is open: it may overlap the boxes, so the page hides them
    std::array<float, 4> empty_hint{};   // the main view's "Type a sentence..." (zero while there is a trace)
    std::array<float, 4> main_view{};     // the main view's window: the size a PNG export is drawn at
    std::array<float, 4> flow_slider{};           // the flow view's threshold slider
    std::vector<std::array<float, 4>> head_stats_rows;   // the head table's rows, one per head
    AnalysisRects analysis;   // the Attributions, Logit lens and Activations views' widgets
    std::vector<std::array<float, 4>> head_map_dots;   // the heads view's map: one dot per head, (L, H) row-major
    std::vector<std::array<float, 4>> head_table_rows; // the heads view's table rows, in the order shown
    std::vector<std::array<float, 4>> head_table_headers;   // its column headers, kHeadCol* order
    std::vector<std::array<float, 4>> similarity_dots; // the similarity view's MDS layout, (L, H) row-major
    std::vector<std::array<float, 4>> layer_heads;     // the similarity view's heads of the selected layer
};

struct TraceInFlight;   // app_model.cpp: a stepped retrace
struct ProbeInFlight;   // app_probe.cpp: a stepped random-weights probe

// What the desktop and the page set App::probe_in_steps_above_params to: past 20 M parameters a probe
// takes longer than a frame or two (WebAssembly: about 1.2 ns a parameter for its 13 tokens).
constexpr int64_t kProbeInStepsAboveParams = 20000000;

struct App {
    AppConfig config;                  // fonts are kept here: the atlas points into them

    ModelPtr model;                    // null until a model loads
    std::string model_name;
    bool model_from_disk = false;      // opened from a folder or files (not bundled): no link can carry it
    bool random_weights = false;       // measured at load (see analysis/random_weights.h, app_probe.cpp)
    // Models of more parameters than this are measured after their first trace shows, a block a frame
    // (app_probe_frame), not before it, and so is their heads' induction score (two passes of its own,
    // app_heads_frame); 0 measures every model at once (the CLI, pictures, tests). The interactive
    // platforms set kProbeInStepsAboveParams: the probe is a whole trace of its own.
    int64_t probe_in_steps_above_params = 0;
    std::shared_ptr<ProbeInFlight> probe_job;   // a stepped probe in flight
    ZooCard card;                      // the loaded model's card.json (zoo models): the left panel shows it
    // A model about to load (from the picker, or the default at start-up): when it loads under this
    // name, the explorer opens on its card's example text and featured head (app_card_apply).
    std::string open_card_for;
    std::string linked_disk_model;     // a link named a disk model (model=local:NAME) that is not loaded

    std::string text;                  // decoder-only / encoder input; encoder-decoder: the source
    int text_generation = 0;           // bumps when text is replaced from outside the text box
    std::string target;                // encoder-decoder: the decoder's text (teacher-forced)
    int target_generation = 0;
    // Set by Next token so the trace keeps exactly the chosen ids (re-tokenizing the decoded text
    // could merge the new token with its neighbour); cleared when the user edits the text.
    std::vector<int32_t> stepped_ids;           // decoder-only: the whole input
    std::vector<int32_t> stepped_decoder_ids;   // encoder-decoder: the whole decoder input
    int stepped_position = -1;         // token the last Next token added (heatmap row); -1 none

    Trace trace;                       // the current trace of text (and target)
    uint64_t trace_version = 0;        // bumps on every new trace (texture cache key)
    bool has_trace = false;
    bool truncated = false;
    // When the text (encoder-decoder: the source) is longer than the context: its token count before
    // the cut, and the byte offset in `text` just after the last piece the model reads (-1: not cut).
    int n_text_tokens = 0;
    int text_cut_byte = -1;
    double trace_ms = -1.0;
    std::shared_ptr<TraceInFlight> trace_job;   // a stepped retrace in flight (app_retrace_after_edit)
    double trace_ms_per_token = 0.0;   // the last trace's time a token (kept when the text is cleared)
    // After an edit, a model whose last trace took longer than this, or a text whose trace would (the last
    // trace's time a token, times the new text's tokens), is traced in steps.
    double trace_step_above_ms = 50.0;
    // Those steps' size (TraceOptions::step_multiply_adds; 0: half a block a step).
    double trace_step_multiply_adds = 16e6;
    // A frame stops stepping the trace (and the other jobs) once it has spent this long. The page sets it
    // every frame from what its views took (ui/draw_pacing.h's job_budget_ms).
    double trace_budget_ms = 8.0;
    double longest_trace_frame_ms = 0.0; // the most one frame spent stepping a trace (the bench and tests)
    // Natively the loaded model's weights are packed for the product a few matrices a frame after it
    // shows (app_pack_weights_frame); this is the network that is done (nullptr: not yet).
    const Network* packed_network = nullptr;
    double longest_pack_step_ms = 0.0;

    std::vector<MaskPrediction> mask_predictions;   // encoders: one per mask token in the input
    std::vector<TokenProb> next_predictions;        // decoders and BART: after the last position

    Theme theme = Theme::dark;
    float font_size = 16.0f;           // the atlas is rebuilt at this size when fonts_dirty is set
    bool fonts_dirty = false;          // the platform rebuilds fonts (and their texture) before the next frame
    GlyphSet glyphs;                   // code points shown so far: the atlas bakes these (app_glyphs.cpp)
    uint64_t glyphs_trace_version = 0; // the trace whose labels are in `glyphs`
    int glyphs_language = -1;          // the Language whose string table is in `glyphs`
    std::vector<ImWchar> font_ranges;  // the ranges the atlas was built from (it points into them)
    bool cjk_font_requested = false;
    // Set once the user picks a size (A-/A+, + and -, a link's font=); until then app_frame sizes the
    // font from the window (app_auto_font_size), so a projector gets big text without asking.
    bool font_chosen = false;
    bool help_open = false;            // the keyboard shortcuts window ("?")
    bool presenter = false;            // presenter mode (ui/presenter.h): large type, high contrast, fewer views
    float presenter_saved_font = 16.0f;   // the font size and choice to restore when it is turned off
    bool presenter_saved_chosen = false;
    std::string pending_folder;        // chosen in the Open model prompt; loaded by app_after_render
    int pending_export = -1;           // an ExportKind picked this frame; built by app_after_render
    int picture_scale = 1;             // PNG exports: 1x, 2x or 4x the main view's size (kPictureScales)
    FolderPromptData folder_prompt;    // the desktop's Open model prompt (dir persists between opens)
    std::string notice;                // last good news for the status bar ("saved x.png")

    std::string load_error;            // last failed model load (cleared by a good one)
    std::string load_warning;          // what the shown model's load warned about (Model::warnings), else ""
    std::string trace_error;           // last failed trace (cleared by a good one)
    std::string trace_warning;         // where the shown trace first has NaN/Inf (analysis/nonfinite.h), else ""
    // trace_warning's scan of a large trace, a part a step (app_nonfinite_frame), for trace_version
    // nonfinite_version; null when done.
    std::shared_ptr<NonFiniteScan> nonfinite_scan;
    uint64_t nonfinite_version = 0;
    double nonfinite_longest_ms = 0.0;   // its longest step (frame_budget.h)
    std::string action_error;          // last failed export (cleared by a good one)
    std::string step_error;            // why Next token could not step (context full)
    Selection selection;
    MainView main_view = MainView::heatmap;
    HeadToggles line_heads;            // heads the lines view draws
    GridTiles grid_tiles;              // the head grid's thumbnails and scale (app_grid.h)
    // Work over more attention weights than this (about 1-3 ns each) is done over several frames
    // (app_in_steps): the grid's tiles, the flow view's residual attention, the layer table. A T = 1024
    // trace's 151 M would hold one frame up for 0.2-0.3 s.
    double step_above_weights = 4e6;
    FlowViewState flow;                // the flow view's slider, pinned token and caches (app_flow.h)
    HeadViewCache head_views;          // the heatmap's averaged / word-level matrices, per trace key
    WidgetRects widgets;
    AnalysisState analysis;            // Attributions, Logit lens, Activations: choices, job, cached result
    HeadsState heads;                  // the heads and similarity views: statistics, labels, similarity
    InterventionState interventions;   // ablations, knockouts, masks and their effect; activation patching
    ChecksState checks;                // the checks run and the heads it passes
    ExplainState explain;              // the explanation's faithfulness job and text
    TrainPanelState train;             // the Train panel: a task trained here, shown as it learns
    LessonState lesson;                // lesson mode: the step shown and the head's computation
    LessonsState lessons;              // the Lessons panel: lessons of the zoo model, exercises, the score
    // Pictures (PNG export, `attnscope-cli render`): app_frame draws only the main view over the whole
    // display, under a one-line caption; no panels, no view switch, no status bar.
    bool picture_only = false;
};

void app_init(App& app, AppConfig config);
// Theme and font size: applied at once to the style; fonts are only marked dirty (the atlas may not
// change inside a frame), app_rebuild_fonts then runs between frames.
void app_set_theme(App& app, Theme theme);
// The language of every string the app draws (core/i18n.h); the atlas gets its glyphs.
void app_set_language(App& app, Language language);
void app_set_font_size(App& app, float size);   // the user's choice: the font stops following the window
void app_rebuild_fonts(App& app);
void app_frame(App& app);
// After ImGui::Render(): work the frame asked for that must not run inside it (folder loads, exports,
// which render the view again off screen).
void app_after_render(App& app);
void app_shutdown(App& app);
// What app_init does to the current context, for a context or atlas made elsewhere (pictures).
void app_style_apply(const App& app, ImGuiStyle& style);
// `ranges` (ImGui's format, see app_font_ranges) must outlive the atlas's build; the bytes stay in `config`.
void app_fonts_add(const AppConfig& config, float size, ImFontAtlas& atlas, const ImWchar* ranges);
// Glyphs (app_glyphs.cpp): notes the code points of everything on screen (text, token labels,
// predictions, status) and marks the fonts dirty when the atlas lacks a new one; after a rebuild,
// asks the platform for the CJK font when text needs glyphs the loaded fonts lack.
void app_collect_glyphs(App& app);
std::vector<ImWchar> app_font_ranges(const GlyphSet& used);   // Latin/Greek/Cyrillic and punctuation, plus `used`
void app_fonts_check_missing(App& app);
// A font the platform fetched later (the page's CJK font): kept in config.fonts, atlas rebuilt.
void app_add_font(App& app, FontFile font);
bool app_has_cjk_font(const App& app);
// Whether every drawable code point of `text` has a glyph in the current atlas.
bool app_font_has_glyphs(const std::string& text);

// Replaces the model only when `files` load; otherwise sets app.load_error and keeps the previous one.
bool app_load_model(App& app, const FileSet& files, const std::string& name);
// Zoo models (app_card.cpp): the card's example text and featured head, re-traced; false without a card.
bool app_card_open(App& app);
// The left panel's collapsible "Model card" section (nothing when the model has no card).
void app_show_card_panel(App& app);
// Sets the text (encoder-decoder: the source) and re-runs the model on it (when one is loaded).
void app_set_text(App& app, const std::string& text);
// Encoder-decoder models: sets the target text the decoder reads and re-traces (app_retrace_after_edit).
void app_set_target(App& app, const std::string& target);
// Re-runs the model on the current text/target (or the stepped ids) and refreshes the predictions.
void app_retrace(App& app);
// The same after a typed edit: in steps (app_trace_job_frame) when the last trace took longer than
// App::trace_step_above_ms or the new text would at the last trace's time a token, so typing (or pasting a
// long text) stays responsive with a large model; otherwise app_retrace.
void app_retrace_after_edit(App& app);
// Runs a few milliseconds (App::trace_budget_ms) of a stepped retrace; the views switch to its trace once
// it is complete. The frame calls it; nothing else needs to. Returns the milliseconds spent.
double app_trace_job_frame(App& app);
// Runs a stepped retrace in flight to the end now (a script's call that answers with the new trace).
void app_trace_job_finish(App& app);
// A trace of the app's kind of input as a job: ids (an encoder-decoder's source, decoder_ids its decoder's
// input) through model_trace_seq2seq_job or model_trace_job, whichever the model takes.
Expected<std::unique_ptr<ForwardJob>> app_trace_job(const Model& model, const std::vector<int32_t>& ids,
                                                    const std::vector<int32_t>& decoder_ids, const TraceOptions& options);
// Packs a few of the loaded model's layer matrices (Network::pack_weights_step) within budget_ms, at
// least one, until they are all packed: later traces are faster, and the load did not wait for it.
// Returns the milliseconds spent.
double app_pack_weights_frame(App& app, double budget_ms);
// Whether the loaded model is past App::probe_in_steps_above_params: its whole-trace measurements (the
// random-weights probe, the heads' induction score) then run in steps after its first trace shows.
bool app_measures_in_steps(const App& app);
// Measures App::random_weights for the model just loaded: at once, or, for a model past
// App::probe_in_steps_above_params, by a job app_probe_frame steps (random_weights stays false meanwhile).
void app_probe_start(App& app);
// Runs a few milliseconds (App::trace_budget_ms) of a stepped probe, after any stepped retrace is done.
// The frame calls it; nothing else needs to. Returns the milliseconds spent.
double app_probe_frame(App& app);
// Whether a stepped probe is in flight (App::random_weights is not known yet).
bool app_probing(const App& app);
// Whether a stepped retrace is in flight, and how far it is (steps: embeddings, each block, the head).
bool app_tracing(const App& app, int* steps_done = nullptr, int* steps_total = nullptr);
// Drops the trace (the views then show what to do instead of a stale picture); the model stays.
void app_clear_trace(App& app);
// A model is loaded but the text box is empty (or only spaces): nothing to trace, say what to type.
bool app_waiting_for_text(const App& app);
// Decoders and encoder-decoders: appends the greedy next token (to the text, or BART's target) and
// re-traces. False (app.step_error says why) for encoders or a full context.
bool app_next_token(App& app);
// "Copy link": the URL fragment to the platform's clipboard; app.notice says what the link carries (and,
// for a model opened from disk, that the reader must open it themselves). Returns the fragment.
std::string app_copy_link(App& app);
// When a link named a model opened from disk that is not loaded: what the status bar says ("" otherwise).
std::string app_link_warning(const App& app);
// The loaded model was opened from disk (file picker, drop, folder prompt): links mark it as local.
void app_mark_model_from_disk(App& app);
// An export of what is on screen, ready to save: file name and bytes.
struct ExportFile {
    std::string name;
    Bytes bytes;
};
// PNG renders the view again off screen, hence the non-const App: at the main view's size times
// `scale` (1, 2 or 4; 0: app.picture_scale), capped at kMaxPicturePixels.
Expected<ExportFile> app_export_file(App& app, ExportKind kind, int scale = 0);
// Builds the export and hands it to config.save_file; the outcome lands in app.notice or app.action_error.
bool app_export(App& app, ExportKind kind);

// The attention tensor the selection's kind names in `trace`, with its query and key tokens.
struct AttentionView {
    const AttentionTensor* attention = nullptr;
    const TokenSeq* queries = nullptr;
    const TokenSeq* keys = nullptr;
};
AttentionView attention_view(const Trace& trace, AttentionKind kind);
// The heatmap of `hd` after the view options (head average, words; see head_views.h), with their controls.
void app_show_heatmap(App& app, HeatmapData hd);
// The selected layer's head statistics table (right panel).
void app_show_head_stats(App& app, const AttentionView& view);
// Per frame, before the views: more heads of a large layer's table within what earlier jobs (spent_ms)
// left of `budget_ms` (frame_budget.h: at least one head when they spent nothing); the milliseconds spent.
double app_head_stats_frame(App& app, double budget_ms, double spent_ms);
// Whether the selected layer's head table is still being made a head a frame (app_head_stats_frame).
bool app_head_stats_pending(const App& app);
// Identifies the attention on screen (this trace, this kind): views key their textures and caches on it.
uint64_t shown_attention_key(const App& app);
// Whether work over `weights` attention weights is done in steps by a frame function rather than at once:
// past App::step_above_weights, and never for a picture (drawn in one go).
bool app_in_steps(const App& app, double weights);
// The load, trace and export errors, joined: what the status bar shows in red ("" when all is well).
std::string app_error_text(const App& app);
// The Attributions, Logit lens and Activations views (app_analysis.cpp), drawn from app.analysis.
void app_show_analysis_view(App& app, MainView view, PieceStyle style);
// Installs a trace made elsewhere (the model, or a test's synthetic trace).
void app_show_trace(App& app, Trace trace, double trace_ms);
// App::trace_warning for the shown trace: read when it is shown if it is small (App::step_above_weights
// values or fewer), else by the frame's jobs, within what budget_left_for leaves; returns the ms spent.
// settle reads the rest at once (an export's legend, a picture).
double app_nonfinite_frame(App& app, double budget_ms, double spent_ms);
// Whether the view on screen still makes something in steps after a trace: the head statistics, the
// grid's tiles, the flow graph, the similarity, the heatmap's before / change under interventions (as of
// the last frame). The page's state.viewPending.
bool app_view_pending(const App& app);
void app_nonfinite_settle(App& app);
// Whether the shown trace is still being read for NaN and infinities in steps (app_nonfinite_frame).
bool app_nonfinite_pending(const App& app);

}  // namespace attn
