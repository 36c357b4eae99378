// Word-level attention: sub-word pieces merged into words the way Clark et al. (2019, "What does BERT
// look at?") do: a word's attention TO another word is the SUM over the looked-at word's pieces, and
// a word's attention FROM its pieces is the MEAN over its looking pieces. Rows still sum to 1.
//
// Which pieces form a word (the rule, by tokenizer convention):
//   - the first piece starts a word;
//   - special tokens ([CLS], <s>, <|endoftext|>; not SentencePiece byte pieces like <0xE6>), pieces
//     that are only punctuation (ASCII), and pieces that are only whitespace markers are words of
//     their own, and the piece after one of them starts a new word;
//   - byte-level BPE (GPT-2, RoBERTa, BART, Qwen2): a piece starting with Ġ / Ċ / ĉ (space, newline,
//     tab) starts a word, any other piece continues the previous one ("Ġcross" + "ing" = "Ġcrossing");
//   - SentencePiece (Llama): a piece starting with ▁ starts a word, others continue;
//   - WordPiece (BERT, DistilBERT): a piece starting with ## continues, any other starts a word.
// Text without spaces (Chinese, Japanese) has no word marks, so a run of such pieces stays one word.
//
//   WordSpans w = word_spans(trace.tokens.pieces, PieceConvention::byte_level);
//   AttentionTensor words = merge_words(trace.attentions, w, w);   // (L, H, W, W)
#pragma once
#include <string>
#include <vector>

#include "model/trace.h"

namespace attn {

enum class PieceConvention { byte_level, sentencepiece, wordpiece };

struct WordSpans {
    std::vector<int> first;            // n_words + 1 entries: word w is pieces [first[w], first[w+1])
    std::vector<std::string> pieces;   // each word's pieces joined, markers kept ("Ġcrossing"; WordPiece
                                       // drops the ## of continuations: "crossing")
    int size() const { return static_cast<int>(pieces.size()); }
    int n_pieces(int w) const { return first[w + 1] - first[w]; }
    int word_of(int piece) const;      // -1 when out of range
};

WordSpans word_spans(const std::vector<std::string>& pieces, PieceConvention convention);

// (L, H, Wq, Wk): queries merged by mean, keys by sum. `queries` must span attention.n_query pieces and
// `keys` attention.n_key (else an empty tensor). A causal tensor stays causal: a word never sees a
// later word, because every piece of a later word comes after every piece of this one.
AttentionTensor merge_words(const AttentionTensor& attention, const WordSpans& queries, const WordSpans& keys);

}  // namespace attn
