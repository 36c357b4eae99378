// Fuzz target: a check suite's JSON (assets/checks/*.json, or one a user opens) through
// parse_check_suite. Any input must give a suite or an Error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string json(reinterpret_cast<const char*>(data), size);
    attn::Expected<attn::CheckSuite> suite = attn::parse_check_suite(json, "fuzz.json");
    (void)suite;
    return 0;
}
