// The one place GL headers are chosen: OpenGL ES 3 (WebGL 2) on the web, desktop GL 3.3 core
// natively (prototypes straight from libGL; the few entry points we use are all core 3.3).
#pragma once
#if defined(__EMSCRIPTEN__)
#include <GLES3/gl3.h>
#define ATTN_GLSL_VERSION "#version 300 es\n"
#else
#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GL/glext.h>
#define ATTN_GLSL_VERSION "#version 330 core\n"
#endif
