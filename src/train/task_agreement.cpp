// The agreement task: "the keys to the cabinet are / the key to the cabinets is". A decoder predicts the
// main verb of sentences whose subject is separated from it by distractor nouns (prepositional phrases,
// object and subject relative clauses), and only the verb is scored, so the model has to carry the
// subject's number past the distractors. The claim is measured with a check suite (analysis/checks.h):
// from the position that predicts the verb, the named head attends to the subject more than to any
// distractor noun, on held-out sentences whose (subject, distractor) noun pairs training never shows.
#include <algorithm>

#include "analysis/check_suites.h"
#include "analysis/checks.h"
#include "core/json.h"
#include "train/tasks.h"

namespace attn {
namespace {

struct NounPair {
    const char* one;
    const char* many;
};
const std::vector<NounPair>& agreement_nouns() {
    static const std::vector<NounPair> nouns = {
        {"key", "keys"}, {"cabinet", "cabinets"}, {"dog", "dogs"}, {"man", "men"}, {"woman", "women"},
        {"child", "children"}, {"book", "books"}, {"table", "tables"}, {"car", "cars"}, {"house", "houses"},
        {"teacher", "teachers"}, {"student", "students"}, {"box", "boxes"}, {"door", "doors"}, {"bird", "birds"},
        {"tree", "trees"}, {"letter", "letters"}, {"window", "windows"}, {"farmer", "farmers"},
        {"painting", "paintings"}, {"girl", "girls"}, {"boy", "boys"}, {"doctor", "doctors"}, {"cat", "cats"},
    };
    return nouns;
}
// Relative-clause verbs: plural form, singular form (they agree with their own subject, another trap).
const std::vector<NounPair>& agreement_clause_verbs() {
    static const std::vector<NounPair> verbs = {
        {"holds", "hold"}, {"sees", "see"}, {"likes", "like"}, {"opens", "open"},
        {"finds", "find"}, {"watches", "watch"}, {"loves", "love"}, {"fixes", "fix"},
    };
    return verbs;
}
const std::vector<std::string> kPrepositions = {"to", "on", "near", "behind", "with", "for", "of", "under", "beside"};
const std::vector<std::string> kAdjectives = {"old", "new", "red", "small", "big", "broken"};   // before a noun
const std::vector<std::string> kPredicates = {"old", "new", "red", "small", "big", "broken", "lost", "ready", "here"};
const std::vector<std::vector<std::string>> kPrefixes = {
    {}, {}, {}, {"i", "think", "that"}, {"we", "know", "that"}, {"they", "said", "that"}, {"yesterday"}, {"today"}, {"maybe"},
};
const std::vector<std::string> kSingularVerbs = {"is", "was"}, kPluralVerbs = {"are", "were"};

std::vector<std::string> agreement_words() {
    std::vector<std::string> w = {"the", "that", ".", "is", "was", "are", "were"};
    for (const NounPair& n : agreement_nouns()) w.insert(w.end(), {n.one, n.many});
    for (const NounPair& v : agreement_clause_verbs()) w.insert(w.end(), {v.one, v.many});
    w.insert(w.end(), kPrepositions.begin(), kPrepositions.end());
    w.insert(w.end(), kPredicates.begin(), kPredicates.end());
    for (const auto& p : kPrefixes) w.insert(w.end(), p.begin(), p.end());
    return w;
}

// Subject / first-distractor noun pairs that only held-out data uses (about one in five).
bool held_out_pair(int subject, int distractor) { return (subject * 31 + distractor * 17) % 5 == 0; }

// One generated sentence with what the check suite and the labels need.
struct AgreementSentence {
    std::vector<std::string> words;
    int verb = -1;                      // index of the main verb in words
    std::string subject;                // the subject noun as written
    std::vector<std::string> distractors;   // every other noun as written
};

class AgreementTask : public Task {
public:
    AgreementTask() : vocab_(agreement_words(), ModelFamily::decoder) {}
    std::string name() const override { return "agreement"; }
    std::string summary() const override {
        return "subject-verb number agreement across distractor nouns and relative clauses";
    }
    std::string description() const override {
        return "Sentences from a small grammar: an optional opener (\"i think that\", \"yesterday\", ...), the "
               "subject (\"the [adjective] key(s)\"), then a stretch with distractor nouns of either number: a "
               "prepositional phrase (\"to the cabinets\"), two of them, an object relative clause (\"that the "
               "men hold\") or a subject relative clause (\"that opens the doors\"), then the main verb (is / are; "
               "was / were after \"yesterday\") and an adjective. " + std::to_string(agreement_nouns().size()) +
               " nouns in both numbers; the distractor's number differs from the subject's in 70% of sentences. "
               "Only the main verb is scored (the label at the word before it), so the model must carry the "
               "subject's number past the distractors. Held out: one in five (subject, distractor) noun pairs "
               "never appears in training. Accuracy: the predicted word at the verb position is a verb of the "
               "subject's number (is / was for one, are / were for several).";
    }
    ModelFamily family() const override { return ModelFamily::decoder; }
    ModelSize size() const override { return ModelSize(); }
    TrainSettings settings() const override { return TrainSettings().run(1200, 3e-3f); }
    const Vocab& vocab() const override { return vocab_; }

    Example sample(Rng& rng, Split split) const override {
        const AgreementSentence s = sentence(rng, split);
        Example e;
        e.ids = vocab_.encode_words(s.words);
        e.labels.assign(e.ids.size(), -1);
        const int offset = static_cast<int>(e.ids.size() - s.words.size());   // the <bos>
        e.labels[static_cast<size_t>(offset + s.verb - 1)] = e.ids[static_cast<size_t>(offset + s.verb)];
        return e;
    }

    bool example_correct(const Example& e, const std::vector<int32_t>& predicted) const override {
        for (size_t t = 0; t < e.labels.size(); ++t) {
            if (e.labels[t] < 0) continue;
            if (t >= predicted.size() || predicted[t] < 0) return false;
            const int want = verb_number(e.labels[t]), got = verb_number(predicted[t]);
            if (want < 0 || got != want) return false;
        }
        return true;
    }

    std::string example_text() const override { return "the keys to the cabinet are"; }
    std::string example_query() const override { return "cabinet"; }   // the word that predicts the verb

    std::vector<HeadClaim> find_claims(const Model& model, uint64_t seed) const override {
        std::vector<HeadClaim> claims;
        Expected<std::vector<float>> rates = pass_rates(model, seed);
        if (!rates || rates->empty()) return claims;
        const int best = static_cast<int>(std::max_element(rates->begin(), rates->end()) - rates->begin());
        HeadClaim c;
        c.layer = best / model.info().n_head;
        c.head = best % model.info().n_head;
        c.pattern = "agreement";
        c.metric = "agreement_check_pass_rate";
        c.value = (*rates)[static_cast<size_t>(best)];
        c.min_value = std::max(0.0, c.value - 0.1);
        c.statement = "From the word before the main verb (where the verb is predicted) it attends to the subject "
                      "noun more than to every distractor noun; the value is the fraction of held-out sentences "
                      "(checks.json) where it does.";
        claims.push_back(c);
        return claims;
    }

    Expected<double> measure_claim(const Model& model, const HeadClaim& claim, uint64_t seed) const override {
        if (claim.metric != "agreement_check_pass_rate")
            return make_error("agreement claim: unknown metric '" + claim.metric + "'");
        const ModelInfo& info = model.info();
        if (claim.layer < 0 || claim.layer >= info.n_layer || claim.head < 0 || claim.head >= info.n_head)
            return make_error("agreement claim: layer " + std::to_string(claim.layer) + " head " +
                              std::to_string(claim.head) + " is not in this model");
        Expected<std::vector<float>> rates = pass_rates(model, seed);
        if (!rates) return rates.error();
        return static_cast<double>((*rates)[static_cast<size_t>(claim.layer * info.n_head + claim.head)]);
    }

    std::string check_suite_json(const Model& /*model*/, uint64_t seed) const override { return suite_json(seed, kSuiteCases); }

private:
    static constexpr int kSuiteCases = 200;

    // +1 plural verb, 0 singular, -1 not a main verb.
    int verb_number(int32_t id) const {
        for (const std::string& v : kSingularVerbs)
            if (vocab_.id(v) == id) return 0;
        for (const std::string& v : kPluralVerbs)
            if (vocab_.id(v) == id) return 1;
        return -1;
    }

    static AgreementSentence sentence(Rng& rng, Split split) {
        const std::vector<NounPair>& nouns = agreement_nouns();
        const int n_nouns = static_cast<int>(nouns.size());
        int subject = 0, distractor = 0;
        do {
            subject = rng.below(n_nouns);
            distractor = rng.below(n_nouns);
        } while (distractor == subject || held_out_pair(subject, distractor) != (split == Split::held_out));
        const bool plural = rng.chance(0.5);
        const bool d_plural = rng.chance(0.7) ? !plural : plural;
        auto noun = [&](int i, bool many) { return std::string(many ? nouns[static_cast<size_t>(i)].many : nouns[static_cast<size_t>(i)].one); };
        auto noun_phrase = [&](std::vector<std::string>& w, int i, bool many) {
            w.push_back("the");
            if (rng.chance(0.3)) w.push_back(rng.pick(kAdjectives));
            w.push_back(noun(i, many));
        };
        auto clause_verb = [&](bool many) {
            const NounPair& v = rng.pick(agreement_clause_verbs());
            return std::string(many ? v.many : v.one);
        };
        AgreementSentence s;
        const std::vector<std::string>& prefix = rng.pick(kPrefixes);
        s.words = prefix;
        noun_phrase(s.words, subject, plural);
        s.subject = noun(subject, plural);
        s.distractors.push_back(noun(distractor, d_plural));
        switch (rng.below(4)) {
            case 0:   // the key to the cabinets
                s.words.push_back(rng.pick(kPrepositions));
                noun_phrase(s.words, distractor, d_plural);
                break;
            case 1: {   // the key on the tables near the doors
                s.words.push_back(rng.pick(kPrepositions));
                noun_phrase(s.words, distractor, d_plural);
                int third = 0;
                do third = rng.below(n_nouns);
                while (third == subject || third == distractor);
                const bool t_plural = rng.chance(0.5);
                s.words.push_back(rng.pick(kPrepositions));
                noun_phrase(s.words, third, t_plural);
                s.distractors.push_back(noun(third, t_plural));
                break;
            }
            case 2:   // the key that the men hold
                s.words.push_back("that");
                noun_phrase(s.words, distractor, d_plural);
                s.words.push_back(clause_verb(d_plural));
                break;
            default:   // the key that opens the cabinets
                s.words.push_back("that");
                s.words.push_back(clause_verb(plural));
                noun_phrase(s.words, distractor, d_plural);
                break;
        }
        s.verb = static_cast<int>(s.words.size());
        // Past tense after "yesterday", present otherwise: the verb's form is predictable, so the loss can
        // reach 0 and the accuracy rule's only question is the number.
        const int tense = !prefix.empty() && prefix[0] == "yesterday" ? 1 : 0;
        s.words.push_back(plural ? kPluralVerbs[tense] : kSingularVerbs[tense]);
        s.words.push_back(rng.pick(kPredicates));
        s.words.push_back(".");
        return s;
    }

    // The suite: held-out sentences, each checked at the word before the main verb.
    static std::string suite_json(uint64_t seed, int n) {
        Rng rng(Rng::derive(seed, 0xA63E));
        Json cases = Json::array();
        for (int i = 0; i < n; ++i) {
            const AgreementSentence s = sentence(rng, Split::held_out);
            std::string text;
            for (const std::string& w : s.words) text += (text.empty() ? "" : " ") + w;
            const std::string& query = s.words[static_cast<size_t>(s.verb - 1)];
            Json c;
            c["name"] = "sentence-" + std::to_string(i + 1);
            c["text"] = text;
            // Nouns and the word before the verb are unique in a sentence ("that" / "the" are never queried).
            c["query"] = Json{{"text", query}};
            c["expected"] = Json::array({Json{{"text", s.subject}}});
            Json d = Json::array();
            for (const std::string& w : s.distractors) d.push_back(Json{{"text", w}});
            c["distractors"] = d;
            c["scope"] = "head";
            c["metric"] = "margin";
            c["threshold"] = 0.0;
            cases.push_back(c);
        }
        Json suite;
        suite["name"] = "agreement";
        suite["description"] = "Held-out sentences: from the word before the main verb, does the head attend to the "
                               "subject noun more than to every distractor noun?";
        suite["cases"] = cases;
        return suite.dump(2);
    }

    // Per head (L, H): the fraction of the suite's cases it passes.
    static Expected<std::vector<float>> pass_rates(const Model& model, uint64_t seed) {
        return catch_errors([&]() -> std::vector<float> {
            Expected<CheckSuite> suite = parse_check_suite(suite_json(seed, kSuiteCases), "agreement suite");
            if (!suite) throw Error(suite.error().message);
            Expected<CheckSuiteResult> r = check_suite_run(model, *suite);
            if (!r) throw Error(r.error().message);
            return check_head_pass_rates(*r);
        });
    }

    Vocab vocab_;
};

}  // namespace

const Task& task_agreement() {
    static const AgreementTask task;
    return task;
}

}  // namespace attn
