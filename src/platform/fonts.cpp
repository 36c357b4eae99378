// Font files -> FontFile bytes. Only reads; building the atlas is app_init's job.
#include "platform/fonts.h"

#include <cstdio>

#include "platform/file_io.h"

namespace attn {

std::vector<FontFile> fonts_read(const std::string& primary_path, const std::string& cjk_path) {
    std::vector<FontFile> fonts;
    const std::pair<FontFile::Role, const std::string*> wanted[] = {{FontFile::primary, &primary_path},
                                                                    {FontFile::cjk, &cjk_path}};
    for (const auto& w : wanted) {
        if (w.second->empty()) continue;
        Expected<Bytes> bytes = file_read(*w.second);
        if (!bytes) {
            std::fprintf(stderr, "attnscope: font not available (%s); using fallbacks\n", bytes.error().message.c_str());
            continue;
        }
        fonts.push_back(FontFile{w.first, *w.second, std::make_shared<const Bytes>(std::move(*bytes))});
    }
    return fonts;
}

std::vector<FontFile> fonts_read_default() {
#if defined(__EMSCRIPTEN__)
    return fonts_read("/fonts/DejaVuSans.ttf", "");   // the CJK font comes later, see fonts.h
#else
    return fonts_read(kSystemPrimaryFont, kSystemCjkFont);
#endif
}

}  // namespace attn
