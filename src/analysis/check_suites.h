// The built-in check suites (assets/checks/*.json), compiled into the binary at build time
// (tools/gen_embedded_json.py) so the CLI's --suite NAME, the app's suite picker and the page's
// attnscope.probe("NAME") read one table.
//
//   for (const BuiltinCheckSuite& s : builtin_check_suites()) puts(s.name);
//   Expected<CheckSuite> suite = check_suite_from(app_or_cli_argument);   // a name or the JSON itself
#pragma once
#include <string>
#include <vector>

#include "analysis/checks.h"
#include "core/error.h"

namespace attn {

struct BuiltinCheckSuite {
    const char* name;   // "coreference": the file name without .json
    const char* file;   // "coreference.json", for messages
    const char* json;
};

// Sorted by name. Defined in the generated check_suites_table.cpp.
const std::vector<BuiltinCheckSuite>& builtin_check_suites();
const BuiltinCheckSuite* builtin_check_suite(const std::string& name);   // nullptr when unknown

// A built-in suite's name, or a suite's JSON text (starting with '{', named `label` in messages).
Expected<CheckSuite> check_suite_from(const std::string& name_or_json, const std::string& label = "suite");

}  // namespace attn
