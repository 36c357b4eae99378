#include "ui/url_state.h"
#include "ui/presenter.h"
#include "ui/app_lessons.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace attn {

namespace {

std::optional<int> parse_int(const std::string& s) {
    if (s.empty() || s.size() > 6) return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9') return std::nullopt;
    return std::atoi(s.c_str());
}

// "0,2,3": every item a non-negative integer, at least one; anything else is no list.
std::optional<std::vector<int>> parse_int_list(const std::string& s) {
    std::vector<int> out;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t comma = s.find(',', pos);
        if (comma == std::string::npos) comma = s.size();
        std::optional<int> v = parse_int(s.substr(pos, comma - pos));
        if (!v || out.size() >= 1024) return std::nullopt;
        out.push_back(*v);
        pos = comma + 1;
    }
    return out;
}

// A decimal in [0, 1] ("0.25", "1", ".5"); nothing else (no exponents, signs, nan).
std::optional<float> parse_unit(const std::string& s) {
    if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789.") != std::string::npos ||
        s.find('.') != s.rfind('.') || s == ".")
        return std::nullopt;
    const float v = std::strtof(s.c_str(), nullptr);
    if (!(v >= 0.0f && v <= 1.0f)) return std::nullopt;
    return v;
}

std::string int_list(const std::vector<int>& v) {
    std::string out;
    for (int x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
    return out;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string url_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                     c == '_' || c == '.' || c == '~';
        if (plain) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string url_decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        int hi = -1, lo = -1;
        if (s[i] == '%' && i + 2 < s.size()) {
            hi = hex_digit(s[i + 1]);
            lo = hex_digit(s[i + 2]);
        }
        if (hi >= 0 && lo >= 0) {
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

UrlState url_state_parse(const std::string& fragment) {
    UrlState st;
    size_t pos = !fragment.empty() && fragment[0] == '#' ? 1 : 0;
    while (pos <= fragment.size()) {
        size_t amp = fragment.find('&', pos);
        if (amp == std::string::npos) amp = fragment.size();
        std::string pair = fragment.substr(pos, amp - pos);
        pos = amp + 1;
        size_t eq = pair.find('=');
        if (eq == std::string::npos) continue;
        const std::string key = pair.substr(0, eq), value = url_decode(pair.substr(eq + 1));
        if (key == "model" && value.rfind("local:", 0) == 0 && value.size() > 6) st.local_model = value.substr(6);
        else if (key == "model" && !value.empty() && value.rfind("local:", 0) != 0) st.model = value;
        else if (key == "view") {
            MainView v;
            if (main_view_from_name(value, &v)) st.view = v;
        } else if (key == "kind") {
            for (AttentionKind k : {AttentionKind::self, AttentionKind::decoder, AttentionKind::cross})
                if (value == attention_kind_name(k)) st.kind = k;
        } else if (key == "layer") st.layer = parse_int(value);
        else if (key == "head") st.head = parse_int(value);
        else if (key == "cmap") {
            Colormap c;
            if (colormap_from_name(value, &c)) st.colormap = c;
        } else if (key == "auto" && (value == "0" || value == "1")) st.auto_scale = value == "1";
        else if (key == "theme" && (value == "dark" || value == "light"))
            st.theme = value == "light" ? Theme::light : Theme::dark;
        else if (key == "lang") {
            Language l;
            if (language_from_code(value, &l)) st.language = l;
        }
        else if (key == "font") {
            if (std::optional<int> f = parse_int(value)) st.font_size = static_cast<float>(*f);
        } else if (key == "text") st.text = value;
        else if (key == "target") st.target = value;
        else if (key == "pin") st.pinned = parse_int(value);
        else if (key == "lheads") st.line_heads = parse_int_list(value);
        else if (key == "flow") st.flow_threshold = parse_unit(value);
        else if (key == "fpin") st.flow_pinned = parse_int(value);
        else if (key == "words" && (value == "0" || value == "1")) st.words = value == "1";
        else if (key == "vw" && (value == "0" || value == "1")) st.value_weighted = value == "1";
        else if (key == "present" && (value == "0" || value == "1")) st.presenter = value == "1";
        else if (key == "lesson" && !value.empty()) st.lesson = value;
        else if (key == "lpage") st.lesson_page = parse_int(value);
        else if (key == "lstep") {
            HeadStep step;
            if (head_step_from_name(value, &step)) st.lesson_step = step;
        }
        else if (key == "heads" && (value == "one" || value == "all")) st.head_mode = value == "all" ? HeadMode::average_all : HeadMode::one;
        else if (key == "heads") {
            if (std::optional<std::vector<int>> list = parse_int_list(value)) {
                st.head_mode = HeadMode::average_chosen;
                st.averaged_heads = *list;
            }
        }
    }
    return st;
}

std::string url_state_format(const App& app) {
    std::string out;
    auto add = [&](const char* key, const std::string& value) {
        out += (out.empty() ? "" : "&") + std::string(key) + "=" + url_encode(value);
    };
    const auto& bundled = app.config.bundled_models;
    if (app.model && app.model_from_disk) add("model", "local:" + app.model_name);
    else if (!app.linked_disk_model.empty()) add("model", "local:" + app.linked_disk_model);
    else if (std::find(bundled.begin(), bundled.end(), app.model_name) != bundled.end()) add("model", app.model_name);
    add("view", main_view_name(app.main_view));
    if (app.trace.is_encoder_decoder()) add("kind", attention_kind_name(app.selection.kind));
    add("layer", std::to_string(app.selection.layer));
    add("head", std::to_string(app.selection.head));
    if (app.selection.colormap != Colormap::viridis) add("cmap", colormap_name(app.selection.colormap));
    if (app.selection.auto_scale) add("auto", "1");
    if (app.theme == Theme::light) add("theme", "light");
    if (current_language() != Language::en) add("lang", language_info(current_language()).code);
    if (app.presenter) add("present", "1");
    // Only a size the user picked: a window-sized default would pin the size of whoever opens the link.
    char font[16];
    std::snprintf(font, sizeof font, "%.0f", app.font_size);
    if (app.font_chosen) add("font", font);
    add("text", app.text);
    if (app.trace.is_encoder_decoder()) add("target", app.target);
    const Selection& sel = app.selection;
    if (sel.pinned_query >= 0) add("pin", std::to_string(sel.pinned_query));
    std::vector<int> line_heads;
    for (size_t h = 0; h < app.line_heads.on.size(); ++h)
        if (app.line_heads.on[h]) line_heads.push_back(static_cast<int>(h));
    if (!line_heads.empty()) add("lheads", int_list(line_heads));
    if (app.flow.threshold != FlowViewState{}.threshold) {
        char threshold[16];
        std::snprintf(threshold, sizeof threshold, "%.6f", static_cast<double>(app.flow.threshold));
        std::string t = threshold;   // "0.250000" -> "0.25": short, and never an exponent
        while (t.size() > 1 && t.back() == '0') t.pop_back();
        if (t.back() == '.') t.pop_back();
        add("flow", t);
    }
    if (app.flow.pinned >= 0) add("fpin", std::to_string(app.flow.pinned));
    if (sel.head_mode == HeadMode::average_all) add("heads", "all");
    if (sel.head_mode == HeadMode::average_chosen) add("heads", sel.averaged_heads.empty() ? "all" : int_list(sel.averaged_heads));
    if (sel.words) add("words", "1");
    if (sel.value_weighted) add("vw", "1");
    if (app.main_view == MainView::lesson) add("lstep", head_step_name(app.lesson.step));
    if (!app.lessons.open.empty()) {
        add("lesson", app.lessons.open);
        add("lpage", std::to_string(app.lessons.page));
    }
    return out;
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
