// What does each head do? Statistics of every head's attention on the current input (per query row and
// summarised), and a documented, deterministic pattern label with a confidence, from those statistics.
// Pure functions of a Trace's AttentionTensor plus which tokens are special or punctuation; the induction
// score alone needs the model (it is measured on its own input, a random sequence repeated twice).
//
//   TokenKinds kinds = token_kinds(model.tokenizer, trace.tokens);
//   std::vector<HeadStats> stats = head_statistics(trace.attentions, kinds, HeadStatsOptions{});
//   std::vector<float> ind = induction_scores(model, InductionOptions{});     // (L, H)
//   head_stats_set_induction(stats, ind);
//   for (const HeadStats& s : stats) {
//       HeadLabel label = label_head(s);
//       printf("L%d H%d %s %.2f entropy %.3f\n", s.layer, s.head, head_pattern_info(label.pattern).name,
//              label.confidence, s.value[int(HeadStat::entropy)]);
//   }
//
// The BOS rule: when the first key soaks up attention (a sink), scores about other keys would be
// dominated by it, so previous/self/next/local/stripe/block/induction are computed over keys 1.. with each
// row renormalised (HeadStatsOptions::skip_first_key), and the first query row (which can only look at
// itself in a causal model) is left out of every summary. first_token_mass is measured on the raw rows, and
// the sink masses (special, punctuation) on the raw rows' keys 1.., so no weight is counted twice.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/i18n.h"
#include "model/trace.h"

namespace attn {

struct Model;
class ForwardJob;
class Tokenizer;

// Every statistic, in the order of kHeadStatTable (the head table's columns, the head map's axes, the
// CLI's JSON keys all read that table).
enum class HeadStat {
    entropy,            // nats, -sum A log A (the reference's definition)
    entropy_norm,       // entropy / ln(keys the row can see), 0..1
    mean_distance,      // tokens, sum A |t - s| (self attention only; -1 for cross attention)
    first_token_mass,   // attention on key 0 (a BOS / first-token sink)
    special_mass,       // attention on special tokens ([CLS], [SEP], <s>, </s>, ...)
    punctuation_mass,   // attention on punctuation tokens (another common sink)
    previous_token,     // attention on key t-1
    self_token,         // attention on key t
    next_token,         // attention on key t+1 (bidirectional models)
    local_mass,         // attention within |t - s| <= window (self and neighbours)
    stripe_mass,        // attention on the one content key (not the first, special, punctuation) rows look at most
    block_mass,         // attention inside the query's own segment (segments split at special tokens / sentence ends)
    top1_mass,          // the largest weight of the row (1 = looks at exactly one key)
    induction,          // induction score on a repeated random sequence; -1 until measured
    count
};
constexpr int kHeadStatCount = static_cast<int>(HeadStat::count);

struct HeadStatInfo {
    HeadStat stat;
    const char* key;      // JSON key and URL name: "entropy", "previous_token", ...
};
extern const HeadStatInfo kHeadStatTable[kHeadStatCount];
const HeadStatInfo& head_stat_info(HeadStat s);

// Which tokens are special or punctuation (one flag per token of the sequence).
struct TokenKinds {
    std::vector<uint8_t> special;       // the tokenizer's special / added-special tokens
    std::vector<uint8_t> punctuation;   // pieces made only of punctuation (after removing Ġ/▁/## markers)
    std::vector<uint8_t> sentence_end;  // . ! ? ; or a newline: a segment ends after it (block_mass)
};
TokenKinds token_kinds(const Tokenizer& tokenizer, const TokenSeq& tokens);
// Segment of each of n tokens: a new segment starts after a special token or a sentence end.
std::vector<int> token_segments(const TokenKinds& kinds, int n);

struct HeadStatsOptions {
    int local_window = 2;         // local_mass: |t - s| <= local_window
    bool skip_first_key = true;   // the BOS rule above
    bool skip_first_query = true;
    // Queries and keys are two sequences (encoder-decoder cross attention; T == S can happen by chance):
    // positional statistics are -1.
    bool cross_attention = false;
};

struct HeadStats {
    int layer = 0, head = 0;
    float value[kHeadStatCount] = {};   // summarised: the mean over the counted query rows
    std::vector<float> per_query;       // (T, kHeadStatCount) the same per query row (induction: -1)
    int stripe_key = -1;                // the key of stripe_mass
    int segments = 0;                   // segments among keys 1.. (block_mass means something from 2 on)
    float block_baseline = 1.0f;        // block_mass of a uniform row: what block_segment must beat
    float get(HeadStat s) const { return value[static_cast<int>(s)]; }
};

// Every head of every layer, (L, H) row-major. Works for causal, bidirectional and cross attention
// (distance-based stats are -1 for cross attention).
std::vector<HeadStats> head_statistics(const AttentionTensor& attention, const TokenKinds& kinds,
                                       const HeadStatsOptions& options);

// head_statistics cut into steps of whole heads, for the app: at T = 1024 a 12 x 12 model takes over half
// a second, too long for one frame. The same result bit for bit, however it is cut. The job reads
// `attention` until it is done, so its owner drops it before that tensor changes or goes away.
class HeadStatsJob {
public:
    HeadStatsJob(const AttentionTensor& attention, TokenKinds kinds, const HeadStatsOptions& options);
    ~HeadStatsJob();
    HeadStatsJob(const HeadStatsJob&) = delete;
    HeadStatsJob& operator=(const HeadStatsJob&) = delete;

    bool step(int heads);   // the next `heads` heads (at least one); true when every head is done
    bool done() const { return next_ >= static_cast<int>(stats_.size()); }
    int heads_done() const { return next_; }
    int heads_total() const { return static_cast<int>(stats_.size()); }
    std::vector<HeadStats> take();   // once done: (L, H), moved out

    struct Plan;   // what every head shares (head_patterns.cpp)

private:
    const AttentionTensor* attention_;
    TokenKinds kinds_;
    HeadStatsOptions options_;
    std::unique_ptr<Plan> plan_;
    std::vector<HeadStats> stats_;
    int next_ = 0;
};

struct InductionOptions {
    int length = 24;        // random tokens per copy; the input is [bos?] r_1..r_n r_1..r_n
    uint64_t seed = 1;
    int repeats = 2;        // independent random sequences, scores averaged
    // InductionJob's steps: runs of about this many multiply-adds (TraceOptions::step_multiply_adds), so a
    // step fits a frame; 0: half a block a step. The scores are the same either way.
    double step_multiply_adds = 0.0;
};
// (L, H): mean attention from each token of the second copy to the token after its earlier occurrence.
// Decoder-only and encoder models; an encoder-decoder's encoder. Fails only when the model can not run.
Expected<std::vector<float>> induction_scores(const Model& model, const InductionOptions& options);
// induction_scores in steps: its forward passes run in parts (model/forward_job.h; an encoder-decoder's
// too, encoder then decoder), so the app can keep drawing while a large model is measured (a 124M model's
// two passes held a tab's first frame after its load for 0.5-0.8 s). The same scores at the end, bit for
// bit: induction_scores is this job run to the end. The constructor and step() throw attn::Error where
// induction_scores returns one; a job that threw is spent (drop it).
class InductionJob {
public:
    InductionJob(const Model& model, const InductionOptions& options);   // reads the model until done
    ~InductionJob();
    InductionJob(const InductionJob&) = delete;
    InductionJob& operator=(const InductionJob&) = delete;

    void step();   // the next part of the current pass, then that pass's scores once it is complete
    bool done() const { return repeat_ >= repeats_; }
    std::vector<float> take();   // once done: (L, H), moved out

private:
    void start_pass();
    const Model& model_;
    InductionOptions options_;
    int repeats_ = 1, repeat_ = 0;
    int prefix_ = 0, length_ = 0;        // of the current pass's input
    std::unique_ptr<ForwardJob> pass_;
    std::vector<float> sum_;             // (L, H) summed over the passes done; their mean once done
};
// The scoring part alone: attention is a trace of [prefix tokens] r_1..r_n r_1..r_n (n = length); the mean
// over i of A[prefix + n + i, prefix + i + 1] per head, (L, H); with skip_first_key and a prefix (a BOS),
// each row is first renormalised over keys 1.. (the BOS rule).
std::vector<float> induction_scores_from_attention(const AttentionTensor& attention, int prefix, int length,
                                                   bool skip_first_key = true);
// The input induction_scores runs: [bos when the model has one] then `length` random ordinary (not special)
// vocabulary tokens, distinct when the vocabulary allows, twice. *prefix: 1 with a BOS, else 0.
std::vector<int32_t> induction_input(const Model& model, int length, uint64_t seed, int* prefix);
void head_stats_set_induction(std::vector<HeadStats>& stats, const std::vector<float>& scores);

// Pattern types the seeds name, in the order of kHeadPatternTable.
enum class HeadPattern {
    self_diagonal, previous_token, next_token, local_window, first_sink, special_sink, content_stripe,
    block_segment, broad_uniform, sparse_content, induction, count
};
constexpr int kHeadPatternCount = static_cast<int>(HeadPattern::count);

struct HeadPatternInfo {
    HeadPattern pattern;
    const char* name;     // "previous_token": JSON, checks suites, URL
};
extern const HeadPatternInfo kHeadPatternTable[kHeadPatternCount];
const HeadPatternInfo& head_pattern_info(HeadPattern p);
// What readers see, in `language`, from the string tables (patterns.<name>.* and stats.<key>.* in
// assets/strings/patterns.<code>.json): the short text on a grid tile ("PREV"), the label ("previous
// token"), one line a student understands; a statistic's column header ("prev") and tooltip.
const char* head_pattern_badge(HeadPattern p, Language language);
const char* head_pattern_label(HeadPattern p, Language language);
const char* head_pattern_what(HeadPattern p, Language language);
const char* head_stat_label(HeadStat s, Language language);
const char* head_stat_what(HeadStat s, Language language);
bool head_pattern_from_name(const std::string& name, HeadPattern* out);

struct HeadLabel {
    HeadPattern pattern = HeadPattern::broad_uniform;
    float confidence = 0.0f;                 // 0..1
    float scores[kHeadPatternCount] = {};    // every pattern's score (the label is the largest)
    // A statistic is NaN or infinite (the head's attention holds bad values: NaN weights, an overflow).
    // Such a head has no pattern: views show "NaN" in the bad colour, reports give no label, and
    // confidence and scores are 0, so nothing ranks it as any pattern.
    bool bad_values = false;
};

// The label every head with bad values gets from label_head: views that explain such a head without
// having its label take the texts from it.
const HeadLabel& bad_values_label();
// A label's texts: its pattern's, or "NaN" / "bad values" / why for a head with bad values.
const char* head_label_badge(const HeadLabel& l, Language language);
const char* head_label_text(const HeadLabel& l, Language language);
const char* head_label_what(const HeadLabel& l, Language language);

// The documented scorer (head_patterns.cpp says each rule): deterministic, depends on the statistics only.
HeadLabel label_head(const HeadStats& stats);

}  // namespace attn
