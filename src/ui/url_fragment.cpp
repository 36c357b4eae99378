#include "ui/url_fragment.h"

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
        else if (key == "heads" && (value == "one" || value == "all")) {
            st.head_mode = value == "all" ? HeadMode::average_all : HeadMode::one;
            // A list from an earlier heads= is not part of these modes: kept, the state would differ from
            // the one its own link gives (found by tools/fuzz url_state: "heads=2&heads=all").
            st.averaged_heads.clear();
        }
        else if (key == "heads") {
            if (std::optional<std::vector<int>> list = parse_int_list(value)) {
                st.head_mode = HeadMode::average_chosen;
                st.averaged_heads = *list;
            }
        }
    }
    return st;
}

std::string url_state_write(const UrlState& st) {
    std::string out;
    auto add = [&](const char* key, const std::string& value) {
        out += (out.empty() ? "" : "&") + std::string(key) + "=" + url_encode(value);
    };
    auto add_flag = [&](const char* key, const std::optional<bool>& on) {
        if (on) add(key, *on ? "1" : "0");
    };
    if (st.model) add("model", *st.model);
    if (st.local_model) add("model", "local:" + *st.local_model);
    if (st.view) add("view", main_view_name(*st.view));
    if (st.kind) add("kind", attention_kind_name(*st.kind));
    if (st.layer) add("layer", std::to_string(*st.layer));
    if (st.head) add("head", std::to_string(*st.head));
    if (st.colormap) add("cmap", colormap_name(*st.colormap));
    add_flag("auto", st.auto_scale);
    if (st.theme) add("theme", *st.theme == Theme::light ? "light" : "dark");
    if (st.language) add("lang", language_info(*st.language).code);
    add_flag("present", st.presenter);
    if (st.font_size) {
        char font[32];
        std::snprintf(font, sizeof font, "%.0f", static_cast<double>(*st.font_size));
        add("font", font);
    }
    if (st.text) add("text", *st.text);
    if (st.target) add("target", *st.target);
    if (st.pinned) add("pin", std::to_string(*st.pinned));
    if (st.line_heads) add("lheads", int_list(*st.line_heads));
    if (st.flow_threshold) {
        char threshold[32];
        std::snprintf(threshold, sizeof threshold, "%.6f", static_cast<double>(*st.flow_threshold));
        std::string t = threshold;   // "0.250000" -> "0.25": short, and never an exponent
        while (t.size() > 1 && t.back() == '0') t.pop_back();
        if (t.back() == '.') t.pop_back();
        add("flow", t);
    }
    if (st.flow_pinned) add("fpin", std::to_string(*st.flow_pinned));
    if (st.head_mode == HeadMode::one) add("heads", "one");
    if (st.head_mode == HeadMode::average_all) add("heads", "all");
    if (st.head_mode == HeadMode::average_chosen)
        add("heads", st.averaged_heads.empty() ? "all" : int_list(st.averaged_heads));
    add_flag("words", st.words);
    add_flag("vw", st.value_weighted);
    if (st.lesson_step) add("lstep", head_step_name(*st.lesson_step));
    if (st.lesson) add("lesson", *st.lesson);
    if (st.lesson_page) add("lpage", std::to_string(*st.lesson_page));
    return out;
}

}  // namespace attn
