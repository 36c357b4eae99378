// Option parsing for the CLI.
#include "cli/args.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <sstream>

#include "platform/file_io.h"

namespace attn {

std::string Args::require(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end()) throw UsageError{"missing " + name};
    return it->second;
}

int Args::get_int(const std::string& name, int fallback) const {
    auto it = values.find(name);
    if (it == values.end()) return fallback;
    const char* s = it->second.c_str();
    char* end = nullptr;
    errno = 0;
    long v = std::strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < INT_MIN || v > INT_MAX)
        throw UsageError{name + " must be an integer, got '" + it->second + "'"};
    return static_cast<int>(v);
}

Args args_parse(int argc, char** argv, const std::set<std::string>& value_options,
                const std::set<std::string>& flag_options, const std::set<std::string>& repeatable) {
    Args args;
    args.command = argc > 1 ? argv[1] : "";
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        if (value_options.count(a)) {
            if (i + 1 >= argc) throw UsageError{a + " needs a value"};
            if (args.values.count(a) && repeatable.count(a)) {
                args.values[a] += std::string(",") + argv[++i];
                continue;
            }
            if (args.values.count(a)) throw UsageError{a + " given twice"};
            args.values[a] = argv[++i];
        } else if (flag_options.count(a)) {
            args.flags.insert(a);
        } else {
            throw UsageError{"unknown option '" + a + "'"};
        }
    }
    return args;
}

std::string args_text(const Args& args, const std::string& text_option, const std::string& file_option) {
    bool has_text = args.values.count(text_option) != 0, has_file = args.values.count(file_option) != 0;
    if (has_text && has_file) throw UsageError{"give " + text_option + " or " + file_option + ", not both"};
    if (has_text) return args.values.at(text_option);
    if (!has_file) throw UsageError{"missing " + text_option + " (or " + file_option + ")"};
    auto bytes = file_read(args.values.at(file_option));
    if (!bytes) throw UsageError{bytes.error().message};
    return string_from_bytes(*bytes);
}

std::vector<int32_t> parse_ids(const std::string& option, const std::string& text) {
    std::vector<int32_t> ids;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        size_t used = 0;
        long long v = 0;
        try {
            v = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size() || v < 0 || v > INT32_MAX)
            throw UsageError{option + " must be comma-separated non-negative integers, got '" + item + "'"};
        ids.push_back(static_cast<int32_t>(v));
    }
    if (ids.empty()) throw UsageError{option + " is empty"};
    return ids;
}

}  // namespace attn
