// The induction task: random word sequences in which one span is copied later, at a random offset and
// with a random length, so the only way to predict the copy is the two-step circuit (a layer-0 head that
// writes "my previous token was X" into each position, a layer-1 head that looks for the position whose
// previous token is the current one and copies what it holds).
//
// Why this design: a trial trained on fixed-period repeats learned "look `period` tokens back" from the
// learned positions, and random offsets with a fixed length still left room for positional tricks. Here
// every non-copied word is drawn without replacement (a word seen twice is always a copy, so every label
// is determined by the context), the copy's period (distance between source and copy) varies from the
// span length to most of the sequence, the sequence length varies, and the words carry no meaning.
// Claims are measured with analysis/head_patterns.h on the standard induction input (a random sequence
// repeated twice), never assumed.
#include <algorithm>
#include <cstdio>
#include <numeric>

#include "analysis/head_patterns.h"
#include "train/tasks.h"

namespace attn {
namespace {

// Ordinary, one-token lowercase words: the explorer shows a copy a student can read.
const std::vector<std::string>& induction_words() {
    static const std::vector<std::string> words = {
        "apple", "river", "stone", "cloud", "music", "paper", "tiger", "green", "lamp", "honey", "chair",
        "ocean", "pencil", "garden", "winter", "silver", "rabbit", "bread", "window", "mountain", "candle",
        "forest", "butter", "piano", "orange", "mirror", "bottle", "castle", "dragon", "feather", "guitar",
        "island", "jacket", "kettle", "ladder", "magnet", "needle", "pepper", "rocket", "saddle", "tunnel",
        "violin", "wagon", "yellow", "zebra", "anchor", "basket", "carpet", "desert", "engine", "finger",
        "glove", "hammer", "insect", "jungle", "kitten", "lemon", "market", "nickel", "oyster", "parrot",
        "quilt", "ribbon", "spider", "tomato", "umbrella", "velvet", "walnut", "button", "cotton", "dinner",
        "eagle", "flower", "ginger", "helmet", "iron", "jelly", "koala", "lizard", "marble", "nest", "olive",
        "pillow", "rain", "salt", "table", "valley", "whale", "bridge", "coffee", "doctor", "empire", "farmer",
        "goat", "harbor", "ink", "jewel", "knife", "letter", "mouse", "night", "onion", "planet", "queen",
        "robot", "sugar", "thunder", "uncle", "village", "water", "beach", "cheese", "door", "earth", "fire",
        "grape", "horse", "king", "moon", "snow", "star", "sun", "tree", "wind", "wolf", "bell", "book",
    };
    return words;
}

constexpr int kMinWords = 24;      // words after <bos>
constexpr int kMinSpan = 3, kShortSpan = 10, kMaxSpan = 24;
constexpr double kCopyChance = 0.2;   // per fresh word: a copy starts here

class InductionTask : public Task {
public:
    InductionTask() : vocab_(induction_words(), ModelFamily::decoder) {}
    std::string name() const override { return "induction"; }
    std::string summary() const override {
        return "copy a repeated span of random words: the previous-token + induction head circuit";
    }
    std::string description() const override {
        return "Each sequence is <bos> followed by 24 to " + std::to_string(size().n_ctx - 1) +
               " words drawn without replacement from " + std::to_string(induction_words().size()) +
               " ordinary words, except that one span of 3 to 24 words is copied later at a random offset "
               "(so the distance between the copy and its source varies from the span's length to most of "
               "the sequence). Only the copy is scored: at each word of the copy but its last, the next word "
               "of the copy. Because no other word repeats, every scored word is determined by the context, "
               "and because lengths and offsets vary, no fixed look-back distance predicts it: the model has "
               "to find the earlier occurrence of the current word and copy the word after it. Held-out data "
               "comes from its own random stream; an example counts as correct when every scored word is "
               "predicted.";
    }
    ModelFamily family() const override { return ModelFamily::decoder; }
    ModelSize size() const override {
        ModelSize s;
        s.n_layer = 2;
        s.n_head = 4;
        s.n_embd = 64;
        s.n_inner = 128;   // GPT-2 keeps its MLP; a small one is enough (the circuit is attention only)
        s.n_ctx = 64;
        return s;
    }
    TrainSettings settings() const override {
        TrainSettings t;
        t.steps = 1500;
        t.batch = 32;
        t.lr = 3e-3f;
        return t;
    }
    const Vocab& vocab() const override { return vocab_; }

    Example sample(Rng& rng, Split /*split*/) const override {
        const int n_words = static_cast<int>(induction_words().size());
        const int n = rng.range(kMinWords, size().n_ctx - 1);
        // Fresh words come from a partial Fisher-Yates shuffle, so none repeats by chance.
        std::vector<int> order(static_cast<size_t>(n_words));
        std::iota(order.begin(), order.end(), 0);
        int fresh = 0;
        std::vector<int> words;
        std::vector<uint8_t> is_fresh, used;   // used: a fresh word already copied once
        std::vector<int> scored;               // positions (in words) whose next word is scored
        while (static_cast<int>(words.size()) < n) {
            const int have = static_cast<int>(words.size());
            bool copied = false;
            if (have >= kMinSpan + 1 && rng.chance(kCopyChance)) {
                // A copy of an earlier run of fresh, never-copied words: each word then occurs at most twice,
                // so the word after its earlier occurrence is the one answer.
                const int longest = rng.chance(0.25) ? kMaxSpan : kShortSpan;
                const int k = rng.range(kMinSpan, std::max(kMinSpan, std::min({longest, n - have, have})));
                for (int attempt = 0; attempt < 8 && !copied && k <= have && k <= n - have; ++attempt) {
                    const int src = rng.range(0, have - k);
                    bool ok = true;
                    for (int j = 0; j < k && ok; ++j)
                        ok = is_fresh[static_cast<size_t>(src + j)] && !used[static_cast<size_t>(src + j)];
                    if (!ok) continue;
                    for (int j = 0; j < k; ++j) {
                        used[static_cast<size_t>(src + j)] = 1;
                        if (j + 1 < k) scored.push_back(have + j);
                        words.push_back(words[static_cast<size_t>(src + j)]);
                        is_fresh.push_back(0);
                        used.push_back(1);
                    }
                    copied = true;
                }
            }
            if (copied || static_cast<int>(words.size()) >= n) continue;
            std::swap(order[static_cast<size_t>(fresh)], order[static_cast<size_t>(rng.range(fresh, n_words - 1))]);
            words.push_back(order[static_cast<size_t>(fresh++)]);
            is_fresh.push_back(1);
            used.push_back(0);
        }
        std::vector<std::string> text;
        for (int w : words) text.push_back(induction_words()[static_cast<size_t>(w)]);
        Example e;
        e.ids = vocab_.encode_words(text);
        e.labels.assign(e.ids.size(), -1);
        const int offset = static_cast<int>(e.ids.size() - words.size());   // the <bos> in front
        for (int t : scored) e.labels[static_cast<size_t>(offset + t)] = e.ids[static_cast<size_t>(offset + t + 1)];
        return e;
    }

    std::string example_text() const override {
        return "river apple stone cloud music paper tiger green lamp honey river apple stone cloud music paper "
               "tiger green lamp honey";
    }

    std::vector<HeadClaim> find_claims(const Model& model, uint64_t seed) const override {
        std::vector<HeadClaim> claims;
        Expected<Measured> m = measure(model, seed);
        if (!m) return claims;
        const int H = model.info().n_head;
        // Layer 0: the head that attends most to the previous token; layer 1: the best induction score.
        int prev = 0, ind = 0;
        for (int h = 1; h < H; ++h) {
            if (m->previous[static_cast<size_t>(h)] > m->previous[static_cast<size_t>(prev)]) prev = h;
            if (m->induction[static_cast<size_t>(H + h)] > m->induction[static_cast<size_t>(H + ind)]) ind = h;
        }
        HeadClaim p;
        p.layer = 0;
        p.head = prev;
        p.pattern = "previous_token";
        p.metric = "previous_token_score";
        p.value = m->previous[static_cast<size_t>(prev)];
        p.min_value = std::max(0.0, p.value - 0.1);
        p.statement = "attends from each word to the word just before it (the first step of the copy circuit: "
                      "it writes each position's previous word into that position)";
        HeadClaim i;
        i.layer = 1;
        i.head = ind;
        i.pattern = "induction";
        i.metric = "induction_score";
        i.value = m->induction[static_cast<size_t>(H + ind)];
        i.min_value = std::max(0.0, i.value - 0.1);
        i.statement = "an induction head: from each word of a repeated span it attends to the word that followed "
                      "that word's earlier occurrence, and that is the word the model predicts";
        for (HeadClaim* c : {&p, &i}) {
            const int idx = c->layer * H + c->head;
            // A claim is made only for a head that the documented labeller names so.
            if (m->label[static_cast<size_t>(idx)] == c->pattern) claims.push_back(*c);
        }
        return claims;
    }

    Expected<double> measure_claim(const Model& model, const HeadClaim& claim, uint64_t seed) const override {
        Expected<Measured> m = measure(model, seed);
        if (!m) return m.error();
        const ModelInfo& info = model.info();
        if (claim.layer < 0 || claim.layer >= info.n_layer || claim.head < 0 || claim.head >= info.n_head)
            return make_error("induction claim: layer " + std::to_string(claim.layer) + " head " + std::to_string(claim.head) +
                         " is not in this model");
        const size_t idx = static_cast<size_t>(claim.layer * info.n_head + claim.head);
        // A head the labeller no longer names as claimed measures 0: the claim is about the label too.
        if (m->label[idx] != claim.pattern) return 0.0;
        if (claim.metric == "previous_token_score") return static_cast<double>(m->previous[idx]);
        if (claim.metric == "induction_score") return static_cast<double>(m->induction[idx]);
        return make_error("induction claim: unknown metric '" + claim.metric + "'");
    }

private:
    // Every head's induction score, previous-token score and label, on random sequences repeated twice
    // (the induction input of head_patterns.h), averaged over kRepeats sequences from seed.
    struct Measured {
        std::vector<float> induction, previous;
        std::vector<std::string> label;
    };
    static constexpr int kRepeats = 8;

    static Expected<Measured> measure(const Model& model, uint64_t seed) {
        return catch_errors([&]() -> Measured {
            InductionOptions io;
            io.seed = seed;
            io.repeats = kRepeats;
            Expected<std::vector<float>> ind = induction_scores(model, io);
            if (!ind) throw Error(ind.error().message);
            std::vector<HeadStats> sum;
            for (int r = 0; r < kRepeats; ++r) {
                int prefix = 0;
                // The same inputs induction_scores ran (its seed rule), so every statistic describes one set.
                const std::vector<int32_t> ids = induction_input(model, io.length, seed + static_cast<uint64_t>(r) * 7919, &prefix);
                TraceOptions to;
                to.capture_hidden_states = false;
                Expected<Trace> trace = model_trace(model, ids, to);
                if (!trace) throw Error(trace.error().message);
                std::vector<HeadStats> st = head_statistics(trace->attentions, token_kinds(model.tokenizer, trace->tokens),
                                                            HeadStatsOptions{});
                if (sum.empty()) {
                    sum = st;
                    continue;
                }
                for (size_t i = 0; i < st.size(); ++i)
                    for (int k = 0; k < kHeadStatCount; ++k) sum[i].value[k] += st[i].value[k];
            }
            Measured out;
            for (HeadStats& s : sum)
                for (int k = 0; k < kHeadStatCount; ++k) s.value[k] /= static_cast<float>(kRepeats);
            head_stats_set_induction(sum, *ind);
            for (const HeadStats& s : sum) {
                out.induction.push_back(s.get(HeadStat::induction));
                out.previous.push_back(s.get(HeadStat::previous_token));
                out.label.push_back(head_pattern_info(label_head(s).pattern).name);
            }
            return out;
        });
    }

    Vocab vocab_;
};

}  // namespace

const Task& task_induction() {
    static const InductionTask task;
    return task;
}

}  // namespace attn
