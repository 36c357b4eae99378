// A toy task for the trainer's own tests (not registered): sequences of letters where each labelled
// position predicts a fixed permutation of its own letter. It learns within a few hundred steps and
// exercises every piece of the trainer without depending on a zoo task.
#pragma once
#include "train/task.h"

namespace attn {

class ToyTask : public Task {
public:
    explicit ToyTask(ModelFamily family) : family_(family) {
        std::vector<std::string> words;
        for (char c = 'a'; c <= 'l'; ++c) words.push_back(std::string(1, c));
        vocab_ = Vocab(words, family);
    }
    std::string name() const override { return "toy"; }
    std::string summary() const override { return "a fixed permutation of each letter"; }
    std::string description() const override { return "Random letters a-l; each position predicts its letter under a fixed permutation."; }
    ModelFamily family() const override { return family_; }
    ModelSize size() const override { return ModelSize().layers(1).heads(2).width(32, 64).context(16); }
    TrainSettings settings() const override {
        TrainSettings s = TrainSettings().run(200, 1e-2f);
        s.batch = 16;
        s.eval_every = 100;
        s.eval_examples = 50;
        return s;
    }
    const Vocab& vocab() const override { return vocab_; }
    Example sample(Rng& rng, Split split) const override {
        std::vector<std::string> words;
        const int n = rng.range(4, 10);
        for (int i = 0; i < n; ++i) words.push_back(std::string(1, static_cast<char>('a' + rng.below(12))));
        if (split == Split::held_out) words.front() = "a";   // nothing depends on it; just a visible difference
        Example e;
        e.ids = vocab_.encode_words(words);
        e.labels.assign(e.ids.size(), -1);
        const int first = vocab_.id("a");
        for (size_t t = 0; t < e.ids.size(); ++t) {
            const int cur = e.ids[t] - first;
            if (cur < 0 || cur >= 12) continue;
            e.labels[t] = first + (cur * 5 + 3) % 12;
        }
        return e;
    }
    std::string example_text() const override { return "a b c d"; }
    std::string example_query() const override { return "c"; }
    std::vector<HeadClaim> find_claims(const Model&, uint64_t) const override {
        HeadClaim c;
        c.layer = 0;
        c.head = 1;
        c.pattern = "none";
        c.metric = "constant";
        c.value = 1.0;
        c.min_value = 0.5;
        c.statement = "A toy claim.";
        return {c};
    }
    Expected<double> measure_claim(const Model&, const HeadClaim&, uint64_t) const override { return 1.0; }

private:
    ModelFamily family_;
    Vocab vocab_;
};

}  // namespace attn
