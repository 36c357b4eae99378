// Which glyphs the atlas bakes: the fixed Latin/Greek/Cyrillic block plus every code point seen on
// screen. Scanning the text and status strings each frame is cheap (a bitset); token labels and
// predictions are scanned once per trace.
#include <type_traits>

#include "core/i18n.h"
#include "imgui.h"
#include "ui/app.h"
#include "ui/lesson_text.h"
#include "ui/token_chars.h"

namespace attn {

static_assert(std::is_same_v<ImWchar, uint16_t>, "GlyphSet and glyph_ranges assume ImGui's 16-bit ImWchar");

namespace {

// Latin, Greek, Cyrillic, general punctuation, arrows (·, …, →, ↵ for a newline), block elements, ✂ (where
// the context cut the text) and U+FFFD: with it
// in the atlas, ImGui's fallback for a missing glyph (and for emoji in the text box) is "�", not "?".
const std::vector<uint16_t> kPrimaryRanges = {
    0x0020, 0x00FF, 0x0100, 0x024F, 0x0370, 0x03FF, 0x0400, 0x052F,
    0x2000, 0x206F, 0x2190, 0x21FF, 0x2580, 0x259F, 0x2702, 0x2702, 0xFFFD, 0xFFFD,
};

const ImFont* atlas_font() {
    if (!ImGui::GetCurrentContext()) return nullptr;   // the CLI's picture, before its atlas exists
    ImGuiIO& io = ImGui::GetIO();
    return io.Fonts->Fonts.empty() ? nullptr : io.Fonts->Fonts[0];
}

bool font_has(const ImFont* font, uint32_t cp) {
    return font && font->FindGlyphNoFallback(static_cast<ImWchar>(cp)) != nullptr;
}

// Adds text's code points; true when one is new and the atlas has no glyph for it yet.
bool note(GlyphSet& glyphs, const std::string& text) {
    const ImFont* font = atlas_font();
    bool rebuild = false;
    size_t i = 0;
    while (i < text.size()) {
        uint32_t cp = 0;
        int n = utf8_char_at(text, i, &cp);
        i += n ? static_cast<size_t>(n) : 1;
        if (n && glyphs.add(cp) && !font_has(font, cp)) rebuild = true;
    }
    return rebuild;
}

bool note_seq(GlyphSet& glyphs, const TokenSeq& seq, PieceStyle style) {
    bool rebuild = false;
    for (const TokenChars& tc : *token_chars_kept(seq, style)) rebuild |= note(glyphs, tc.label);
    for (const std::string& piece : seq.pieces) rebuild |= note(glyphs, piece);   // the chip's tooltip shows it raw
    return rebuild;
}

bool note_predictions(GlyphSet& glyphs, const std::vector<TokenProb>& top, PieceStyle style) {
    bool rebuild = false;
    for (const TokenProb& p : top) rebuild |= note(glyphs, token_label(p.piece, style));
    return rebuild;
}

}  // namespace

std::vector<ImWchar> app_font_ranges(const GlyphSet& used) { return glyph_ranges(used, kPrimaryRanges); }

void app_collect_glyphs(App& app) {
    bool rebuild = false;
    for (const std::string* s : {&app.text, &app.target, &app.model_name, &app.load_error, &app.load_warning, &app.trace_error,
                                 &app.trace_warning, &app.action_error, &app.step_error, &app.notice})
        rebuild |= note(app.glyphs, *s);
    for (const std::string& name : app.config.bundled_models) rebuild |= note(app.glyphs, name);
    // Every string of the language on screen, once per language, so no translated label ever draws as
    // empty squares. The languages' own names (the switch shows the next one) only when a CJK font is
    // already loaded: the page must not fetch it for the two characters of "中文" alone.
    if (app.glyphs_language != static_cast<int>(current_language())) {
        app.glyphs_language = static_cast<int>(current_language());
        for (const std::string& key : string_keys(current_language())) rebuild |= note(app.glyphs, tr(key.c_str()));
    }
    if (app_has_cjk_font(app))
        for (const LanguageInfo& l : languages()) rebuild |= note(app.glyphs, l.name);
    rebuild |= note(app.glyphs, kLessonSymbols);
    rebuild |= note(app.glyphs, app.lessons.glyph_text);   // the Lessons panel's pages (not in the string tables)
    rebuild |= note(app.glyphs, app.lessons.shown_feedback);
    if (app.has_trace && app.glyphs_trace_version != app.trace_version) {
        app.glyphs_trace_version = app.trace_version;
        const PieceStyle style = piece_style_for(app.trace);
        rebuild |= note_seq(app.glyphs, app.trace.tokens, style);
        rebuild |= note_seq(app.glyphs, app.trace.decoder_tokens, style);
    }
    if (app.has_trace) {   // a handful of pieces, filled in after the trace: looked at every time
        const PieceStyle style = piece_style_for(app.trace);
        rebuild |= note_predictions(app.glyphs, app.next_predictions, style);
        for (const MaskPrediction& m : app.mask_predictions) rebuild |= note_predictions(app.glyphs, m.top, style);
    }
    if (rebuild) app.fonts_dirty = true;
}

bool app_has_cjk_font(const App& app) {
    for (const FontFile& f : app.config.fonts)
        if (f.role == FontFile::cjk && f.present()) return true;
    return false;
}

void app_fonts_check_missing(App& app) {
    if (app.cjk_font_requested || !app.config.request_cjk_font || app_has_cjk_font(app)) return;
    const ImFont* font = atlas_font();
    // From Hangul Jamo (U+1100) up: what the primary font does not cover and the CJK font does. Below
    // it (Latin, Greek, Cyrillic, Arabic, ...) the primary font has it or nobody does.
    for (uint32_t cp : app.glyphs.code_points())
        if (cp >= 0x1100 && !font_has(font, cp)) {
            app.cjk_font_requested = true;
            app.config.request_cjk_font();
            return;
        }
}

void app_add_font(App& app, FontFile font) {
    app.config.fonts.push_back(std::move(font));
    app.fonts_dirty = true;
}

bool app_font_has_glyphs(const std::string& text) {
    const ImFont* font = atlas_font();
    size_t i = 0;
    while (i < text.size()) {
        uint32_t cp = 0;
        int n = utf8_char_at(text, i, &cp);
        if (n == 0) return false;
        if (cp >= 0x20 && !font_has(font, cp)) return false;
        i += static_cast<size_t>(n);
    }
    return true;
}

}  // namespace attn
