// The views: each is show_<thing>(selection, data) and draws into the current ImGui window. Data
// structs hold pointers into state owned elsewhere (the App's Trace); views copy nothing and load
// nothing.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "imgui.h"
#include "analysis/head_patterns.h"
#include "core/i18n.h"
#include "model/trace.h"
#include "ui/export_kinds.h"
#include "ui/flow_state.h"
#include "ui/predictions.h"
#include "ui/selection.h"
#include "ui/texture_provider.h"
#include "ui/token_label.h"

namespace attn {

// The last ImGui item's screen rect as (x, y, w, h): what WidgetRects records for browser tests.
inline std::array<float, 4> last_item_rect() {
    ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    return {a.x, a.y, b.x - a.x, b.y - a.y};
}

struct ModelPickerData {
    const std::vector<std::string>* models = nullptr;   // null or empty: no picker
    std::string current;
    float width = 0.0f;                                  // the combo's width; 0: the rest of the line
    std::array<float, 4>* rect = nullptr;                // out: the combo's rect (x, y, w, h)
    std::vector<std::array<float, 4>>* item_rects = nullptr;   // out: entries' rects while open
    const std::vector<std::string>* random = nullptr;   // entries known to have random weights
    bool current_random = false;                         // the loaded model measured random
    // What each entry says, in `models` order (null or missing: its name). The random ones, listed last,
    // sit under a "test models" heading.
    const std::vector<std::string>* labels = nullptr;
};
// A combo of the bundled models. Returns the name picked this frame, or "".
std::string show_model_picker(const ModelPickerData& data);


struct ToolbarData {
    ModelPickerData picker;
    bool can_open_model = false;   // the platform can show a file picker / folder dialog
    bool light_theme = false;
    float font_size = 16.0f;
    bool has_trace = false;        // exports need something to export
    bool can_export_png = false;
    int picture_scale = 1;         // the PNG's resolution (kPictureScales), chosen in the menu
    bool can_copy_link = false;
    bool presenter = false;        // presenter mode: the button says how to leave it; advanced buttons hide
    bool can_save_page = false;    // the page can save itself as one HTML file
    Language next_language = Language::en;   // what the language switch changes to
    std::string next_language_label;         // its name, in its own script when the atlas can draw it
    std::array<float, 4>* copy_link_rect = nullptr;
    std::array<float, 4>* save_page_rect = nullptr;
    std::array<float, 4>* presenter_rect = nullptr;
    std::array<float, 4>* open_rect = nullptr;     // out: rects for browser tests
    std::array<float, 4>* export_rect = nullptr;
    std::vector<std::array<float, 4>>* export_item_rects = nullptr;
};
struct ToolbarActions {
    std::string picked_model;      // "" none
    bool open_model = false;
    bool toggle_theme = false;
    int font_step = 0;             // -1 smaller, +1 bigger
    int export_kind = -1;          // an ExportKind picked this frame, or -1
    int picture_scale = 0;         // a PNG scale picked this frame, or 0
    bool copy_link = false;
    bool toggle_help = false;      // the "?" button: show or hide the keyboard shortcuts
    int pick_language = -1;        // a Language picked this frame, or -1
    bool toggle_presenter = false;
    bool save_page = false;
};
// The top bar: model picker, Open model..., theme, font size, the Export menu and "?" (shortcuts).
// Its right-hand group moves to a second row when both do not fit in `width` (toolbar_rows says so
// before the bar is drawn, so the app can size it).
ToolbarActions show_toolbar(const ToolbarData& data);
int toolbar_rows(const ToolbarData& data, float width);

struct FolderPromptData {
    bool open_requested = false;     // set to open the prompt; the view clears it
    std::string dir;                 // the folder shown, edited in place
    std::function<std::vector<std::string>(const std::string& dir)> list_folders;
    std::function<bool(const std::string& dir)> is_model_folder;
};
// The desktop's Open model prompt (a modal). Returns the folder chosen this frame, or "".
std::string show_folder_prompt(FolderPromptData& data);

struct InputPanelData {
    std::string* text = nullptr;   // edited in place (encoder-decoder: the source)
    int text_generation = 0;       // changes when *text was replaced from outside the box
    std::string* target = nullptr; // encoder-decoder only: the decoder's text; null hides the box
    int target_generation = 0;
    int n_layer = 0, n_head = 0;   // of the attention kind shown
    int n_token = 0;               // encoder-decoder: source tokens
    int n_target_token = 0;
    int n_ctx = 0;
    bool truncated = false;        // the text was longer than the model's context
    bool has_mask_token = false;   // encoders: hint how to ask for a mask prediction
    const char* mask_token = "";
    // Token chips: how the text was split. Encoder-decoder: source chips from `tokens`, target chips
    // from `target_tokens`. Null: no chips.
    const TokenSeq* tokens = nullptr;
    const TokenSeq* target_tokens = nullptr;
    PieceStyle piece_style = PieceStyle::plain;
    std::vector<std::array<float, 4>>* chip_rects = nullptr;          // out: chips' rects (x, y, w, h)
    std::vector<std::array<float, 4>>* target_chip_rects = nullptr;   // out: the target chips'
    // Truncation: the text's token count before the cut and its last words the model reads.
    int n_text_tokens = 0;
    std::string cut_quote;
    // The page draws the boxes as HTML text areas: keep their space, say where they are (x, y, w, h)
    // and which part of each the panel shows. Null rects: not recorded.
    bool html_text_boxes = false;
    std::array<float, 4>* text_rect = nullptr;
    std::array<float, 4>* text_visible = nullptr;
    std::array<float, 4>* target_rect = nullptr;
    std::array<float, 4>* target_visible = nullptr;
};
enum InputEdits { input_edited_text = 1, input_edited_target = 2 };
// Text box(es), the attention-kind selector (encoder-decoder) and layer/head steppers. Returns
// InputEdits bits for the boxes that changed this frame.
int show_input_panel(Selection& selection, const InputPanelData& data);
// What the main view shows while the text box is empty: what to do, instead of a stale picture.
// Returns the hint's first line's rect (x, y, w, h).
std::array<float, 4> show_empty_text_hint(bool seq2seq);

struct HeatmapData {
    const AttentionTensor* attention = nullptr;   // null or empty: a hint is shown instead
    const TokenSeq* queries = nullptr;            // row labels (T)
    const TokenSeq* keys = nullptr;               // column labels (S)
    const char* title = "";                       // what is looking at what, in words
    int highlight_query = -1;                     // a row to mark (the token Next token added)
    uint64_t trace_version = 0;    // bumps whenever the trace is replaced (texture re-upload key)
    PieceStyle piece_style = PieceStyle::plain;
    TextureProvider* textures = nullptr;
    int texture_slot = 0;
    std::array<float, 4>* grid_rect = nullptr;    // out: the cells' rect (x, y, w, h)
    bool picture = false;          // a picture (PNG export): no controls or hints, a legend instead
    // View options (see head_views.h): a head average to show instead of the selected head, named in
    // the title and tooltip, and per-row/column notes for the tooltip (words: which pieces they join).
    const float* matrix = nullptr;                // (T, S); null: the selected head
    const char* heads_label = nullptr;            // "average of heads 0,2,3"; with matrix
    const std::vector<std::string>* query_notes = nullptr;
    const std::vector<std::string>* key_notes = nullptr;
    bool bad_values = false;       // the trace holds NaN/Inf: the colorbar says what the bad colour means
};
// One attention head as a (queries x keys) heatmap with token labels, colorbar and hover tooltip.
// Clicking a row (cell or label) pins that query; clicking it again unpins.
void show_heatmap(Selection& selection, const HeatmapData& data);
// The colormap combo and the "Auto scale" checkbox (they edit selection.colormap / auto_scale), and
// the width they take on one line.
void show_scale_controls(Selection& selection);
float scale_controls_width();

struct GridTiles;
struct GridData {
    const AttentionTensor* attention = nullptr;   // null or empty: a hint is shown instead
    const char* title = "";
    uint64_t trace_version = 0;                   // as HeatmapData's: the tiles' texture key
    // Every head's pooled texels and largest weight (auto scale), made over a few frames for a large trace
    // (app_grid.h); a head not made yet is a blank tile, and the hint line says how far it is. Null: blank.
    const GridTiles* tiles = nullptr;
    TextureProvider* textures = nullptr;
    std::vector<std::array<float, 4>>* tile_rects = nullptr;   // out: (L, H) tiles' rects (x, y, w, h)
    const std::vector<float>* head_importance = nullptr;   // (L, H) when computed: a bar under each tile
    const std::vector<float>* head_ablation = nullptr;     // (L, H) score drop per ablated head (tooltip)
    const std::vector<HeadLabel>* head_labels = nullptr;   // (L, H): a pattern badge on each tile
    const std::vector<uint8_t>* highlighted = nullptr;     // (L, H) nonzero: outlined (heads a check passes)
    bool picture = false;          // a picture (PNG export): no controls or hints, a legend instead
    bool bad_values = false;       // as HeatmapData's
};
// Every layer x head as a thumbnail (rows "L0".., columns "H0.."), the selected head outlined, a
// bigger preview on hover. Returns true when a tile was clicked: it is then the selected layer/head,
// and the app opens it in the heatmap.
bool show_grid(Selection& selection, const GridData& data);

struct InspectorData {
    const AttentionTensor* attention = nullptr;   // the shown kind's tensor
    const TokenSeq* queries = nullptr;            // its query tokens (the token inspected is one)
    const TokenSeq* keys = nullptr;
    uint64_t trace_version = 0;                   // as HeatmapData's
    PieceStyle piece_style = PieceStyle::plain;
    TextureProvider* textures = nullptr;
};
// The focused token (selection_focus_query): its label, id and position, and its attention row in
// every layer and head as one strip per head (hover a strip for its strongest keys).
void show_inspector(Selection& selection, const InspectorData& data);

struct LinesData {
    const AttentionTensor* attention = nullptr;   // null or empty: a hint is shown instead
    const TokenSeq* queries = nullptr;            // the tokens looking (T)
    const TokenSeq* keys = nullptr;               // the tokens looked at (S)
    PieceStyle piece_style = PieceStyle::plain;
    HeadToggles* heads = nullptr;                 // required: the toggles live in the App
    std::array<float, 4>* left_rect = nullptr;    // out: the left token column (x, y, w, h)
    std::array<float, 4>* right_rect = nullptr;
    bool picture = false;          // a picture (PNG export): no controls or hints, a legend instead
};
// The head view: the looking tokens (queries; cross attention: the target) on the left, the tokens
// looked at on the right, joined by one line per (query, key) with opacity = weight, one
// colour per head, head checkboxes, and hovering a token isolates its lines. Draw-list only (no GL).
void show_lines(Selection& selection, const LinesData& data);

// One line of the head view and the pure selection behind it (tested directly).
struct AttentionLine {
    float weight;
    int head, query, key;
};
// The lines of `layer` for the heads switched on in `heads_on`, only_query/only_key >= 0 keep one
// token's lines, weights below min_weight are dropped, and at most max_lines survive (the strongest).
// Sorted by weight ascending so the strongest lines are drawn last, on top.
std::vector<AttentionLine> attention_lines(const AttentionTensor& attention, int layer,
                                           const std::vector<char>& heads_on, int only_query, int only_key,
                                           float min_weight, size_t max_lines, size_t* n_dropped = nullptr);
// The head's colour: a 12-colour qualitative palette, cycling for models with more heads.
ImU32 head_color(int head, float alpha = 1.0f);

struct FlowData {
    const AttentionTensor* attention = nullptr;   // a self-attention stack; null or empty: a hint is shown
    const TokenSeq* tokens = nullptr;             // its tokens (T)
    const char* no_flow_reason = nullptr;         // set (cross attention): shown instead of the graph
    uint64_t trace_key = 0;                       // changes whenever the attention shown changes
    PieceStyle piece_style = PieceStyle::plain;
    FlowViewState* state = nullptr;               // required: the slider, pin and caches live in the App
    std::vector<std::array<float, 4>>* top_nodes = nullptr;   // out: the top row's hover rects (x, y, w, h)
    bool picture = false;          // a picture (PNG export): no controls or hints, a legend instead
    std::array<float, 4>* slider_rect = nullptr;              // out: the threshold slider's rect
};
// The attention-flow graph: tokens in L+1 rows (input at the bottom), edges weighted by Ahat, a
// threshold slider; hovering (or clicking) a top token lights up the paths that feed it and shows each
// input token's max flow to it under the bottom row. Draw-list only, vertex-budgeted like show_lines.
void show_flow(Selection& selection, const FlowData& data);

struct PredictionsData {
    PieceStyle piece_style = PieceStyle::plain;
    const TokenSeq* tokens = nullptr;                        // for naming the masked position
    const std::vector<MaskPrediction>* masks = nullptr;      // encoders
    const std::vector<TokenProb>* next = nullptr;            // decoders and BART
    bool can_step = false;                                   // show the Next token button
    std::string stepped_label;                               // token the last step added ("" none)
    std::string hint;                                        // shown when there is nothing to predict
    std::string step_error;
    std::array<float, 4>* next_rect = nullptr;               // out: the button's rect
};
// Top-5 bars for each mask and for the next token, and the Next token button. Returns true when the
// button was pressed this frame (stepping is the app's job).
bool show_predictions(const PredictionsData& data);

struct StatusData {
    std::string model_name;        // empty: no model loaded
    std::string architecture;
    int n_layer = 0, n_head = 0;
    int64_t n_params = 0;
    int n_token = 0;
    int n_target_token = 0;        // encoder-decoder: decoder tokens (n_token counts the source)
    double trace_ms = -1.0;        // < 0: no trace yet
    std::string notice;            // last good news ("saved x.png"), shown until an error replaces it
    std::string error;             // last error, shown in red; the previous model stays usable
    bool random_weights = false;   // the model's predictions are near uniform: say its patterns mean nothing
    std::string link_warning;      // a link asked for a model opened from disk (app_link_warning)
};
void show_status_bar(const StatusData& data);

}  // namespace attn
