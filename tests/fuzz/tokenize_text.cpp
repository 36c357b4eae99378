// Fuzz target: arbitrary bytes as text through every fixture's tokenizer (tests/fixtures/*/tokenizer.json,
// the Unigram fixture, and BERT's built from a vocab.txt as a folder without tokenizer.json would be),
// loaded once. Each encodes with and without special tokens and decodes the ids back.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "model/tokenizer/tokenizer.h"
#include "platform/file_io.h"

namespace {

attn::Tokenizer must(attn::Expected<attn::Tokenizer> t, const std::string& what) {
    if (!t) {
        std::fprintf(stderr, "fuzz_tokenize_text: cannot load %s: %s\n", what.c_str(), t.error().message.c_str());
        std::exit(1);
    }
    return std::move(*t);
}

attn::Tokenizer from_file(const std::string& relative) {
    const std::string path = std::string(ATTN_FIXTURES_DIR) + "/" + relative;
    attn::Expected<attn::Bytes> bytes = attn::file_read(path);
    if (!bytes) {
        std::fprintf(stderr, "fuzz_tokenize_text: cannot read %s\n", path.c_str());
        std::exit(1);
    }
    return must(attn::tokenizer_from_json(attn::string_from_bytes(*bytes), relative), path);
}

// BERT's vocabulary written out as vocab.txt, one token per line in id order, loaded by tokenizer_load.
attn::Tokenizer bert_from_vocab_txt(const attn::Tokenizer& bert) {
    std::string vocab;
    for (int32_t id = 0; id < bert.vocab_size(); ++id) vocab += bert.id_to_token(id) + "\n";
    attn::FileSet files;
    files.label = "bert vocab.txt";
    files.add("vocab.txt", attn::bytes_from_string(vocab));
    return must(attn::tokenizer_load(files), "bert-tiny as vocab.txt");
}

const std::vector<attn::Tokenizer>& tokenizers() {
    static const std::vector<attn::Tokenizer> all = [] {
        std::vector<attn::Tokenizer> t;
        for (const char* dir : {"gpt2-tiny", "bert-tiny", "distilbert-tiny", "roberta-tiny", "bart-tiny", "llama-tiny",
                                "qwen2-tiny", "llama-bf16-sharded"})
            t.push_back(from_file(std::string(dir) + "/tokenizer.json"));
        t.push_back(from_file("unigram-tokenizer.json"));
        t.push_back(bert_from_vocab_txt(t[1]));
        return t;
    }();
    return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    for (const attn::Tokenizer& tok : tokenizers()) {
        for (bool specials : {true, false}) {
            attn::Encoding e = tok.encode(text, specials);
            if (e.ids.size() != e.tokens.size() || e.ids.size() != e.offsets.size()) std::abort();
            for (const auto& o : e.offsets)
                if (o.first < 0 || o.first > o.second) std::abort();
            (void)attn::offsets_to_chars(text, e);
            (void)tok.decode(e.ids, false);
            (void)tok.decode(e.ids, true);
        }
    }
    return 0;
}
