// Edge-function triangle rasteriser with bounding boxes, plus a direct fill for axis-aligned quads
// (ImGui's PrimRect order: a, b, c, a, c, d): glyphs, images and solid rects are most of a frame, and
// filling them row by row is several times faster than two triangles. Both paths cover the same pixels
// (centres at +0.5, top and left edges in, bottom and right out) and shade the same way:
// colour = vertex colour x texture sample, then blended src-alpha / one-minus-src-alpha like the GL
// backend (glBlendFuncSeparate(SRC_ALPHA, ONE_MINUS_SRC_ALPHA, ONE, ONE_MINUS_SRC_ALPHA)).
#include "ui/soft_raster.h"

#include <algorithm>
#include <cmath>

namespace attn {

namespace {

struct Vert {
    float x, y, u, v;
    float c[4];   // RGBA, 0..255
};

struct Clip {
    int x0, y0, x1, y1;   // [x0, x1) x [y0, y1), inside the image
};

// Texture lookup as GL does it: nearest picks the texel under (u, v); linear blends the four around
// it (texel centres at +0.5), clamped to the edge.
struct Sampler {
    const SoftTexture* texture = nullptr;   // null: white (missing texture)

    void sample(float u, float v, float out[4]) const {
        if (!texture) {
            out[0] = out[1] = out[2] = out[3] = 255.0f;
            return;
        }
        const int W = texture->width, H = texture->height;
        if (texture->filter == SoftFilter::nearest) {
            const uint8_t* t = texel(static_cast<int>(std::floor(u * W)), static_cast<int>(std::floor(v * H)));
            for (int k = 0; k < 4; ++k) out[k] = t[k];
            return;
        }
        float fx = std::clamp(u * W - 0.5f, -1.0f, static_cast<float>(W)), fy = std::clamp(v * H - 0.5f, -1.0f, static_cast<float>(H));
        float x0 = std::floor(fx), y0 = std::floor(fy);
        float ax = fx - x0, ay = fy - y0;
        int ix = static_cast<int>(x0), iy = static_cast<int>(y0);
        const uint8_t *t00, *t10, *t01, *t11;
        if (ix >= 0 && iy >= 0 && ix + 1 < W && iy + 1 < H) {   // inside: no clamping (the usual case)
            t00 = texture->rgba + (static_cast<size_t>(iy) * W + ix) * 4;
            t10 = t00 + 4;
            t01 = t00 + static_cast<size_t>(W) * 4;
            t11 = t01 + 4;
        } else {
            t00 = texel(ix, iy), t10 = texel(ix + 1, iy), t01 = texel(ix, iy + 1), t11 = texel(ix + 1, iy + 1);
        }
        const float w00 = (1.0f - ax) * (1.0f - ay), w10 = ax * (1.0f - ay), w01 = (1.0f - ax) * ay, w11 = ax * ay;
        for (int k = 0; k < 4; ++k) out[k] = t00[k] * w00 + t10[k] * w10 + t01[k] * w01 + t11[k] * w11;
    }

    const uint8_t* texel(int x, int y) const {
        x = std::clamp(x, 0, texture->width - 1);
        y = std::clamp(y, 0, texture->height - 1);
        return texture->rgba + (static_cast<size_t>(y) * texture->width + x) * 4;
    }
};

// src over dst with src alpha, rounding once as an 8-bit framebuffer does.
inline void blend(uint8_t* d, const float vertex[4], const float tex[4]) {
    const float k = 1.0f / 255.0f;
    float a = vertex[3] * tex[3] * k;
    if (a < 0.5f) return;   // rounds to zero alpha: no change
    if (a >= 254.5f) {
        for (int c = 0; c < 3; ++c) d[c] = static_cast<uint8_t>(vertex[c] * tex[c] * k + 0.5f);
        d[3] = 255;
        return;
    }
    float fa = a * k, ia = 1.0f - fa;
    for (int c = 0; c < 3; ++c) d[c] = static_cast<uint8_t>(vertex[c] * tex[c] * k * fa + d[c] * ia + 0.5f);
    d[3] = static_cast<uint8_t>(a + d[3] * ia + 0.5f);
}

// Pixel centres x + 0.5 with lo <= centre < hi, i.e. columns [first, last).
inline void span(float lo, float hi, int clip0, int clip1, int* first, int* last) {
    lo = std::clamp(lo, -1.0f, 1e8f);
    hi = std::clamp(hi, -1.0f, 1e8f);
    *first = std::max(clip0, static_cast<int>(std::ceil(lo - 0.5f)));
    *last = std::min(clip1, static_cast<int>(std::ceil(hi - 0.5f)));
}

Vert vert_of(const ImDrawVert& v, ImVec2 offset, ImVec2 scale) {
    Vert o;
    o.x = (v.pos.x - offset.x) * scale.x;
    o.y = (v.pos.y - offset.y) * scale.y;
    o.u = v.uv.x;
    o.v = v.uv.y;
    for (int k = 0; k < 4; ++k) o.c[k] = static_cast<float>((v.col >> (8 * k)) & 0xFF);
    return o;
}

inline bool near(float a, float b) { return std::fabs(a - b) <= 1e-5f * std::max(1.0f, std::fabs(a) + std::fabs(b)); }

// Fills quad a, b, c, d when it is an axis-aligned rectangle of one colour with texture coordinates
// affine in x and y (also 90-degree turned ones: the vertical labels). False: draw it as triangles.
bool raster_rect(SoftImage& img, const Clip& clip, const Vert& a, const Vert& b, const Vert& c, const Vert& d,
                 const Sampler& sampler) {
    for (int k = 0; k < 4; ++k)
        if (a.c[k] != b.c[k] || a.c[k] != c.c[k] || a.c[k] != d.c[k]) return false;
    if (!near(c.u, b.u + d.u - a.u) || !near(c.v, b.v + d.v - a.v)) return false;
    float dudx, dvdx, dudy, dvdy;
    if (a.y == b.y && c.y == d.y && a.x == d.x && b.x == c.x) {   // a->b runs along x
        if (b.x == a.x || d.y == a.y) return true;                 // no area: nothing to draw
        dudx = (b.u - a.u) / (b.x - a.x), dvdx = (b.v - a.v) / (b.x - a.x);
        dudy = (d.u - a.u) / (d.y - a.y), dvdy = (d.v - a.v) / (d.y - a.y);
    } else if (a.x == b.x && c.x == d.x && a.y == d.y && b.y == c.y) {   // a->b runs along y
        if (b.y == a.y || d.x == a.x) return true;
        dudy = (b.u - a.u) / (b.y - a.y), dvdy = (b.v - a.v) / (b.y - a.y);
        dudx = (d.u - a.u) / (d.x - a.x), dvdx = (d.v - a.v) / (d.x - a.x);
    } else {
        return false;
    }
    int x0, x1, y0, y1;
    span(std::min(a.x, c.x), std::max(a.x, c.x), clip.x0, clip.x1, &x0, &x1);
    span(std::min(a.y, c.y), std::max(a.y, c.y), clip.y0, clip.y1, &y0, &y1);
    if (x0 >= x1 || y0 >= y1) return true;
    float tex[4];
    const bool flat = dudx == 0.0f && dvdx == 0.0f && dudy == 0.0f && dvdy == 0.0f;
    if (flat) {   // one colour: window backgrounds, solid rects; blended in integers
        sampler.sample(a.u, a.v, tex);
        int src[4];
        for (int k = 0; k < 4; ++k) src[k] = static_cast<int>(a.c[k] * tex[k] / 255.0f + 0.5f);
        const int alpha = src[3], keep = 255 - alpha;
        if (alpha == 0) return true;
        for (int y = y0; y < y1; ++y) {
            uint8_t* d = img.rgba.data() + (static_cast<size_t>(y) * img.width + x0) * 4;
            for (int x = x0; x < x1; ++x, d += 4) {
                for (int k = 0; k < 3; ++k) d[k] = static_cast<uint8_t>((src[k] * alpha + d[k] * keep + 127) / 255);
                d[3] = static_cast<uint8_t>((alpha * 255 + d[3] * keep + 127) / 255);
            }
        }
        return true;
    }
    const bool white = a.c[0] == 255.0f && a.c[1] == 255.0f && a.c[2] == 255.0f && a.c[3] == 255.0f;
    const SoftTexture* t = sampler.texture;
    if (white && t && t->filter == SoftFilter::nearest && dvdx == 0.0f && dudy == 0.0f) {
        // An image drawn upright (the heatmap): one texel row per pixel row, opaque texels copied.
        for (int y = y0; y < y1; ++y) {
            int ty = std::clamp(static_cast<int>(std::floor((a.v + dvdy * (y + 0.5f - a.y)) * t->height)), 0, t->height - 1);
            const uint8_t* texels = t->rgba + static_cast<size_t>(ty) * t->width * 4;
            uint8_t* d = img.rgba.data() + (static_cast<size_t>(y) * img.width + x0) * 4;
            for (int x = x0; x < x1; ++x, d += 4) {
                int tx = std::clamp(static_cast<int>(std::floor((a.u + dudx * (x + 0.5f - a.x)) * t->width)), 0, t->width - 1);
                const uint8_t* texel = texels + tx * 4;
                if (texel[3] == 255) {
                    d[0] = texel[0], d[1] = texel[1], d[2] = texel[2], d[3] = 255;
                } else {
                    for (int k = 0; k < 4; ++k) tex[k] = texel[k];
                    blend(d, a.c, tex);
                }
            }
        }
        return true;
    }
    for (int y = y0; y < y1; ++y) {
        uint8_t* row = img.rgba.data() + (static_cast<size_t>(y) * img.width) * 4;
        float cy = y + 0.5f - a.y;
        for (int x = x0; x < x1; ++x) {
            float cx = x + 0.5f - a.x;
            sampler.sample(a.u + dudx * cx + dudy * cy, a.v + dvdx * cx + dvdy * cy, tex);
            blend(row + static_cast<size_t>(x) * 4, a.c, tex);
        }
    }
    return true;
}

// Edge a->b as a function of p: positive on the triangle's side once the triangle is counter-clockwise
// in this (y-down) orientation. Ties go to top edges (horizontal, running +x) and left edges (running -y).
struct Edge {
    float ax, ay, dx, dy;
    bool top_left;
    Edge(const Vert& a, const Vert& b) : ax(a.x), ay(a.y), dx(b.x - a.x), dy(b.y - a.y) {
        top_left = dy < 0.0f || (dy == 0.0f && dx > 0.0f);
    }
    float at(float px, float py) const { return dx * (py - ay) - dy * (px - ax); }
    bool inside(float w) const { return w > 0.0f || (w == 0.0f && top_left); }
    // Narrows [lo, hi] to the pixel centres px of row py where this edge can be inside, so long thin
    // triangles (the lines view) cost their covered pixels, not their bounding box. One pixel of slack
    // each side; the exact test still decides. False: no pixel of this row is inside.
    bool clip_row(float py, float* lo, float* hi) const {
        float c = dx * (py - ay) + dy * ax;   // at(px, py) = c - dy * px
        if (dy == 0.0f) return c > 0.0f || (c == 0.0f && top_left);
        float x = c / dy;
        if (dy > 0.0f) *hi = std::min(*hi, x + 1.0f);
        else *lo = std::max(*lo, x - 1.0f);
        return *lo <= *hi;
    }
};

void raster_triangle(SoftImage& img, const Clip& clip, const Vert& v0, Vert v1, Vert v2, const Sampler& sampler) {
    float area = (v1.x - v0.x) * (v2.y - v0.y) - (v1.y - v0.y) * (v2.x - v0.x);
    if (!(std::fabs(area) > 1e-12f)) return;   // degenerate (or NaN)
    if (area < 0.0f) {
        std::swap(v1, v2);
        area = -area;
    }
    int x0, x1, y0, y1;
    span(std::min({v0.x, v1.x, v2.x}), std::max({v0.x, v1.x, v2.x}) + 1.0f, clip.x0, clip.x1, &x0, &x1);
    span(std::min({v0.y, v1.y, v2.y}), std::max({v0.y, v1.y, v2.y}) + 1.0f, clip.y0, clip.y1, &y0, &y1);
    if (x0 >= x1 || y0 >= y1) return;
    const Edge e0(v1, v2), e1(v2, v0), e2(v0, v1);   // e_i is opposite vertex i: its weight
    const float inv = 1.0f / area;
    // Solid fills and anti-aliased fringes sit on the atlas's white texel: one sample for the triangle.
    const bool flat_uv = v0.u == v1.u && v0.u == v2.u && v0.v == v1.v && v0.v == v2.v;
    bool flat_color = true;
    for (int k = 0; k < 4; ++k) flat_color = flat_color && v0.c[k] == v1.c[k] && v0.c[k] == v2.c[k];
    float col[4], tex[4];
    if (flat_uv) sampler.sample(v0.u, v0.v, tex);
    if (flat_color) std::copy(v0.c, v0.c + 4, col);
    for (int y = y0; y < y1; ++y) {
        const float py = y + 0.5f;
        float lo = static_cast<float>(x0), hi = static_cast<float>(x1);
        if (!e0.clip_row(py, &lo, &hi) || !e1.clip_row(py, &lo, &hi) || !e2.clip_row(py, &lo, &hi)) continue;
        const int first = std::max(x0, static_cast<int>(std::floor(lo))), last = std::min(x1, static_cast<int>(hi) + 1);
        uint8_t* row = img.rgba.data() + (static_cast<size_t>(y) * img.width) * 4;
        for (int x = first; x < last; ++x) {
            const float px = x + 0.5f;
            float w0 = e0.at(px, py), w1 = e1.at(px, py), w2 = e2.at(px, py);
            if (!e0.inside(w0) || !e1.inside(w1) || !e2.inside(w2)) continue;
            const float l0 = w0 * inv, l1 = w1 * inv, l2 = w2 * inv;
            if (!flat_color)
                for (int k = 0; k < 4; ++k) col[k] = l0 * v0.c[k] + l1 * v1.c[k] + l2 * v2.c[k];
            if (!flat_uv) sampler.sample(l0 * v0.u + l1 * v1.u + l2 * v2.u, l0 * v0.v + l1 * v1.v + l2 * v2.v, tex);
            blend(row + static_cast<size_t>(x) * 4, col, tex);
        }
    }
}

// The GL backend's scissor: integer box from the clip rect in framebuffer pixels, inside the image.
bool clip_of(const ImVec4& r, ImVec2 offset, ImVec2 scale, const SoftImage& img, Clip* out) {
    auto px = [](float v) { return std::clamp(v, -1e8f, 1e8f); };
    float x0 = px((r.x - offset.x) * scale.x), y0 = px((r.y - offset.y) * scale.y);
    float x1 = px((r.z - offset.x) * scale.x), y1 = px((r.w - offset.y) * scale.y);
    if (x1 <= x0 || y1 <= y0) return false;
    int ix = static_cast<int>(x0), iy = static_cast<int>(y0);
    out->x0 = std::clamp(ix, 0, img.width);
    out->y0 = std::clamp(iy, 0, img.height);
    out->x1 = std::clamp(ix + static_cast<int>(x1 - x0), 0, img.width);
    out->y1 = std::clamp(iy + static_cast<int>(y1 - y0), 0, img.height);
    return out->x0 < out->x1 && out->y0 < out->y1;
}

}  // namespace

SoftImage soft_image_make(int width, int height, ImU32 background) {
    SoftImage img;
    img.width = std::max(0, width);
    img.height = std::max(0, height);
    img.rgba.resize(static_cast<size_t>(img.width) * img.height * 4);
    for (size_t i = 0; i < img.rgba.size(); i += 4)
        for (int k = 0; k < 4; ++k) img.rgba[i + k] = static_cast<uint8_t>((background >> (8 * k)) & 0xFF);
    return img;
}

SoftRasterStats soft_raster(const ImDrawData& dd, const SoftTextures& textures, SoftImage& img) {
    SoftRasterStats stats;
    if (img.width <= 0 || img.height <= 0) return stats;
    const ImVec2 offset = dd.DisplayPos, scale = dd.FramebufferScale;
    for (int n = 0; n < dd.CmdListsCount; ++n) {
        const ImDrawList* list = dd.CmdLists[n];
        const int n_vtx = list->VtxBuffer.Size;
        for (const ImDrawCmd& cmd : list->CmdBuffer) {
            if (cmd.UserCallback) {
                if (cmd.UserCallback != ImDrawCallback_ResetRenderState) cmd.UserCallback(list, &cmd);
                continue;
            }
            Clip clip;
            if (!clip_of(cmd.ClipRect, offset, scale, img, &clip)) continue;
            Sampler sampler;
            sampler.texture = textures.find(cmd.GetTexID());
            if (!sampler.texture) ++stats.missing_textures;
            ++stats.commands;
            const ImDrawIdx* idx = list->IdxBuffer.Data + cmd.IdxOffset;
            const unsigned count = cmd.ElemCount;
            auto vertex = [&](unsigned i, Vert* out) {
                unsigned v = cmd.VtxOffset + idx[i];
                if (v >= static_cast<unsigned>(n_vtx)) return false;   // malformed list: skip, never read past
                *out = vert_of(list->VtxBuffer.Data[v], offset, scale);
                return true;
            };
            for (unsigned i = 0; i + 3 <= count;) {
                Vert q[4];
                if (i + 6 <= count && idx[i + 3] == idx[i] && idx[i + 4] == idx[i + 2] && vertex(i, &q[0]) &&
                    vertex(i + 1, &q[1]) && vertex(i + 2, &q[2]) && vertex(i + 5, &q[3]) &&
                    raster_rect(img, clip, q[0], q[1], q[2], q[3], sampler)) {
                    ++stats.rects;
                    i += 6;
                    continue;
                }
                if (vertex(i, &q[0]) && vertex(i + 1, &q[1]) && vertex(i + 2, &q[2])) {
                    raster_triangle(img, clip, q[0], q[1], q[2], sampler);
                    ++stats.triangles;
                }
                i += 3;
            }
        }
    }
    return stats;
}

}  // namespace attn
