#include "ui/head_views.h"

#include "analysis/head_average.h"
#include "core/i18n.h"

namespace attn {

namespace {

TokenSeq word_seq(const TokenSeq& pieces, const WordSpans& w) {
    TokenSeq seq;
    seq.pieces = w.pieces;
    for (int i = 0; i < w.size(); ++i) seq.ids.push_back(pieces.ids[static_cast<size_t>(w.first[i])]);
    return seq;
}

std::vector<std::string> word_notes(const TokenSeq& pieces, const WordSpans& w, PieceStyle style) {
    std::vector<std::string> notes;
    for (int i = 0; i < w.size(); ++i) {
        std::string note = w.n_pieces(i) == 1 ? tr("ui.head_views.piece") : trf("pictures.words.pieces", {{"n", std::to_string(w.n_pieces(i))}});
        for (int p = w.first[i]; p < w.first[i + 1]; ++p)
            note += (p > w.first[i] ? " + " : "") + token_label(pieces.pieces[static_cast<size_t>(p)], style);
        notes.push_back(note);
    }
    return notes;
}

}  // namespace

PieceConvention piece_convention(PieceStyle style) {
    return style == PieceStyle::byte_level      ? PieceConvention::byte_level
           : style == PieceStyle::sentencepiece ? PieceConvention::sentencepiece
                                                : PieceConvention::wordpiece;   // plain: BERT's WordPiece
}

ShownAttention head_view(HeadViewCache& c, const AttentionTensor* attention, const TokenSeq* queries,
                         const TokenSeq* keys, const Selection& sel, uint64_t key, PieceStyle style) {
    ShownAttention out;
    out.attention = attention;
    out.queries = queries;
    out.keys = keys;
    out.key = key * 4;
    if (!attention || attention->empty() || !queries || !keys) return out;
    if (sel.words) {
        if (c.words_key != key) {
            const PieceConvention conv = piece_convention(style);
            c.query_words = word_spans(queries->pieces, conv);
            c.key_words = keys == queries ? c.query_words : word_spans(keys->pieces, conv);
            c.merged = merge_words(*attention, c.query_words, c.key_words);
            c.query_seq = word_seq(*queries, c.query_words);
            c.key_seq = word_seq(*keys, c.key_words);
            c.query_notes = word_notes(*queries, c.query_words, style);
            c.key_notes = keys == queries ? c.query_notes : word_notes(*keys, c.key_words, style);
            c.words_key = key;
        }
        if (!c.merged.empty()) {
            out.attention = &c.merged;
            out.queries = &c.query_seq;
            out.keys = keys == queries ? &c.query_seq : &c.key_seq;
            out.query_words = &c.query_words;
            out.key_words = &c.key_words;
            out.query_notes = &c.query_notes;
            out.key_notes = &c.key_notes;
            out.key = key * 4 + 1;
        }
    }
    if (sel.head_mode != HeadMode::one) {
        const std::vector<int> wanted = sel.head_mode == HeadMode::average_chosen ? sel.averaged_heads : std::vector<int>{};
        const int layer = sel.layer < 0 ? 0 : sel.layer >= out.attention->n_layer ? out.attention->n_layer - 1 : sel.layer;
        const std::vector<int> used = head_average_heads(*out.attention, wanted);
        uint64_t set = 0;
        for (int h : used) set = set * 131 + static_cast<uint64_t>(h) + 1;
        out.key = (out.key + 2) ^ (set << 8);
        const uint64_t sig = out.key ^ (static_cast<uint64_t>(layer) << 52);
        if (c.average_sig != sig) {   // a (T, S) pass over every head: once per change, not per frame
            c.average = head_average(*out.attention, layer, used);
            c.heads_label = static_cast<int>(used.size()) == out.attention->n_head
                                ? trf("pictures.title.average_of_all", {{"n", std::to_string(used.size())}})
                                : trf("pictures.title.average_of_heads", {{"list", head_list_text(used)}});
            c.average_sig = sig;
        }
        out.matrix = c.average.data();
        out.heads_label = c.heads_label.c_str();
    }
    return out;
}

const std::vector<RowStats>& head_stats_cached(HeadViewCache& c, const AttentionTensor& a, int layer, uint64_t key,
                                               bool at_once) {
    if (c.stats_key != key || c.stats_layer != layer) {
        c.stats.clear();
        c.stats_key = key;
        c.stats_layer = layer;
        c.stats_heads = a.empty() || layer < 0 || layer >= a.n_layer || a.n_query == 0 ? 0 : a.n_head;
        c.stats_longest_ms = 0.0;
    }
    if (at_once)
        while (head_stats_step(c, a, key)) {}
    return c.stats;
}

bool head_stats_step(HeadViewCache& c, const AttentionTensor& a, uint64_t key) {
    if (c.stats_key != key || static_cast<int>(c.stats.size()) >= c.stats_heads) return false;
    c.stats.push_back(head_summary(a, c.stats_layer, static_cast<int>(c.stats.size())));
    return true;
}

}  // namespace attn
