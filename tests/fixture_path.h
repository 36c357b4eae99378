// Where tests find their golden data: tests/fixtures, copied from the shared reference fixtures.
#pragma once
#include <string>

inline std::string fixture_path(const std::string& relative) {
    return std::string(ATTN_FIXTURES_DIR) + "/" + relative;
}
