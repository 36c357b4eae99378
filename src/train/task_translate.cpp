// Task `translate` (encoder-decoder): English-like sentences "det [adj] noun verb det [adj] noun" into a
// toy Esperanto-like language that puts the verb last (SVO -> SOV) and each adjective after its noun, so a
// cross-attention head that aligns each target word with its source word draws a pattern that is not the
// diagonal: "the big dog sees a red cat" -> "la hundo granda un kato ruga vidas".
//
// Accuracy: a sentence is right when every target position's argmax is its label under teacher forcing,
// which is exactly greedy decoding producing the whole target (each greedy step then reads the same input
// as the teacher-forced one). Claims: at the decoder position writing each content word (nouns,
// adjectives, the verb), does a cross-attention head give that word's source word more weight than any
// other content word of the sentence (the check suite's "margin > 0" rule, so checks.json and the claims
// measure the same thing)? The card features the head that does so most often for the words that move
// (adjectives, the verb), since those make the pattern leave the diagonal. Determiners are left out (la/un have no single source word once
// the order changes), and so are the special tokens, where heads park attention they do not use.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "core/json.h"
#include "train/tasks.h"

namespace attn {
namespace {

struct Word {
    const char* source;
    const char* target;
};

const std::vector<Word>& nouns() {
    static const std::vector<Word> w = {
        {"dog", "hundo"}, {"cat", "kato"},   {"bird", "birdo"}, {"horse", "cevalo"}, {"fox", "vulpo"},   {"mouse", "muso"},
        {"fish", "fiso"}, {"bear", "urso"},  {"wolf", "lupo"},  {"lion", "leono"},   {"frog", "rano"},   {"cow", "bovino"},
        {"goat", "kapro"}, {"duck", "anaso"}, {"snake", "serpento"}, {"rabbit", "kuniklo"}};
    return w;
}
const std::vector<Word>& adjectives() {
    static const std::vector<Word> w = {
        {"big", "granda"}, {"small", "eta"},  {"red", "ruga"},    {"blue", "blua"},  {"green", "verda"},    {"old", "maljuna"},
        {"young", "juna"}, {"happy", "felica"}, {"sad", "trista"}, {"fast", "rapida"}, {"slow", "malrapida"}, {"black", "nigra"}};
    return w;
}
const std::vector<Word>& verbs() {
    static const std::vector<Word> w = {
        {"sees", "vidas"},    {"chases", "casas"}, {"eats", "mangas"}, {"likes", "satas"},   {"follows", "sekvas"}, {"finds", "trovas"},
        {"hears", "audas"},   {"bites", "mordas"}, {"helps", "helpas"}, {"watches", "rigardas"}, {"pushes", "pusas"}, {"calls", "vokas"}};
    return w;
}
const std::vector<Word>& determiners() {
    static const std::vector<Word> w = {{"the", "la"}, {"a", "un"}};
    return w;
}

// One generated pair. align[j]: the source word index of target word j, -1 for determiners; moved[j]: the
// word sits elsewhere than its source word's slot (adjectives and the verb).
struct Pair {
    std::vector<std::string> source, target;
    std::vector<int> align;
    std::vector<bool> moved;
};

// Held out: every (subject, object, verb) triple with this property never appears in training, so
// held-out sentences are new combinations, not repeats.
bool held_out_triple(int subject, int object, int verb) { return (subject + 3 * object + 5 * verb) % 7 == 0; }

Pair generate(Rng& rng, Split split) {
    const int N = static_cast<int>(nouns().size()), A = static_cast<int>(adjectives().size()), V = static_cast<int>(verbs().size());
    int subject = 0, object = 0, verb = 0;
    do {
        subject = rng.below(N);
        object = rng.below(N);
        verb = rng.below(V);
    } while (object == subject || held_out_triple(subject, object, verb) != (split == Split::held_out));
    Pair p;
    // A noun phrase: its source words appended, its target words returned with their source indices.
    auto phrase = [&](int noun, std::vector<std::string>& tw, std::vector<int>& ta) {
        const Word& det = determiners()[static_cast<size_t>(rng.below(2))];
        const bool adjective = rng.chance(0.6);
        const Word& adj = adjectives()[static_cast<size_t>(rng.below(A))];
        const int at = static_cast<int>(p.source.size());
        p.source.push_back(det.source);
        if (adjective) p.source.push_back(adj.source);
        p.source.push_back(nouns()[static_cast<size_t>(noun)].source);
        tw = {det.target, nouns()[static_cast<size_t>(noun)].target};
        ta = {-1, at + (adjective ? 2 : 1)};
        if (adjective) {
            tw.push_back(adj.target);
            ta.push_back(at + 1);
        }
    };
    std::vector<std::string> sw, ow;
    std::vector<int> sa, oa;
    phrase(subject, sw, sa);
    const int verb_at = static_cast<int>(p.source.size());
    p.source.push_back(verbs()[static_cast<size_t>(verb)].source);
    phrase(object, ow, oa);
    for (size_t i = 0; i < sw.size(); ++i) p.target.push_back(sw[i]), p.align.push_back(sa[i]), p.moved.push_back(i == 2);
    for (size_t i = 0; i < ow.size(); ++i) p.target.push_back(ow[i]), p.align.push_back(oa[i]), p.moved.push_back(i == 2);
    p.target.push_back(verbs()[static_cast<size_t>(verb)].target);
    p.align.push_back(verb_at);
    p.moved.push_back(true);
    return p;
}

std::string join(const std::vector<std::string>& words) {
    std::string s;
    for (const std::string& w : words) s += (s.empty() ? "" : " ") + w;
    return s;
}

constexpr int kClaimSentences = 300;
constexpr char kWordMetric[] = "cross_alignment_word_rate";
constexpr char kMovedMetric[] = "cross_alignment_moved_word_rate";
constexpr char kSentenceMetric[] = "cross_alignment_sentence_rate";

// Per decoder layer and head: aligned content words, aligned moved words (adjectives and verbs), and
// sentences whose every content word aligned.
struct AlignmentCounts {
    int words = 0, moved = 0, sentences = 0;
    std::vector<int> word_hits, moved_hits, sentence_hits;   // (L * H)
    double rate(const std::string& metric, int cell) const {
        if (metric == kWordMetric) return static_cast<double>(word_hits[cell]) / std::max(1, words);
        if (metric == kMovedMetric) return static_cast<double>(moved_hits[cell]) / std::max(1, moved);
        return static_cast<double>(sentence_hits[cell]) / std::max(1, sentences);
    }
};

class TranslateTask : public Task {
public:
    TranslateTask() {
        std::vector<std::string> words;
        for (const auto* list : {&determiners(), &nouns(), &adjectives(), &verbs()})
            for (const Word& w : *list) words.push_back(w.source);
        for (const auto* list : {&determiners(), &nouns(), &adjectives(), &verbs()})
            for (const Word& w : *list) words.push_back(w.target);
        vocab_ = Vocab(words, ModelFamily::encoder_decoder);
    }
    std::string name() const override { return "translate"; }
    std::string summary() const override {
        return "toy translation with word-order changes (SVO -> SOV, adjective after the noun): cross attention aligns words";
    }
    std::string description() const override {
        return "Sentences \"det [adj] noun verb det [adj] noun\" over 16 nouns, 12 adjectives and 12 verbs (an adjective "
               "with probability 0.6, subject and object different) and their translation into a toy Esperanto-like "
               "language with its own word for each English word, the verb moved to the end and each adjective after "
               "its noun: \"the big dog sees a red cat\" -> \"la hundo granda un kato ruga vidas\". One in seven "
               "(subject, object, verb) triples is held out of training entirely; held-out accuracy is measured on "
               "those unseen combinations. A sentence counts as right when greedy decoding writes the whole "
               "translation (equivalently, every teacher-forced position's argmax is right).";
    }
    ModelFamily family() const override { return ModelFamily::encoder_decoder; }
    // One cross-attention layer: the alignment cannot hide in a second one.
    ModelSize size() const override { return ModelSize().decoder_layers(1).context(16); }
    TrainSettings settings() const override {
        TrainSettings t = TrainSettings().run(1200, 2e-3f);
        t.warmup = 0.1f;
        t.eval_every = 200;
        return t;
    }
    const Vocab& vocab() const override { return vocab_; }

    Example sample(Rng& rng, Split split) const override { return example_of(generate(rng, split)); }

    std::string example_text() const override { return "the big dog chases a red cat"; }

    std::vector<HeadClaim> find_claims(const Model& model, uint64_t seed) const override {
        Expected<AlignmentCounts> c = count_alignments(model, seed);
        if (!c) return {};
        const int H = model.info().n_decoder_head, cells = static_cast<int>(c->word_hits.size());
        // The head that follows the reordering best (the words that move), then the one aligning most words.
        int best = 0;
        for (int i = 1; i < cells; ++i)
            if (std::make_pair(c->moved_hits[i], c->word_hits[i]) > std::make_pair(c->moved_hits[best], c->word_hits[best]))
                best = i;
        const std::string where = "Decoder layer " + std::to_string(best / H) + " head " + std::to_string(best % H);
        const std::string sentences = std::to_string(kClaimSentences) + " held-out sentences";
        const std::string of = " of them in " + sentences, of_sentences = " of " + sentences;
        auto claim = [&](const char* metric, const std::string& statement, const std::string& tail) {
            HeadClaim h;
            h.layer = best / H;
            h.head = best % H;
            h.pattern = "cross_alignment";
            h.metric = metric;
            h.value = c->rate(metric, best);
            h.min_value = margin_below(h.value);
            h.statement = statement + percent(h.value) + tail + ".";
            return h;
        };
        return {claim(kMovedMetric, where + "'s cross attention follows the reordering: at the decoder position that writes "
                                            "a word that moves (each adjective now after its noun, the verb now last) "
                                            "it gives that word's source word more weight than any other noun, "
                                            "adjective or verb of the sentence for ", of),
                claim(kWordMetric, where + " does the same for every noun, adjective and verb (the nouns keep their "
                                           "order) for ", of),
                claim(kSentenceMetric, where + " aligns every noun, adjective and verb of a sentence at once on ", of_sentences)};
    }

    Expected<double> measure_claim(const Model& model, const HeadClaim& claim, uint64_t seed) const override {
        if (claim.metric != kWordMetric && claim.metric != kMovedMetric && claim.metric != kSentenceMetric)
            return make_error("translate: unknown claim metric '" + claim.metric + "' (known: " + kWordMetric + ", " +
                              kMovedMetric + ", " + kSentenceMetric + ")");
        const int H = model.info().n_decoder_head;
        if (claim.layer < 0 || claim.layer >= model.info().n_decoder_layer || claim.head < 0 || claim.head >= H)
            return make_error("translate: the claim's layer " + std::to_string(claim.layer) + " head " +
                              std::to_string(claim.head) + " is outside the model's decoder");
        Expected<AlignmentCounts> c = count_alignments(model, seed);
        if (!c) return c.error();
        return c->rate(claim.metric, claim.layer * H + claim.head);
    }

    // Held-out sentences, one case per content word: the query is the decoder position that writes the
    // word (its input is the previous target token), the expected key its source word, the distractors the
    // sentence's other content words.
    std::string check_suite_json(const Model& /*model*/, uint64_t seed) const override {
        Rng rng(Rng::derive(seed, 0x7A11));
        Json cases = Json::array();
        for (int i = 0; i < 12; ++i) {
            const Pair p = generate(rng, Split::held_out);
            for (size_t j = 0; j < p.target.size(); ++j) {
                if (p.align[j] < 0) continue;
                const std::string& src = p.source[static_cast<size_t>(p.align[j])];
                // A source word by its index: the same adjective may occur in both noun phrases.
                auto ref = [&](int at) {
                    const auto first = p.source.begin(), here = first + at;
                    Json r = {{"text", *here}};
                    if (const auto before = std::count(first, here, *here)) r["occurrence"] = before + 1;
                    return r;
                };
                Json distractors = Json::array();
                for (size_t k = 0; k < p.target.size(); ++k)
                    if (k != j && p.align[k] >= 0) distractors.push_back(ref(p.align[k]));
                // The target reads [start, <s>, w0, w1, ...]: position j + 1 reads w(j-1) (or <s>) and writes wj.
                cases.push_back({{"name", std::to_string(i) + ": writing '" + p.target[j] + "' looks at '" + src + "'"},
                                 {"text", join(p.source)},
                                 {"target", join(p.target)},
                                 {"attention", "cross"},
                                 {"query", {{"position", static_cast<int>(j) + 1}}},
                                 {"expected", Json::array({ref(p.align[j])})},
                                 {"distractors", distractors}});
            }
        }
        Json suite = {{"name", "translate-alignment"},
                      {"description",
                       "Held-out translate sentences: at the decoder position that writes each noun, adjective and verb, "
                       "cross attention should look at that word's source word more than at the other content words "
                       "(the adjective follows its noun and the verb moves to the end)."},
                      {"cases", cases}};
        return suite.dump(1) + "\n";
    }

private:
    Example example_of(const Pair& p) const {
        Example e;
        e.ids = vocab_.encode_words(p.source);
        e.labels = vocab_.encode_words(p.target);   // <s> w0 ... wn </s>
        e.decoder_ids.push_back(vocab_.eos);        // decoder_start_token_id, as BART
        e.decoder_ids.insert(e.decoder_ids.end(), e.labels.begin(), e.labels.end() - 1);
        return e;
    }

    static double margin_below(double v) { return std::max(0.0, std::floor((v - 0.05) * 100.0) / 100.0); }
    static std::string percent(double v) {
        char b[32];
        std::snprintf(b, sizeof b, "%.1f%%", 100.0 * v);
        return b;
    }

    Expected<AlignmentCounts> count_alignments(const Model& model, uint64_t seed) const {
        const ModelInfo& info = model.info();
        if (!info.encoder_decoder) return make_error("translate: the model is not an encoder-decoder model");
        const int L = info.n_decoder_layer, H = info.n_decoder_head;
        AlignmentCounts c;
        c.word_hits.assign(static_cast<size_t>(L) * H, 0);
        c.moved_hits.assign(c.word_hits.size(), 0);
        c.sentence_hits.assign(c.word_hits.size(), 0);
        Rng rng(Rng::derive(seed, 0xA119));
        TraceOptions options;
        options.capture_hidden_states = false;
        for (int n = 0; n < kClaimSentences; ++n) {
            const Pair p = generate(rng, Split::held_out);
            const Example e = example_of(p);
            Expected<Trace> t = model_trace_seq2seq(model, e.ids, e.decoder_ids, options);
            if (!t) return t.error();
            const AttentionTensor& a = t->cross_attentions;
            std::vector<int> all(c.word_hits.size(), 1);
            for (size_t j = 0; j < p.target.size(); ++j) {
                if (p.align[j] < 0) continue;
                const int query = static_cast<int>(j) + 1, expected = p.align[j] + 1;   // +1: the source's <s>
                c.words += 1;
                c.moved += p.moved[j];
                for (int l = 0; l < L; ++l)
                    for (int h = 0; h < H; ++h) {
                        float rival = 0.0f;   // the most weight on another content word's source word
                        for (size_t k = 0; k < p.target.size(); ++k)
                            if (k != j && p.align[k] >= 0) rival = std::max(rival, a.at(l, h, query, p.align[k] + 1));
                        const bool hit = a.at(l, h, query, expected) > rival;
                        c.word_hits[static_cast<size_t>(l) * H + h] += hit;
                        c.moved_hits[static_cast<size_t>(l) * H + h] += hit && p.moved[j];
                        all[static_cast<size_t>(l) * H + h] &= hit;
                    }
            }
            c.sentences += 1;
            for (size_t i = 0; i < all.size(); ++i) c.sentence_hits[i] += all[i];
        }
        return c;
    }

    Vocab vocab_;
};

}  // namespace

const Task& task_translate() {
    static const TranslateTask task;
    return task;
}

}  // namespace attn
