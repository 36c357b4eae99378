// The string tables: parsed once from the compiled JSON, then read-only (tr's pointers stay valid for the
// program's life). The current language and the record of missing keys are the only state.
#include "core/i18n.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "core/error.h"
#include "core/json.h"

namespace attn {

namespace {

struct Tables {
    std::vector<std::map<std::string, std::string>> text;   // by Language
    std::vector<std::string> problems;
};

// The {names} of a template, in order of appearance, sorted for comparison.
std::vector<std::string> placeholders(const std::string& s) {
    std::vector<std::string> names;
    for (size_t a = s.find('{'); a != std::string::npos; a = s.find('{', a + 1)) {
        const size_t b = s.find('}', a);
        if (b == std::string::npos) break;
        names.push_back(s.substr(a + 1, b - a - 1));
    }
    std::sort(names.begin(), names.end());
    return names;
}

const Tables& tables() {
    static const Tables t = [] {
        Tables out;
        out.text.resize(languages().size());
        std::vector<bool> found(languages().size(), false);
        for (const StringTableSource& src : string_table_sources()) {
            // "zh.json" or "<area>.zh.json": each part of the program may keep its strings in its own
            // files (lesson.zh.json, present.zh.json), merged per language; a key must be in one file only.
            const std::string name = src.name;
            const size_t dot = name.rfind('.');
            const std::string code = dot == std::string::npos ? name : name.substr(dot + 1);
            Language lang;
            if (!language_from_code(code, &lang)) {
                out.problems.push_back(std::string(src.file) + ": no language has the code '" + code + "'");
                continue;
            }
            found[static_cast<size_t>(lang)] = true;
            Expected<Json> j = catch_errors([&] { return json_parse(src.json, src.file); });
            if (!j) {
                out.problems.push_back(j.error().message);
                continue;
            }
            if (!j->is_object()) {
                out.problems.push_back(std::string(src.file) + ": expected an object of \"key\": \"text\" pairs");
                continue;
            }
            for (auto it = j->begin(); it != j->end(); ++it) {
                if (!it.value().is_string()) {
                    out.problems.push_back(std::string(src.file) + ": '" + it.key() + "' is " + json_type_name(it.value()) +
                                           ", expected a string");
                    continue;
                }
                const std::string text = it.value().get<std::string>();
                if (text.empty()) out.problems.push_back(std::string(src.file) + ": '" + it.key() + "' is empty");
                if (!out.text[static_cast<size_t>(lang)].emplace(it.key(), text).second)
                    out.problems.push_back(std::string(src.file) + ": '" + it.key() + "' is also in another " + code +
                                           " table");
            }
        }
        for (const LanguageInfo& l : languages())
            if (!found[static_cast<size_t>(l.language)]) out.problems.push_back(std::string("no string table for ") + l.code);
        const auto& en = out.text[static_cast<size_t>(Language::en)];
        for (const LanguageInfo& l : languages()) {
            if (l.language == Language::en) continue;
            for (const auto& [key, text] : out.text[static_cast<size_t>(l.language)]) {
                auto e = en.find(key);
                if (e == en.end())
                    out.problems.push_back(std::string(l.code) + " tables: '" + key + "' is in no English table");
                else if (placeholders(e->second) != placeholders(text))
                    out.problems.push_back(std::string(l.code) + " tables: '" + key + "' has other {placeholders} than in English");
            }
        }
        return out;
    }();
    return t;
}

Language g_language = Language::en;
std::mutex g_missing_mutex;
std::set<std::string> g_missing;

void record_missing(Language language, const char* key) {
    std::lock_guard<std::mutex> lock(g_missing_mutex);
    g_missing.insert(std::string(language_info(language).code) + ":" + key);
}

}  // namespace

const std::vector<LanguageInfo>& languages() {
    static const std::vector<LanguageInfo> list = {
        {Language::en, "en", "English", "English"},
        {Language::zh, "zh", "中文", "Chinese"},
    };
    return list;
}

const LanguageInfo& language_info(Language language) { return languages()[static_cast<size_t>(language)]; }

bool language_from_code(const std::string& code, Language* out) {
    for (const LanguageInfo& l : languages())
        if (code == l.code) {
            *out = l.language;
            return true;
        }
    return false;
}

void set_language(Language language) { g_language = language; }
Language current_language() { return g_language; }

const char* tr(Language language, const char* key) {
    const Tables& t = tables();
    const auto& table = t.text[static_cast<size_t>(language)];
    auto it = table.find(key);
    if (it != table.end()) return it->second.c_str();
    record_missing(language, key);
    const auto& en = t.text[static_cast<size_t>(Language::en)];
    it = en.find(key);
    if (it != en.end()) return it->second.c_str();
    // Unknown everywhere: the key itself, bracketed, kept alive for the pointer's sake.
    static std::mutex m;
    static std::set<std::string> shown;
    std::lock_guard<std::mutex> lock(m);
    return shown.insert("[" + std::string(key) + "]").first->c_str();
}

const char* tr(const char* key) { return tr(g_language, key); }

const char* tr_id(const char* key) {
    static std::mutex m;
    static std::vector<std::map<std::string, std::string>> labels(languages().size());
    const char* text = tr(key);
    std::lock_guard<std::mutex> lock(m);
    auto& cache = labels[static_cast<size_t>(g_language)];
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, std::string(text) + "###" + key).first;
    return it->second.c_str();
}

std::string fill_placeholders(const std::string& text, std::initializer_list<std::pair<const char*, std::string>> values) {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
        const size_t a = text.find('{', i);
        if (a == std::string::npos) break;
        const size_t b = text.find('}', a);
        if (b == std::string::npos) break;
        out.append(text, i, a - i);
        const std::string name = text.substr(a + 1, b - a - 1);
        const auto v = std::find_if(values.begin(), values.end(), [&](const auto& p) { return name == p.first; });
        out += v != values.end() ? v->second : text.substr(a, b - a + 1);
        i = b + 1;
    }
    out.append(text, i, std::string::npos);
    return out;
}

std::string trf(const char* key, std::initializer_list<std::pair<const char*, std::string>> values) {
    return fill_placeholders(tr(key), values);
}

std::vector<std::string> i18n_missing() {
    std::lock_guard<std::mutex> lock(g_missing_mutex);
    return std::vector<std::string>(g_missing.begin(), g_missing.end());
}

void i18n_clear_missing() {
    std::lock_guard<std::mutex> lock(g_missing_mutex);
    g_missing.clear();
}

std::vector<std::string> i18n_problems() { return tables().problems; }

bool tr_has(const std::string& key) { return tables().text[static_cast<size_t>(Language::en)].count(key) > 0; }

std::vector<std::string> string_keys(Language language) {
    std::vector<std::string> keys;
    for (const auto& kv : tables().text[static_cast<size_t>(language)]) keys.push_back(kv.first);
    return keys;
}

}  // namespace attn
