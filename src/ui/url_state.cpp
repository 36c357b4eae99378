#include "ui/url_state.h"
#include "ui/presenter.h"
#include "ui/app_lessons.h"

#include <algorithm>

namespace attn {

std::string url_state_format(const App& app) {
    UrlState st;
    const auto& bundled = app.config.bundled_models;
    if (app.model && app.model_from_disk) st.local_model = app.model_name;
    else if (!app.linked_disk_model.empty()) st.local_model = app.linked_disk_model;
    else if (std::find(bundled.begin(), bundled.end(), app.model_name) != bundled.end()) st.model = app.model_name;
    st.view = app.main_view;
    const Selection& sel = app.selection;
    if (app.trace.is_encoder_decoder()) st.kind = sel.kind;
    st.layer = sel.layer;
    st.head = sel.head;
    if (sel.colormap != Colormap::viridis) st.colormap = sel.colormap;
    if (sel.auto_scale) st.auto_scale = true;
    if (app.theme == Theme::light) st.theme = Theme::light;
    if (current_language() != Language::en) st.language = current_language();
    if (app.presenter) st.presenter = true;
    // Only a size the user picked: a window-sized default would pin the size of whoever opens the link.
    if (app.font_chosen) st.font_size = app.font_size;
    st.text = app.text;
    if (app.trace.is_encoder_decoder()) st.target = app.target;
    if (sel.pinned_query >= 0) st.pinned = sel.pinned_query;
    std::vector<int> line_heads;
    for (size_t h = 0; h < app.line_heads.on.size(); ++h)
        if (app.line_heads.on[h]) line_heads.push_back(static_cast<int>(h));
    if (!line_heads.empty()) st.line_heads = line_heads;
    if (app.flow.threshold != FlowViewState{}.threshold) st.flow_threshold = app.flow.threshold;
    if (app.flow.pinned >= 0) st.flow_pinned = app.flow.pinned;
    if (sel.head_mode != HeadMode::one) {
        st.head_mode = sel.head_mode;
        st.averaged_heads = sel.averaged_heads;
    }
    if (sel.words) st.words = true;
    if (sel.value_weighted) st.value_weighted = true;
    if (app.main_view == MainView::lesson) st.lesson_step = app.lesson.step;
    if (!app.lessons.open.empty()) {
        st.lesson = app.lessons.open;
        st.lesson_page = app.lessons.page;
    }
    return url_state_write(st);
}

void app_apply_url_state(App& app, const UrlState& st) {
    if (st.theme) app_set_theme(app, *st.theme);
    if (st.language) app_set_language(app, *st.language);
    if (st.presenter) app_set_presenter(app, *st.presenter);   // before font=: a size picked while presenting
    if (st.font_size) app_set_font_size(app, *st.font_size);
    // The lesson page first: the link's own view, head and text, applied below, win over the page's.
    if (st.lesson) app_lesson_goto(app, *st.lesson, st.lesson_page.value_or(0));
    if (st.view) app.main_view = *st.view;
    if (st.colormap) app.selection.colormap = *st.colormap;
    if (st.auto_scale) app.selection.auto_scale = *st.auto_scale;
    // Text first: the trace decides which kinds exist and how many layers and heads there are.
    if (st.text && *st.text != app.text) app_set_text(app, *st.text);
    if (st.target && *st.target != app.target) app_set_target(app, *st.target);
    if (st.kind && app.trace.is_encoder_decoder()) app.selection.kind = *st.kind;
    if (st.layer) app.selection.layer = *st.layer;
    if (st.head) app.selection.head = *st.head;
    const AttentionTensor& shown = *attention_view(app.trace, app.selection.kind).attention;
    if (app.has_trace) selection_clamp(app.selection, shown.n_layer, shown.n_head);
    // Token indices and head lists only mean something inside the trace just made: out of range, ignored.
    if (st.pinned && (!app.has_trace || *st.pinned < shown.n_query)) app.selection.pinned_query = *st.pinned;
    if (st.flow_threshold) app.flow.threshold = *st.flow_threshold;
    if (st.flow_pinned && app.has_trace && *st.flow_pinned < shown.n_query) app.flow.pinned = *st.flow_pinned;
    if (st.line_heads && app.has_trace) {
        std::vector<char> on(static_cast<size_t>(shown.n_head), 0);
        bool any = false;
        for (int h : *st.line_heads)
            if (h < shown.n_head) {
                on[static_cast<size_t>(h)] = 1;
                any = true;
            }
        if (any) {
            app.line_heads.on = on;
            app.line_heads.followed = app.selection.head;   // the view would otherwise reset them to this head
        }
    }
    if (st.head_mode) {
        app.selection.head_mode = *st.head_mode;
        app.selection.averaged_heads.clear();
        for (int h : st.averaged_heads)
            if (!app.has_trace || h < shown.n_head) app.selection.averaged_heads.push_back(h);
        if (app.selection.head_mode == HeadMode::average_chosen && app.selection.averaged_heads.empty())
            app.selection.head_mode = HeadMode::average_all;
    }
    if (st.words) app.selection.words = *st.words;
    if (st.value_weighted) app.selection.value_weighted = *st.value_weighted;
    if (st.lesson_step) app.lesson.step = *st.lesson_step;
    if (st.local_model && *st.local_model != app.model_name) app.linked_disk_model = *st.local_model;
}

}  // namespace attn
