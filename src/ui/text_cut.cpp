// The quote for the truncation notice. Works on UTF-8 bytes without decoding: continuation bytes
// (10xxxxxx) are never a character's start, which is all a boundary needs.
#include "ui/text_cut.h"

#include <algorithm>

namespace attn {

static bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::string text_before_cut(const std::string& text, int cut_byte, int max_chars) {
    size_t end = static_cast<size_t>(std::clamp(cut_byte, 0, static_cast<int>(text.size())));
    while (end > 0 && end < text.size() && continuation(text[end])) --end;
    while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\t' || text[end - 1] == '\r'))
        --end;   // the quote ends on the last word, not on the space after it
    size_t start = end;
    for (int chars = 0; start > 0 && chars < max_chars; ++chars) {
        --start;
        while (start > 0 && continuation(text[start])) --start;
    }
    if (start > 0) {
        // Drop a partial first word when a later word starts inside the quote.
        size_t space = text.find_first_of(" \n\t", start);
        if (space != std::string::npos && space + 1 < end) start = space + 1;
    }
    std::string quote = text.substr(start, end - start);
    for (char& c : quote)
        if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    return start > 0 ? "\xE2\x80\xA6" + quote : quote;
}

}  // namespace attn
