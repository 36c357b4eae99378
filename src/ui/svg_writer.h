// A small SVG writer for the vector exports: elements appended as text, every string escaped for XML
// (token labels are arbitrary UTF-8: invalid bytes become U+FFFD, control characters are dropped),
// numbers in a compact fixed form, colours as #rrggbb, PNG bytes as data: URIs. No DOM, no library.
//
//   SvgWriter svg;
//   svg.rect(10, 10, 4, 4, 0x440154, "data-weight=\"0.5\"");
//   svg.text(10, 30, "·the", 12, "end");
//   std::string file = svg.finish(640, 400, "gpt2-tiny · heatmap");
#pragma once
#include <cstdint>
#include <string>

#include "core/file_set.h"

namespace attn {

// `s` made safe as XML text or attribute value.
std::string xml_escape(const std::string& s);
// Rough advance width of `s` at `font_size` (Latin about 0.6 em, wide CJK 1 em): for layout only.
float svg_text_width(const std::string& s, float font_size);
std::string base64_encode(const Bytes& bytes);

class SvgWriter {
public:
    void raw(const std::string& xml) { body_ += xml; }
    void open_group(const std::string& attrs);   // <g attrs>
    void close_group() { body_ += "</g>\n"; }
    // rgb: 0xRRGGBB. `attrs` is appended as is (already escaped).
    void rect(float x, float y, float w, float h, uint32_t rgb, const std::string& attrs = "");
    void line(float x1, float y1, float x2, float y2, uint32_t rgb, float width, float opacity, const std::string& attrs = "");
    void circle(float cx, float cy, float r, uint32_t rgb, const std::string& attrs = "");
    // anchor: "start", "middle" or "end"; rotate: degrees about (x, y) (-90: reads bottom to top).
    void text(float x, float y, const std::string& s, float size, const char* anchor = "start", uint32_t rgb = 0x222222,
              float rotate = 0.0f, const std::string& attrs = "");
    void image_png(float x, float y, float w, float h, const Bytes& png, const std::string& attrs = "");
    // The whole document: white background, <title>, then the body.
    std::string finish(float width, float height, const std::string& title) const;

private:
    std::string body_;
};

std::string svg_num(float v);      // "12.5", "3", "-0.25"
std::string svg_color(uint32_t rgb);   // "#440154"

}  // namespace attn
