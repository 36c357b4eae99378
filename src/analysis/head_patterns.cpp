// Head statistics per query row and summarised, and the rule-based pattern scorer (label_head).
//
// Statistics of one query row t (A = the raw row, A' = the row over keys 1.. renormalised, the BOS rule
// in head_patterns.h; without skip_first_key A' = A):
//   entropy          -sum_s A ln A                      (raw, exactly the reference's definition)
//   entropy_norm     entropy / ln(keys row t can see)   (0 when it sees one key)
//   mean_distance    sum_s A |t - s|                    (raw; -1 for cross attention)
//   first_token_mass A[t, 0]                            (raw)
//   special_mass     sum of A over special keys 1..     (raw; key 0 is first_token_mass's, so the two
//   punctuation_mass sum of A over punctuation keys 1.. never count the same weight twice)
//   previous_token   A'[t, t-1]     self_token A'[t, t]     next_token A'[t, t+1]
//   local_mass       sum of A' over |t - s| <= local_window
//   stripe_mass      A'[t, k*], k* the content key (not special, not punctuation, not the first) with the
//                    largest mean weight from the other rows that can see it
//   block_mass       sum of A' over keys in t's own segment (a segment ends after a special token or a
//                    sentence end: . ! ? ; or a newline); -1 for cross attention
//   top1_mass        max_s A'[t, s]
// Summaries are means over the counted rows: raw statistics over every row except, in a causal model,
// the first (it can only see itself); the A' statistics in a causal model from row 2 on (row 1 sees only
// itself once key 0 is set aside), in a bidirectional one from row 1 on.
//
// label_head: the scorer. m = 1 - first_token_mass is the weight the head does not park on the first
// token, so a mixture "0.6 previous + 0.4 sink" scores previous 0.6 and sink 0.4 (max(x, 0) everywhere:
// statistics that do not apply are -1).
//   self_diagonal   m * self_token
//   previous_token  m * previous_token
//   next_token      m * next_token
//   local_window    m * (local_mass - max(previous, self, next))       spread over the window, not one offset
//   first_sink      first_token_mass
//   special_sink    special_mass + punctuation_mass
//   content_stripe  m * stripe_mass
//   block_segment   m * block_excess * min(1, 2 (1 - local_mass))      block_excess = (block_mass - b) / (1 - b),
//                   b = block_baseline (what a uniform row would keep inside its segment); 0 with one segment.
//                   The local factor keeps a local-window head (also inside its segment) out of this label.
//   broad_uniform   entropy_norm^2                                     uniform rows: 1; a few keys: near 0
//   sparse_content  m * top1_mass * (1 - local_mass) * (1 - stripe_mass)   one key per row, not nearby, not shared
//   induction       the induction score when measured (0 until then)
// The label is the largest score (ties: the earlier pattern of kHeadPatternTable); confidence =
// clamp(best - second / 2, 0, 1), so a head with a clear winner scores near its best score and a mixture
// lower.
#include "analysis/head_patterns.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/parallel.h"
#include "model/forward_job.h"
#include "model/model.h"
#include "model/tokenizer/tokenizer.h"

namespace attn {

const HeadStatInfo kHeadStatTable[kHeadStatCount] = {
    {HeadStat::entropy, "entropy"},
    {HeadStat::entropy_norm, "entropy_norm"},
    {HeadStat::mean_distance, "mean_distance"},
    {HeadStat::first_token_mass, "first_token_mass"},
    {HeadStat::special_mass, "special_mass"},
    {HeadStat::punctuation_mass, "punctuation_mass"},
    {HeadStat::previous_token, "previous_token"},
    {HeadStat::self_token, "self_token"},
    {HeadStat::next_token, "next_token"},
    {HeadStat::local_mass, "local_mass"},
    {HeadStat::stripe_mass, "stripe_mass"},
    {HeadStat::block_mass, "block_mass"},
    {HeadStat::top1_mass, "top1_mass"},
    {HeadStat::induction, "induction"},
};

const HeadStatInfo& head_stat_info(HeadStat s) { return kHeadStatTable[static_cast<int>(s)]; }

const HeadPatternInfo kHeadPatternTable[kHeadPatternCount] = {
    {HeadPattern::self_diagonal, "self_diagonal"},
    {HeadPattern::previous_token, "previous_token"},
    {HeadPattern::next_token, "next_token"},
    {HeadPattern::local_window, "local_window"},
    {HeadPattern::first_sink, "first_sink"},
    {HeadPattern::special_sink, "special_sink"},
    {HeadPattern::content_stripe, "content_stripe"},
    {HeadPattern::block_segment, "block_segment"},
    {HeadPattern::broad_uniform, "broad_uniform"},
    {HeadPattern::sparse_content, "sparse_content"},
    {HeadPattern::induction, "induction"},
};

const HeadPatternInfo& head_pattern_info(HeadPattern p) { return kHeadPatternTable[static_cast<int>(p)]; }

namespace {

// "patterns.<name>.<field>" in `language`; the key is built once per pattern and field.
const char* table_text(Language language, const char* area, const char* name, const char* field) {
    return tr(language, (std::string(area) + "." + name + "." + field).c_str());
}

}  // namespace

const char* head_pattern_badge(HeadPattern p, Language language) { return table_text(language, "patterns", head_pattern_info(p).name, "badge"); }
const char* head_pattern_label(HeadPattern p, Language language) { return table_text(language, "patterns", head_pattern_info(p).name, "label"); }
const char* head_pattern_what(HeadPattern p, Language language) { return table_text(language, "patterns", head_pattern_info(p).name, "what"); }
const char* head_stat_label(HeadStat s, Language language) { return table_text(language, "stats", head_stat_info(s).key, "label"); }
const char* head_stat_what(HeadStat s, Language language) { return table_text(language, "stats", head_stat_info(s).key, "what"); }

const char* head_label_badge(const HeadLabel& l, Language language) {
    return l.bad_values ? table_text(language, "patterns", "bad_values", "badge") : head_pattern_badge(l.pattern, language);
}
const HeadLabel& bad_values_label() {
    static const HeadLabel label = [] {
        HeadLabel l;
        l.bad_values = true;
        return l;
    }();
    return label;
}

const char* head_label_text(const HeadLabel& l, Language language) {
    return l.bad_values ? table_text(language, "patterns", "bad_values", "label") : head_pattern_label(l.pattern, language);
}
const char* head_label_what(const HeadLabel& l, Language language) {
    return l.bad_values ? table_text(language, "patterns", "bad_values", "what") : head_pattern_what(l.pattern, language);
}

bool head_pattern_from_name(const std::string& name, HeadPattern* out) {
    for (const HeadPatternInfo& info : kHeadPatternTable)
        if (name == info.name) {
            if (out) *out = info.pattern;
            return true;
        }
    return false;
}

namespace {

// The piece without the tokenizer's word markers (GPT-2 "Ġ", SentencePiece "▁", WordPiece "##").
std::string strip_markers(std::string p) {
    for (const char* m : {"\xC4\xA0", "\xE2\x96\x81", "##"}) {
        const size_t n = std::strlen(m);
        while (p.size() >= n && p.compare(0, n, m) == 0) p.erase(0, n);
    }
    return p;
}

bool is_newline_piece(const std::string& p) {
    return p.find('\n') != std::string::npos || p.find("\xC4\x8A") != std::string::npos;   // "Ċ": byte-level \n
}

bool is_punctuation_piece(const std::string& piece) {
    if (is_newline_piece(piece)) return true;
    std::string p = strip_markers(piece);
    if (p.empty()) return false;
    static const char* const kWide[] = {"\xE3\x80\x82", "\xEF\xBC\x8C", "\xE3\x80\x81", "\xEF\xBC\x81",
                                        "\xEF\xBC\x9F", "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x99"};
    size_t i = 0;
    while (i < p.size()) {
        const unsigned char c = static_cast<unsigned char>(p[i]);
        if (c < 0x80) {
            if (!std::ispunct(c)) return false;
            ++i;
            continue;
        }
        bool wide = false;
        for (const char* w : kWide)
            if (p.compare(i, 3, w) == 0) wide = true;
        if (!wide) return false;
        i += 3;
    }
    return true;
}

bool is_sentence_end_piece(const std::string& piece) {
    if (is_newline_piece(piece)) return true;
    const std::string p = strip_markers(piece);
    for (const char* e : {".", "!", "?", ";", "...", "\xE3\x80\x82", "\xEF\xBC\x81", "\xEF\xBC\x9F"})
        if (p == e) return true;
    return false;
}

bool flag(const std::vector<uint8_t>& v, int i) { return i >= 0 && i < static_cast<int>(v.size()) && v[i]; }

}  // namespace

TokenKinds token_kinds(const Tokenizer& tokenizer, const TokenSeq& tokens) {
    TokenKinds k;
    const int n = tokens.size();
    k.special.assign(n, 0);
    k.punctuation.assign(n, 0);
    k.sentence_end.assign(n, 0);
    for (int i = 0; i < n; ++i) {
        const std::string piece = i < static_cast<int>(tokens.pieces.size()) ? tokens.pieces[i] : tokenizer.id_to_token(tokens.ids[i]);
        k.special[i] = tokenizer.is_special(tokens.ids[i]) ? 1 : 0;
        k.punctuation[i] = !k.special[i] && is_punctuation_piece(piece) ? 1 : 0;
        k.sentence_end[i] = !k.special[i] && is_sentence_end_piece(piece) ? 1 : 0;
    }
    return k;
}

std::vector<int> token_segments(const TokenKinds& kinds, int n) {
    std::vector<int> seg(n, 0);
    int s = 0;
    for (int i = 0; i < n; ++i) {
        seg[i] = s;
        if (flag(kinds.special, i) || flag(kinds.sentence_end, i)) ++s;
    }
    return seg;
}

namespace {

constexpr int kStat = kHeadStatCount;
int si(HeadStat s) { return static_cast<int>(s); }

}  // namespace

// What every head of one attention tensor shares: its shape, the rows counted, the token segments and
// block_mass's baseline. Computed once, then each head alone (stats_of_head).
struct HeadStatsJob::Plan {
    int T = 0, S = 0;
    bool self_attention = false, causal = false;
    int key_first = 0;
    struct {
        int raw_first = 0;     // first row counted in raw summaries
        int renorm_first = 0;  // first row counted in A' summaries
    } rows;
    std::vector<int> seg;
    int n_segments = 0;
    double baseline = 1.0;
};

namespace {

using StatsPlan = HeadStatsJob::Plan;

StatsPlan stats_plan(const AttentionTensor& a, const TokenKinds& kinds, const HeadStatsOptions& o) {
    StatsPlan p;
    const int T = a.n_query, S = a.n_key;
    p.T = T;
    p.S = S;
    p.self_attention = T == S && !o.cross_attention;
    p.causal = a.causal && p.self_attention;
    p.key_first = o.skip_first_key && S > 1 ? 1 : 0;
    p.rows.raw_first = p.causal && o.skip_first_query ? 1 : 0;
    p.rows.renorm_first = std::max(p.rows.raw_first, p.key_first + (p.causal ? 1 : 0));
    p.seg = token_segments(kinds, S);
    for (int s = p.key_first; s < S; ++s) p.n_segments = std::max(p.n_segments, p.seg[s] - p.seg[p.key_first] + 1);
    // What a uniform row would keep inside its own segment: block_mass's baseline.
    if (p.self_attention) {
        double sum = 0.0;
        int n = 0;
        for (int t = p.rows.renorm_first; t < T; ++t) {
            int in = 0, all = 0;
            const int end = p.causal ? t + 1 : S;
            for (int s = p.key_first; s < end; ++s) {
                ++all;
                in += p.seg[s] == p.seg[t];
            }
            if (all) {
                sum += static_cast<double>(in) / all;
                ++n;
            }
        }
        if (n) p.baseline = sum / n;
    }
    return p;
}

// Scratch rows of one thread, sized S.
struct StatsScratch {
    std::vector<double> renorm, column;
    std::vector<int> column_rows;
    explicit StatsScratch(int S) : renorm(S), column(S), column_rows(S) {}
};

HeadStats stats_of_head(const AttentionTensor& a, const TokenKinds& kinds, const HeadStatsOptions& o,
                        const StatsPlan& plan, int index, StatsScratch& scratch) {
    const int T = plan.T, S = plan.S;
    const bool self_attention = plan.self_attention, causal = plan.causal;
    const int key_first = plan.key_first;
    const auto& rows = plan.rows;
    const std::vector<int>& seg = plan.seg;
    std::vector<double>& renorm = scratch.renorm;
    std::vector<double>& column = scratch.column;
    std::vector<int>& column_rows = scratch.column_rows;
    auto visible_end = [&](int t) { return causal ? t + 1 : S; };   // keys [0, end)
    auto content_key = [&](int s) {
        return s >= key_first && !flag(kinds.special, s) && !flag(kinds.punctuation, s);
    };
    const int l = index / a.n_head, h = index % a.n_head;
    HeadStats st;
    st.layer = l;
    st.head = h;
    st.segments = self_attention ? plan.n_segments : 0;
    st.block_baseline = static_cast<float>(plan.baseline);
    st.per_query.assign(static_cast<size_t>(T) * kStat, 0.0f);
    const float* p = a.head(l, h);

    // The stripe key first: it is chosen over all counted rows.
    std::fill(column.begin(), column.end(), 0.0);
    std::fill(column_rows.begin(), column_rows.end(), 0);
    for (int t = rows.renorm_first; t < T; ++t) {
        const float* row = p + static_cast<size_t>(t) * S;
        double mass = 0.0;
        const int end = visible_end(t);
        for (int s = key_first; s < end; ++s) mass += row[s];
        const double scale = mass > 1e-12 ? 1.0 / mass : 0.0;   // a multiply per key, not a divide
        for (int s = key_first; s < end; ++s) {
            if (self_attention && s == t) continue;
            column[s] += row[s] * scale;
            column_rows[s] += 1;
        }
    }
    const int counted = std::max(0, T - rows.renorm_first);
    const int min_rows = std::max(2, counted / 2);
    double best_column = -1.0;
    for (int s = 0; s < S; ++s) {
        if (!content_key(s) || column_rows[s] < min_rows) continue;
        const double mean = column[s] / column_rows[s];
        if (mean > best_column) {
            best_column = mean;
            st.stripe_key = s;
        }
    }

    double raw_sum[kStat] = {}, renorm_sum[kStat] = {};
    std::fill(renorm.begin(), renorm.end(), 0.0);
    for (int t = 0; t < T; ++t) {
        const float* row = p + static_cast<size_t>(t) * S;
        float* q = st.per_query.data() + static_cast<size_t>(t) * kStat;
        const int end = visible_end(t);
        double e = 0.0, dist = 0.0, special = 0.0, punct = 0.0;
        // Keys past `end` (half of a causal head) are exact zeros and add nothing: not visited.
        for (int s = 0; s < end; ++s) {
            const double w = row[s];
            // !(w <= 0) lets NaN through, so a head with bad values has a NaN entropy, not 0 ("looks at one key").
            if (!(w <= 0.0)) e -= w * std::log(std::min(w, 1.0));
            dist += w * std::abs(t - s);
            if (s < key_first) continue;
            if (flag(kinds.special, s)) special += w;
            if (flag(kinds.punctuation, s)) punct += w;
        }
        double mass = 0.0;
        for (int s = key_first; s < end; ++s) mass += row[s];
        // renorm past `end` stays zero: it is cleared per head and `end` never shrinks from row to row.
        const double scale = mass > 1e-12 ? 1.0 / mass : 0.0;
        for (int s = 0; s < end; ++s) renorm[s] = s >= key_first ? row[s] * scale : 0.0;
        auto at = [&](int s) { return s >= 0 && s < S ? renorm[s] : 0.0; };
        double local = 0.0, block = 0.0, top1 = 0.0;
        for (int s = key_first; s < end; ++s) {
            if (std::abs(t - s) <= o.local_window) local += renorm[s];
            if (self_attention && seg[s] == seg[t]) block += renorm[s];
            top1 = std::max(top1, renorm[s]);
        }
        q[si(HeadStat::entropy)] = static_cast<float>(e);
        q[si(HeadStat::entropy_norm)] = end > 1 ? static_cast<float>(e / std::log(static_cast<double>(end))) : 0.0f;
        q[si(HeadStat::mean_distance)] = self_attention ? static_cast<float>(dist) : -1.0f;
        q[si(HeadStat::first_token_mass)] = row[0];
        q[si(HeadStat::special_mass)] = static_cast<float>(special);
        q[si(HeadStat::punctuation_mass)] = static_cast<float>(punct);
        q[si(HeadStat::previous_token)] = self_attention ? static_cast<float>(at(t - 1)) : -1.0f;
        q[si(HeadStat::self_token)] = self_attention ? static_cast<float>(at(t)) : -1.0f;
        q[si(HeadStat::next_token)] = self_attention ? static_cast<float>(at(t + 1)) : -1.0f;
        q[si(HeadStat::local_mass)] = self_attention ? static_cast<float>(local) : -1.0f;
        q[si(HeadStat::stripe_mass)] = st.stripe_key >= 0 && !(self_attention && st.stripe_key == t) ? static_cast<float>(at(st.stripe_key)) : 0.0f;
        q[si(HeadStat::block_mass)] = self_attention ? static_cast<float>(block) : -1.0f;
        q[si(HeadStat::top1_mass)] = static_cast<float>(top1);
        q[si(HeadStat::induction)] = -1.0f;
        for (HeadStat raw : {HeadStat::entropy, HeadStat::entropy_norm, HeadStat::mean_distance,
                             HeadStat::first_token_mass, HeadStat::special_mass, HeadStat::punctuation_mass})
            if (t >= rows.raw_first) raw_sum[si(raw)] += q[si(raw)];
        if (t >= rows.renorm_first)
            for (int k = si(HeadStat::previous_token); k <= si(HeadStat::top1_mass); ++k) renorm_sum[k] += q[k];
    }
    const int n_raw = T - rows.raw_first, n_renorm = T - rows.renorm_first;
    for (int k = 0; k < kStat; ++k) {
        const bool renormed = k >= si(HeadStat::previous_token) && k <= si(HeadStat::top1_mass);
        const int n = renormed ? n_renorm : n_raw;
        const double sum = renormed ? renorm_sum[k] : raw_sum[k];
        st.value[k] = n > 0 ? static_cast<float>(sum / n) : 0.0f;
    }
    // Positional statistics have no meaning across two sequences: -1, like per query.
    if (!self_attention)
        for (HeadStat s : {HeadStat::mean_distance, HeadStat::previous_token, HeadStat::self_token,
                           HeadStat::next_token, HeadStat::local_mass, HeadStat::block_mass})
            st.value[si(s)] = -1.0f;
    // The stripe's summary: the mean over the rows that can see the key (not all rows).
    st.value[si(HeadStat::stripe_mass)] = best_column > 0 ? static_cast<float>(best_column) : 0.0f;
    st.value[si(HeadStat::induction)] = -1.0f;
    return st;
}

// Heads [begin, end) into out (sized L * H). Heads are independent: threads take whole heads, each with
// its own scratch rows, so the result is the same for any thread count and any cut into steps.
void stats_of_heads(const AttentionTensor& a, const TokenKinds& kinds, const HeadStatsOptions& o, const StatsPlan& plan,
                    int begin, int end, std::vector<HeadStats>& out) {
    auto heads = [&](int head_begin, int head_end) {
        StatsScratch scratch(plan.S);
        for (int index = head_begin; index < head_end; ++index)
            out[index] = stats_of_head(a, kinds, o, plan, index, scratch);
    };
    auto shifted = [&](int b, int e) { heads(begin + b, begin + e); };
    const int n = end - begin;
    parallel_for_if_worth_it(n, static_cast<double>(n) * plan.T * plan.S, shifted);
}

}  // namespace

std::vector<HeadStats> head_statistics(const AttentionTensor& a, const TokenKinds& kinds, const HeadStatsOptions& o) {
    std::vector<HeadStats> out;
    if (a.empty()) return out;
    out.resize(static_cast<size_t>(a.n_layer) * a.n_head);
    // At T = 1024 a 12 x 12 model is 150 M weights to read (HeadStatsJob cuts it into steps).
    stats_of_heads(a, kinds, o, stats_plan(a, kinds, o), 0, static_cast<int>(out.size()), out);
    return out;
}

HeadStatsJob::HeadStatsJob(const AttentionTensor& attention, TokenKinds kinds, const HeadStatsOptions& options)
    : attention_(&attention), kinds_(std::move(kinds)), options_(options) {
    if (attention.empty()) return;
    plan_ = std::make_unique<Plan>(stats_plan(attention, kinds_, options_));
    stats_.resize(static_cast<size_t>(attention.n_layer) * attention.n_head);
}

HeadStatsJob::~HeadStatsJob() = default;

bool HeadStatsJob::step(int heads) {
    const int n = static_cast<int>(stats_.size());
    const int end = std::min(n, next_ + std::max(1, heads));
    if (next_ < end) stats_of_heads(*attention_, kinds_, options_, *plan_, next_, end, stats_);
    next_ = std::max(next_, end);
    return done();
}

std::vector<HeadStats> HeadStatsJob::take() { return std::move(stats_); }

// ---- induction -------------------------------------------------------------------------------------

std::vector<float> induction_scores_from_attention(const AttentionTensor& a, int prefix, int length, bool skip_first_key) {
    std::vector<float> out(static_cast<size_t>(a.n_layer) * a.n_head, 0.0f);
    if (a.empty() || length < 1 || prefix + 2 * length > a.n_query || a.n_query != a.n_key) return out;
    for (int l = 0; l < a.n_layer; ++l)
        for (int h = 0; h < a.n_head; ++h) {
            double sum = 0.0;
            for (int i = 0; i < length; ++i) {
                const int query = prefix + length + i;   // r_i in the second copy
                const int key = prefix + i + 1;          // the token after r_i's first occurrence
                // The BOS rule: a head parked on the BOS still counts by where its remaining weight goes.
                const double rest = skip_first_key && prefix > 0 ? 1.0 - a.at(l, h, query, 0) : 1.0;
                sum += rest > 1e-12 ? a.at(l, h, query, key) / rest : 0.0;
            }
            out[static_cast<size_t>(l) * a.n_head + h] = static_cast<float>(sum / length);
        }
    return out;
}

namespace {

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace

std::vector<int32_t> induction_input(const Model& model, int length, uint64_t seed, int* prefix) {
    const int vocab = std::min(model.info().n_vocab, model.tokenizer.vocab_size());
    const int32_t bos = model.bos_token_id >= 0 && model.bos_token_id < model.info().n_vocab ? model.bos_token_id : -1;
    const int pre = bos >= 0 ? 1 : 0;
    length = std::max(1, std::min(length, (model.info().n_ctx - pre) / 2));
    std::vector<int32_t> candidates;
    for (int32_t id = 0; id < vocab; ++id)
        if (!model.tokenizer.is_special(id) && !model.tokenizer.id_to_token(id).empty()) candidates.push_back(id);
    std::vector<int32_t> ids;
    if (bos >= 0) ids.push_back(bos);
    if (candidates.empty()) return ids;
    // Distinct tokens when the vocabulary allows, so every token of the second copy has one earlier occurrence.
    uint64_t state = seed * 0x2545F4914F6CDD1Dull + 12345;
    const bool distinct = static_cast<int>(candidates.size()) >= 2 * length;
    std::vector<int32_t> copy;
    while (static_cast<int>(copy.size()) < length) {
        const int32_t id = candidates[splitmix64(state) % candidates.size()];
        if (distinct && std::find(copy.begin(), copy.end(), id) != copy.end()) continue;
        copy.push_back(id);
    }
    ids.insert(ids.end(), copy.begin(), copy.end());
    ids.insert(ids.end(), copy.begin(), copy.end());
    if (prefix) *prefix = pre;
    return ids;
}

InductionJob::InductionJob(const Model& model, const InductionOptions& options)
    : model_(model), options_(options), repeats_(std::max(1, options.repeats)) {
    const ModelInfo& info = model.info();
    sum_.assign(static_cast<size_t>(info.n_layer) * info.n_head, 0.0f);
    start_pass();
}

InductionJob::~InductionJob() = default;

void InductionJob::start_pass() {
    std::vector<int32_t> ids = induction_input(model_, options_.length, options_.seed + static_cast<uint64_t>(repeat_) * 7919, &prefix_);
    length_ = (static_cast<int>(ids.size()) - prefix_) / 2;
    if (length_ < 1) throw Error("induction score: the model's vocabulary has no ordinary tokens");
    TraceOptions to;
    to.capture_hidden_states = false;
    to.step_multiply_adds = options_.step_multiply_adds;
    Expected<std::unique_ptr<ForwardJob>> pass = model_trace_job(model_, ids, to);
    if (!pass) throw Error(pass.error().message);
    pass_ = std::move(*pass);
}

void InductionJob::step() {
    if (done()) return;
    pass_->step();
    if (!pass_->done()) return;
    const Trace trace = pass_->take();
    pass_.reset();
    const std::vector<float> s = induction_scores_from_attention(trace.attentions, prefix_, length_, true);
    if (s.size() != sum_.size()) throw Error("induction score: the trace has an unexpected number of heads");
    for (size_t i = 0; i < s.size(); ++i) sum_[i] += s[i];
    if (++repeat_ < repeats_) {
        start_pass();
        return;
    }
    for (float& v : sum_) v /= static_cast<float>(repeats_);
}

std::vector<float> InductionJob::take() { return std::move(sum_); }

Expected<std::vector<float>> induction_scores(const Model& model, const InductionOptions& options) {
    return catch_errors([&]() -> std::vector<float> {
        InductionJob job(model, options);
        while (!job.done()) job.step();
        return job.take();
    });
}

void head_stats_set_induction(std::vector<HeadStats>& stats, const std::vector<float>& scores) {
    int n_head = 0;
    for (const HeadStats& s : stats) n_head = std::max(n_head, s.head + 1);
    for (HeadStats& s : stats) {
        const size_t i = static_cast<size_t>(s.layer) * n_head + s.head;
        s.value[si(HeadStat::induction)] = i < scores.size() ? scores[i] : -1.0f;
    }
}

// ---- the scorer --------------------------------------------------------------------------------------

HeadLabel label_head(const HeadStats& st) {
    for (float value : st.value)
        if (!std::isfinite(value)) return bad_values_label();
    HeadLabel label;
    auto v = [&](HeadStat s) { return std::max(0.0f, st.get(s)); };
    const float m = std::clamp(1.0f - v(HeadStat::first_token_mass), 0.0f, 1.0f);
    const float prev = v(HeadStat::previous_token), self = v(HeadStat::self_token), next = v(HeadStat::next_token);
    const float local = v(HeadStat::local_mass), stripe = v(HeadStat::stripe_mass);
    float* sc = label.scores;
    sc[int(HeadPattern::self_diagonal)] = m * self;
    sc[int(HeadPattern::previous_token)] = m * prev;
    sc[int(HeadPattern::next_token)] = m * next;
    sc[int(HeadPattern::local_window)] = m * std::max(0.0f, local - std::max({prev, self, next}));
    sc[int(HeadPattern::first_sink)] = v(HeadStat::first_token_mass);
    sc[int(HeadPattern::special_sink)] = std::min(1.0f, v(HeadStat::special_mass) + v(HeadStat::punctuation_mass));
    sc[int(HeadPattern::content_stripe)] = m * stripe;
    float block_excess = 0.0f;
    if (st.segments > 1 && st.block_baseline < 0.999f && st.get(HeadStat::block_mass) >= 0.0f)
        block_excess = std::clamp((st.get(HeadStat::block_mass) - st.block_baseline) / (1.0f - st.block_baseline), 0.0f, 1.0f);
    sc[int(HeadPattern::block_segment)] = m * block_excess * std::min(1.0f, 2.0f * (1.0f - local));
    const float en = std::clamp(st.get(HeadStat::entropy_norm), 0.0f, 1.0f);
    sc[int(HeadPattern::broad_uniform)] = en * en;
    sc[int(HeadPattern::sparse_content)] = m * v(HeadStat::top1_mass) * (1.0f - std::min(1.0f, local)) * (1.0f - std::min(1.0f, stripe));
    sc[int(HeadPattern::induction)] = std::min(1.0f, v(HeadStat::induction));
    int best = 0;
    for (int k = 1; k < kHeadPatternCount; ++k)
        if (sc[k] > sc[best]) best = k;
    float second = 0.0f;
    for (int k = 0; k < kHeadPatternCount; ++k)
        if (k != best) second = std::max(second, sc[k]);
    label.pattern = static_cast<HeadPattern>(best);
    label.confidence = std::clamp(sc[best] - 0.5f * second, 0.0f, 1.0f);
    return label;
}

}  // namespace attn
