// Reads the UI fonts from disk for app_init: DejaVu Sans (Latin, Greek, Cyrillic) and WenQuanYi Micro
// Hei (CJK: Simplified and Traditional Chinese, kana, Hangul). Natively both from /usr/share/fonts; on
// the web only DejaVu Sans, from /fonts in the preload package: the page fetches the 5 MB CJK font
// from its own origin when text first needs it (web/attnscope.js). Nothing else is ever downloaded.
#pragma once
#include <string>
#include <vector>

#include "ui/app.h"

namespace attn {

// Debian's fonts-dejavu-core and fonts-wqy-microhei, where the desktop app and the CLI read them. Droid
// Sans Fallback (fonts-droid-fallback) has no Hangul syllables, hence WenQuanYi (a .ttc: face 0 is used).
constexpr const char* kSystemPrimaryFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kSystemCjkFont = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

std::vector<FontFile> fonts_read(const std::string& primary_path, const std::string& cjk_path);
std::vector<FontFile> fonts_read_default();   // the paths for this build (native or web)

}  // namespace attn
