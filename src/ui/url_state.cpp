#include "ui/url_state.h"

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
        if (key == "model" && !value.empty()) st.model = value;
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
        else if (key == "font") {
            if (std::optional<int> f = parse_int(value)) st.font_size = static_cast<float>(*f);
        } else if (key == "text") st.text = value;
        else if (key == "target") st.target = value;
    }
    return st;
}

std::string url_state_format(const App& app) {
    std::string out;
    auto add = [&](const char* key, const std::string& value) {
        out += (out.empty() ? "" : "&") + std::string(key) + "=" + url_encode(value);
    };
    const auto& bundled = app.config.bundled_models;
    if (std::find(bundled.begin(), bundled.end(), app.model_name) != bundled.end()) add("model", app.model_name);
    add("view", main_view_name(app.main_view));
    if (app.trace.is_encoder_decoder()) add("kind", attention_kind_name(app.selection.kind));
    add("layer", std::to_string(app.selection.layer));
    add("head", std::to_string(app.selection.head));
    if (app.selection.colormap != Colormap::viridis) add("cmap", colormap_name(app.selection.colormap));
    if (app.selection.auto_scale) add("auto", "1");
    if (app.theme == Theme::light) add("theme", "light");
    // Only a size the user picked: a window-sized default would pin the size of whoever opens the link.
    char font[16];
    std::snprintf(font, sizeof font, "%.0f", app.font_size);
    if (app.font_chosen) add("font", font);
    add("text", app.text);
    if (app.trace.is_encoder_decoder()) add("target", app.target);
    return out;
}

void app_apply_url_state(App& app, const UrlState& st) {
    if (st.theme) app_set_theme(app, *st.theme);
    if (st.font_size) app_set_font_size(app, *st.font_size);
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
}

}  // namespace attn
