// tokenizer_load: a model folder's tokenizer.json, or (without one) the pipeline HF's slow->fast
// conversion builds from vocab.txt (BERT) or vocab.json + merges.txt (GPT-2). No SentencePiece .model.
#include "core/error.h"
#include "model/tokenizer/components.h"
#include "model/tokenizer/tokenizer.h"

namespace attn {

namespace {

std::string file_text(const FileSet& files, const std::string& name) { return string_from_bytes(*files.find(name)); }

// BertTokenizer -> fast conversion: WordPiece + BertNormalizer + BertPreTokenizer + [CLS] $A [SEP].
Json bert_json_from_vocab(const std::string& vocab_txt, bool lowercase) {
    Json vocab = Json::object();
    int32_t id = 0;
    size_t pos = 0;
    while (pos <= vocab_txt.size()) {
        size_t nl = vocab_txt.find('\n', pos);
        if (nl == std::string::npos) nl = vocab_txt.size();
        std::string line = vocab_txt.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!(nl == vocab_txt.size() && line.empty())) vocab[line] = id++;
        pos = nl + 1;
    }
    Json root;
    root["model"] = {{"type", "WordPiece"}, {"unk_token", "[UNK]"}, {"continuing_subword_prefix", "##"},
                     {"max_input_chars_per_word", 100}, {"vocab", vocab}};
    root["normalizer"] = {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", true},
                          {"strip_accents", nullptr}, {"lowercase", lowercase}};
    root["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
    root["decoder"] = {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}};
    Json added = Json::array();
    for (const char* s : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"})
        if (vocab.contains(s))
            added.push_back({{"id", vocab[s]}, {"content", s}, {"special", true}, {"normalized", false}});
    root["added_tokens"] = added;
    if (vocab.contains("[CLS]") && vocab.contains("[SEP]"))
        root["post_processor"] = {{"type", "BertProcessing"},
                                  {"cls", {"[CLS]", vocab["[CLS]"]}},
                                  {"sep", {"[SEP]", vocab["[SEP]"]}}};
    return root;
}

// GPT2Tokenizer -> fast conversion: byte-level BPE, no prefix space, <|endoftext|> special.
Json gpt2_json_from_files(const std::string& vocab_json, const std::string& merges_txt, const std::string& label) {
    Json root;
    Json vocab = json_parse(vocab_json, label + "/vocab.json");
    Json merges = Json::array();
    size_t pos = 0;
    bool first = true;
    while (pos < merges_txt.size()) {
        size_t nl = merges_txt.find('\n', pos);
        if (nl == std::string::npos) nl = merges_txt.size();
        std::string line = merges_txt.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!(first && line.rfind("#version", 0) == 0) && !line.empty()) merges.push_back(line);
        first = false;
        pos = nl + 1;
    }
    root["model"] = {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}};
    root["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
    root["post_processor"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}};
    root["decoder"] = {{"type", "ByteLevel"}};
    Json added = Json::array();
    if (vocab.is_object() && vocab.contains("<|endoftext|>"))
        added.push_back({{"id", vocab["<|endoftext|>"]}, {"content", "<|endoftext|>"}, {"special", true}, {"normalized", false}});
    root["added_tokens"] = added;
    return root;
}

}  // namespace

Expected<Tokenizer> tokenizer_load(const FileSet& files) {
    const std::string folder = files.label.empty() ? std::string("model folder") : files.label;
    if (files.has("tokenizer.json")) return tokenizer_from_json(file_text(files, "tokenizer.json"), "tokenizer.json");
    return catch_errors([&]() -> Tokenizer {
        if (files.has("vocab.txt")) {
            bool lowercase = true;
            if (files.has("tokenizer_config.json")) {
                Json cfg = json_parse(file_text(files, "tokenizer_config.json"), "tokenizer_config.json");
                lowercase = json_get_bool_or(cfg, "do_lower_case", true, "tokenizer_config.json");
            }
            return tok::tokenizer_from_json_value(bert_json_from_vocab(file_text(files, "vocab.txt"), lowercase), "vocab.txt");
        }
        if (files.has("vocab.json") && files.has("merges.txt")) {
            return tok::tokenizer_from_json_value(
                gpt2_json_from_files(file_text(files, "vocab.json"), file_text(files, "merges.txt"), folder),
                "vocab.json+merges.txt");
        }
        throw Error(folder + ": no tokenizer found (expected tokenizer.json, vocab.txt, or vocab.json + merges.txt)");
    });
}

}  // namespace attn
