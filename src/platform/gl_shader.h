// GLSL programs from the sources embedded at build time (shaders/*.vert|frag), with the right
// "#version" line prepended for desktop GL 3.3 core or WebGL 2. No file access at run time.
#pragma once
#include <string>

#include "platform/gl.h"

namespace attn {

struct EmbeddedShader {
    const char* name;     // file name in shaders/, e.g. "heatmap.frag"
    const char* source;   // without a #version line
};
extern const EmbeddedShader kEmbeddedShaders[];   // ends with {nullptr, nullptr}

const char* shader_source(const char* name);     // nullptr when not embedded

// Compiles and links vertex + fragment shader by name; 0 and *error set on failure.
GLuint shader_program_build(const char* vertex_name, const char* fragment_name, std::string* error);

}  // namespace attn
