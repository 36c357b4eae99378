// The string tables (core/i18n.h): every language has every English key with the same {placeholders},
// lookups fall back visibly, and every key the source code asks for exists.
#include <doctest/doctest.h>

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
