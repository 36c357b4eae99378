// Looking up the built-in check suites; the table itself is generated (check_suites.h).
#include "analysis/check_suites.h"

namespace attn {

const BuiltinCheckSuite* builtin_check_suite(const std::string& name) {
    for (const BuiltinCheckSuite& s : builtin_check_suites())
        if (name == s.name) return &s;
    return nullptr;
}

Expected<CheckSuite> check_suite_from(const std::string& name_or_json, const std::string& label) {
    const size_t first = name_or_json.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && name_or_json[first] == '{') return parse_check_suite(name_or_json, label);
    if (const BuiltinCheckSuite* s = builtin_check_suite(name_or_json)) return parse_check_suite(s->json, s->file);
    std::string names;
    for (const BuiltinCheckSuite& s : builtin_check_suites()) names += (names.empty() ? "" : ", ") + std::string(s.name);
    return make_error("no built-in check suite '" + name_or_json + "' (built in: " + names + ")");
}

}  // namespace attn
