// Colormaps, heatmap texels and auto scale: names round-trip, every table matches matplotlib's
// published colours at its anchors and endpoints, is monotone in CIE L*, and keeps the masked colour
// far from every entry; pooling keeps a sharp one-key head visible; auto scale's max ignores masked
// cells and one-key rows.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "tests/ui/synthetic_trace.h"
#include "ui/colormap.h"
#include "ui/heatmap_cells.h"

using namespace attn;

namespace {

double srgb_to_linear(double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); }

// CIE L*a*b* (D65) of an 8-bit sRGB colour.
std::array<double, 3> lab(const uint8_t* rgb) {
    double r = srgb_to_linear(rgb[0] / 255.0), g = srgb_to_linear(rgb[1] / 255.0), b = srgb_to_linear(rgb[2] / 255.0);
    double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, y = 0.2126 * r + 0.7152 * g + 0.0722 * b,
           z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    auto f = [](double t) { return t > 216.0 / 24389.0 ? std::cbrt(t) : t * 24389.0 / 27.0 / 116.0 + 16.0 / 116.0; };
    return {116.0 * f(y) - 16.0, 500.0 * (f(x) - f(y)), 200.0 * (f(y) - f(z))};
}

// CIE76 distance from `colour` (L*a*b*) to the nearest of the table's 256 entries.
double nearest_entry(const ColormapTable& t, const std::array<double, 3>& colour) {
    double nearest = 1e9;
    for (int i = 0; i < 256; ++i) {
        std::array<double, 3> e = lab(&t[static_cast<size_t>(i) * 4]);
        nearest = std::min(nearest, std::hypot(e[0] - colour[0], e[1] - colour[1], e[2] - colour[2]));
    }
    return nearest;
}

uint32_t rgb_at(const ColormapTable& t, int i) {
    return (static_cast<uint32_t>(t[i * 4]) << 16) | (static_cast<uint32_t>(t[i * 4 + 1]) << 8) | t[i * 4 + 2];
}

}  // namespace

TEST_CASE("colormap names round-trip; unknown names are refused") {
    for (Colormap c : kColormaps) {
        Colormap back = c == Colormap::viridis ? Colormap::greys : Colormap::viridis;
        CHECK(colormap_from_name(colormap_name(c), &back));
        CHECK(back == c);
    }
    Colormap c = Colormap::magma;
    CHECK_FALSE(colormap_from_name("jet", &c));
    CHECK_FALSE(colormap_from_name("Viridis", &c));
    CHECK(c == Colormap::magma);
    CHECK(std::string(colormap_name(Colormap::greys)) == "greys");
}

TEST_CASE("colormaps: endpoints and middles are matplotlib's published colours") {
    // matplotlib: cmap(0.0), cmap(0.5) (table index 128) and cmap(1.0) as hex; greys is Greys_r.
    struct Expect { Colormap c; uint32_t lo, mid, hi; } expects[] = {
        {Colormap::viridis, 0x440154, 0x21918c, 0xfde725}, {Colormap::plasma, 0x0d0887, 0xcc4778, 0xf0f921},
        {Colormap::magma, 0x000004, 0xb73779, 0xfcfdbf},   {Colormap::inferno, 0x000004, 0xbc3754, 0xfcffa4},
        {Colormap::cividis, 0x00224e, 0x7d7c78, 0xfee838}, {Colormap::greys, 0x000000, 0x959595, 0xffffff},
    };
    for (const Expect& e : expects) {
        CAPTURE(colormap_name(e.c));
        const ColormapTable& t = colormap_table(e.c);
        CHECK(rgb_at(t, 0) == e.lo);
        CHECK(rgb_at(t, 128) == e.mid);
        CHECK(rgb_at(t, 255) == e.hi);
        for (int i = 0; i < 256; ++i) CHECK(t[i * 4 + 3] == 255);
        CHECK(colormap_color(t, 1.0f) == IM_COL32(e.hi >> 16, (e.hi >> 8) & 0xff, e.hi & 0xff, 255));
        CHECK(colormap_color(t, 7.0f) == colormap_color(t, 1.0f));    // clamped
        CHECK(colormap_color(t, NAN) == colormap_bad_color());        // never a weight's colour
    }
    CHECK(&colormap_viridis() == &colormap_table(Colormap::viridis));
}

TEST_CASE("colormaps: lightness rises monotonically from 0 to 1") {
    for (Colormap c : kColormaps) {
        CAPTURE(colormap_name(c));
        const ColormapTable& t = colormap_table(c);
        double previous = lab(&t[0])[0];
        int falls = 0;
        for (int i = 1; i < 256; ++i) {
            double l = lab(&t[static_cast<size_t>(i) * 4])[0];
            // 8-bit rounding can wobble L* by a hair between neighbours; a real dip would be far bigger.
            if (l < previous - 0.3) ++falls;
            previous = std::max(previous, l);
        }
        CHECK(falls == 0);
        CHECK(lab(&t[255 * 4])[0] - lab(&t[0])[0] > 60.0);
    }
}

TEST_CASE("colormaps: the masked colour is far from every entry (never mistaken for a weight)") {
    for (Colormap c : kColormaps) {
        CAPTURE(colormap_name(c));
        std::array<uint8_t, 4> m = colormap_masked_rgba(c);
        CHECK(nearest_entry(colormap_table(c), lab(m.data())) > 20.0);
    }
}

TEST_CASE("heatmap_cells: one texel per cell, masked cells -1") {
    const float v[] = {1.0f, 0.0f, 0.0f, 0.4f, 0.6f, 0.0f, 0.2f, 0.3f, 0.5f};
    HeatmapImage image;
    image.values = v;
    image.rows = image.cols = 3;
    image.causal = true;
    std::vector<float> texels;
    int rows = 0, cols = 0;
    heatmap_cells(image, &texels, &rows, &cols);
    CHECK(rows == 3);
    CHECK(cols == 3);
    CHECK(texels == std::vector<float>{1.0f, -1.0f, -1.0f, 0.4f, 0.6f, -1.0f, 0.2f, 0.3f, 0.5f});
    image.causal = false;
    heatmap_cells(image, &texels, &rows, &cols);
    CHECK(texels == std::vector<float>(v, v + 9));
}

TEST_CASE("heatmap_cells: thumbnails max-pool T=256 to 64x64 and keep a one-key head visible") {
    Trace t = make_synthetic_trace(1, 1, 256, true);
    std::vector<float> sharp(256 * 256, 0.0f);
    for (int q = 0; q < 256; ++q) sharp[static_cast<size_t>(q) * 256 + q / 2] = 1.0f;   // one key per row
    HeatmapImage image;
    image.values = sharp.data();
    image.rows = image.cols = 256;
    image.causal = true;
    image.max_side = 64;
    std::vector<float> texels;
    int rows = 0, cols = 0;
    heatmap_cells(image, &texels, &rows, &cols);
    REQUIRE(rows == 64);
    REQUIRE(cols == 64);
    for (int r = 0; r < 64; ++r) {
        CHECK(texels[static_cast<size_t>(r) * 64 + r / 2] == 1.0f);   // the one key survives pooling
        CHECK(texels[static_cast<size_t>(r) * 64 + 63] == (r == 63 ? 0.0f : -1.0f));   // all-future blocks masked
    }
    // Odd sizes: 100 cells into at most 64 texels -> blocks of 2, 50 texels, the last block complete.
    image.values = t.attentions.probs.data();
    image.rows = image.cols = 100;
    image.causal = false;
    heatmap_cells(image, &texels, &rows, &cols);
    CHECK(rows == 50);
    CHECK(cols == 50);
    const float* p = t.attentions.probs.data();
    CHECK(texels[0] == std::max({p[0], p[1], p[100], p[101]}));
}

TEST_CASE("heatmap_max: largest unmasked weight of rows with a choice") {
    Trace t = make_synthetic_trace(2, 3, 20, true);
    const AttentionTensor& a = t.attentions;
    for (int l = 0; l < 2; ++l)
        for (int h = 0; h < 3; ++h) {
            HeatmapImage image;
            image.values = a.head(l, h);
            image.rows = image.cols = 20;
            image.causal = true;
            float expect = 0.0f;
            for (int q = 1; q < 20; ++q)   // row 0 sees only itself: 1 by construction, not counted
                for (int k = 0; k <= q; ++k) expect = std::max(expect, a.at(l, h, q, k));
            CHECK(heatmap_max(image) == expect);
            CHECK(heatmap_max(image) < 1.0f);
        }
    // Masked cells never count, even if a tensor stored something there.
    std::vector<float> v = {0.0f, 0.9f, 0.3f, 0.7f};
    HeatmapImage image;
    image.values = v.data();
    image.rows = image.cols = 2;
    image.causal = true;
    CHECK(heatmap_max(image) == 0.7f);
    image.cols = 1;   // one key for every row: the overall largest
    image.rows = 4;
    image.causal = false;
    CHECK(heatmap_max(image) == 0.9f);
}

TEST_CASE("colormaps: NaN and infinity get the bad colour, far from every entry and from the masked colours") {
    const std::array<double, 3> bad = lab(kColormapBadRgba.data());
    for (Colormap c : kColormaps) {
        CAPTURE(colormap_name(c));
        const ColormapTable& t = colormap_table(c);
        CHECK(nearest_entry(t, bad) > 20.0);
        std::array<uint8_t, 4> m = colormap_masked_rgba(c);
        std::array<double, 3> ml = lab(m.data());
        CHECK(std::hypot(ml[0] - bad[0], ml[1] - bad[1], ml[2] - bad[2]) > 20.0);
        for (float v : {std::nanf(""), INFINITY, -INFINITY}) CHECK(colormap_color(t, v) == colormap_bad_color());
        CHECK(colormap_color(t, 0.0f) != colormap_bad_color());
    }
}

TEST_CASE("heatmap_cells: a NaN or infinite cell is a bad texel (-2), also pooled, and auto scale skips it") {
    const float nan = std::nanf("");
    const float v[] = {0.2f, nan, 0.7f, 0.1f,
                       0.3f, 0.4f, INFINITY, 0.9f,
                       0.5f, 0.5f, 0.0f, 0.0f,
                       0.6f, 0.1f, 0.2f, 0.1f};
    HeatmapImage image;
    image.values = v;
    image.rows = image.cols = 4;
    std::vector<float> texels;
    int rows = 0, cols = 0;
    heatmap_cells(image, &texels, &rows, &cols);
    REQUIRE(texels.size() == 16);
    CHECK(texels[1] == kHeatmapBadTexel);
    CHECK(texels[6] == kHeatmapBadTexel);
    CHECK(texels[0] == 0.2f);
    CHECK(heatmap_max(image) == 0.9f);   // not NaN, not infinity

    image.max_side = 2;                   // 2 x 2 blocks: the NaN's and the infinity's blocks stay bad
    heatmap_cells(image, &texels, &rows, &cols);
    REQUIRE(rows == 2);
    REQUIRE(cols == 2);
    CHECK(texels[0] == kHeatmapBadTexel);   // {0.2, NaN, 0.3, 0.4}
    CHECK(texels[1] == kHeatmapBadTexel);   // {0.7, 0.1, inf, 0.9}
    CHECK(texels[2] == 0.6f);
    CHECK(texels[3] == 0.2f);
}

TEST_CASE("heatmap_cells equals its cell-by-cell reference: shapes, pooling, causal offsets, NaN and infinity") {
    uint32_t state = 12345;
    auto next = [&] {
        state = state * 1664525u + 1013904223u;
        return static_cast<float>(state >> 8) / 16777216.0f;
    };
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    int compared = 0;
    for (int R : {1, 3, 17, 64, 100, 257})
        for (int C : {1, 3, 17, 64, 100, 257})
            for (bool causal : {false, true})
                for (int max_side : {0, 16, 64}) {
                    CAPTURE(R);
                    CAPTURE(C);
                    CAPTURE(causal);
                    CAPTURE(max_side);
                    std::vector<float> v(static_cast<size_t>(R) * C);
                    for (float& x : v) {
                        const float u = next();
                        // Mostly weights; now and then a bad value or a negative one (below the sentinels too).
                        x = u < 0.002f ? nan : u < 0.003f ? inf : u < 0.004f ? -inf : u < 0.01f ? -3.0f * u * 100 : next();
                    }
                    HeatmapImage image;
                    image.values = v.data();
                    image.rows = R;
                    image.cols = C;
                    image.causal = causal;
                    image.max_side = max_side;
                    std::vector<float> fast, slow;
                    int fr = 0, fc = 0, sr = 0, sc = 0;
                    heatmap_cells(image, &fast, &fr, &fc);
                    heatmap_cells_reference(image, &slow, &sr, &sc);
                    CHECK(fr == sr);
                    CHECK(fc == sc);
                    REQUIRE(fast.size() == slow.size());
                    CHECK(std::memcmp(fast.data(), slow.data(), fast.size() * sizeof(float)) == 0);
                    ++compared;
                }
    CHECK(compared == 6 * 6 * 2 * 3);
}
