// Command-line options for the CLI: "--name value" pairs and bare flags, checked against what each
// command accepts so a typo is an error, not silently ignored.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace attn {

struct UsageError {
    std::string message;
};

struct Args {
    std::string command;
    std::map<std::string, std::string> values;  // "--text" -> "hello"
    std::set<std::string> flags;                // "--no-special"

    bool has(const std::string& name) const { return values.count(name) || flags.count(name); }
    std::string get(const std::string& name, const std::string& fallback = "") const {
        auto it = values.find(name);
        return it == values.end() ? fallback : it->second;
    }
    std::string require(const std::string& name) const;  // throws UsageError when absent
    int get_int(const std::string& name, int fallback) const;
};

// value_options take one argument; flag_options take none. Throws UsageError. A value option in
// `repeatable` may be given more than once: its values are joined with ',' (as if given as a comma list).
Args args_parse(int argc, char** argv, const std::set<std::string>& value_options,
                const std::set<std::string>& flag_options, const std::set<std::string>& repeatable = {});

// --text TEXT or --text-file FILE (UTF-8, read whole: NUL bytes and megabytes pass through).
std::string args_text(const Args& args, const std::string& text_option, const std::string& file_option);

// "1,2,3" -> ids; anything else (empty, negative, not a number) throws UsageError naming `option`.
std::vector<int32_t> parse_ids(const std::string& option, const std::string& text);

}  // namespace attn
