#include "analysis/word_merge.h"

namespace attn {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Byte-level's space, newline and tab stand-ins (U+0120, U+010A, U+0109) and SentencePiece's ▁.
const char* const kByteLevelMarks[] = {"\xC4\xA0", "\xC4\x8A", "\xC4\x89"};
const char* const kSentencePieceMark = "\xE2\x96\x81";

// The piece without its leading whitespace marks, and whether it had any.
std::string strip_marks(const std::string& piece, PieceConvention c, bool* marked) {
    size_t i = 0;
    *marked = false;
    for (bool again = true; again && i < piece.size();) {
        again = false;
        if (c == PieceConvention::byte_level) {
            for (const char* m : kByteLevelMarks)
                if (piece.compare(i, 2, m) == 0) {
                    i += 2;
                    again = *marked = true;
                }
        } else if (c == PieceConvention::sentencepiece && piece.compare(i, 3, kSentencePieceMark) == 0) {
            i += 3;
            again = *marked = true;
        }
    }
    return piece.substr(i);
}

bool is_special(const std::string& p) {
    if (p.size() < 3) return false;
    if (p.front() == '[' && p.back() == ']') return true;
    return p.front() == '<' && p.back() == '>' && !starts_with(p, "<0x");
}

bool is_punctuation(const std::string& s) {
    if (s.empty()) return false;
    for (unsigned char ch : s)
        if (ch >= 0x80 || !(ch > ' ' && ch < 0x7F) || (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
            (ch >= 'a' && ch <= 'z'))
            return false;
    return true;
}

}  // namespace

int WordSpans::word_of(int piece) const {
    if (piece < 0 || first.empty() || piece >= first.back()) return -1;
    int lo = 0, hi = size() - 1;   // the last word whose first piece is <= piece
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (first[mid] <= piece) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

WordSpans word_spans(const std::vector<std::string>& pieces, PieceConvention c) {
    WordSpans w;
    bool closed = true;   // the previous piece ends its word: the next one starts a new word
    for (size_t i = 0; i < pieces.size(); ++i) {
        const std::string& p = pieces[i];
        bool marked = false;
        const std::string content = strip_marks(p, c, &marked);
        const bool alone = is_special(p) || is_punctuation(content) || content.empty();
        bool starts = closed || alone;
        if (c == PieceConvention::wordpiece) starts = starts || !starts_with(p, "##");
        else starts = starts || marked;
        if (starts) {
            w.first.push_back(static_cast<int>(i));
            w.pieces.push_back(p);
        } else {
            w.pieces.back() += c == PieceConvention::wordpiece && starts_with(p, "##") ? p.substr(2) : p;
        }
        closed = alone;
    }
    w.first.push_back(static_cast<int>(pieces.size()));
    return w;
}

AttentionTensor merge_words(const AttentionTensor& a, const WordSpans& q, const WordSpans& k) {
    AttentionTensor out;
    if (a.empty() || q.first.empty() || k.first.empty() || q.first.back() != a.n_query || k.first.back() != a.n_key)
        return out;
    out.n_layer = a.n_layer;
    out.n_head = a.n_head;
    out.n_query = q.size();
    out.n_key = k.size();
    out.causal = a.causal;
    out.probs.assign(static_cast<size_t>(out.n_layer) * out.n_head * out.n_query * out.n_key, 0.0f);
    for (int l = 0; l < a.n_layer; ++l)
        for (int h = 0; h < a.n_head; ++h) {
            const float* p = a.head(l, h);
            float* o = out.probs.data() + (static_cast<size_t>(l) * a.n_head + h) * out.n_query * out.n_key;
            for (int wq = 0; wq < out.n_query; ++wq)
                for (int wk = 0; wk < out.n_key; ++wk) {
                    double sum = 0.0;
                    for (int t = q.first[wq]; t < q.first[wq + 1]; ++t)
                        for (int s = k.first[wk]; s < k.first[wk + 1]; ++s) sum += p[static_cast<size_t>(t) * a.n_key + s];
                    o[static_cast<size_t>(wq) * out.n_key + wk] = static_cast<float>(sum / q.n_pieces(wq));
                }
        }
    return out;
}

}  // namespace attn
