// Saves the current GL back buffer as a PNG (desktop only): what --screenshot uses for tests and docs.
#pragma once
#include <string>

namespace attn {

// Reads width x height pixels of the back buffer (call before swapping). False and *error on failure.
bool screenshot_save_png(const std::string& path, int width, int height, std::string* error);

}  // namespace attn
