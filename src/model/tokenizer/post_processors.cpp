// Post-processors from tokenizer.json: TemplateProcessing (single sequence; pair templates are parsed
// and ignored since encode takes one text), BertProcessing, RobertaProcessing, ByteLevel (offset
// trimming only) and Sequence. Special tokens they add carry offsets (0, 0).
#include "core/error.h"
#include "model/tokenizer/components.h"

namespace attn {
namespace tok {

namespace {

void push_special(Encoding& e, int32_t id, const std::string& token) {
    e.ids.push_back(id);
    e.tokens.push_back(token);
    e.offsets.emplace_back(0, 0);
}

// [first] + e + [last] for the BERT/RoBERTa style processors.
void wrap(Encoding& e, const std::pair<std::string, int32_t>& first, const std::pair<std::string, int32_t>& last) {
    Encoding out;
    push_special(out, first.second, first.first);
    out.ids.insert(out.ids.end(), e.ids.begin(), e.ids.end());
    out.tokens.insert(out.tokens.end(), e.tokens.begin(), e.tokens.end());
    out.offsets.insert(out.offsets.end(), e.offsets.begin(), e.offsets.end());
    push_special(out, last.second, last.first);
    e = std::move(out);
}

std::pair<std::string, int32_t> token_pair(const Json& j, const char* key, const std::string& where) {
    const Json& v = json_require(j, key, where);
    if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_number_integer())
        throw Error(where + ": '" + key + "' must be [token, id], found " + v.dump());
    return {v[0].get<std::string>(), v[1].get<int32_t>()};
}

struct BertProc : PostProcessor {
    std::pair<std::string, int32_t> cls, sep;
    void process(Encoding& e, bool add_special_tokens) const override {
        if (add_special_tokens) wrap(e, cls, sep);
    }
};

struct RobertaProc : PostProcessor {
    std::pair<std::string, int32_t> cls, sep;
    bool trim_offsets = true, add_prefix_space = true;
    void process(Encoding& e, bool add_special_tokens) const override {
        if (trim_offsets) byte_level_process_offsets(e, add_prefix_space);
        if (add_special_tokens) wrap(e, cls, sep);
    }
};

struct ByteLevelProc : PostProcessor {
    bool trim_offsets = true, add_prefix_space = true;
    void process(Encoding& e, bool) const override {
        if (trim_offsets) byte_level_process_offsets(e, add_prefix_space);
    }
};

struct TemplateProc : PostProcessor {
    struct Piece {
        bool is_sequence;
        std::vector<int32_t> ids;          // for special tokens
        std::vector<std::string> tokens;
    };
    std::vector<Piece> single;
    void process(Encoding& e, bool add_special_tokens) const override {
        if (!add_special_tokens) return;
        Encoding out;
        for (const Piece& p : single) {
            if (p.is_sequence) {
                out.ids.insert(out.ids.end(), e.ids.begin(), e.ids.end());
                out.tokens.insert(out.tokens.end(), e.tokens.begin(), e.tokens.end());
                out.offsets.insert(out.offsets.end(), e.offsets.begin(), e.offsets.end());
            } else {
                for (size_t k = 0; k < p.ids.size(); ++k) push_special(out, p.ids[k], p.tokens[k]);
            }
        }
        e = std::move(out);
    }
};

struct SequenceProc : PostProcessor {
    std::vector<std::unique_ptr<PostProcessor>> items;
    void process(Encoding& e, bool add_special_tokens) const override {
        for (const auto& p : items) p->process(e, add_special_tokens);
    }
};

// One template piece: {"SpecialToken": {"id": ..}} / {"Sequence": {"id": "A"}}, or the string
// shorthand "[CLS]", "$A", "$B:1", "[SEP]:0" that HF also accepts.
TemplateProc::Piece template_piece(const Json& item, const Json& special_tokens, const std::string& where) {
    std::string special_name;
    if (item.is_object() && item.contains("Sequence")) {
        return {true, {}, {}};
    } else if (item.is_object() && item.contains("SpecialToken")) {
        special_name = json_get_string(item["SpecialToken"], "id", where);
    } else if (item.is_string()) {
        std::string s = item.get<std::string>();
        const size_t colon = s.rfind(':');
        if (colon != std::string::npos && colon > 0) s = s.substr(0, colon);
        if (!s.empty() && s[0] == '$') return {true, {}, {}};
        special_name = s;
    } else {
        throw Error(where + ": template piece must be SpecialToken or Sequence, found " + item.dump());
    }
    if (!special_tokens.is_object() || !special_tokens.contains(special_name))
        throw Error(where + ": template uses special token \"" + special_name + "\" missing from 'special_tokens'");
    const Json& st = special_tokens[special_name];
    const Json& ids = json_require(st, "ids", where);
    const Json& tokens = json_require(st, "tokens", where);
    if (!ids.is_array() || !tokens.is_array() || ids.size() != tokens.size())
        throw Error(where + ": special token \"" + special_name + "\" needs 'ids' and 'tokens' arrays of equal length");
    TemplateProc::Piece p{false, {}, {}};
    for (size_t k = 0; k < ids.size(); ++k) {
        if (!ids[k].is_number_integer() || !tokens[k].is_string())
            throw Error(where + ": special token \"" + special_name + "\" has a malformed id or token");
        p.ids.push_back(ids[k].get<int32_t>());
        p.tokens.push_back(tokens[k].get<std::string>());
    }
    return p;
}

}  // namespace

void byte_level_process_offsets(Encoding& e, bool add_prefix_space) {
    const char32_t space = byte_level_char(' ');
    for (size_t i = 0; i < e.tokens.size(); ++i) {
        const std::u32string t = utf8_decode(e.tokens[i]);
        auto is_space = [&](char32_t c) { return c == space || unicode_is_white_space(c); };
        int leading = 0, trailing = 0;
        while (leading < static_cast<int>(t.size()) && is_space(t[leading])) ++leading;
        while (trailing < static_cast<int>(t.size()) && is_space(t[t.size() - 1 - trailing])) ++trailing;
        auto& off = e.offsets[i];
        if (leading > 0) {
            const bool is_first = i == 0 || off.first == 0;
            if (is_first && add_prefix_space && leading == 1) leading = 0;
            off.first = std::min(off.first + leading, off.second);
        }
        if (trailing > 0 && off.second >= trailing) off.second = std::max(off.second - trailing, off.first);
    }
}

std::unique_ptr<PostProcessor> make_post_processor(const Json& j, const std::string& label) {
    if (j.is_null()) return nullptr;
    const std::string type = json_type_of(j, label);
    const std::string where = label + ": post_processor " + type;
    if (type == "BertProcessing") {
        auto p = std::make_unique<BertProc>();
        p->cls = token_pair(j, "cls", where);
        p->sep = token_pair(j, "sep", where);
        return p;
    }
    if (type == "RobertaProcessing") {
        auto p = std::make_unique<RobertaProc>();
        p->cls = token_pair(j, "cls", where);
        p->sep = token_pair(j, "sep", where);
        p->trim_offsets = json_get_bool_or(j, "trim_offsets", true, where);
        p->add_prefix_space = json_get_bool_or(j, "add_prefix_space", true, where);
        return p;
    }
    if (type == "ByteLevel") {
        auto p = std::make_unique<ByteLevelProc>();
        p->trim_offsets = json_get_bool_or(j, "trim_offsets", true, where);
        p->add_prefix_space = json_get_bool_or(j, "add_prefix_space", true, where);
        return p;
    }
    if (type == "TemplateProcessing") {
        auto p = std::make_unique<TemplateProc>();
        const Json& special = j.contains("special_tokens") ? j["special_tokens"] : Json::object();
        Json single = json_require(j, "single", where);
        if (single.is_string()) {
            Json parts = Json::array();
            std::string s = single.get<std::string>();
            for (size_t pos = 0; pos < s.size();) {
                size_t sp = s.find(' ', pos);
                if (sp == std::string::npos) sp = s.size();
                if (sp > pos) parts.push_back(s.substr(pos, sp - pos));
                pos = sp + 1;
            }
            single = parts;
        }
        if (!single.is_array()) throw Error(where + ": 'single' must be an array or a string");
        for (const Json& item : single) p->single.push_back(template_piece(item, special, where));
        return p;
    }
    if (type == "Sequence") {
        auto p = std::make_unique<SequenceProc>();
        const Json& items = json_require(j, "processors", where);
        if (!items.is_array()) throw Error(where + ": 'processors' must be an array");
        for (const Json& item : items)
            if (auto x = make_post_processor(item, label)) p->items.push_back(std::move(x));
        return p;
    }
    throw Error(label + ": post_processor type '" + type +
                "' is not supported (supported: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, "
                "Sequence)");
}

}  // namespace tok
}  // namespace attn
