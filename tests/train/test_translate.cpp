// The translate task and BART's training path: the generated pairs (word order, alignment, held-out
// triples), the Hugging Face layout against bart-tiny's own checkpoint listing, a SHORT training run whose
// loss must fall below a stated bound, and the saved folder loading back and tracing identically.
#include <doctest/doctest.h>

#include "zoo_asset.h"

#include <cmath>
#include <set>

#include "analysis/checks.h"
#include "core/json.h"
#include "decoder_reference.h"
#include "model/safetensors.h"
#include "train/hf_layout.h"
#include "train/model_card.h"
#include "train/task.h"
#include "train/tasks.h"
#include "train/trainer.h"

using namespace attn;

namespace {

std::vector<std::string> words_of(const Vocab& v, const std::vector<int32_t>& ids) {
    std::vector<std::string> w;
    for (int32_t id : ids)
        if (id != v.bos && id != v.eos && id != v.pad) w.push_back(v.token(id));
    return w;
}

}  // namespace

TEST_CASE("translate pairs: SOV with the adjective after the noun, shifted decoder input, held-out triples unseen") {
    const Task& task = task_translate();
    CHECK(task_find("translate") == &task);
    const Vocab& v = task.vocab();
    Rng rng(3);
    std::set<std::string> train_verbs_last;
    for (int i = 0; i < 200; ++i) {
        Example e = task.sample(rng, Split::train);
        REQUIRE(e.labels.size() == e.decoder_ids.size());
        CHECK(e.decoder_ids[0] == v.eos);   // decoder_start_token_id
        for (size_t t = 1; t < e.labels.size(); ++t) CHECK(e.decoder_ids[t] == e.labels[t - 1]);
        CHECK(e.labels.front() == v.bos);
        CHECK(e.labels.back() == v.eos);
        CHECK(e.ids.front() == v.bos);
        CHECK(e.ids.back() == v.eos);
        const std::vector<std::string> src = words_of(v, e.ids), tgt = words_of(v, e.labels);
        CHECK(src.size() == tgt.size());
        CHECK(static_cast<int>(e.ids.size()) <= task.size().n_ctx);
        // The verb is the last target word; the source's verb sits between the noun phrases.
        const std::string& verb = tgt.back();
        CHECK(verb.size() > 2);
        CHECK(verb.substr(verb.size() - 2) == "as");
        train_verbs_last.insert(verb);
    }
    CHECK(train_verbs_last.size() >= 8);

    const std::vector<int32_t> ids = v.encode_words(split_words("the big dog sees a red cat"));
    CHECK(v.text_of(ids) == "the big dog sees a red cat");

    // Held-out sentences are (subject, object, verb) triples training never produces.
    auto triple = [&](const Example& e) {
        const std::vector<std::string> tgt = words_of(v, e.labels);
        std::string nouns;
        for (const std::string& w : tgt)
            if (w.back() == 'o') nouns += w + " ";
        return nouns + tgt.back();
    };
    std::set<std::string> train, held;
    Rng a(11), b(12);
    for (int i = 0; i < 3000; ++i) train.insert(triple(task.sample(a, Split::train)));
    for (int i = 0; i < 300; ++i) held.insert(triple(task.sample(b, Split::held_out)));
    int overlap = 0;
    for (const std::string& t : held) overlap += train.count(t) != 0;
    CHECK(held.size() > 100);
    CHECK(overlap == 0);

    // Deterministic for a seed.
    Rng x(5), y(5);
    CHECK(task.sample(x, Split::train).ids == task.sample(y, Split::train).ids);
}

TEST_CASE("BART's Hugging Face layout has bart-tiny's tensor names and shapes and its config keys") {
    auto files = folder_read(fixture_path("bart-tiny"));
    REQUIRE(files.ok());
    auto st = safetensors_parse(files->find_shared("model.safetensors"), "model.safetensors");
    REQUIRE_MESSAGE(st.ok(), st.error().message);
    const int specials = Vocab({}, ModelFamily::encoder_decoder).size();
    std::vector<std::string> words;
    for (int i = 0; static_cast<int>(words.size()) + specials < 600; ++i) words.push_back("w" + std::to_string(i));
    Vocab vocab(words, ModelFamily::encoder_decoder);
    REQUIRE(vocab.size() == 600);
    ModelSize size;
    size.n_layer = size.n_decoder_layer = 2;
    size.n_head = 4;
    size.n_embd = 64;
    size.n_inner = 128;
    size.n_ctx = 64;
    HfLayout layout = hf_layout(ModelFamily::encoder_decoder, size, vocab);
    std::map<std::string, std::vector<int64_t>> expected, got;
    for (const TensorView& t : st->tensors()) expected[t.name] = t.shape;
    for (const LayoutTensor& t : layout.tensors) got[t.name] = t.shape;
    CHECK(got == expected);
    CHECK(got.size() == layout.tensors.size());

    Json mine = json_parse(layout.config_json, "config.json");
    Json theirs = json_parse(string_from_bytes(*files->find("config.json")), "config.json");
    for (auto it = theirs.begin(); it != theirs.end(); ++it) CHECK_MESSAGE(mine.contains(it.key()), it.key());
    for (auto it = mine.begin(); it != mine.end(); ++it) CHECK_MESSAGE(theirs.contains(it.key()), it.key());
    CHECK(mine["decoder_start_token_id"] == vocab.eos);
    CHECK(mine["architectures"][0] == "BartForConditionalGeneration");

    // The initial folder loads as BART with the task's vocabulary and tokenizer.
    auto folder = hf_initial_folder(ModelFamily::encoder_decoder, size, vocab, 1);
    REQUIRE_MESSAGE(folder.ok(), folder.error().message);
    auto model = model_load(*folder);
    REQUIRE_MESSAGE(model.ok(), model.error().message);
    CHECK((*model)->info().encoder_decoder);
    CHECK((*model)->info().decoder_start_token_id == vocab.eos);
}

TEST_CASE("translate: a short run's loss falls below 2.0 (a uniform guess: 4.5), and the saved folder loads back and traces identically" * doctest::skip(zoo_test::kUnoptimisedBuild)) {
    const Task& task = task_translate();
    TrainOptions options;
    options.seed = 1;
    options.steps = 120;   // the real model trains for settings().steps; this is CI's short version
    options.threads = 2;
    Trainer trainer(task, options);
    while (!trainer.done()) trainer.step();
    REQUIRE_MESSAGE(trainer.error().empty(), trainer.error());
    const std::vector<TrainLogRow>& log = trainer.log();
    REQUIRE(log.size() >= 2);
    INFO("first loss " << log.front().loss << ", last " << log.back().loss);
    CHECK(log.front().loss > 4.0);   // about ln(vocabulary size 89) = 4.49 at the start
    // The mean of the last 10 steps' losses (per labelled token). 120 steps learn the target language's
    // word classes and order; the translation itself (loss near 0) takes about 400 steps of the full run.
    double tail = 0.0;
    const size_t n = std::min<size_t>(10, log.size());
    for (size_t i = log.size() - n; i < log.size(); ++i) tail += log[i].loss / n;
    CHECK(tail < 2.0);

    auto folder = trainer.save(50);
    REQUIRE_MESSAGE(folder.ok(), folder.error().message);
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "README.md", "card.json"})
        CHECK_MESSAGE(folder->has(f), f);
    auto loaded = model_load(*folder);
    REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
    const Model& trained = trainer.model()->model();
    Rng rng(9);
    Example e = task.sample(rng, Split::held_out);
    TraceOptions opt;
    for (size_t t = 0; t < e.decoder_ids.size(); ++t) opt.logit_positions.push_back(static_cast<int>(t));
    auto a = model_trace_seq2seq(trained, e.ids, e.decoder_ids, opt);
    auto b = model_trace_seq2seq(**loaded, e.ids, e.decoder_ids, opt);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->cross_attentions.probs == b->cross_attentions.probs);
    CHECK(a->attentions.probs == b->attentions.probs);
    CHECK(a->logits == b->logits);
    // The text a user types is encoded as the task's examples are.
    CHECK(seq2seq_source_ids(**loaded, task.vocab().text_of(e.ids)) == e.ids);
}

TEST_CASE("assets/models/translate: >= 95% held-out, its card's claims hold on fresh sentences, its check suite passes at the featured head") {
    auto files = folder_read(fixture_path("../../assets/models/translate"));
    REQUIRE_MESSAGE(files.ok(), files.error().message);
    size_t bytes = 0;
    for (const auto& kv : files->files) bytes += kv.second->size();
    CHECK(bytes < 4u * 1024 * 1024);
    auto model = model_load(*files);
    REQUIRE_MESSAGE(model.ok(), model.error().message);
    const Task& task = task_translate();
    auto accuracy = evaluate_task(task, **model, 200, 4242);
    REQUIRE(accuracy.ok());
    CHECK(*accuracy >= 0.95);

    auto card = model_card_parse(string_from_bytes(*files->find(kModelCardFile)), kModelCardFile);
    REQUIRE_MESSAGE(card.ok(), card.error().message);
    CHECK(card->task == "translate");
    CHECK(card->held_out_accuracy >= 0.95);
    REQUIRE(card->claims.size() == 3);
    for (const HeadClaim& claim : card->claims) {
        INFO(claim.statement);
        auto value = task.measure_claim(**model, claim, 2026);   // not the seed the card was measured with
        REQUIRE_MESSAGE(value.ok(), value.error().message);
        CHECK(*value >= claim.min_value);
        CHECK(claim.min_value >= (claim.metric == "cross_alignment_sentence_rate" ? 0.4 : 0.8));
    }

    // checks.json: the featured decoder head passes most of its cross-attention cases.
    auto suite = parse_check_suite(string_from_bytes(*files->find("checks.json")), "checks.json");
    REQUIRE_MESSAGE(suite.ok(), suite.error().message);
    CheckRun run(**model, *suite);
    while (!run.done()) run.step();
    REQUIRE(run.error().empty());
    const CheckSuiteResult& r = run.result();
    REQUIRE(r.n_head == (*model)->info().n_decoder_head);
    int passes = 0;
    for (const CheckCaseResult& c : r.cases) {
        CHECK_MESSAGE(c.error.empty(), c.name << ": " << c.error);
        passes += c.head_pass.empty() ? 0 : c.head_pass[static_cast<size_t>(card->featured_layer * r.n_head + card->featured_head)];
    }
    REQUIRE(r.cases.size() >= 30);
    INFO(passes << " of " << r.cases.size() << " cases pass at the featured head");
    CHECK(passes >= static_cast<int>(0.8 * static_cast<double>(r.cases.size())));
}

TEST_CASE("evaluate_task refuses a model of another family for translate instead of scoring it 0%") {
    ModelPtr gpt2 = load_fixture_model("gpt2-tiny");
    auto r = evaluate_task(task_translate(), *gpt2, 3, 1);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("needs an encoder-decoder model") != std::string::npos);
}
