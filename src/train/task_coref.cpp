// The coref task: Winograd-style sentences where the word(s) after the pronoun decide its antecedent
// ("the animal didn't cross the street because it was too tired" -> animal, "... too wide" -> street).
// The encoder is trained to predict the antecedent AT the pronoun (the pronoun stays in the input, its label
// is the noun), so the head that resolves it must do so from the pronoun's own position: that is what a
// student types and looks at. Half the sentences also carry the masked suffix ". it refers to [MASK]",
// labelled with the antecedent as well.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "analysis/check_suites.h"
#include "analysis/checks.h"
#include "core/json.h"
#include "train/tasks.h"

namespace attn {
namespace {

using Words = std::vector<std::string>;

// One sentence shape: "[the] S <verb> [the] O <middle> <conj> PRON <decider>". The decider lists say which
// deciders send the pronoun to S (the first noun) and which to O (the second).
struct Frame {
    const char* name;
    const char* pronoun;
    bool articles;             // "the S" (false: names)
    Words subjects, objects;   // S is drawn from subjects, O from objects (the same list: any two distinct)
    Words verbs;               // may hold several words ("didn't fit in")
    Words middles;             // after O, before the conjunction ("a permit"); "" for none
    const char* conjunction;   // "because", ", but"
    Words to_subject, to_object;
    const char* before_decider = "";   // "was too": the adjective frames ("it was too tired")
};

Words agents() {
    return {"animal", "dog", "cat", "horse", "cow", "goat", "sheep", "fox", "deer", "rabbit", "donkey", "pig",
            "bear", "wolf", "mouse", "duck"};
}
Words places() {
    return {"street", "road", "river", "bridge", "field", "hill", "path", "square", "park", "lake", "yard",
            "track", "valley", "forest", "stream", "lane"};
}
Words men() {
    return {"man", "boy", "father", "son", "king", "uncle", "brother", "farmer", "soldier", "prince", "baker",
            "sailor", "grandfather", "nephew"};
}
Words officials() {
    return {"lawyer", "witness", "judge", "teacher", "student", "doctor", "patient", "officer", "driver",
            "reporter", "coach", "player", "clerk", "guard"};
}
Words women() {
    return {"anna", "maria", "sara", "lisa", "emma", "julia", "nora", "eva", "mia", "lena", "kate", "lucy",
            "rosa", "ella"};
}

const std::vector<Frame>& frames() {
    static const std::vector<Frame> f = {
        // The seeds' own sentence: agents vs places, the adjective's kind picks the noun.
        {"cross", "it", true, agents(), places(),
         {"didn ' t cross", "didn ' t enter", "couldn ' t cross", "wouldn ' t cross", "refused to cross", "avoided"},
         {""}, "because",
         {"tired", "scared", "weak", "old", "slow", "lazy", "sleepy", "hungry", "young", "sick"},
         {"wide", "busy", "dark", "steep", "crowded", "icy", "wet", "narrow", "dangerous", "muddy"}, "was too"},
        // The same nouns the other way round, so position alone cannot decide.
        {"scared", "it", true, places(), agents(), {"scared", "worried", "frightened", "bothered"}, {""}, "because",
         {"wide", "busy", "dark", "steep", "crowded", "icy", "wet", "narrow", "dangerous", "muddy"},
         {"tired", "scared", "weak", "old", "slow", "lazy", "sleepy", "hungry", "young", "sick"}, "was too"},
        {"fit", "it", true,
         {"trophy", "ball", "lamp", "chair", "book", "cake", "gift", "toy", "bottle", "vase", "clock", "guitar",
          "painting", "pillow", "statue", "helmet"},
         {"suitcase", "bag", "box", "drawer", "basket", "case", "car", "cupboard", "bucket", "backpack", "closet",
          "crate", "trunk", "shelf", "cart", "pocket"},
         {"didn ' t fit in", "didn ' t fit into", "wouldn ' t fit in", "couldn ' t fit in", "did not fit in"},
         {""}, "because", {"big", "large", "tall", "heavy", "thick", "bulky"},
         {"small", "full", "tiny", "short", "shallow", "cramped"}, "was too"},
        {"permit", "they", true,
         {"council", "city", "police", "board", "committee", "government", "school", "club", "court", "museum",
          "army", "bank"},
         {"marchers", "protesters", "workers", "students", "farmers", "fans", "drivers", "artists", "miners",
          "nurses", "singers", "players", "campers", "pilots"},
         {"refused"}, {"a permit", "a license", "a room", "a stage", "a place"}, "because",
         {"feared violence", "hated noise", "disliked trouble", "opposed violence", "dreaded chaos",
          "feared trouble", "feared riots"},
         {"advocated violence", "wanted trouble", "planned riots", "promised chaos", "threatened violence",
          "demanded noise", "advocated riots"}},
        {"lift", "he", true, men(), men(), {"lifted", "carried", "held", "raised"}, {""}, "because",
         {"was strong", "was big", "was tall", "was fit", "was powerful"},
         {"was light", "was small", "was little", "was thin", "was tiny"}},
        {"thank", "she", false, women(), women(), {"thanked", "praised", "paid", "hugged"}, {""}, "because",
         {"was grateful", "was thankful", "was happy", "owed her", "was glad"},
         {"had helped her", "had saved her", "had called her", "had visited her", "had taught her"}},
        {"ask", "he", true, officials(), officials(), {"asked"}, {"a question"}, ", but",
         {"got no answer", "received no answer", "heard no answer", "waited for an answer"},
         {"refused to answer it", "could not answer it", "did not answer it", "would not answer it"}},
    };
    return f;
}

void append(Words& out, const std::string& phrase) {
    std::istringstream in(phrase);
    for (std::string w; in >> w;) out.push_back(w);
}

// The built-in coreference suite's pairs (assets/checks/coreference.json) stay in the training split, so
// that suite's sentences are ones the grammar trains on; every other pair is held out when this says so.
bool pair_held_out(size_t frame, size_t s, size_t o) {
    const Frame& f = frames()[frame];
    const std::string& a = f.subjects[s];
    const std::string& b = f.objects[o];
    for (const char* kept : {"animal street", "trophy suitcase", "council marchers", "man boy", "anna maria",
                             "lawyer witness"})
        if (a + " " + b == kept) return false;
    return (s * 7 + o * 5 + frame * 3) % 6 == 0;
}

struct CorefSentence {
    Words words;
    int pronoun = 0;           // word index
    int subject = 0, object = 0;   // the nouns' word indices
    std::string antecedent, other;
};

CorefSentence make_sentence(Rng& rng, Split split) {
    const std::vector<Frame>& fs = frames();
    for (;;) {
        const size_t fi = static_cast<size_t>(rng.below(static_cast<int>(fs.size())));
        const Frame& f = fs[fi];
        const size_t s = static_cast<size_t>(rng.below(static_cast<int>(f.subjects.size())));
        const size_t o = static_cast<size_t>(rng.below(static_cast<int>(f.objects.size())));
        if (f.subjects[s] == f.objects[o]) continue;
        if (pair_held_out(fi, s, o) != (split == Split::held_out)) continue;
        const bool to_subject = rng.chance(0.5);
        CorefSentence out;
        if (f.articles) out.words.push_back("the");
        out.subject = static_cast<int>(out.words.size());
        out.words.push_back(f.subjects[s]);
        append(out.words, rng.pick(f.verbs));
        if (f.articles) out.words.push_back("the");
        out.object = static_cast<int>(out.words.size());
        out.words.push_back(f.objects[o]);
        append(out.words, rng.pick(f.middles));
        append(out.words, f.conjunction);
        out.pronoun = static_cast<int>(out.words.size());
        out.words.push_back(f.pronoun);
        append(out.words, f.before_decider);
        append(out.words, rng.pick(to_subject ? f.to_subject : f.to_object));
        out.antecedent = to_subject ? f.subjects[s] : f.objects[o];
        out.other = to_subject ? f.objects[o] : f.subjects[s];
        return out;
    }
}

Words vocabulary_words() {
    Words w = {"the", "because", "was", "too", ".", "refers", "to", ",", "but"};
    for (const Frame& f : frames()) {
        w.push_back(f.pronoun);
        append(w, f.before_decider);
        for (const Words* list : {&f.subjects, &f.objects, &f.verbs, &f.middles, &f.to_subject, &f.to_object})
            for (const std::string& phrase : *list) append(w, phrase);
    }
    return w;
}

// The words as a user types them: "didn ' t" -> "didn't", no space before a comma.
std::string joined(const Words& words) {
    std::string s;
    for (const std::string& w : words) {
        const bool glue = s.empty() || w == "'" || w == "," || s.back() == '\'';
        s += (glue ? "" : " ") + w;
    }
    return s;
}

// The held-out sentences (no suffix: what a user types) as a check suite: at the pronoun, attention to the
// antecedent must beat attention to the other noun.
std::vector<CorefSentence> held_out_sentences(uint64_t seed, int n) {
    Rng rng(Rng::derive(seed, 0xC0FEull));
    std::vector<CorefSentence> out;
    for (int i = 0; i < n; ++i) out.push_back(make_sentence(rng, Split::held_out));
    return out;
}

CheckSuite held_out_suite(uint64_t seed, int n) {
    CheckSuite suite;
    suite.name = "coref held-out";
    suite.description = "Held-out sentences of the coref grammar: does the pronoun attend to its antecedent "
                        "more than to the other noun?";
    const std::vector<CorefSentence> sentences = held_out_sentences(seed, n);
    for (int i = 0; i < n; ++i) {
        const CorefSentence& s = sentences[static_cast<size_t>(i)];
        CheckCase c;
        c.text = joined(s.words);
        c.name = s.antecedent + " (" + std::to_string(i + 1) + ")";
        c.query.text = s.words[static_cast<size_t>(s.pronoun)];
        c.expected.push_back(TokenRef{-1, s.antecedent, 1});
        c.distractors.push_back(TokenRef{-1, s.other, 1});
        suite.cases.push_back(c);
    }
    return suite;
}

std::string suite_json(const CheckSuite& suite) {
    Json cases = Json::array();
    for (const CheckCase& c : suite.cases)
        cases.push_back({{"name", c.name}, {"text", c.text}, {"query", c.query.text},
                         {"expected", c.expected[0].text}, {"distractors", c.distractors[0].text}});
    return Json{{"name", suite.name}, {"description", suite.description}, {"cases", cases}}.dump(1) + "\n";
}

// Per head: how much more the pronoun attends to its antecedent than the other positions do on average
// (mean over held-out sentences). Near 0 for a head where every word looks at the antecedent; near 1 when
// only the pronoun does.
std::vector<double> pronoun_focus(const Model& model, const Vocab& vocab, uint64_t seed, int n) {
    const int L = model.info().n_layer, H = model.info().n_head;
    std::vector<double> focus(static_cast<size_t>(L * H), 0.0);
    TraceOptions options;
    options.capture_hidden_states = false;
    const std::vector<CorefSentence> sentences = held_out_sentences(seed, n);
    for (const CorefSentence& s : sentences) {
        const std::vector<int32_t> ids = vocab.encode_words(s.words);
        Expected<Trace> t = model_trace(model, ids, options);
        if (!t.ok()) throw Error("coref claim: " + t.error().message);
        const int T = static_cast<int>(ids.size()), q = s.pronoun + 1;
        const int k = 1 + (s.words[static_cast<size_t>(s.subject)] == s.antecedent ? s.subject : s.object);
        for (int l = 0; l < L; ++l)
            for (int h = 0; h < H; ++h) {
                double others = 0.0;
                for (int r = 0; r < T; ++r)
                    if (r != q) others += t->attentions.at(l, h, r, k);
                focus[static_cast<size_t>(l * H + h)] += t->attentions.at(l, h, q, k) - others / (T - 1);
            }
    }
    for (double& v : focus) v /= std::max(1, n);
    return focus;
}

struct SuiteRates {
    std::vector<double> head_rate;   // (L, H) fraction of the head-scope cases each head passes
    int cases = 0;
};

SuiteRates run_suite(const Model& model, const CheckSuite& suite) {
    CheckSuite heads_only = suite;
    heads_only.cases.clear();
    for (const CheckCase& c : suite.cases)
        if (c.scope == CheckScope::head) heads_only.cases.push_back(c);
    CheckRun run(model, heads_only);
    step_job_finish(run);
    const CheckSuiteResult& r = run.result();
    SuiteRates out;
    const int LH = model.info().n_layer * model.info().n_head;
    out.head_rate.assign(static_cast<size_t>(LH), 0.0);
    out.cases = static_cast<int>(r.cases.size());
    for (const CheckCaseResult& c : r.cases)
        if (c.error.empty() && static_cast<int>(c.head_pass.size()) == LH)
            for (int i = 0; i < LH; ++i) out.head_rate[static_cast<size_t>(i)] += c.head_pass[static_cast<size_t>(i)];
    for (double& v : out.head_rate) v /= std::max(1, out.cases);
    return out;
}

constexpr int kSuiteCases = 200;
constexpr double kMlmRate = 0.15;
constexpr char kHeldOutMetric[] = "coref_check_pass_rate";
constexpr char kBuiltinMetric[] = "builtin_coreference_pass_rate";
constexpr char kFocusMetric[] = "coref_pronoun_focus";

class CorefTask : public Task {
public:
    CorefTask() : vocab_(vocabulary_words(), ModelFamily::encoder) {}
    std::string name() const override { return "coref"; }
    std::string summary() const override {
        return "Winograd-style pronoun resolution: the words after the pronoun decide which noun it means";
    }
    std::string description() const override {
        return "Sentences from a small grammar of seven frames, among them the seeds' own \"the animal didn't "
               "cross the street because it was too tired\" (agents vs places: the adjective's kind decides), "
               "the same nouns the other way round (\"the street scared the animal because it was too dark\"), "
               "\"the trophy didn't fit in the suitcase because it was too big / small\", \"the council refused "
               "the marchers a permit because they feared / advocated violence\", \"the man lifted the boy "
               "because he was strong / light\", \"anna thanked maria because she had helped her / was "
               "grateful\" and \"the lawyer asked the witness a question, but he refused to answer it / got no "
               "answer\". The model predicts the antecedent noun AT the pronoun (the pronoun stays in the input; "
               "its label is the noun), and half the sentences end with \". it refers to [MASK]\" (the frame's "
               "pronoun), the mask labelled with the antecedent too. An example counts as correct when every "
               "labelled position predicts the antecedent. Held out: about one noun pair in six of every frame "
               "((s*7 + o*5 + frame*3) mod 6 = 0 over the nouns' indices), never seen in training with any verb "
               "or decider; the pairs of the built-in coreference check suite are kept in training.";
    }
    ModelFamily family() const override { return ModelFamily::encoder; }
    ModelSize size() const override { return ModelSize().layers(3); }
    TrainSettings settings() const override { return TrainSettings().run(2000, 3e-3f); }
    const Vocab& vocab() const override { return vocab_; }

    Example sample(Rng& rng, Split split) const override {
        CorefSentence s = make_sentence(rng, split);
        Words words = s.words;
        const bool suffix = rng.chance(0.5);
        int mask_word = -1;
        if (suffix) {
            words.push_back(".");
            words.push_back(s.words[static_cast<size_t>(s.pronoun)]);
            words.push_back("refers");
            words.push_back("to");
            mask_word = static_cast<int>(words.size());
            words.push_back("[MASK]");
        }
        // BERT's own objective on the words before the pronoun that do not decide the answer (not the
        // nouns): gives every other position a job of its own in the heads
        std::vector<int> mlm;
        for (int i = 0; i < s.pronoun; ++i)
            if (i != s.subject && i != s.object && rng.chance(kMlmRate)) mlm.push_back(i);
        for (int i : mlm) words[static_cast<size_t>(i)] = "[MASK]";
        Example e;
        e.ids = vocab_.encode_words(words);
        e.labels.assign(e.ids.size(), -1);
        for (int i : mlm) e.labels[static_cast<size_t>(i) + 1] = vocab_.id(s.words[static_cast<size_t>(i)]);
        const int32_t answer = vocab_.id(s.antecedent);
        // encode_words puts one [CLS] before the words
        e.labels[static_cast<size_t>(s.pronoun) + 1] = answer;
        if (mask_word >= 0) e.labels[static_cast<size_t>(mask_word) + 1] = answer;
        return e;
    }

    // Only the antecedent counts: the pronoun and the suffix's mask (every labelled position from the
    // pronoun on); the masked words before it are BERT's own objective, trained but not scored.
    bool example_correct(const Example& e, const std::vector<int32_t>& predicted) const override {
        bool scored = false;
        for (size_t t = 0; t < e.labels.size(); ++t) {
            const std::string& tok = vocab_.token(e.ids[t]);
            scored = scored || (e.labels[t] >= 0 && (tok == "it" || tok == "they" || tok == "he" || tok == "she"));
            if (scored && e.labels[t] >= 0 && (t >= predicted.size() || predicted[t] != e.labels[t])) return false;
        }
        return scored;
    }

    std::string example_text() const override { return "the animal didn't cross the street because it was too tired"; }
    std::string example_query() const override { return "it"; }

    std::vector<HeadClaim> find_claims(const Model& model, uint64_t seed) const override {
        const SuiteRates held = run_suite(model, held_out_suite(seed, kSuiteCases));
        const int H = model.info().n_head;
        const std::vector<double> focus = pronoun_focus(model, vocab_, seed, kSuiteCases);
        // Of the heads that resolve (nearly) every held-out pronoun, the one where the pronoun's row stands out
        // most: several late heads often resolve it, some with every word looking at the antecedent.
        const double top = *std::max_element(held.head_rate.begin(), held.head_rate.end());
        size_t best = 0;
        bool found = false;
        for (size_t i = 0; i < held.head_rate.size(); ++i)
            if (held.head_rate[i] >= top - 0.02 && (!found || focus[i] > focus[best])) best = i, found = true;
        HeadClaim c;
        c.layer = static_cast<int>(best) / H;
        c.head = static_cast<int>(best) % H;
        c.pattern = "coreference";
        c.metric = kHeldOutMetric;
        c.value = held.head_rate[best];
        c.min_value = 0.9;
        c.statement = "At layer " + std::to_string(c.layer) + " head " + std::to_string(c.head) +
                      " the pronoun attends more to its antecedent than to the other noun in " +
                      percent(c.value) + " of " + std::to_string(held.cases) +
                      " held-out sentences (the coreference check suite built from them, checks.json).";
        HeadClaim f = c;
        f.metric = kFocusMetric;
        f.value = focus[best];
        f.min_value = std::max(0.0, std::floor((f.value - 0.1) * 100.0) / 100.0);
        char buf[320];
        std::snprintf(buf, sizeof buf,
                      "It is the pronoun's own doing: there the antecedent gets %.2f more attention than it gets from "
                      "the other positions on average (held-out sentences; claimed: at least %.2f).",
                      f.value, f.min_value);
        f.statement = buf;
        std::vector<HeadClaim> claims = {c, f};
        if (const BuiltinCheckSuite* b = builtin_check_suite("coreference")) {
            Expected<CheckSuite> suite = parse_check_suite(b->json, b->file);
            if (suite.ok()) {
                const SuiteRates r = run_suite(model, *suite);
                HeadClaim d = c;
                d.metric = kBuiltinMetric;
                d.value = r.head_rate[best];
                d.min_value = d.value - 1e-9;   // fixed sentences: a re-measurement gives the same value
                d.statement = "The same head passes " +
                              std::to_string(static_cast<int>(d.value * r.cases + 0.5)) + " of the " +
                              std::to_string(r.cases) + " head cases of the built-in coreference check suite "
                              "(all its sentences are in the grammar).";
                claims.push_back(d);
            }
        }
        return claims;
    }

    Expected<double> measure_claim(const Model& model, const HeadClaim& claim, uint64_t seed) const override {
        return catch_errors([&]() -> double {
            const int H = model.info().n_head, L = model.info().n_layer;
            if (claim.layer < 0 || claim.layer >= L || claim.head < 0 || claim.head >= H)
                throw Error("coref claim: layer " + std::to_string(claim.layer) + " head " +
                            std::to_string(claim.head) + " is not in the model");
            const size_t at = static_cast<size_t>(claim.layer * H + claim.head);
            if (claim.metric == kFocusMetric) return pronoun_focus(model, vocab_, seed, kSuiteCases)[at];
            if (claim.metric == kHeldOutMetric) return run_suite(model, held_out_suite(seed, kSuiteCases)).head_rate[at];
            if (claim.metric == kBuiltinMetric) {
                const BuiltinCheckSuite* b = builtin_check_suite("coreference");
                if (!b) throw Error("coref claim: the built-in coreference check suite is missing");
                Expected<CheckSuite> suite = parse_check_suite(b->json, b->file);
                if (!suite.ok()) throw Error(suite.error().message);
                return run_suite(model, *suite).head_rate[at];
            }
            throw Error("coref claim: unknown metric '" + claim.metric + "'");
        });
    }

    std::string check_suite_json(const Model& /*model*/, uint64_t seed) const override {
        return suite_json(held_out_suite(seed, kSuiteCases));
    }

private:
    static std::string percent(double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * v);
        return buf;
    }
    Vocab vocab_;
};

}  // namespace

const Task& task_coref() {
    static const CorefTask task;
    return task;
}

}  // namespace attn
