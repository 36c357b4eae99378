// glReadPixels + stb_image_write. Rows are flipped: GL's origin is bottom-left, PNG's top-left.
#include "platform/screenshot.h"

#include <vector>

#include "platform/gl.h"

#include <stb/stb_image_write.h>   // implemented once, in src/ui/png_write.cpp

namespace attn {

bool screenshot_save_png(const std::string& path, int width, int height, std::string* error) {
    if (width <= 0 || height <= 0) {
        *error = "nothing to capture (window size is zero)";
        return false;
    }
    std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    std::vector<unsigned char> flipped(pixels.size());
    size_t row = static_cast<size_t>(width) * 4;
    for (int y = 0; y < height; ++y)
        std::copy(pixels.begin() + (height - 1 - y) * row, pixels.begin() + (height - y) * row, flipped.begin() + y * row);
    if (!stbi_write_png(path.c_str(), width, height, 4, flipped.data(), static_cast<int>(row))) {
        *error = "cannot write " + path;
        return false;
    }
    return true;
}

}  // namespace attn
