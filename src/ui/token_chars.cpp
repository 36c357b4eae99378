// Tokens -> characters: the bytes of consecutive pieces are read as one UTF-8 stream, so a character
// whose bytes two pieces share is found whole and each piece learns which part of it it holds.
#include "ui/token_chars.h"

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "core/i18n.h"

namespace attn {

std::string bytes_hex(const std::string& bytes) {
    std::string out;
    char hex[4];
    for (size_t i = 0; i < bytes.size(); ++i) {
        std::snprintf(hex, sizeof hex, "%02X", static_cast<uint8_t>(bytes[i]));
        if (i) out += ' ';
        out += hex;
    }
    return out;
}

namespace {

// Characters of one run of byte-carrying tokens [first, last): each goes to every token holding
// some of its bytes.
void assign_chars(std::vector<TokenChars>& out, size_t first, size_t last) {
    std::string stream;
    std::vector<size_t> owner;   // which token each byte of the stream came from
    for (size_t t = first; t < last; ++t) {
        stream += out[t].bytes;
        owner.insert(owner.end(), out[t].bytes.size(), t);
    }
    size_t p = 0;
    while (p < stream.size()) {
        TokenChar c;
        uint32_t cp = 0;
        int len = utf8_char_at(stream, p, &cp);
        if (len == 0) {   // a byte that never becomes a character: it stays a byte, in its own token
            c.bytes = stream.substr(p, 1);
            c.bytes_here = 1;
            out[owner[p]].chars.push_back(c);
            ++p;
            continue;
        }
        c.text = stream.substr(p, static_cast<size_t>(len));
        c.bytes = c.text;
        c.code_point = cp;
        const size_t t0 = owner[p], t1 = owner[p + static_cast<size_t>(len) - 1];
        c.parts = 0;
        for (size_t t = t0; t <= t1; ++t)
            if (!out[t].bytes.empty()) ++c.parts;   // an empty piece in between holds no part
        int part = 0;
        for (size_t t = t0; t <= t1; ++t) {
            int here = 0, offset = -1;
            for (size_t k = p; k < p + static_cast<size_t>(len); ++k)
                if (owner[k] == t) {
                    if (offset < 0) offset = static_cast<int>(k - p);
                    ++here;
                }
            if (here == 0) continue;
            TokenChar mine = c;
            mine.part = ++part;
            mine.bytes_here = here;
            mine.byte_offset = offset;
            out[t].chars.push_back(mine);
            if (t != t0) out[t].joins_prev = true;
            if (t != t1) out[t].joins_next = true;
        }
        p += static_cast<size_t>(len);
    }
}

// Whole characters and stray bytes read as token_label shows them; a part of a split character as
// "动 1/2". Parts join with "+", except after a space marker ("·动 1/2" reads as " 动...").
std::string label_of(const TokenChars& tc) {
    std::string out, run;
    auto append = [&out](const std::string& segment) {
        if (segment.empty()) return;
        const std::string space_marker = "\xC2\xB7";
        bool after_space = out.size() >= space_marker.size() &&
                           out.compare(out.size() - space_marker.size(), space_marker.size(), space_marker) == 0;
        if (!out.empty() && !after_space) out += '+';
        out += segment;
    };
    for (const TokenChar& c : tc.chars) {
        if (!c.split()) {
            run += c.bytes;   // whole here (or a stray byte)
            continue;
        }
        append(bytes_label(run));
        run.clear();
        append(bytes_label(c.text) + " " + std::to_string(c.part) + "/" + std::to_string(c.parts));
    }
    append(bytes_label(run));
    return out;
}

}  // namespace

std::vector<std::string> token_chars_describe(const TokenChars& tc, int max_lines) {
    std::vector<std::string> lines;
    bool ascii = true;
    for (const TokenChar& c : tc.chars) ascii &= c.code_point < 0x80 && !c.text.empty();
    if (ascii) {   // "Ġthe": a line per letter would only repeat the label
        if (!tc.bytes.empty()) lines.push_back(trf("pictures.token.bytes", {{"hex", bytes_hex(tc.bytes)}}));
        return lines;
    }
    char cp[16];
    for (size_t i = 0; i < tc.chars.size() && static_cast<int>(i) < max_lines; ++i) {
        const TokenChar& c = tc.chars[i];
        if (c.text.empty()) {
            lines.push_back(trf("pictures.token.stray_byte", {{"hex", bytes_hex(c.bytes)}}));
            continue;
        }
        std::snprintf(cp, sizeof cp, "U+%04X", c.code_point);
        std::string line = bytes_label(c.text) + "  " + cp + "  " + bytes_hex(c.bytes);
        if (c.split())
            line = trf("pictures.token.split_part",
                       {{"character", line},
                        {"hex", bytes_hex(c.bytes.substr(static_cast<size_t>(c.byte_offset), static_cast<size_t>(c.bytes_here)))},
                        {"part", std::to_string(c.part)},
                        {"parts", std::to_string(c.parts)}});
        lines.push_back(line);
    }
    if (static_cast<int>(tc.chars.size()) > max_lines)
        lines.push_back(trf("pictures.token.more", {{"n", std::to_string(static_cast<int>(tc.chars.size()) - max_lines)}}));
    return lines;
}

std::vector<TokenChars> token_chars(const TokenSeq& tokens, PieceStyle style) {
    const size_t n = tokens.pieces.size();
    std::vector<TokenChars> out(n);
    for (size_t t = 0; t < n; ++t) out[t].opaque = !piece_bytes(tokens.pieces[t], style, &out[t].bytes);
    size_t t = 0;
    while (t < n) {
        size_t end = t + 1;
        if (!out[t].opaque)   // a special token in between ends the run: no character spans it
            while (end < n && !out[end].opaque) ++end;
        assign_chars(out, t, end);
        t = end;
    }
    for (TokenChars& tc : out) tc.label = label_of(tc);
    return out;
}

std::shared_ptr<const std::vector<TokenChars>> token_chars_kept(const TokenSeq& tokens, PieceStyle style) {
    struct Kept {
        std::vector<std::string> pieces;
        PieceStyle style;
        std::shared_ptr<const std::vector<TokenChars>> chars;
    };
    // A few: a seq2seq trace's source and target, and an export's sequence, alternate within a frame.
    constexpr size_t kKeep = 4;
    static std::mutex lock;
    static std::vector<Kept> kept;   // most recently used first
    std::lock_guard<std::mutex> guard(lock);
    for (size_t i = 0; i < kept.size(); ++i)
        if (kept[i].style == style && kept[i].pieces == tokens.pieces) {
            std::rotate(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(i), kept.begin() + static_cast<std::ptrdiff_t>(i) + 1);
            return kept.front().chars;
        }
    if (kept.size() == kKeep) kept.pop_back();
    kept.insert(kept.begin(), Kept{tokens.pieces, style, std::make_shared<const std::vector<TokenChars>>(token_chars(tokens, style))});
    return kept.front().chars;
}

std::vector<std::string> token_display_labels(const TokenSeq& tokens, int n, PieceStyle style) {
    const std::shared_ptr<const std::vector<TokenChars>> kept = token_chars_kept(tokens, style);
    const std::vector<TokenChars>& chars = *kept;
    std::vector<std::string> labels(static_cast<size_t>(std::max(n, 0)));
    for (int i = 0; i < n; ++i)
        labels[static_cast<size_t>(i)] =
            i < static_cast<int>(chars.size()) ? chars[static_cast<size_t>(i)].label : "#" + std::to_string(i);
    return labels;
}

}  // namespace attn
