// The string tables (core/i18n.h): every language has every English key with the same {placeholders},
// lookups fall back visibly, and every key the source code asks for exists.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/i18n.h"

using namespace attn;

namespace {

// Restores English after a test that switched.
struct LanguageGuard {
    Language before = current_language();
    ~LanguageGuard() { set_language(before); }
};

}  // namespace

TEST_CASE("i18n: the compiled tables parse, and every language has exactly English's keys") {
    for (const std::string& p : i18n_problems()) FAIL_CHECK(p);
    const std::vector<std::string> en = string_keys(Language::en);
    CHECK(en.size() > 20);
    for (const LanguageInfo& l : languages()) {
        CAPTURE(l.code);
        const std::vector<std::string> keys = string_keys(l.language);
        std::vector<std::string> missing;
        std::set_difference(en.begin(), en.end(), keys.begin(), keys.end(), std::back_inserter(missing));
        for (const std::string& k : missing) FAIL_CHECK(l.code << ".json lacks '" << k << "'");
        CHECK(keys.size() == en.size());
    }
}

TEST_CASE("i18n: tr follows the chosen language; unknown keys show bracketed and are recorded") {
    LanguageGuard guard;
    i18n_clear_missing();
    set_language(Language::en);
    CHECK(std::string(tr("toolbar.export")) == "Export");
    set_language(Language::zh);
    CHECK(std::string(tr("toolbar.export")) == "\xE5\xAF\xBC\xE5\x87\xBA");   // 导出
    CHECK(std::string(tr(Language::en, "toolbar.export")) == "Export");
    CHECK(std::string(tr_id("toolbar.export")) == "\xE5\xAF\xBC\xE5\x87\xBA###toolbar.export");   // the ID is the key
    CHECK(i18n_missing().empty());
    CHECK(std::string(tr("no.such.key")) == "[no.such.key]");
    CHECK(i18n_missing() == std::vector<std::string>{"zh:no.such.key"});
    i18n_clear_missing();
    Language l;
    CHECK(language_from_code("zh", &l));
    CHECK(l == Language::zh);
    CHECK_FALSE(language_from_code("xx", &l));
}

TEST_CASE("i18n: tr_has says whether a key exists, without recording a missing one") {
    i18n_clear_missing();
    CHECK(tr_has("card.title"));
    CHECK_FALSE(tr_has("cards.no-such-task.summary"));
    CHECK(i18n_missing().empty());
}

TEST_CASE("i18n: placeholders are filled by name, in whatever order a language puts them") {
    CHECK(fill_placeholders("{b} then {a}", {{"a", "1"}, {"b", "2"}}) == "2 then 1");
    CHECK(fill_placeholders("{a}{a} {unknown} {", {{"a", "x"}}) == "xx {unknown} {");
    LanguageGuard guard;
    set_language(Language::en);
    CHECK(trf("card.featured", {{"layer", "2"}, {"head", "1"}}) == "Featured: layer 2, head 1.");
}

TEST_CASE("i18n: every key the source asks for (tr / tr_id / trf with a literal) is in the English table") {
    const std::filesystem::path src = ATTN_SOURCE_DIR;
    REQUIRE(std::filesystem::is_directory(src));
    const std::vector<std::string> en = string_keys(Language::en);
    const std::set<std::string> known(en.begin(), en.end());
    const std::regex call(R"re(\btr(?:_id|f)?\(\s*(?:Language::\w+\s*,\s*)?"([a-z0-9_.]+)")re");
    int found = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(src)) {
        const std::string ext = entry.path().extension().string();
        if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".h")) continue;
        std::ifstream in(entry.path());
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string text = ss.str();
        for (std::sregex_iterator it(text.begin(), text.end(), call), end; it != end; ++it) {
            ++found;
            const std::string key = (*it)[1];
            if (!known.count(key)) FAIL_CHECK(entry.path().string() << " asks for '" << key << "', which en.json lacks");
        }
    }
    CHECK(found > 10);   // the scan really sees the calls
}

namespace {

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// `text` with comments blanked (newlines kept, so offsets still give line numbers); string and character
// literals are left alone.
std::string without_comments(const std::string& text) {
    std::string out = text;
    for (size_t i = 0; i < out.size(); ++i) {
        const char c = out[i];
        if (c == '"' || c == '\'') {
            for (++i; i < out.size() && out[i] != c; ++i)
                if (out[i] == '\\') ++i;
        } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '/') {
            for (; i < out.size() && out[i] != '\n'; ++i) out[i] = ' ';
        } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '*') {
            for (; i + 1 < out.size() && !(out[i] == '*' && out[i + 1] == '/'); ++i)
                if (out[i] != '\n') out[i] = ' ';
            if (i + 1 < out.size()) out[i] = out[i + 1] = ' ';
        }
    }
    return out;
}

// The index of the ')' closing the '(' at `open`, skipping literals; npos when unbalanced.
size_t closing_paren(const std::string& t, size_t open) {
    int depth = 0;
    for (size_t i = open; i < t.size(); ++i) {
        const char c = t[i];
        if (c == '"' || c == '\'') {
            for (++i; i < t.size() && t[i] != c; ++i)
                if (t[i] == '\\') ++i;
        } else if (c == '(') {
            ++depth;
        } else if (c == ')' && --depth == 0) {
            return i;
        }
    }
    return std::string::npos;
}

// What a user would see of a literal's body: escapes resolved roughly, the "##id" part and printf
// conversions (which print numbers and arguments, not words) removed.
std::string visible_part(std::string body) {
    body = std::regex_replace(body, std::regex(R"(\\[nt])"), " ");
    body = std::regex_replace(body, std::regex(R"(\\x[0-9A-Fa-f]{2})"), "");
    const size_t id = body.find("##");
    if (id != std::string::npos) body.resize(id);
    return std::regex_replace(body, std::regex(R"(%[-+#0-9.]*(?:ll|l|z|h)?[diouxXeEfFgGaAcsp%])"), "");
}

}  // namespace

TEST_CASE("i18n: the page's HTML and JS take their words from the tables (assets/strings/page.*.json)") {
    const std::filesystem::path web = std::filesystem::path(ATTN_SOURCE_DIR) / ".." / "web";
    const std::vector<std::string> en = string_keys(Language::en);
    const std::set<std::string> known(en.begin(), en.end());
    // Every key the page names (tr('key' in the scripts, data-i18n*="key" in the HTML) is in the tables.
    const std::regex call(R"re(\btr\(\s*'([a-z0-9_.]+)')re");
    const std::regex attribute(R"re(data-i18n(?:-[a-z-]+)?="([a-z0-9_.]+)")re");
    int found = 0;
    for (const char* name : {"attnscope.js", "index.html"}) {
        const std::string text = read_text(web / name);
        REQUIRE_MESSAGE(!text.empty(), (web / name).string());
        for (const std::regex* re : {&call, &attribute})
            for (std::sregex_iterator it(text.begin(), text.end(), *re), end; it != end; ++it) {
                ++found;
                if (!known.count((*it)[1])) FAIL_CHECK(name << " asks for '" << (*it)[1] << "', which the tables lack");
            }
    }
    CHECK(found > 30);
    // Every visible HTML text, placeholder, aria-label and title has its key beside it; the loading line
    // (shown before the app, and so the tables, exist) says it in both languages.
    const std::string html = read_text(web / "index.html");
    const std::regex element(R"re(<(canvas|textarea|div|span|button|label|input)\b([^>]*)>([^<]*))re");
    int elements = 0;
    for (std::sregex_iterator it(html.begin(), html.end(), element), end; it != end; ++it) {
        const std::string attrs = (*it)[2], body = (*it)[3];
        ++elements;
        for (const char* a : {"placeholder", "aria-label", "title"}) {
            if (attrs.find(std::string(" ") + a + "=\"") == std::string::npos) continue;
            CHECK_MESSAGE(attrs.find(std::string("data-i18n-") + a + "=\"") != std::string::npos,
                          "index.html: <" << (*it)[1] << "> has a " << a << " without data-i18n-" << a);
        }
        if (std::regex_search(body, std::regex("[A-Za-z]{2}")) && attrs.find("data-i18n=\"") == std::string::npos)
            CHECK_MESSAGE(body.find("正在") != std::string::npos,
                          "index.html: <" << (*it)[1] << "> shows '" << body << "' without data-i18n");
    }
    CHECK(elements > 5);
    // No message the page shows or throws starts as an English literal (the one before the app, and so
    // its tables, started is a fallback inside a conditional).
    const std::string js = without_comments(read_text(web / "attnscope.js"));
    const std::regex shown(R"re(\b(?:show|progress|failed|Error)\(\s*'[^']*[A-Za-z]{2})re");
    int literals = 0;
    for (std::sregex_iterator it(js.begin(), js.end(), shown), end; it != end; ++it) ++literals;
    CHECK_MESSAGE(literals == 0, "attnscope.js shows or throws " << literals << " English literals");
}

TEST_CASE("i18n: no ImGui call in src/ui shows a literal with Latin letters; its words come from the tables") {
    // The only words an ImGui call may spell out itself: the brand, and the font-size buttons' sample
    // letter. Everything else a user reads goes through tr / tr_id / trf.
    const std::set<std::string> allowed = {"AttnScope", "A-", "A+", "Q", "K", "V", "px"};
    const std::regex call(
        R"(ImGui::(Text|TextUnformatted|TextDisabled|TextColored|TextWrapped|LabelText|BulletText|Button|SmallButton|)"
        R"(Checkbox|RadioButton|Selectable|MenuItem|BeginMenu|CollapsingHeader|TreeNode|TreeNodeEx|SetTooltip|)"
        R"(BeginCombo|BeginTabItem|InputText|InputTextMultiline|InputInt|InputFloat|SliderFloat|SliderInt|DragFloat|)"
        R"(DragInt|Begin|BeginPopupModal|Combo|ListBox|ProgressBar|TableSetupColumn|TableHeader)\s*\()");
    // A table key or a placeholder's name is not shown: tr("ui.x"), trf(..., {{"layer", ...}}).
    const std::regex not_shown(R"re(\btr(?:_id|f)?\(\s*(?:Language::\w+\s*,\s*)?"[^"]*"|\{\s*"[a-z_]+"\s*,)re");
    const std::regex literal(R"re("((?:[^"\\]|\\.)*)")re");
    const std::regex latin("[A-Za-z]");
    int calls = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(ATTN_SOURCE_DIR) / "ui")) {
        const std::string ext = entry.path().extension().string();
        if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".h")) continue;
        const std::string text = without_comments(read_text(entry.path()));
        for (std::sregex_iterator it(text.begin(), text.end(), call), end; it != end; ++it) {
            ++calls;
            const size_t open = static_cast<size_t>(it->position() + it->length() - 1);
            const size_t close = closing_paren(text, open);
            if (close == std::string::npos) continue;
            const std::string args = std::regex_replace(text.substr(open, close - open), not_shown, "");
            for (std::sregex_iterator l(args.begin(), args.end(), literal); l != end; ++l) {
                const std::string body = (*l)[1];
                if (allowed.count(body) || !std::regex_search(visible_part(body), latin)) continue;
                const long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(open), '\n');
                FAIL_CHECK(entry.path().filename().string() << ":" << line << " ImGui::" << (*it)[1] << " shows \""
                                                            << body << "\"; put it in a string table");
            }
        }
    }
    CHECK(calls > 200);   // the scan really sees the views' calls
}

namespace {

// The arguments of the call whose '(' is at `open` and ')' at `close`, split at top-level commas
// (commas inside literals, parentheses and braces stay in their argument).
std::vector<std::string> call_arguments(const std::string& t, size_t open, size_t close) {
    std::vector<std::string> args;
    int depth = 0;
    size_t start = open + 1;
    for (size_t i = open + 1; i < close; ++i) {
        const char c = t[i];
        if (c == '"' || c == '\'') {
            for (++i; i < close && t[i] != c; ++i)
                if (t[i] == '\\') ++i;
        } else if (c == '(' || c == '{' || c == '[') {
            ++depth;
        } else if (c == ')' || c == '}' || c == ']') {
            --depth;
        } else if (c == ',' && depth == 0) {
            args.push_back(t.substr(start, i - start));
            start = i + 1;
        }
    }
    args.push_back(t.substr(start, close - start));
    return args;
}

}  // namespace

TEST_CASE("i18n: no draw-list text, SVG text or text measure in src/ui spells out a literal with Latin letters") {
    // Text drawn straight into a draw list (AddText), written into an exported SVG (svg.text) or measured
    // for the room it will take (CalcTextSize, svg_text_width) is read as much as a widget's label.
    // Which argument is the text: AddText's literals can only be text (its other arguments are positions,
    // colours and fonts); svg.text(x, y, text, size, anchor, colour, angle, attributes) names the anchor
    // and the attributes with literals too, so only its third argument counts.
    struct TextCall {
        std::regex call;
        int text_argument;   // -1: every argument
    };
    const std::vector<TextCall> calls = {{std::regex(R"((?:->|\.)AddText\s*\()"), -1},
                                         {std::regex(R"(\bsvg\.text\s*\()"), 2},
                                         {std::regex(R"(\bCalcTextSize\s*\()"), 0},
                                         {std::regex(R"(\bsvg_text_width\s*\()"), 0}};
    // Layer and head names in grids ("L3", "H1"), the widest such label measured ("L00", "L00H00"), a
    // letter measured for a combo's arrow, the brand, and the longest training task's name (the tasks
    // are the trainer's identifiers, shown as they are).
    const std::set<std::string> allowed = {"L", "H", "L00", "L00H00", "X", "AttnScope", "translate"};
    const std::regex not_shown(R"re(\btr(?:_id|f)?\(\s*(?:Language::\w+\s*,\s*)?"[^"]*"|\{\s*"[a-z_]+"\s*,)re");
    const std::regex literal(R"re("((?:[^"\\]|\\.)*)")re");
    const std::regex latin("[A-Za-z]");
    // The trainer's loss curve is a file of the model folder that tools/train writes identically in
    // every language (its model card too): it stays English on purpose.
    const std::set<std::string> english_files = {"loss_curve.cpp"};
    std::vector<int> seen(calls.size(), 0);
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(ATTN_SOURCE_DIR) / "ui")) {
        const std::string ext = entry.path().extension().string(), name = entry.path().filename().string();
        if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".h") || english_files.count(name)) continue;
        const std::string text = without_comments(read_text(entry.path()));
        for (size_t k = 0; k < calls.size(); ++k) {
            const TextCall& c = calls[k];
            for (std::sregex_iterator it(text.begin(), text.end(), c.call), end; it != end; ++it) {
                const size_t open = static_cast<size_t>(it->position() + it->length() - 1);
                const size_t close = closing_paren(text, open);
                if (close == std::string::npos) continue;
                ++seen[k];
                const std::vector<std::string> args = call_arguments(text, open, close);
                std::string shown;
                if (c.text_argument < 0) {
                    for (const std::string& a : args) shown += a + ",";
                } else if (c.text_argument < static_cast<int>(args.size())) {
                    shown = args[static_cast<size_t>(c.text_argument)];
                }
                shown = std::regex_replace(shown, not_shown, "");
                for (std::sregex_iterator l(shown.begin(), shown.end(), literal); l != end; ++l) {
                    const std::string body = (*l)[1];
                    if (allowed.count(body) || !std::regex_search(visible_part(body), latin)) continue;
                    const long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(open), '\n');
                    FAIL_CHECK(name << ":" << line << " " << it->str() << "...) shows \"" << body << "\"; put it in a string table");
                }
            }
        }
    }
    // The scan really sees each kind of call (the views draw dozens of AddText, the SVG writer dozens of texts).
    CHECK(seen[0] > 30);   // AddText
    CHECK(seen[1] > 15);   // svg.text
    CHECK(seen[2] > 30);   // CalcTextSize
    CHECK(seen[3] > 5);    // svg_text_width
}

TEST_CASE("i18n: a translation keeps the printf conversions of its English text, in order") {
    // A template handed to ImGui::Text and friends is a printf format: a %d the translation lacks or
    // reorders would print garbage or crash, so the tables hold them in step.
    const std::regex spec(R"(%[-+#0-9.]*(?:ll|l|z|h)?[diouxXeEfFgGaAcsp%])");
    for (const LanguageInfo& l : languages()) {
        if (l.language == Language::en) continue;
        for (const std::string& key : string_keys(l.language)) {
            const std::string en = tr(Language::en, key.c_str()), other = tr(l.language, key.c_str());
            std::vector<std::string> a, b;
            for (std::sregex_iterator it(en.begin(), en.end(), spec), end; it != end; ++it) a.push_back(it->str());
            for (std::sregex_iterator it(other.begin(), other.end(), spec), end; it != end; ++it) b.push_back(it->str());
            if (a != b) FAIL_CHECK(std::string(l.code) << " '" << key << "' has other printf conversions than English: " << other);
        }
    }
}
