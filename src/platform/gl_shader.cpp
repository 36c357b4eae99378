// Shader compile/link with the compiler's log in the error, so a driver difference (Mesa vs ANGLE)
// shows up as a readable message instead of a black heatmap.
#include "platform/gl_shader.h"

#include <cstring>
#include <vector>

namespace attn {

const char* shader_source(const char* name) {
    for (const EmbeddedShader* s = kEmbeddedShaders; s->name; ++s)
        if (std::strcmp(s->name, name) == 0) return s->source;
    return nullptr;
}

static GLuint compile(GLenum type, const char* name, std::string* error) {
    const char* body = shader_source(name);
    if (!body) {
        *error = std::string("shader ") + name + " is not embedded in this build";
        return 0;
    }
    const char* parts[] = {ATTN_GLSL_VERSION, body};
    GLuint shader = glCreateShader(type);
    glShaderSource(shader, 2, parts, nullptr);
    glCompileShader(shader);
    GLint ok = GL_FALSE;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (ok == GL_TRUE) return shader;
    GLint length = 0;
    glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &length);
    std::vector<char> log(static_cast<size_t>(length > 1 ? length : 1), '\0');
    glGetShaderInfoLog(shader, static_cast<GLsizei>(log.size()), nullptr, log.data());
    *error = std::string("shader ") + name + " does not compile: " + log.data();
    glDeleteShader(shader);
    return 0;
}

GLuint shader_program_build(const char* vertex_name, const char* fragment_name, std::string* error) {
    GLuint vs = compile(GL_VERTEX_SHADER, vertex_name, error);
    if (!vs) return 0;
    GLuint fs = compile(GL_FRAGMENT_SHADER, fragment_name, error);
    if (!fs) {
        glDeleteShader(vs);
        return 0;
    }
    GLuint program = glCreateProgram();
    glAttachShader(program, vs);
    glAttachShader(program, fs);
    glLinkProgram(program);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = GL_FALSE;
    glGetProgramiv(program, GL_LINK_STATUS, &ok);
    if (ok == GL_TRUE) return program;
    char log[1024] = {0};
    glGetProgramInfoLog(program, sizeof log, nullptr, log);
    *error = std::string("shaders ") + vertex_name + " + " + fragment_name + " do not link: " + log;
    glDeleteProgram(program);
    return 0;
}

}  // namespace attn
