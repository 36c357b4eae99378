// Heatmap textures. Why R32F: exact probabilities (no quantisation to argue about when a tooltip says
// 0.62), the matrices are tiny (T, S <= n_ctx), and texelFetch on R32F is core in GL 3.3 and WebGL 2
// without the float-filtering extension. Colouring once per change into RGBA8 means ImGui's own
// backend draws the result with GL_NEAREST, no per-frame shader switching inside ImGui's draw loop.
#include "platform/gl_heatmap.h"

#include "platform/gl_shader.h"
#include "ui/colormap.h"
#include "ui/heatmap_cells.h"

namespace attn {

static GLuint texture_create(GLint internal_format, GLenum format, GLenum type, int w, int h, const void* data) {
    GLuint tex = 0;
    glGenTextures(1, &tex);
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);   // no mipmaps: else incomplete
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);   // crisp cells when enlarged
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, internal_format, w, h, 0, format, type, data);
    return tex;
}

bool GlHeatmapRenderer::init(std::string* error) {
    program_ = shader_program_build("heatmap.vert", "heatmap.frag", error);
    if (!program_) return false;
    u_values_ = glGetUniformLocation(program_, "u_values");
    u_colormap_ = glGetUniformLocation(program_, "u_colormap");
    u_masked_ = glGetUniformLocation(program_, "u_masked");
    u_bad_ = glGetUniformLocation(program_, "u_bad");
    u_vmax_ = glGetUniformLocation(program_, "u_vmax");
    glGenVertexArrays(1, &vao_);   // core profile draws need a bound VAO, even an empty one
    return true;
}

GLuint GlHeatmapRenderer::colormap_texture(Colormap colormap) {
    GLuint& tex = colormaps_[static_cast<int>(colormap)];
    if (!tex) {
        tex = texture_create(GL_RGBA8, GL_RGBA, GL_UNSIGNED_BYTE, 256, 1, colormap_table(colormap).data());
        glBindTexture(GL_TEXTURE_2D, 0);
    }
    return tex;
}

void GlHeatmapRenderer::shutdown() {
    for (Slot& s : slots_) {
        glDeleteTextures(1, &s.values);
        glDeleteTextures(1, &s.colors);
        glDeleteFramebuffers(1, &s.framebuffer);
    }
    slots_.clear();
    for (GLuint& tex : colormaps_) {
        if (tex) glDeleteTextures(1, &tex);
        tex = 0;
    }
    if (vao_) glDeleteVertexArrays(1, &vao_);
    if (program_) glDeleteProgram(program_);
    vao_ = program_ = 0;
}

ImTextureID GlHeatmapRenderer::heatmap_texture(int slot_index, const HeatmapImage& image) {
    if (slot_index < 0 || !program_ || image.rows <= 0 || image.cols <= 0) return ImTextureID{};
    if (slot_index >= static_cast<int>(slots_.size())) slots_.resize(static_cast<size_t>(slot_index) + 1);
    Slot& slot = slots_[static_cast<size_t>(slot_index)];
    const bool new_values = slot.key != image.key || slot.image_rows != image.rows || slot.image_cols != image.cols ||
                            slot.max_side != image.max_side || !slot.values;
    const float vmax = image.vmax > 0.0f ? image.vmax : 1.0f;
    // Colour changes alone re-run the shader over the uploaded values; nothing is re-sent.
    if (!new_values && slot.colormap == image.colormap && slot.vmax == vmax)
        return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(slot.colors));

    if (new_values) {
        int rows = 0, cols = 0;
        heatmap_cells(image, &staging_, &rows, &cols);
        if (slot.rows != rows || slot.cols != cols || !slot.values) {
            glDeleteTextures(1, &slot.values);
            glDeleteTextures(1, &slot.colors);
            glDeleteFramebuffers(1, &slot.framebuffer);
            slot.values = texture_create(GL_R32F, GL_RED, GL_FLOAT, cols, rows, staging_.data());
            slot.colors = texture_create(GL_RGBA8, GL_RGBA, GL_UNSIGNED_BYTE, cols, rows, nullptr);
            glGenFramebuffers(1, &slot.framebuffer);
            glBindFramebuffer(GL_FRAMEBUFFER, slot.framebuffer);
            glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, slot.colors, 0);
            glBindFramebuffer(GL_FRAMEBUFFER, 0);
            slot.rows = rows;
            slot.cols = cols;
        } else {
            glBindTexture(GL_TEXTURE_2D, slot.values);
            glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
            glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, cols, rows, GL_RED, GL_FLOAT, staging_.data());
        }
        slot.key = image.key;
        slot.image_rows = image.rows;
        slot.image_cols = image.cols;
        slot.max_side = image.max_side;
    }
    colorize(slot, image.colormap, vmax);
    ++generation_;
    return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(slot.colors));
}

// Runs the colormap shader over the slot's cells. Called mid-frame, before ImGui renders; ImGui's
// backend sets all of its own state at render time, so only the bindings it does not reset
// (framebuffer, viewport) are put back here.
void GlHeatmapRenderer::colorize(Slot& slot, Colormap colormap, float vmax) {
    const GLuint lut = colormap_texture(colormap);
    GLint previous_fb = 0, viewport[4] = {0, 0, 0, 0};
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &previous_fb);
    glGetIntegerv(GL_VIEWPORT, viewport);

    glBindFramebuffer(GL_FRAMEBUFFER, slot.framebuffer);
    glViewport(0, 0, slot.cols, slot.rows);
    glDisable(GL_BLEND);
    glDisable(GL_SCISSOR_TEST);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_CULL_FACE);
    glUseProgram(program_);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, slot.values);
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, lut);
    glUniform1i(u_values_, 0);
    glUniform1i(u_colormap_, 1);
    const std::array<uint8_t, 4> masked = colormap_masked_rgba(colormap);
    glUniform4f(u_masked_, masked[0] / 255.0f, masked[1] / 255.0f, masked[2] / 255.0f, 1.0f);
    glUniform4f(u_bad_, kColormapBadRgba[0] / 255.0f, kColormapBadRgba[1] / 255.0f, kColormapBadRgba[2] / 255.0f, 1.0f);
    glUniform1f(u_vmax_, vmax);
    glBindVertexArray(vao_);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glBindVertexArray(0);
    glBindTexture(GL_TEXTURE_2D, 0);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, 0);
    glUseProgram(0);

    glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previous_fb));
    glViewport(viewport[0], viewport[1], viewport[2], viewport[3]);
    slot.colormap = colormap;
    slot.vmax = vmax;
}

}  // namespace attn
