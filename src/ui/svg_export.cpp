// Sections: shared pieces (labels, title, colorbar) | heatmap | grid | lines | flow
#include "ui/svg_export.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "analysis/rollout.h"
#include "core/i18n.h"
#include "ui/cpu_heatmap.h"
#include "ui/flow_edges.h"
#include "ui/heatmap_cells.h"
#include "ui/png_write.h"
#include "ui/svg_writer.h"
#include "ui/token_chars.h"
#include "ui/views.h"

namespace attn {

namespace {

constexpr float kMargin = 20.0f;
constexpr float kTitleSize = 15.0f, kTextSize = 12.0f;
constexpr uint32_t kDim = 0x666666;

// ---------------------------------------------------------------- shared pieces

uint32_t rgb_of(ImU32 c) { return ((c & 0xFF) << 16) | (c & 0xFF00) | ((c >> 16) & 0xFF); }
uint32_t rgb_of(const uint8_t* rgba) { return (rgba[0] << 16) | (rgba[1] << 8) | rgba[2]; }

std::string weight_attr(float w) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", w);
    return buf;
}

// The labels the screen shows (a split character reads "动 1/2"), as full UTF-8: an SVG viewer has the fonts.
std::vector<std::string> labels_of(const TokenSeq& seq, int n, PieceStyle style) {
    return token_display_labels(seq, n, style);
}

float widest(const std::vector<std::string>& labels, float size) {
    float w = 0.0f;
    for (const std::string& l : labels) w = std::max(w, svg_text_width(l, size));
    return w;
}

// The title lines; returns the y where the picture starts and widens *width to fit them.
float draw_title(SvgWriter& svg, const PictureTitle& t, float* width) {
    svg.text(kMargin, kMargin + kTitleSize, t.heading, kTitleSize, "start", 0x111111, 0.0f, "id=\"title\" font-weight=\"bold\"");
    *width = std::max(*width, svg_text_width(t.heading, kTitleSize) + 2 * kMargin);
    float y = kMargin + kTitleSize + 6.0f;
    if (!t.text.empty()) {
        svg.text(kMargin, y + kTextSize, t.text, kTextSize, "start", kDim, 0.0f, "id=\"subtitle\"");
        *width = std::max(*width, svg_text_width(t.text, kTextSize) + 2 * kMargin);
        y += kTextSize + 6.0f;
    }
    return y + 14.0f;
}

// The colormap ramp from 0 (bottom) to vmax (top) in 64 rects, five ticks, the masked swatch for
// causal attention and, when the trace holds NaN or infinity, the bad-colour swatch (as on screen).
// Returns the height used; *width_used gets the width (bar, ticks and legends).
float draw_colorbar(SvgWriter& svg, float x, float y, float h, Colormap colormap, float vmax, bool causal,
                    bool bad_values, const char* note, float* width_used) {
    *width_used = 20.0f + std::max({svg_text_width("0.000", kTextSize - 1),
                                    causal ? svg_text_width(tr("pictures.colorbar.future_masked"), kTextSize - 1) : 0.0f,
                                    bad_values ? svg_text_width(tr("pictures.colorbar.bad"), kTextSize - 1) : 0.0f,
                                    note ? svg_text_width(note, kTextSize - 1) - 20.0f : 0.0f});
    const ColormapTable& table = colormap_table(colormap);
    const int segments = 64;
    const float w = 14.0f;
    svg.open_group("id=\"colorbar\" shape-rendering=\"crispEdges\"");
    for (int i = 0; i < segments; ++i) {
        const float v = 1.0f - (i + 0.5f) / segments;
        svg.rect(x, y + h * i / segments, w, h / segments + 0.05f, rgb_of(colormap_color(table, v)),
                 "data-value=\"" + weight_attr(v * vmax) + "\"");
    }
    for (int k = 0; k <= 4; ++k) {
        const float v = k / 4.0f, ty = y + h * (1.0f - v);
        svg.line(x + w, ty, x + w + 4, ty, 0x222222, 1.0f, 1.0f);
        char buf[16];
        std::snprintf(buf, sizeof buf, vmax * v >= 0.01f || k == 0 ? "%.2f" : "%.3f", vmax * v);
        svg.text(x + w + 6, ty + 4, buf, kTextSize - 1, "start", 0x222222, 0.0f, "class=\"tick\"");
    }
    svg.close_group();
    float used = h;
    if (causal) {
        std::array<uint8_t, 4> m = colormap_masked_rgba(colormap);
        svg.rect(x, y + h + 10, w, 12, rgb_of(m.data()), "id=\"masked-swatch\"");
        svg.text(x + w + 6, y + h + 20, tr("pictures.colorbar.future_masked"), kTextSize - 1, "start", kDim);
        used += 28;
    }
    if (bad_values) {
        svg.rect(x, y + used + 10, w, 12, rgb_of(colormap_bad_color()), "id=\"bad-swatch\"");
        svg.text(x + w + 6, y + used + 20, tr("pictures.colorbar.bad"), kTextSize - 1, "start", kDim);
        used += 28;
    }
    if (note) {
        svg.text(x, y + used + 18, note, kTextSize - 1, "start", kDim);
        used += 22;
    }
    return used;
}

// RGBA8 cells of one head, coloured by the rule the screen's shader and the PNG use.
std::vector<uint8_t> head_rgba(const AttentionTensor& a, const float* values, Colormap colormap, bool auto_scale,
                               float* vmax_out) {
    HeatmapImage image;
    image.values = values;
    image.rows = a.n_query;
    image.cols = a.n_key;
    image.causal = a.causal;
    image.colormap = colormap;
    if (auto_scale) image.vmax = std::max(heatmap_max(image), 1e-6f);
    std::vector<float> texels;
    int rows = 0, cols = 0;
    heatmap_cells(image, &texels, &rows, &cols);
    std::vector<uint8_t> rgba(static_cast<size_t>(rows) * cols * 4);
    heatmap_colorize(texels.data(), rows, cols, colormap, image.vmax, rgba.data());
    if (vmax_out) *vmax_out = image.vmax;
    return rgba;
}

// ---------------------------------------------------------------- heatmap

std::string svg_heatmap(const SvgInput& in) {
    const AttentionTensor& a = *in.attention;
    const int T = a.n_query, S = a.n_key;
    SvgWriter svg;
    float width = 0.0f;
    const float top = draw_title(svg, in.title, &width);
    const std::vector<std::string> rows = labels_of(*in.queries, T, in.piece_style);
    const std::vector<std::string> cols = labels_of(*in.keys, S, in.piece_style);
    const float cell = std::clamp(560.0f / std::max(T, S), 3.0f, 32.0f);
    const float lfs = std::clamp(cell * 0.8f, 4.0f, kTextSize);
    const float row_w = std::max(widest(rows, lfs), svg_text_width(tr("ui.heatmap.query"), kTextSize)) + 8.0f;
    const float col_h = std::max(widest(cols, lfs), 2.0f * kTextSize + 4.0f) + 8.0f;
    const float gx = kMargin + row_w, gy = top + col_h;

    float vmax = 1.0f;
    const float* probs = in.matrix ? in.matrix : a.head(in.layer, in.head);
    const std::vector<uint8_t> rgba = head_rgba(a, probs, in.colormap, in.auto_scale, &vmax);
    if (static_cast<long long>(T) * S <= kSvgMaxCellRects) {
        svg.open_group("id=\"cells\" shape-rendering=\"crispEdges\"");
        for (int t = 0; t < T; ++t)
            for (int s = 0; s < S; ++s) {
                const size_t i = static_cast<size_t>(t) * S + s;
                const bool masked = a.causal && s > t + (S - T);
                std::string attrs = "data-q=\"" + std::to_string(t) + "\" data-k=\"" + std::to_string(s) + "\" data-weight=\"" +
                                    weight_attr(probs[i]) + "\"" + (masked ? " data-masked=\"1\"" : "");
                svg.rect(gx + s * cell, gy + t * cell, cell + 0.02f, cell + 0.02f, rgb_of(&rgba[i * 4]), attrs);
            }
        svg.close_group();
    } else {
        svg.image_png(gx, gy, S * cell, T * cell, png_encode_rgba(rgba.data(), S, T), "id=\"cells-image\"");
    }
    for (int t = 0; t < T; ++t)
        svg.text(gx - 4, gy + (t + 0.5f) * cell + lfs * 0.35f, rows[t], lfs, "end", 0x222222, 0.0f, "class=\"row-label\"");
    for (int s = 0; s < S; ++s)
        svg.text(gx + (s + 0.5f) * cell + lfs * 0.35f, gy - 4, cols[s], lfs, "start", 0x222222, -90.0f, "class=\"col-label\"");
    svg.text(gx - 8, gy - kTextSize - 8, tr("pictures.axis.key"), kTextSize, "end", kDim, 0.0f, "class=\"axis-name\"");
    svg.text(gx - 8, gy - 6, tr("ui.heatmap.query"), kTextSize, "end", kDim, 0.0f, "class=\"axis-name\"");

    const float bar_x = gx + S * cell + 18.0f, bar_h = std::max(T * cell, 160.0f);
    float bar_w = 0.0f;
    const float used = draw_colorbar(svg, bar_x, gy, bar_h, in.colormap, vmax, a.causal, in.bad_values, nullptr, &bar_w);
    width = std::max(width, bar_x + bar_w + kMargin);
    const float height = std::max(gy + T * cell, gy + used) + kMargin;
    return svg.finish(width, height, in.title.heading + (in.title.text.empty() ? "" : " \xE2\x80\x94 " + in.title.text));
}

// ---------------------------------------------------------------- grid

std::string svg_grid(const SvgInput& in) {
    const AttentionTensor& a = *in.attention;
    const int L = a.n_layer, H = a.n_head;
    SvgWriter svg;
    float width = 0.0f;
    const float top = draw_title(svg, in.title, &width);
    const float pitch = std::clamp(std::min(720.0f / H, 560.0f / L), 24.0f, 120.0f), gap = 6.0f, tile = pitch - gap;
    const float label_w = svg_text_width("L" + std::to_string(L - 1), kTextSize) + 10.0f;
    const float gx = kMargin + label_w, gy = top + kTextSize + 8.0f;
    for (int l = 0; l < L; ++l)
        svg.text(gx - 6, gy + l * pitch + tile * 0.5f + 4, "L" + std::to_string(l), kTextSize, "end", kDim, 0.0f,
                 "class=\"row-label\"");
    for (int h = 0; h < H; ++h)
        svg.text(gx + h * pitch + tile * 0.5f, gy - 6, "H" + std::to_string(h), kTextSize, "middle", kDim, 0.0f,
                 "class=\"col-label\"");
    svg.open_group("id=\"tiles\"");
    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h) {
            std::vector<uint8_t> rgba = head_rgba(a, a.head(l, h), in.colormap, in.auto_scale, nullptr);
            svg.image_png(gx + h * pitch, gy + l * pitch, tile, tile, png_encode_rgba(rgba.data(), a.n_key, a.n_query),
                          "data-layer=\"" + std::to_string(l) + "\" data-head=\"" + std::to_string(h) + "\"");
        }
    svg.close_group();
    const float bar_x = gx + H * pitch + 12.0f, bar_h = std::max(L * pitch - gap, 160.0f);
    float bar_w = 0.0f;
    const float used = draw_colorbar(svg, bar_x, gy, bar_h, in.colormap, 1.0f, a.causal, in.bad_values,
                                     in.auto_scale ? tr("ui.grid.each_head_s_max") : nullptr, &bar_w);
    width = std::max(width, bar_x + bar_w + kMargin);
    const float height = std::max(gy + L * pitch, gy + used) + kMargin;
    return svg.finish(width, height, in.title.heading + (in.title.text.empty() ? "" : " \xE2\x80\x94 " + in.title.text));
}

// ---------------------------------------------------------------- lines

std::string svg_lines(const SvgInput& in) {
    const AttentionTensor& a = *in.attention;
    const int T = a.n_query, S = a.n_key;
    std::vector<char> heads = in.heads_on;
    if (static_cast<int>(heads.size()) != a.n_head || std::count(heads.begin(), heads.end(), 1) == 0) {
        heads.assign(a.n_head, 0);
        heads[std::clamp(in.head, 0, a.n_head - 1)] = 1;
    }
    SvgWriter svg;
    float width = 0.0f;
    float y = draw_title(svg, in.title, &width);

    // Legend: what opacity means, and a stroke per head drawn.
    float lx = kMargin;
    svg.text(lx, y, tr("ui.lines.opacity_attention_weight"), kTextSize, "start", 0x222222, 0.0f, "id=\"legend\"");
    lx += svg_text_width(tr("ui.lines.opacity_attention_weight"), kTextSize) + 12.0f;
    svg.open_group("id=\"head-legend\"");
    for (int h = 0; h < a.n_head; ++h) {
        if (!heads[h]) continue;
        svg.line(lx, y - 4, lx + 18, y - 4, rgb_of(head_color(h)), 3.0f, 1.0f, "data-head=\"" + std::to_string(h) + "\"");
        svg.text(lx + 22, y, "H" + std::to_string(h), kTextSize);
        lx += 22 + svg_text_width("H" + std::to_string(h), kTextSize) + 12.0f;
    }
    svg.close_group();
    width = std::max(width, lx + kMargin);
    y += 24.0f;

    const std::vector<std::string> q = labels_of(*in.queries, T, in.piece_style), k = labels_of(*in.keys, S, in.piece_style);
    const std::vector<std::string>& left = in.keys_left ? k : q;
    const std::vector<std::string>& right = in.keys_left ? q : k;
    // The screen's column titles: cross attention draws the source (keys) left, the target right.
    const char* left_title = in.keys_left ? tr("ui.lines.looked_at_source") : tr("ui.lines.looking_query");
    const char* right_title = in.keys_left ? tr("ui.lines.looking_target") : tr("ui.lines.looked_at_key");
    const float row_h = 18.0f, pad = 6.0f, gap = 260.0f;
    const float label_w = std::max({widest(left, kTextSize), widest(right, kTextSize), svg_text_width(left_title, kTextSize)});
    const float left_x = kMargin + label_w + pad, right_x = left_x + gap;
    svg.text(left_x, y, left_title, kTextSize, "end", kDim);
    svg.text(right_x, y, right_title, kTextSize, "start", kDim);
    const float top = y + 10.0f;
    auto row_y = [&](int i) { return top + (i + 0.5f) * row_h; };

    std::vector<AttentionLine> lines = attention_lines(a, in.layer, heads, -1, -1, 0.01f, SIZE_MAX);
    svg.open_group("id=\"lines\"");
    for (const AttentionLine& l : lines) {
        const int li = in.keys_left ? l.key : l.query, ri = in.keys_left ? l.query : l.key;
        svg.line(left_x, row_y(li), right_x, row_y(ri), rgb_of(head_color(l.head)), 2.0f, l.weight,
                 "data-head=\"" + std::to_string(l.head) + "\" data-q=\"" + std::to_string(l.query) + "\" data-k=\"" +
                     std::to_string(l.key) + "\"");
    }
    svg.close_group();
    for (size_t i = 0; i < left.size(); ++i)
        svg.text(left_x - pad, row_y(static_cast<int>(i)) + 4, left[i], kTextSize, "end", 0x222222, 0.0f, "class=\"left-label\"");
    for (size_t i = 0; i < right.size(); ++i)
        svg.text(right_x + pad, row_y(static_cast<int>(i)) + 4, right[i], kTextSize, "start", 0x222222, 0.0f,
                 "class=\"right-label\"");
    width = std::max(width, right_x + pad + label_w + kMargin);
    const float height = top + std::max(left.size(), right.size()) * row_h + kMargin;
    return svg.finish(width, height, in.title.heading + (in.title.text.empty() ? "" : " \xE2\x80\x94 " + in.title.text));
}

// ---------------------------------------------------------------- flow

std::string svg_flow(const SvgInput& in) {
    const ResidualAttention ahat = residual_attention(*in.attention);
    if (ahat.empty()) return "";
    const int L = ahat.n_layer, T = ahat.n_token;
    SvgWriter svg;
    float width = 0.0f;
    float y = draw_title(svg, in.title, &width);
    // The screen's legend sentence: what a row and an edge are, the threshold, and the orange paths.
    char legend[600];
    std::snprintf(legend, sizeof legend, tr("ui.flow.rows_the_tokens_after"), in.flow_threshold,
                  in.flow_pinned >= 0 && in.flow_pinned < T ? tr("ui.flow.orange_the_paths_into") : "");
    svg.text(kMargin, y, legend, kTextSize - 1, "start", 0x222222, 0.0f, "id=\"legend\"");
    width = std::max(width, svg_text_width(legend, kTextSize - 1) + 2 * kMargin);
    y += 14.0f;

    const std::vector<std::string> labels = labels_of(*in.queries, T, in.piece_style);
    const float label_w = widest(labels, kTextSize);
    const float dx = std::clamp(640.0f / T, 22.0f, 90.0f), dy = 64.0f;
    const bool vertical = dx < label_w + 6.0f;
    const float label_h = vertical ? label_w + 6.0f : kTextSize + 6.0f;
    const float row_w = std::max(svg_text_width(tr("ui.flow.layer_2"), kTextSize), svg_text_width(tr("pictures.flow.input"), kTextSize)) + 10.0f;
    const float gx = kMargin + row_w, top_y = y + label_h + 8.0f;
    auto x_of = [&](int i) { return gx + (i + 0.5f) * dx; };
    auto y_of = [&](int l) { return top_y + (L - l) * dy; };

    for (int l = 0; l <= L; ++l) {
        char name[64];
        std::snprintf(name, sizeof name, tr("ui.flow.layer_3"), l);
        svg.text(kMargin, y_of(l) + 4, l == 0 ? tr("pictures.flow.input") : name, kTextSize, "start",
                 l == 0 || l == L ? 0x222222 : kDim, 0.0f, "class=\"row-label\"");
    }
    const int pinned = in.flow_pinned >= 0 && in.flow_pinned < T ? in.flow_pinned : -1;
    const std::vector<double> importance = pinned >= 0 ? rollout_importance(ahat, pinned) : std::vector<double>{};
    const std::vector<FlowEdge> edges = flow_edges(ahat, in.flow_threshold, importance, 0.005f, SIZE_MAX);
    float max_imp = 0.0f;
    for (const FlowEdge& e : edges) max_imp = std::max(max_imp, e.importance);
    svg.open_group("id=\"edges\"");
    for (const FlowEdge& e : edges) {
        std::string attrs = "data-layer=\"" + std::to_string(e.layer) + "\" data-from=\"" + std::to_string(e.from) +
                            "\" data-to=\"" + std::to_string(e.to) + "\" data-weight=\"" + weight_attr(e.weight) + "\"";
        if (e.importance > 0.0f) {
            const float r = e.importance / max_imp;
            svg.line(x_of(e.from), y_of(e.layer - 1), x_of(e.to), y_of(e.layer), 0xe08a00, 1.0f + 3.0f * r, 0.35f + 0.65f * r,
                     attrs + " data-lit=\"1\"");
        } else {
            svg.line(x_of(e.from), y_of(e.layer - 1), x_of(e.to), y_of(e.layer), 0x1a4a9a, 0.75f + 1.5f * e.weight, e.weight, attrs);
        }
    }
    svg.close_group();
    const float r = std::clamp(dx * 0.15f, 1.5f, 4.0f);
    for (int l = 0; l <= L; ++l)
        for (int i = 0; i < T; ++i) svg.circle(x_of(i), y_of(l), r, l == L && i == pinned ? 0xe08a00 : 0x8088a0);
    for (int i = 0; i < T; ++i) {
        const uint32_t col = i == pinned ? 0xc06000 : 0x222222;
        if (vertical) {
            svg.text(x_of(i) + 4, top_y - r - 4, labels[i], kTextSize, "start", col, -90.0f, "class=\"top-label\"");
            svg.text(x_of(i) + 4, y_of(0) + r + 4, labels[i], kTextSize, "end", col, -90.0f, "class=\"bottom-label\"");
        } else {
            svg.text(x_of(i), top_y - r - 5, labels[i], kTextSize, "middle", col, 0.0f, "class=\"top-label\"");
            svg.text(x_of(i), y_of(0) + r + kTextSize + 3, labels[i], kTextSize, "middle", col, 0.0f, "class=\"bottom-label\"");
        }
    }
    width = std::max(width, gx + T * dx + kMargin);
    const float height = y_of(0) + r + label_h + 8.0f + kMargin;
    return svg.finish(width, height, in.title.heading + (in.title.text.empty() ? "" : " \xE2\x80\x94 " + in.title.text));
}

}  // namespace

std::string svg_picture(const SvgInput& in) {
    const AttentionTensor* a = in.attention;
    if (!a || a->empty() || a->n_query == 0 || a->n_key == 0 || !in.queries || !in.keys) return "";
    if (in.layer < 0 || in.layer >= a->n_layer || in.head < 0 || in.head >= a->n_head) return "";
    switch (in.view) {
    case MainView::heatmap: return svg_heatmap(in);
    case MainView::grid: return svg_grid(in);
    case MainView::lines: return svg_lines(in);
    case MainView::flow: return svg_flow(in);
    case MainView::attributions:
    case MainView::lens:
    case MainView::activations:
    case MainView::heads:
    case MainView::similarity:
    case MainView::patching:
    case MainView::checks:
    case MainView::explain:
    case MainView::lesson: break;   // pictures of these are PNGs (their numbers: the CLI's JSON / tensors)
    }
    return "";
}

}  // namespace attn
