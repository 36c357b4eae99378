// The trainer core: vocabularies and tokenizer.json, fresh Hugging Face folders, the training loss and its
// gradients, AdamW and the schedule, the training loop (it learns; a seed reproduces it), the saved
// folder (loads back, same names and outputs), and the model card.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "core/json.h"
#include "fixture_path.h"
#include "model/safetensors.h"
#include "platform/file_io.h"
#include "model/weight_store.h"
#include "train/hf_layout.h"
#include "train/model_card.h"
#include "train/optimizer.h"
#include "train/trainer.h"
#include "train/toy_task.h"

using namespace attn;

namespace {

ModelPtr load(const FileSet& files) {
    Expected<ModelPtr> m = model_load(files);
    REQUIRE_MESSAGE(m, (m ? "" : m.error().message));
    return std::move(*m);
}

std::set<std::string> tensor_names(const FileSet& files) {
    Expected<WeightStore> w = weight_store_load(files);
    REQUIRE(w);
    std::vector<std::string> n = w->names();
    return {n.begin(), n.end()};
}

// Sum over labelled positions of -log softmax(logits)[label], from the inference forward pass.
double trace_loss(const Model& model, const Example& e) {
    TraceOptions o;
    for (size_t t = 0; t < e.ids.size(); ++t) o.logit_positions.push_back(static_cast<int>(t));
    Expected<Trace> tr = model_trace(model, e.ids, o);
    REQUIRE(tr);
    double loss = 0.0;
    for (size_t t = 0; t < e.labels.size(); ++t) {
        if (e.labels[t] < 0) continue;
        const float* z = tr->logits_at(static_cast<int>(t));
        double mx = z[0], sum = 0.0;
        for (int v = 0; v < tr->n_vocab; ++v) mx = std::max<double>(mx, z[v]);
        for (int v = 0; v < tr->n_vocab; ++v) sum += std::exp(z[v] - mx);
        loss -= z[e.labels[t]] - mx - std::log(sum);
    }
    return loss;
}

}  // namespace

TEST_CASE("train: a task vocabulary's tokenizer.json tokenizes like encode_words") {
    for (ModelFamily f : {ModelFamily::decoder, ModelFamily::encoder}) {
        Vocab v({"the", "animal", "didn", "'", "t", "cross", "street", "it", "was", "tired", "."}, f);
        Expected<Tokenizer> tok = tokenizer_from_json(v.tokenizer_json(), "tokenizer.json");
        REQUIRE_MESSAGE(tok, (tok ? "" : tok.error().message));
        const std::string text = "The animal didn't cross the street. It was TIRED";
        const std::vector<int32_t> expected = v.encode_words(split_words(text));
        CHECK(tok->encode(text).ids == expected);
        CHECK(v.text_of(expected) == "the animal didn't cross the street . it was tired");
        CHECK(v.encode_words({"zebra"})[1] == v.unk);   // after <bos> or [CLS]: unknown words read as the unk token
    }
    Vocab enc({"a"}, ModelFamily::encoder);
    Expected<Tokenizer> tok = tokenizer_from_json(enc.tokenizer_json(), "tokenizer.json");
    REQUIRE(tok);
    CHECK(tok->encode("a [MASK] a").ids == std::vector<int32_t>{enc.cls, enc.id("a"), enc.mask, enc.id("a"), enc.sep});
}

TEST_CASE("train: fresh folders load, with exactly the layout's tensor names") {
    for (ModelFamily f : {ModelFamily::decoder, ModelFamily::encoder}) {
        ToyTask task(f);
        Expected<FileSet> folder = hf_initial_folder(f, task.size(), task.vocab(), 7);
        REQUIRE(folder);
        ModelPtr m = load(*folder);
        CHECK(m->info().n_layer == task.size().n_layer);
        CHECK(m->info().n_vocab == task.vocab().size());
        std::set<std::string> expected;
        for (const LayoutTensor& t : hf_layout(f, task.size(), task.vocab()).tensors) expected.insert(t.name);
        CHECK(tensor_names(*folder) == expected);
        // config.json has the key set transformers writes for the class (its own fixture, saved by transformers).
        auto keys = [](const FileSet& files) {
            std::set<std::string> k;
            const Json j = json_parse(string_from_bytes(*files.find("config.json")), "config.json");
            for (auto it = j.begin(); it != j.end(); ++it)
                if (it.key() != "transformers_version") k.insert(it.key());
            return k;
        };
        Expected<FileSet> ref = folder_read(fixture_path(f == ModelFamily::decoder ? "gpt2-tiny" : "bert-tiny"));
        REQUIRE(ref);
        CHECK(keys(*folder) == keys(*ref));
        // The trainable parameters are exactly the checkpoint's tensors (tied weights once).
        Expected<std::unique_ptr<TrainModel>> tm = train_model_open(std::move(m));
        REQUIRE(tm);
        std::set<std::string> params;
        for (const TrainParam& p : (*tm)->params()) params.insert(p.name);
        CHECK(params == expected);
    }
}

TEST_CASE("train: the training loss is the cross-entropy of the model's own logits, and its gradient is right") {
    for (ModelFamily f : {ModelFamily::decoder, ModelFamily::encoder}) {
        ToyTask task(f);
        Expected<FileSet> folder = hf_initial_folder(f, task.size(), task.vocab(), 3);
        REQUIRE(folder);
        Expected<std::unique_ptr<TrainModel>> tm = train_model_open(load(*folder));
        REQUIRE(tm);
        TrainModel& m = **tm;
        Rng rng(5);
        const Example e = task.sample(rng, Split::train);
        m.zero_grads();
        Expected<LossResult> r = m.add_loss(e, 1.0f, true, 0);
        REQUIRE(r);
        CHECK(r->loss == doctest::Approx(trace_loss(m.model(), e)).epsilon(1e-4));
        // Central differences on the largest gradient entry of a few tensors of different kinds.
        int checked = 0;
        for (TrainParam& p : m.params()) {
            const bool wanted = p.name.find("wte") != std::string::npos || p.name.find("word_embeddings") != std::string::npos ||
                                p.name.find("c_attn.weight") != std::string::npos || p.name.find("query.weight") != std::string::npos ||
                                p.name.find("ln_f.weight") != std::string::npos || p.name.find("cls.predictions.bias") != std::string::npos;
            if (!wanted) continue;
            const float* g = m.grad(p);
            size_t i = 0;
            for (size_t k = 0; k < p.numel; ++k)
                if (std::fabs(g[k]) > std::fabs(g[i])) i = k;
            const float keep = p.value[i], h = 1e-2f;
            p.value[i] = keep + h;
            const double up = trace_loss(m.model(), e);
            p.value[i] = keep - h;
            const double down = trace_loss(m.model(), e);
            p.value[i] = keep;
            CAPTURE(p.name);
            CHECK(g[i] == doctest::Approx((up - down) / (2 * h)).epsilon(0.03).scale(1e-3));
            ++checked;
        }
        CHECK(checked >= 2);
    }
}

TEST_CASE("train: learning-rate schedule and one AdamW step") {
    TrainSettings s;
    s.lr = 1.0f;
    s.warmup = 0.1f;
    s.min_lr_fraction = 0.1f;
    CHECK(learning_rate(s, 0, 100) == doctest::Approx(0.1));   // warm-up: (step + 1) / 10
    CHECK(learning_rate(s, 9, 100) == doctest::Approx(1.0));
    CHECK(learning_rate(s, 10, 100) == doctest::Approx(1.0));  // cosine starts at the peak
    CHECK(learning_rate(s, 99, 100) == doctest::Approx(0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * 89.0 / 90.0))));
    CHECK(learning_rate(s, 55, 100) == doctest::Approx(0.55));

    // AdamW's first step moves every weight by lr * sign(g) (m / sqrt(v) = g / |g|), decayed ones first by lr * wd.
    ToyTask task(ModelFamily::decoder);
    Expected<FileSet> folder = hf_initial_folder(ModelFamily::decoder, task.size(), task.vocab(), 3);
    REQUIRE(folder);
    Expected<std::unique_ptr<TrainModel>> tm = train_model_open(load(*folder));
    REQUIRE(tm);
    TrainModel& m = **tm;
    Rng rng(1);
    m.zero_grads();
    REQUIRE(m.add_loss(task.sample(rng, Split::train), 1.0f, true, 0));
    TrainSettings a;
    a.weight_decay = 0.5f;
    AdamW opt(m.params(), a);
    std::vector<std::vector<float>> before;
    for (const TrainParam& p : m.params()) before.emplace_back(p.value, p.value + p.numel);
    const double lr = 1e-3;
    opt.update(m, lr, 1.0);
    int decayed = 0;
    for (const TrainParam& p : m.params()) {
        const float* g = m.grad(p);
        for (size_t i = 0; i < p.numel; i += 97) {
            const double w0 = before[static_cast<size_t>(p.index)][i];
            const double expect = w0 * (p.decay ? 1.0 - lr * a.weight_decay : 1.0) -
                                  (g[i] == 0.0f ? 0.0 : lr * g[i] / (std::fabs(g[i]) + a.eps));
            CHECK(p.value[i] == doctest::Approx(expect).epsilon(1e-5));
        }
        decayed += p.decay;
    }
    CHECK(decayed > 0);
}

TEST_CASE("train: the trainer learns the toy task, a seed reproduces it, and the folder loads back the same") {
    ToyTask task(ModelFamily::decoder);
    TrainOptions o;
    o.seed = 11;
    o.steps = 150;
    Trainer a(task, o);
    REQUIRE(a.error().empty());
    step_job_finish(a);
    REQUIRE_MESSAGE(a.error().empty(), a.error());
    REQUIRE(a.log().size() == 150u);
    CHECK(a.log().front().loss > 2.0);     // ln 16 ~ 2.8 at the start
    CHECK(a.log().back().loss < 0.3);      // the map is learned
    CHECK(a.log().back().held_out_accuracy > 0.9);

    Trainer b(task, o);
    step_job_finish(b);
    REQUIRE(b.error().empty());
    bool same = true;
    for (size_t i = 0; i < a.model()->params().size(); ++i) {
        const TrainParam& pa = a.model()->params()[i];
        const TrainParam& pb = b.model()->params()[i];
        same = same && std::equal(pa.value, pa.value + pa.numel, pb.value);
    }
    CHECK(same);

    Expected<FileSet> saved = a.save(100);
    REQUIRE_MESSAGE(saved, (saved ? "" : saved.error().message));
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "README.md", "card.json", "train_log.csv"})
        CHECK_MESSAGE(saved->has(f), f);
    CHECK(a.final_accuracy() > 0.9);
    ModelPtr back = load(*saved);
    Rng rng(9);
    const Example e = task.sample(rng, Split::held_out);
    CHECK(trace_loss(*back, e) == doctest::Approx(trace_loss(a.model()->model(), e)).epsilon(1e-6));
    Expected<double> acc = evaluate_task(task, *back, 100, 77);
    REQUIRE(acc);
    CHECK(*acc > 0.9);
    Expected<ModelCard> card = model_card_parse(string_from_bytes(*saved->find("card.json")), "card.json");
    REQUIRE(card);
    CHECK(card->task == "toy");
    CHECK(card->steps == 150);
    CHECK(card->held_out_accuracy == doctest::Approx(a.final_accuracy()));
    REQUIRE(card->claims.size() == 1u);
    CHECK(card->featured_head == 1);
    CHECK(card->featured_query == "c");   // the task's query word travels to the explorer
    CHECK(card->markdown.find("with the row of \"c\" pinned") != std::string::npos);
    CHECK(card->markdown.find("Layer 0, head 1") != std::string::npos);
}

TEST_CASE("train: a bad model card names the file and the field") {
    Expected<ModelCard> c = model_card_parse("{\"task\": \"x\", \"claims\": [{\"layer\": 1}]}", "zoo/card.json");
    REQUIRE(!c);
    CHECK(c.error().message.find("zoo/card.json: claims[0]") != std::string::npos);
    CHECK(!model_card_parse("[1]", "card.json"));
    CHECK(!model_card_parse("{", "card.json"));
}
