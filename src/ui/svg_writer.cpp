#include "ui/svg_writer.h"

#include <cstdio>

#include "core/unicode.h"

namespace attn {


std::string xml_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    const std::string valid = utf8_sanitize(s);
    for (size_t i = 0; i < valid.size();) {
        char32_t cp = utf8_next(valid, i);
        if (cp == 0xFFFE || cp == 0xFFFF) cp = 0xFFFD;   // XML has no place for these
        if (cp < 0x20 && cp != '\t') continue;
        switch (cp) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default: utf8_append(out, cp);
        }
    }
    return out;
}

float svg_text_width(const std::string& s, float font_size) {
    float em = 0.0f;
    const std::string valid = utf8_sanitize(s);
    for (size_t i = 0; i < valid.size();) {
        char32_t cp = utf8_next(valid, i);
        em += cp >= 0x1100 ? 1.0f : cp == 'i' || cp == 'l' || cp == '.' || cp == ',' || cp == '\'' ? 0.3f : 0.62f;
    }
    return em * font_size;
}

std::string base64_encode(const Bytes& bytes) {
    static const char* const table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (size_t i = 0; i < bytes.size(); i += 3) {
        uint32_t v = static_cast<uint32_t>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= static_cast<uint32_t>(bytes[i + 1]) << 8;
        if (i + 2 < bytes.size()) v |= bytes[i + 2];
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? table[(v >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? table[v & 63] : '=';
    }
    return out;
}

std::string svg_num(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string s = buf;
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s == "-0" ? "0" : s;
}

std::string svg_color(uint32_t rgb) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%06x", rgb & 0xFFFFFF);
    return buf;
}

void SvgWriter::open_group(const std::string& attrs) { body_ += "<g " + attrs + ">\n"; }

void SvgWriter::rect(float x, float y, float w, float h, uint32_t rgb, const std::string& attrs) {
    body_ += "<rect x=\"" + svg_num(x) + "\" y=\"" + svg_num(y) + "\" width=\"" + svg_num(w) + "\" height=\"" +
             svg_num(h) + "\" fill=\"" + svg_color(rgb) + "\"" + (attrs.empty() ? "" : " " + attrs) + "/>\n";
}

void SvgWriter::line(float x1, float y1, float x2, float y2, uint32_t rgb, float width, float opacity,
                     const std::string& attrs) {
    char op[32];
    std::snprintf(op, sizeof op, "%.4g", opacity);
    body_ += "<line x1=\"" + svg_num(x1) + "\" y1=\"" + svg_num(y1) + "\" x2=\"" + svg_num(x2) + "\" y2=\"" + svg_num(y2) +
             "\" stroke=\"" + svg_color(rgb) + "\" stroke-width=\"" + svg_num(width) + "\" stroke-opacity=\"" + op + "\"" +
             (attrs.empty() ? "" : " " + attrs) + "/>\n";
}

void SvgWriter::circle(float cx, float cy, float r, uint32_t rgb, const std::string& attrs) {
    body_ += "<circle cx=\"" + svg_num(cx) + "\" cy=\"" + svg_num(cy) + "\" r=\"" + svg_num(r) + "\" fill=\"" +
             svg_color(rgb) + "\"" + (attrs.empty() ? "" : " " + attrs) + "/>\n";
}

void SvgWriter::text(float x, float y, const std::string& s, float size, const char* anchor, uint32_t rgb, float rotate,
                     const std::string& attrs) {
    body_ += "<text x=\"" + svg_num(x) + "\" y=\"" + svg_num(y) + "\" font-size=\"" + svg_num(size) + "\"";
    if (std::string(anchor) != "start") body_ += std::string(" text-anchor=\"") + anchor + "\"";
    if (rgb != 0x222222) body_ += " fill=\"" + svg_color(rgb) + "\"";
    if (rotate != 0.0f) body_ += " transform=\"rotate(" + svg_num(rotate) + " " + svg_num(x) + " " + svg_num(y) + ")\"";
    body_ += (attrs.empty() ? "" : " " + attrs) + ">" + xml_escape(s) + "</text>\n";
}

void SvgWriter::image_png(float x, float y, float w, float h, const Bytes& png, const std::string& attrs) {
    body_ += "<image x=\"" + svg_num(x) + "\" y=\"" + svg_num(y) + "\" width=\"" + svg_num(w) + "\" height=\"" + svg_num(h) +
             "\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\"" + (attrs.empty() ? "" : " " + attrs) +
             " href=\"data:image/png;base64," + base64_encode(png) + "\"/>\n";
}

std::string SvgWriter::finish(float width, float height, const std::string& title) const {
    const std::string w = svg_num(width), h = svg_num(height);
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h +
           "\" font-family=\"DejaVu Sans, Noto Sans CJK SC, sans-serif\">\n<title>" + xml_escape(title) +
           "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" + body_ + "</svg>\n";
}

}  // namespace attn
