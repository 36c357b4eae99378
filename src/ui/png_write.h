// RGBA8 pixels -> PNG file bytes in memory (stb_image_write). Writing them to a file or handing them
// to the browser as a download is the platform's job.
#pragma once
#include <cstdint>

#include "core/file_set.h"

namespace attn {

// (height, width, RGBA8) top row first. Empty on failure (zero size).
Bytes png_encode_rgba(const uint8_t* rgba, int width, int height);

}  // namespace attn
