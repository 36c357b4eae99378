// `probe`: runs a check suite (a built-in name or a JSON file) on a model, prints the results table and
// writes the results as JSON. The suite is parsed and the whole run finishes before anything is written,
// so a malformed suite or a bad model leaves no file behind.
#include <cstdio>

#include "analysis/check_suites.h"
#include "analysis/checks.h"
#include "cli/commands.h"
#include "cli/model_open.h"
#include "platform/file_io.h"

namespace attn {

int cmd_probe(int argc, char** argv) {
    Args args = args_parse(argc, argv, {"--model", "--suite", "--out"}, {"--list"});
    if (args.has("--list")) {
        for (const BuiltinCheckSuite& s : builtin_check_suites()) {
            Expected<CheckSuite> suite = parse_check_suite(s.json, s.file);
            std::printf("%-16s %3zu cases  %s\n", s.name, suite ? suite->cases.size() : 0,
                        suite ? suite->description.c_str() : suite.error().message.c_str());
        }
        return 0;
    }
    const std::string suite_arg = args.require("--suite");
    const std::string out_path = args.get("--out");
    if (args.has("--out") && out_path.empty()) throw UsageError{"--out is empty"};

    Expected<CheckSuite> suite = make_error("");
    if (builtin_check_suite(suite_arg)) {
        suite = check_suite_from(suite_arg);
    } else {
        Expected<Bytes> bytes = file_read(suite_arg);
        if (!bytes) {
            std::string names;
            for (const BuiltinCheckSuite& s : builtin_check_suites()) names += (names.empty() ? "" : ", ") + std::string(s.name);
            throw UsageError{bytes.error().message + " (built-in suites: " + names + ")"};
        }
        suite = parse_check_suite(std::string(bytes->begin(), bytes->end()), suite_arg);
    }
    if (!suite) throw UsageError{suite.error().message};

    ModelPtr model = model_open(args.require("--model"));
    CheckRun run(*model, *suite);
    step_job_finish(run);
    if (!run.error().empty()) throw UsageError{run.error()};
    if (!out_path.empty()) {
        const std::string json = check_results_json(run.result());
        auto written = file_write_atomic(out_path, Bytes(json.begin(), json.end()));
        if (!written) throw UsageError{written.error().message};
    }
    std::fputs(check_results_table(run.result()).c_str(), stdout);
    return 0;
}

}  // namespace attn
