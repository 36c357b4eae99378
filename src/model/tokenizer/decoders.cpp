// Decoders from tokenizer.json (ByteLevel, WordPiece, Metaspace, BPEDecoder, ByteFallback, Fuse,
// Strip, Replace, CTC, Sequence), each a decode_chain over token strings as in HF; the tokenizer
// joins the final chain with "". Regex Replace patterns are refused by name.
#include <array>

#include "core/error.h"
#include "model/tokenizer/components.h"

namespace attn {
namespace tok {

char32_t byte_level_char(uint8_t b) {
    // GPT-2: printable Latin-1 bytes stand for themselves, the other 68 map to U+0100.. in order.
    static const auto table = [] {
        std::array<char32_t, 256> t{};
        int n = 0;
        for (int c = 0; c < 256; ++c) {
            const bool printable = (c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF);
            t[c] = printable ? static_cast<char32_t>(c) : static_cast<char32_t>(256 + n++);
        }
        return t;
    }();
    return table[b];
}

std::optional<uint8_t> byte_level_byte(char32_t c) {
    static const auto inverse = [] {
        std::array<int, 324> t{};
        t.fill(-1);
        for (int b = 0; b < 256; ++b) t[byte_level_char(static_cast<uint8_t>(b))] = b;
        return t;
    }();
    if (c >= inverse.size() || inverse[c] < 0) return std::nullopt;
    return static_cast<uint8_t>(inverse[c]);
}

namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    if (from.empty()) return;
    std::string out;
    size_t pos = 0;
    for (size_t hit = s.find(from); hit != std::string::npos; hit = s.find(from, pos)) {
        out.append(s, pos, hit - pos);
        out += to;
        pos = hit + from.size();
    }
    out.append(s, pos, std::string::npos);
    s = std::move(out);
}

// HF decoders::wordpiece::cleanup
std::string cleanup(std::string s) {
    static const std::pair<const char*, const char*> rules[] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
        {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    for (const auto& [from, to] : rules) replace_all(s, from, to);
    return s;
}

struct ByteLevelDec : Decoder {
    std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
        std::string bytes;
        for (const std::string& t : tokens) {
            std::string mapped;
            bool ok = true;
            for (size_t i = 0; i < t.size() && ok;) {
                auto b = byte_level_byte(utf8_next(t, i));
                if (b) mapped += static_cast<char>(*b);
                else ok = false;
            }
            bytes += ok ? mapped : t;  // a token outside the byte alphabet passes through as UTF-8
        }
        return {utf8_sanitize(bytes)};
    }
};

struct WordPieceDec : Decoder {
    std::string prefix = "##";
    bool do_cleanup = true;
    std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
        for (size_t i = 0; i < tokens.size(); ++i) {
            std::string& t = tokens[i];
            if (i != 0) {
                if (t.compare(0, prefix.size(), prefix) == 0) t.erase(0, prefix.size());
                else t = " " + t;
            }
            if (do_cleanup) t = cleanup(std::move(t));
        }
        return tokens;
    }
};

struct MetaspaceDec : Decoder {
    std::string replacement = "\xE2\x96\x81";
    bool prepend = true;  // prepend_scheme != never
    std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
        for (size_t i = 0; i < tokens.size(); ++i) replace_all(tokens[i], replacement, i == 0 && prepend ? "" : " ");
        return tokens;
    }
};

struct BpeDec : Decoder {
    std::string suffix = "</w>";
    std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
        for (size_t i = 0; i < tokens.size(); ++i) replace_all(tokens[i], suffix, i + 1 == tokens.size() ? "" : " ");
        return tokens;
    }
};

struct ByteFallbackDec : Decoder {
    std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
        std::vector<std::string> out;
        std::string pending;
        auto flush = [&] {
            if (pending.empty()) return;
            if (utf8_is_valid(pending)) {
                out.push_back(pending);
            } else {
                for (size_t k = 0; k < pending.size(); ++k) out.push_back("\xEF\xBF\xBD");
            }
            pending.clear();
        };
        for (std::string& t : tokens) {
            int byte = -1;
            if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') {
                auto hex = [](char c) {
                    if (c >= '0' && c <= '9') return c - '0';
                    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
                    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
                    return -1;
                };
                const int hi = hex(t[3]), lo = hex(t[4]);
                if (hi >= 0 && lo >= 0) byte = hi * 16 + lo;
            }
            if (byte >= 0) {
                pending += static_cast<char>(byte);
            } else {
                flush();
                out.push_back(std::move(t));
            }
        }
        flush();
        return out;
    }
};

struct FuseDec : Decoder {
    std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
        std::string all;
        for (const auto& t : tokens) all += t;
        return {all};
    }
};

struct StripDec : Decoder {
    char32_t content = ' ';
    size_t start = 0, stop = 0;
    std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
        for (std::string& t : tokens) {
            const std::u32string c = utf8_decode(t);
            size_t cut_start = 0, cut_stop = c.size();
            for (size_t i = 0; i < start && i < c.size() && c[i] == content; ++i) cut_start = i + 1;
            for (size_t i = 0; i < stop && i < c.size() && c[c.size() - 1 - i] == content; ++i) cut_stop = c.size() - 1 - i;
            t = cut_start < cut_stop ? utf8_encode(c.substr(cut_start, cut_stop - cut_start)) : std::string();
        }
        return tokens;
    }
};

struct ReplaceDec : Decoder {
    std::string pattern, content;
    std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
        for (std::string& t : tokens) replace_all(t, pattern, content);
        return tokens;
    }
};

struct CtcDec : Decoder {
    std::string pad_token = "<pad>", word_delimiter_token = "|";
    bool do_cleanup = true;
    std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
        std::vector<std::string> out;
        for (size_t i = 0; i < tokens.size(); ++i) {
            if (i > 0 && tokens[i] == tokens[i - 1]) continue;
            std::string t = tokens[i];
            replace_all(t, pad_token, "");
            if (do_cleanup) {
                t = cleanup(std::move(t));
                replace_all(t, word_delimiter_token, " ");
            }
            if (!t.empty()) out.push_back(std::move(t));
        }
        return out;
    }
};

struct SequenceDec : Decoder {
    std::vector<std::unique_ptr<Decoder>> items;
    std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
        for (const auto& d : items) tokens = d->decode_chain(std::move(tokens));
        return tokens;
    }
};

}  // namespace

std::unique_ptr<Decoder> make_decoder(const Json& j, const std::string& label) {
    if (j.is_null()) return nullptr;
    const std::string type = json_type_of(j, label);
    const std::string where = label + ": decoder " + type;
    if (type == "ByteLevel") return std::make_unique<ByteLevelDec>();
    if (type == "WordPiece") {
        auto d = std::make_unique<WordPieceDec>();
        d->prefix = json_get_string_or(j, "prefix", d->prefix, where);
        d->do_cleanup = json_get_bool_or(j, "cleanup", true, where);
        return d;
    }
    if (type == "Metaspace") {
        auto d = std::make_unique<MetaspaceDec>();
        d->replacement = json_get_string_or(j, "replacement", d->replacement, where);
        const std::string scheme = json_get_string_or(j, "prepend_scheme", "always", where);
        d->prepend = scheme != "never" && json_get_bool_or(j, "add_prefix_space", true, where);
        return d;
    }
    if (type == "BPEDecoder") {
        auto d = std::make_unique<BpeDec>();
        d->suffix = json_get_string_or(j, "suffix", d->suffix, where);
        return d;
    }
    if (type == "ByteFallback") return std::make_unique<ByteFallbackDec>();
    if (type == "Fuse") return std::make_unique<FuseDec>();
    if (type == "Strip") {
        auto d = std::make_unique<StripDec>();
        const std::u32string c = utf8_decode(json_get_string_or(j, "content", " ", where));
        if (c.size() != 1) throw Error(where + ": 'content' must be a single character");
        d->content = c[0];
        d->start = static_cast<size_t>(std::max<int64_t>(0, json_get_int_or(j, "start", 0, where)));
        d->stop = static_cast<size_t>(std::max<int64_t>(0, json_get_int_or(j, "stop", 0, where)));
        return d;
    }
    if (type == "Replace") {
        const Json& pattern = json_require(j, "pattern", where);
        if (!(pattern.is_object() && pattern.contains("String") && pattern["String"].is_string()))
            throw Error(where + ": pattern " + describe_pattern(pattern) + " is not supported (only {\"String\": ...} patterns are)");
        auto d = std::make_unique<ReplaceDec>();
        d->pattern = pattern["String"].get<std::string>();
        d->content = json_get_string(j, "content", where);
        return d;
    }
    if (type == "CTC") {
        auto d = std::make_unique<CtcDec>();
        d->pad_token = json_get_string_or(j, "pad_token", d->pad_token, where);
        d->word_delimiter_token = json_get_string_or(j, "word_delimiter_token", d->word_delimiter_token, where);
        d->do_cleanup = json_get_bool_or(j, "cleanup", true, where);
        return d;
    }
    if (type == "Sequence") {
        auto d = std::make_unique<SequenceDec>();
        const Json& items = json_require(j, "decoders", where);
        if (!items.is_array()) throw Error(where + ": 'decoders' must be an array");
        for (const Json& item : items)
            if (auto x = make_decoder(item, label)) d->items.push_back(std::move(x));
        return d;
    }
    throw Error(label + ": decoder type '" + type +
                "' is not supported (supported: ByteLevel, WordPiece, Metaspace, BPEDecoder, ByteFallback, Fuse, "
                "Strip, Replace, CTC, Sequence)");
}

}  // namespace tok
}  // namespace attn
