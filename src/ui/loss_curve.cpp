// Draws the loss curve into ImGui's background draw list of a private context and rasterises it in
// software. Pure drawing: the rows come from the Trainer's log; no files are written here.
#include "ui/loss_curve.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "imgui.h"
#include "ui/atlas_font.h"
#include "ui/draw_text.h"
#include "ui/png_write.h"
#include "ui/soft_raster.h"

namespace attn {

namespace {

// A light page: the picture goes into model cards and reports, printed or on a slide.
constexpr ImU32 kBackground = IM_COL32(255, 255, 255, 255);
constexpr ImU32 kInk = IM_COL32(30, 30, 35, 255);
constexpr ImU32 kGrid = IM_COL32(225, 225, 230, 255);
constexpr ImU32 kLoss = IM_COL32(31, 119, 180, 255);        // blue: the left axis
constexpr ImU32 kHeldOut = IM_COL32(44, 160, 44, 255);      // green: the right axis
constexpr ImU32 kTrainAcc = IM_COL32(152, 223, 138, 255);   // pale green: the same axis, per batch

// 1, 2 or 5 times a power of ten, so that about `target` ticks cover `span`.
double nice_step(double span, int target) {
    if (!(span > 0.0)) return 1.0;
    const double raw = span / target;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * p) return m * p;
    return 10.0 * p;
}

std::string format_number(double v) {
    char s[32];
    if (v != 0.0 && (std::fabs(v) >= 10000.0 || std::fabs(v) < 0.01)) std::snprintf(s, sizeof s, "%.0e", v);
    else if (std::fabs(v - std::round(v)) < 1e-9) std::snprintf(s, sizeof s, "%.0f", v);
    else std::snprintf(s, sizeof s, "%g", v);
    return s;
}

struct Plot {
    float x0, y0, x1, y1;        // the plotting area in pixels
    double step_max;             // x from 0 to this
    double log_lo, log_hi;       // left axis: log10(loss)
    float x(double step) const { return x0 + static_cast<float>(step / step_max) * (x1 - x0); }
    float y_loss(double loss) const {
        const double t = (std::log10(loss) - log_lo) / (log_hi - log_lo);
        return y1 - static_cast<float>(t) * (y1 - y0);
    }
    float y_acc(double acc) const { return y1 - static_cast<float>(acc) * (y1 - y0); }
};

void draw_curve(ImDrawList* dl, const Plot& p, const std::vector<TrainLogRow>& rows, ImU32 color, float thickness,
                double (*value)(const TrainLogRow&), bool log_axis, bool markers) {
    std::vector<ImVec2> points;
    for (const TrainLogRow& r : rows) {
        const double v = value(r);
        if (!std::isfinite(v) || (log_axis ? v <= 0.0 : v < 0.0)) continue;
        points.push_back(ImVec2(p.x(r.step), log_axis ? p.y_loss(v) : p.y_acc(std::min(1.0, v))));
    }
    if (points.size() > 1) dl->AddPolyline(points.data(), static_cast<int>(points.size()), color, ImDrawFlags_None, thickness);
    if (markers || points.size() == 1)
        for (const ImVec2& q : points) dl->AddCircleFilled(q, thickness * 1.8f, color);
}

void draw_chart(ImDrawList* dl, const std::vector<TrainLogRow>& rows, float w, float h) {
    const float fs = ImGui::GetFontSize();
    dl->AddRectFilled(ImVec2(0, 0), ImVec2(w, h), kBackground);

    double loss_min = DBL_MAX, loss_max = 0.0, step_max = 1.0, best_acc = -1.0;
    for (const TrainLogRow& r : rows) {
        if (std::isfinite(r.loss) && r.loss > 0.0) {
            loss_min = std::min(loss_min, r.loss);
            loss_max = std::max(loss_max, r.loss);
        }
        step_max = std::max(step_max, static_cast<double>(r.step));
        best_acc = std::max(best_acc, r.held_out_accuracy);
    }
    Plot p;
    p.x0 = fs * 5.0f;
    p.x1 = w - fs * 4.5f;
    p.y0 = fs * 3.2f;
    p.y1 = h - fs * 3.4f;
    p.step_max = step_max;
    p.log_lo = std::floor(std::log10(loss_min));
    p.log_hi = std::ceil(std::log10(loss_max));
    if (p.log_hi <= p.log_lo) p.log_hi = p.log_lo + 1.0;

    // Title: what the picture is, and where the run ended.
    const TrainLogRow& last = rows.back();
    char title[160];
    if (best_acc >= 0.0)
        std::snprintf(title, sizeof title, "Training: loss %.3g at step %d, best held-out accuracy %.1f%%", last.loss,
                      last.step, best_acc * 100.0);
    else
        std::snprintf(title, sizeof title, "Training: loss %.3g at step %d", last.loss, last.step);
    dl->AddText(ImVec2(p.x0, fs * 0.8f), kInk, title);

    // Left axis: a grid line per decade (and at 2 and 5 when the curve spans few decades).
    const bool minor = p.log_hi - p.log_lo <= 2.0;
    for (double e = p.log_lo; e <= p.log_hi + 1e-9; e += 1.0)
        for (double m : {1.0, 2.0, 5.0}) {
            if (m != 1.0 && (!minor || e >= p.log_hi)) continue;
            const double v = m * std::pow(10.0, e);
            const float y = p.y_loss(v);
            dl->AddLine(ImVec2(p.x0, y), ImVec2(p.x1, y), kGrid);
            const std::string label = format_number(v);
            const float tw = ImGui::CalcTextSize(label.c_str()).x;
            dl->AddText(ImVec2(p.x0 - tw - fs * 0.4f, y - fs * 0.5f), kLoss, label.c_str());
        }
    // Right axis: accuracy in percent.
    for (int pct = 0; pct <= 100; pct += 25) {
        const float y = p.y_acc(pct / 100.0);
        const std::string label = std::to_string(pct) + "%";
        dl->AddLine(ImVec2(p.x1, y), ImVec2(p.x1 + fs * 0.3f, y), kHeldOut);
        dl->AddText(ImVec2(p.x1 + fs * 0.45f, y - fs * 0.5f), kHeldOut, label.c_str());
    }
    // Bottom axis: steps.
    const double xs = nice_step(step_max, 8);
    for (double s = 0.0; s <= step_max + 1e-9; s += xs) {
        const float x = p.x(s);
        dl->AddLine(ImVec2(x, p.y1), ImVec2(x, p.y1 + fs * 0.3f), kInk);
        const std::string label = format_number(s);
        dl->AddText(ImVec2(x - ImGui::CalcTextSize(label.c_str()).x * 0.5f, p.y1 + fs * 0.4f), kInk, label.c_str());
    }
    dl->AddRect(ImVec2(p.x0, p.y0), ImVec2(p.x1, p.y1), kInk);
    const char* x_label = "optimizer step";
    dl->AddText(ImVec2((p.x0 + p.x1 - ImGui::CalcTextSize(x_label).x) * 0.5f, p.y1 + fs * 1.7f), kInk, x_label);
    const char* left_label = "loss (cross-entropy per token, log scale)";
    const float left_w = ImGui::CalcTextSize(left_label).x;
    draw_text_vertical(dl, ImVec2(fs * 0.4f, (p.y0 + p.y1 + left_w) * 0.5f), kLoss, left_label);
    const char* right_label = "accuracy";
    const float right_w = ImGui::CalcTextSize(right_label).x;
    draw_text_vertical(dl, ImVec2(w - fs * 1.3f, (p.y0 + p.y1 + right_w) * 0.5f), kHeldOut, right_label);

    dl->PushClipRect(ImVec2(p.x0, p.y0 - 4.0f), ImVec2(p.x1 + 4.0f, p.y1 + 4.0f), true);
    draw_curve(dl, p, rows, kTrainAcc, 1.5f, [](const TrainLogRow& r) { return r.train_accuracy; }, false, false);
    draw_curve(dl, p, rows, kLoss, 2.0f, [](const TrainLogRow& r) { return r.loss; }, true, false);
    draw_curve(dl, p, rows, kHeldOut, 2.0f, [](const TrainLogRow& r) { return r.held_out_accuracy; }, false, true);
    dl->PopClipRect();

    // Legend in the bottom-right corner, opaque: a run that learns ends with its accuracies at the top and
    // its typical loss above the axis' floor (set by the lowest single batch), so little hides behind it.
    const char* names[] = {"loss", "held-out accuracy", "batch accuracy"};
    const ImU32 colors[] = {kLoss, kHeldOut, kTrainAcc};
    float widest = 0.0f;
    for (const char* n : names) widest = std::max(widest, ImGui::CalcTextSize(n).x);
    const float lx = p.x1 - widest - fs * 3.0f, ly = p.y1 - fs * 4.4f;
    dl->AddRectFilled(ImVec2(lx - fs * 0.4f, ly - fs * 0.3f), ImVec2(p.x1 - fs * 0.3f, ly + fs * 3.9f),
                      IM_COL32(255, 255, 255, 255));
    for (int i = 0; i < 3; ++i) {
        const float y = ly + fs * 1.25f * i + fs * 0.5f;
        dl->AddLine(ImVec2(lx, y), ImVec2(lx + fs * 1.6f, y), colors[i], 2.5f);
        dl->AddText(ImVec2(lx + fs * 2.0f, y - fs * 0.5f), kInk, names[i]);
    }
}

// Restores the caller's ImGui context however the drawing ends.
struct ContextScope {
    ImGuiContext* previous = ImGui::GetCurrentContext();
    ImGuiContext* context = nullptr;
    ~ContextScope() {
        if (context) ImGui::DestroyContext(context);
        ImGui::SetCurrentContext(previous);
    }
};

}  // namespace

Expected<Bytes> loss_curve_png(const std::vector<TrainLogRow>& rows, int width, int height, const Bytes* ttf) {
    if (width < 200 || height < 200 || width > 4000 || height > 4000)
        return make_error("loss curve: the picture must be 200 to 4000 pixels a side, got " + std::to_string(width) + "x" +
                          std::to_string(height));
    std::vector<TrainLogRow> kept;
    for (const TrainLogRow& r : rows)
        if (std::isfinite(r.loss) && r.loss > 0.0 && r.step >= 0) kept.push_back(r);
    if (kept.empty()) return make_error("loss curve: the training log has no step with a finite positive loss");

    // Text grows with the picture: about 40 lines of it fit the height.
    const float font_px = std::clamp(static_cast<float>(std::min(width, height)) / 34.0f, 13.0f, 48.0f);
    ImFontAtlas atlas;
    // The caller's bytes outlive the atlas.
    if (ttf && !ttf->empty()) atlas_add_font_borrowed(atlas, *ttf, font_px, ImFontConfig());
    if (atlas.Fonts.empty()) {
        ImFontConfig cfg;
        cfg.SizePixels = font_px;
        atlas.AddFontDefault(&cfg);
    }
    unsigned char* pixels = nullptr;
    int atlas_w = 0, atlas_h = 0;
    atlas.GetTexDataAsRGBA32(&pixels, &atlas_w, &atlas_h);
    if (!pixels) return make_error("loss curve: the font atlas could not be built");
    SoftTextures textures;
    textures.set(atlas.TexID, SoftTexture{pixels, atlas_w, atlas_h, SoftFilter::linear});

    ContextScope scope;
    scope.context = ImGui::CreateContext(&atlas);
    ImGui::SetCurrentContext(scope.context);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
    io.DeltaTime = 1.0f / 60.0f;
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;   // the rasteriser honours VtxOffset
    ImGui::NewFrame();
    draw_chart(ImGui::GetBackgroundDrawList(), kept, io.DisplaySize.x, io.DisplaySize.y);
    ImGui::Render();
    SoftImage image = soft_image_make(width, height, kBackground);
    soft_raster(*ImGui::GetDrawData(), textures, image);
    Bytes png = png_encode_rgba(image.rgba.data(), image.width, image.height);
    if (png.empty()) return make_error("loss curve: the PNG could not be encoded");
    return png;
}

}  // namespace attn
