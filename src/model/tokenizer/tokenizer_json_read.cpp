// Reading tokenizer.json fast: one SAX pass that builds the JSON document as json_parse would, except
// model.vocab (an object of token -> id) and model.merges (an array of "a b" or ["a", "b"]), which go
// straight into flat lists (VocabTables). GPT-2's 3.5 MB file is 50k vocabulary entries and 50k merges:
// as JSON nodes they cost most of the load (building, walking and freeing a std::map per entry).
// It reports no errors itself: anything unusual (malformed JSON, too deep, an entry of another shape)
// returns nullopt, and the caller takes the general path, whose messages say what is wrong.
#include "core/json.h"
#include "model/tokenizer/components.h"

namespace attn {
namespace tok {

namespace {

class TokenizerJsonReader : public Json::json_sax_t {
public:
    explicit TokenizerJsonReader(VocabTables& tables) : tables_(tables) {}

    Json root;

    bool null() override { return value(Json()); }
    bool boolean(bool v) override { return value(Json(v)); }
    bool number_integer(number_integer_t v) override {
        if (mode_ == Mode::vocab) return vocab_id(v);
        return value(Json(v));
    }
    bool number_unsigned(number_unsigned_t v) override {
        if (mode_ == Mode::vocab) return v <= static_cast<uint64_t>(INT64_MAX) && vocab_id(static_cast<int64_t>(v));
        return value(Json(v));
    }
    bool number_float(number_float_t v, const string_t&) override { return value(Json(v)); }
    bool string(string_t& s) override {
        if (mode_ == Mode::merges) return merge_string(s);
        if (mode_ == Mode::merge_pair) return merge_part(s);
        return value(Json(std::move(s)));
    }
    bool binary(binary_t&) override { return false; }
    bool key(string_t& k) override {
        key_ = std::move(k);
        return true;
    }
    bool start_object(std::size_t) override {
        if (mode_ != Mode::dom) return false;
        if (model_level() && key_ == "vocab") {
            if (!open(Json::object())) return false;
            mode_ = Mode::vocab;
            tables_.has_vocab = true;
            return true;
        }
        return open(Json::object());
    }
    bool end_object() override {
        if (mode_ == Mode::vocab) mode_ = Mode::dom;
        return close();
    }
    bool start_array(std::size_t) override {
        if (mode_ == Mode::merges) {
            mode_ = Mode::merge_pair;
            pair_.clear();
            return true;
        }
        if (mode_ != Mode::dom) return false;
        if (model_level() && key_ == "merges") {
            if (!open(Json::array())) return false;
            mode_ = Mode::merges;
            tables_.has_merges = true;
            return true;
        }
        return open(Json::array());
    }
    bool end_array() override {
        if (mode_ == Mode::merge_pair) {
            if (pair_.size() != 2) return false;
            tables_.merges.emplace_back(std::move(pair_[0]), std::move(pair_[1]));
            mode_ = Mode::merges;
            return true;
        }
        if (mode_ == Mode::merges) mode_ = Mode::dom;
        return close();
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
    enum class Mode { dom, vocab, merges, merge_pair };

    VocabTables& tables_;
    std::vector<Json*> stack_;   // the open containers, root first
    std::string key_;            // the key of the next value in the innermost open object
    Json* model_ = nullptr;      // root["model"] while it is open
    Mode mode_ = Mode::dom;
    std::vector<std::string> pair_;

    // Directly inside root["model"]: where vocab and merges live.
    bool model_level() const { return model_ != nullptr && !stack_.empty() && stack_.back() == model_; }

    // Places a value as json_parse would (a repeated key: the last one wins) and returns it. A key of
    // the model seen again replaces what its tables held.
    Json* place(Json v) {
        if (stack_.empty()) {
            root = std::move(v);
            return &root;
        }
        Json& top = *stack_.back();
        if (top.is_array()) {
            top.push_back(std::move(v));
            return &top.back();
        }
        if (model_level() && key_ == "vocab") {
            tables_.has_vocab = false;
            tables_.vocab.clear();
        }
        if (model_level() && key_ == "merges") {
            tables_.has_merges = false;
            tables_.merges.clear();
        }
        if (stack_.size() == 1 && key_ == "model") tables_ = VocabTables{};
        Json& slot = top[key_];
        slot = std::move(v);
        return &slot;
    }
    bool value(Json v) {
        if (mode_ != Mode::dom) return false;
        place(std::move(v));
        return true;
    }
    bool open(Json container) {
        if (static_cast<int>(stack_.size()) >= kJsonMaxDepth) return false;
        const bool is_model = stack_.size() == 1 && key_ == "model" && container.is_object();
        Json* placed = place(std::move(container));
        stack_.push_back(placed);
        if (is_model) model_ = placed;
        return true;
    }
    bool close() {
        if (stack_.empty()) return false;
        if (stack_.back() == model_) model_ = nullptr;
        stack_.pop_back();
        return true;
    }
    bool vocab_id(int64_t id) {
        tables_.vocab.emplace_back(std::move(key_), id);
        return true;
    }
    // "a b": split at the first space, as make_bpe does; no space is an error the general path names.
    bool merge_string(const std::string& s) {
        const size_t space = s.find(' ');
        if (space == std::string::npos) return false;
        tables_.merges.emplace_back(s.substr(0, space), s.substr(space + 1));
        return true;
    }
    bool merge_part(std::string& s) {
        pair_.push_back(std::move(s));
        return pair_.size() <= 2;
    }
};

}  // namespace

std::optional<Json> tokenizer_json_read(const std::string& text, VocabTables& tables) {
    tables = VocabTables{};
    TokenizerJsonReader reader(tables);
    bool ok = false;
    try {
        ok = Json::sax_parse(text, &reader, Json::input_format_t::json, /*strict=*/true);
    } catch (const Json::exception&) {
        ok = false;
    }
    if (!ok) {
        tables = VocabTables{};
        return std::nullopt;
    }
    return std::move(reader.root);
}

void vocab_tables_restore(Json& model, VocabTables& tables) {
    if (tables.has_vocab) {
        Json vocab = Json::object();
        for (auto& [token, id] : tables.vocab) vocab[token] = id;
        model["vocab"] = std::move(vocab);
    }
    if (tables.has_merges) {
        Json merges = Json::array();
        for (auto& [a, b] : tables.merges) merges.push_back(Json::array({a, b}));
        model["merges"] = std::move(merges);
    }
    tables = VocabTables{};
}

}  // namespace tok
}  // namespace attn
