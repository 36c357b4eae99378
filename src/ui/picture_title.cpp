#include "ui/picture_title.h"

#include <cstdio>

#include "analysis/head_average.h"
#include "core/i18n.h"
#include "ui/token_label.h"

namespace attn {

namespace {

const char* const kDot = "  \xC2\xB7  ";

std::string kind_title(AttentionKind kind) {
    return tr(kind == AttentionKind::decoder ? "pictures.title.kind_decoder"
              : kind == AttentionKind::cross ? "pictures.title.kind_cross"
                                             : "pictures.title.kind_encoder");
}

std::string one_head(int head) {
    char buf[64];
    std::snprintf(buf, sizeof buf, tr("ui.heatmap.head"), head);   // "head 3", as the heatmap's head switch says
    return buf;
}

// "heads 0, 2, 5" for the lines view's toggles (the selected head when none are known yet).
std::string heads_on(const App& app) {
    std::string list;
    int n = 0;
    for (size_t h = 0; h < app.line_heads.on.size(); ++h)
        if (app.line_heads.on[h]) list += (n++ ? ", " : "") + std::to_string(h);
    if (n == 0) return one_head(app.selection.head);
    if (n == static_cast<int>(app.line_heads.on.size()) && n > 1) return trf("pictures.title.all_heads", {{"n", std::to_string(n)}});
    return n == 1 ? one_head(std::stoi(list)) : trf("pictures.title.heads", {{"list", list}});
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
    const std::string layer = std::to_string(s.layer);
    std::string what;
    switch (view) {
    case MainView::heatmap: {
        // The heatmap's view options change what a cell is: say so, or a slide would misname its numbers.
        std::string heads = one_head(s.head);
        if (s.head_mode != HeadMode::one) {
            std::vector<int> used = head_average_heads(a, s.head_mode == HeadMode::average_chosen ? s.averaged_heads
                                                                                              : std::vector<int>{});
            heads = static_cast<int>(used.size()) == a.n_head
                        ? trf("pictures.title.average_of_all", {{"n", std::to_string(a.n_head)}})
                        : trf("pictures.title.average_of_heads", {{"list", head_list_text(used)}});
        }
        what = trf(s.words ? "pictures.title.heatmap_words" : "pictures.title.heatmap", {{"layer", layer}, {"heads", heads}});
        break;
    }
    case MainView::grid:
        what = trf("pictures.title.grid", {{"layers", std::to_string(a.n_layer)}, {"heads", std::to_string(a.n_head)}});
        break;
    case MainView::lines: what = trf("pictures.title.lines", {{"layer", layer}, {"heads", heads_on(app)}}); break;
    case MainView::flow: {
        char threshold[32];
        std::snprintf(threshold, sizeof threshold, "%.2f", app.flow.threshold);
        what = trf("pictures.title.flow", {{"threshold", threshold}});
        break;
    }
    case MainView::attributions:
    case MainView::lens:
    case MainView::activations:
    case MainView::heads:
    case MainView::similarity:
    case MainView::patching:
    case MainView::checks:
    case MainView::explain: what = main_view_label(view); break;
    case MainView::lesson: {
        // The step's title as the lesson shows it (ui.lesson.<step>_title), not its URL name.
        const std::string step_key = std::string("ui.lesson.") + head_step_name(app.lesson.step) + "_title";
        what = trf("pictures.title.lesson", {{"layer", layer}, {"head", std::to_string(s.head)}, {"step", tr(step_key.c_str())}});
        break;
    }
    }
    t.heading = (app.model_name.empty() ? std::string(tr("pictures.title.no_model")) : app.model_name) + kDot + what;
    if (seq2seq) t.heading += kDot + kind_title(s.kind);

    std::string text = app.text;
    if (seq2seq && !app.target.empty()) text += " \xE2\x86\x92 " + app.target;   // source → target
    if (!text.empty()) t.text = "\xE2\x80\x9C" + label_elide(one_line(text), kTitleTextMaxChars) + "\xE2\x80\x9D";
    return t;
}

}  // namespace attn
