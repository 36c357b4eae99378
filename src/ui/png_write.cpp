// The one stb_image_write implementation in the program (the desktop screenshot uses it too).
#include "ui/png_write.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace attn {

Bytes png_encode_rgba(const uint8_t* rgba, int width, int height) {
    Bytes out;
    if (!rgba || width <= 0 || height <= 0) return out;
    auto append = [](void* context, void* data, int size) {
        Bytes* bytes = static_cast<Bytes*>(context);
        const uint8_t* p = static_cast<const uint8_t*>(data);
        bytes->insert(bytes->end(), p, p + size);
    };
    if (!stbi_write_png_to_func(append, &out, width, height, 4, rgba, width * 4)) out.clear();
    return out;
}

}  // namespace attn
