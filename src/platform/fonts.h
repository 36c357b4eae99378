// Reads the UI fonts from disk for app_init: DejaVu Sans (Latin, Greek, Cyrillic) and Droid Sans
// Fallback (CJK). Natively from /usr/share/fonts; on the web from /fonts in the preload package.
// A missing font is skipped (ImGui's built-in font stands in); nothing is ever downloaded.
#pragma once
#include <string>
#include <vector>

#include "ui/app.h"

namespace attn {

// Debian's fonts-dejavu-core and fonts-droid-fallback, where the desktop app and the CLI read them.
constexpr const char* kSystemPrimaryFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kSystemCjkFont = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf";

std::vector<FontFile> fonts_read(const std::string& primary_path, const std::string& cjk_path);
std::vector<FontFile> fonts_read_default();   // the paths for this build (native or web)

}  // namespace attn
