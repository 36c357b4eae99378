// Internal pieces of the tokenizer pipeline, mirroring HF tokenizers' own: a NormalizedString that
// keeps per-byte alignments to the original text, splits of it, and the five component interfaces
// with the factories that build them from tokenizer.json. Not a public API; tokenizer.h is.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/unicode.h"
#include "model/tokenizer/tokenizer.h"

namespace attn {
namespace tok {

using Offsets = std::pair<int, int>;

// ---- NormalizedString (HF normalizer.rs semantics, with absolute original offsets)
struct NormalizedString {
    std::string text;              // the normalized UTF-8 text
    std::vector<Offsets> align;    // one entry per byte of text: [start, end) in the original input
    int original_start = 0;        // HF's original_shift: where this piece starts in the original
};

NormalizedString ns_from(const std::string& original);
// HF transform_range over bytes [start, end): dest holds (char, change) with change 1 = inserted,
// 0 = replaces the next old char, -n = replaces it and removes n more; initial_offset old chars are
// dropped first. Alignments follow HF exactly (inserted chars copy the previous byte's).
void ns_transform_range(NormalizedString& n, size_t start, size_t end,
                        const std::vector<std::pair<char32_t, int>>& dest, size_t initial_offset);
void ns_transform(NormalizedString& n, const std::vector<std::pair<char32_t, int>>& dest,
                  size_t initial_offset);
NormalizedString ns_slice(const NormalizedString& n, size_t start, size_t end);
void ns_prepend(NormalizedString& n, const std::string& s);
void ns_append(NormalizedString& n, const std::string& s);
void ns_replace(NormalizedString& n, const std::string& pattern, const std::string& content);
void ns_filter(NormalizedString& n, const std::function<bool(char32_t)>& keep);
void ns_map(NormalizedString& n, const std::function<char32_t(char32_t)>& f);
void ns_lowercase(NormalizedString& n);
void ns_strip(NormalizedString& n, bool left, bool right);
void ns_unicode_normalize(NormalizedString& n, NormalForm form);
// Original offsets of normalized bytes [start, end), as HF convert_offsets + original_shift.
Offsets ns_original_offsets(const NormalizedString& n, size_t start, size_t end);

// ---- Splitting
struct Match {
    size_t start, end;
    bool is_match;
};
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };
SplitBehavior split_behavior_from(const std::string& name, const std::string& label);

// Covering lists of (range, is_match) like HF Pattern::find_matches.
std::vector<Match> matches_by_char(const std::string& s, const std::function<bool(char32_t)>& pred);
std::vector<Match> matches_from_spans(const std::string& s, const std::vector<std::pair<size_t, size_t>>& spans);
std::vector<Match> matches_literal(const std::string& s, const std::string& pattern);
void matches_invert(std::vector<Match>& m);
std::vector<NormalizedString> ns_split(const NormalizedString& n, std::vector<Match> matches,
                                       SplitBehavior behavior);

struct Token {
    int32_t id;
    std::string value;
    Offsets offsets;  // bytes in the split's normalized text
};

struct Split {
    NormalizedString normalized;
    bool has_tokens = false;
    std::vector<Token> tokens;
};
using PreTokenized = std::vector<Split>;

// HF PreTokenizedString::split: fn rewrites one untokenized split into pieces; empty pieces vanish.
void pretokenized_split(PreTokenized& p, const std::function<std::vector<NormalizedString>(size_t, NormalizedString&)>& fn);

// ---- Hand-written matchers for the regexes HF tokenizer.json files use (no \p{..} regex engine here)
enum class RegexKind { Gpt2, Llama3, Qwen2, Whitespace };
std::optional<RegexKind> regex_kind_from_pattern(const std::string& pattern);
std::vector<std::pair<size_t, size_t>> regex_find_all(RegexKind kind, const std::string& s);

// ---- Character classes HF uses
bool is_bert_punctuation(char32_t c);   // ASCII punctuation or \p{P}
bool is_bert_whitespace(char32_t c);    // \t \n \r or White_Space
bool is_bert_control(char32_t c);       // \p{C} except \t \n \r
bool is_chinese_char(char32_t c);       // BERT's CJK ranges

// ---- Work counter: steps of the models' inner loops on this thread (BPE queue pops, WordPiece
// vocabulary lookups, Unigram trie steps). Tests bound a model's time on hostile input (one
// 100,000-character word) by this count, which a clock on a shared machine cannot do.
uint64_t& model_steps();

// ---- Components
struct Normalizer {
    virtual ~Normalizer() = default;
    virtual void normalize(NormalizedString& n) const = 0;
};
struct PreTokenizer {
    virtual ~PreTokenizer() = default;
    virtual void pre_tokenize(PreTokenized& p) const = 0;
};
struct Model {
    virtual ~Model() = default;
    virtual std::vector<Token> tokenize(const std::string& s) const = 0;
    virtual std::optional<int32_t> token_to_id(const std::string& token) const = 0;
    virtual std::optional<std::string> id_to_token(int32_t id) const = 0;
    virtual int32_t max_id() const = 0;  // -1 when empty
    virtual const char* type_name() const = 0;
    // Every (token, id) of the vocabulary, two tokens with one id included: what vocab_check reads.
    virtual void for_each_token(const std::function<void(const std::string&, int32_t)>& f) const = 0;
};
// Vocabulary ids are below 2^24, as embedding rows are (kConfigSizeMax): a larger id could never be
// traced, and it would make "largest id + 1" sizes overflow. Throws "WHERE: "T" has id ID, out of
// range [0, 16777216)".
int32_t token_id_checked(int64_t id, const std::string& token, const std::string& where);
struct PostProcessor {
    virtual ~PostProcessor() = default;
    virtual void process(Encoding& e, bool add_special_tokens) const = 0;
};
struct Decoder {
    virtual ~Decoder() = default;
    virtual std::vector<std::string> decode_chain(std::vector<std::string> tokens) const = 0;
};

// Factories: `j` is the component object; null JSON gives nullptr. Unsupported types throw
// attn::Error naming the type and the supported ones.
std::unique_ptr<Normalizer> make_normalizer(const Json& j, const std::string& label);
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& j, const std::string& label);
std::unique_ptr<Model> make_model(const Json& j, const std::string& label);
std::unique_ptr<PostProcessor> make_post_processor(const Json& j, const std::string& label);
std::unique_ptr<Decoder> make_decoder(const Json& j, const std::string& label);

// model.vocab and model.merges read straight from tokenizer.json's text into lists
// (tokenizer_json_read.cpp); the document then holds an empty object / array in their place.
// has_vocab / has_merges false: the document's own value stands.
struct VocabTables {
    bool has_vocab = false, has_merges = false;
    std::vector<std::pair<std::string, int64_t>> vocab;        // token -> id, in file order
    std::vector<std::pair<std::string, std::string>> merges;   // in rank order; "a b" split at its first space
};
// The document with model.vocab / model.merges moved into `tables`; nullopt when the text needs the
// general path (malformed, too deep, or an entry make_bpe would refuse: that path names the problem).
std::optional<Json> tokenizer_json_read(const std::string& text, VocabTables& tables);
// Puts the tables back into the model object as JSON (for models other than BPE) and empties them.
void vocab_tables_restore(Json& model, VocabTables& tables);

// tables: vocab and merges taken out of `j` by tokenizer_json_read (nullptr: all in `j`).
std::unique_ptr<Model> make_bpe(const Json& j, const std::string& label, const VocabTables* tables = nullptr);
std::unique_ptr<Model> make_wordpiece(const Json& j, const std::string& label);
std::unique_ptr<Model> make_wordlevel(const Json& j, const std::string& label);
std::unique_ptr<Model> make_unigram(const Json& j, const std::string& label);

// Byte-level (GPT-2) byte <-> printable char mapping.
char32_t byte_level_char(uint8_t b);
std::optional<uint8_t> byte_level_byte(char32_t c);
// HF byte_level::process_offsets (trim leading/trailing spaces from offsets).
void byte_level_process_offsets(Encoding& e, bool add_prefix_space);

// tokenizer_from_json on an already parsed document; throws attn::Error. tables: as make_bpe's.
Tokenizer tokenizer_from_json_value(const Json& root, const std::string& label, const VocabTables* tables = nullptr);

// Small JSON helpers shared by the factories.
std::string json_type_of(const Json& j, const std::string& label);
std::string describe_pattern(const Json& pattern);

}  // namespace tok
}  // namespace attn
