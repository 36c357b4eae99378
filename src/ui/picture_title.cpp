#include "ui/picture_title.h"

#include <cstdio>

#include "analysis/head_average.h"
#include "ui/token_label.h"

namespace attn {

namespace {

const char* const kDot = "  \xC2\xB7  ";

std::string kind_title(AttentionKind kind) {
    return kind == AttentionKind::decoder ? "decoder self attention (target, causal)"
           : kind == AttentionKind::cross ? "cross attention (target looks at source)"
                                          : "encoder self attention (source)";
}

// "heads 0, 2, 5" for the lines view's toggles (the selected head when none are known yet).
std::string heads_on(const App& app) {
    std::string list;
    int n = 0;
    for (size_t h = 0; h < app.line_heads.on.size(); ++h)
        if (app.line_heads.on[h]) list += (n++ ? ", " : "") + std::to_string(h);
    if (n == 0) return "head " + std::to_string(app.selection.head);
    if (n == static_cast<int>(app.line_heads.on.size()) && n > 1) return "all " + std::to_string(n) + " heads";
    return (n == 1 ? "head " : "heads ") + list;
}

std::string one_line(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out += " \xE2\x86\xB5 ";   // ↵: the break stays visible
        else if (c == '\r' || c == '\t') out += ' ';
        else out += c;
    }
    return out;
}

}  // namespace

PictureTitle picture_title(const App& app, MainView view) {
    PictureTitle t;
    const Selection& s = app.selection;
    const bool seq2seq = app.has_trace && app.trace.is_encoder_decoder();
    const AttentionTensor& a = *attention_view(app.trace, s.kind).attention;
    char what[128];
    switch (view) {
    case MainView::heatmap: {
        // The heatmap's view options change what a cell is: say so, or a slide would misname its numbers.
        std::string heads = "head " + std::to_string(s.head);
        if (s.head_mode != HeadMode::one) {
            std::vector<int> used = head_average_heads(a, s.head_mode == HeadMode::average_chosen ? s.averaged_heads
                                                                                              : std::vector<int>{});
            heads = static_cast<int>(used.size()) == a.n_head ? "average of all " + std::to_string(a.n_head) + " heads"
                                                              : "average of heads " + head_list_text(used);
        }
        std::snprintf(what, sizeof what, "heatmap%slayer %d, %s%s", kDot, s.layer, heads.c_str(),
                      s.words ? ", words (sub-word pieces merged)" : "");
        break;
    }
    case MainView::grid:
        std::snprintf(what, sizeof what, "every head%s%d layers \xC3\x97 %d heads", kDot, a.n_layer, a.n_head);
        break;
    case MainView::lines: std::snprintf(what, sizeof what, "lines%slayer %d, %s", kDot, s.layer, heads_on(app).c_str()); break;
    case MainView::flow:
        std::snprintf(what, sizeof what, "attention flow%sheads averaged, edges from %.2f", kDot, app.flow.threshold);
        break;
    case MainView::attributions:
    case MainView::lens:
    case MainView::activations:
    case MainView::heads:
    case MainView::similarity:
    case MainView::patching:
    case MainView::checks:
    case MainView::explain: std::snprintf(what, sizeof what, "%s", main_view_label(view)); break;
    case MainView::lesson:
        std::snprintf(what, sizeof what, "lesson%slayer %d, head %d, step %s", kDot, s.layer, s.head,
                      head_step_name(app.lesson.step));
        break;
    }
    t.heading = (app.model_name.empty() ? std::string("no model") : app.model_name) + kDot + what;
    if (seq2seq) t.heading += kDot + kind_title(s.kind);

    std::string text = app.text;
    if (seq2seq && !app.target.empty()) text += " \xE2\x86\x92 " + app.target;   // source → target
    if (!text.empty()) t.text = "\xE2\x80\x9C" + label_elide(one_line(text), kTitleTextMaxChars) + "\xE2\x80\x9D";
    return t;
}

}  // namespace attn
