// A training task: the data AttnScope generates for one small model, the model's shape, and what to
// measure in it afterwards. Tasks are registered in one table (task_table.cpp) that `tools/train`,
// `tools/cli eval`, the model cards and the tests read.
//
//   const Task* task = task_find("induction");
//   Rng rng(seed);
//   Example e = task->sample(rng, Split::train);          // ids and labels, already tokenized
//   std::string text = task->vocab().text_of(e.ids);       // what a user would type for it
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/model.h"
#include "train/rng.h"
#include "train/vocab.h"

namespace attn {

class TrainModel;   // train/train_model.h

// Which Hugging Face class the task's model is saved as.
enum class ModelFamily {
    decoder,           // GPT2LMHeadModel: next-token prediction
    encoder,           // BertForMaskedLM: masked prediction
    encoder_decoder,   // BartForConditionalGeneration: source -> target
};
const char* model_family_name(ModelFamily f);   // "decoder", ...

// The zoo's usual shape and recipe are the defaults; a task states only what differs, e.g.
//   ModelSize().layers(3)                       TrainSettings().run(2000, 3e-3f)
struct ModelSize {
    int n_layer = 2, n_head = 4, n_embd = 64, n_inner = 128, n_ctx = 32;
    int n_decoder_layer = 2;   // encoder-decoder only (n_layer: the encoder's)

    ModelSize& layers(int n) { n_layer = n; return *this; }
    ModelSize& decoder_layers(int n) { n_decoder_layer = n; return *this; }
    ModelSize& heads(int n) { n_head = n; return *this; }
    ModelSize& width(int embd, int inner) { n_embd = embd; n_inner = inner; return *this; }
    ModelSize& context(int n) { n_ctx = n; return *this; }
};

struct TrainSettings {
    int steps = 2000;
    int batch = 32;                 // sequences per optimizer step
    float lr = 3e-3f;               // peak learning rate
    float warmup = 0.05f;           // fraction of steps with a linear warm-up from 0
    float min_lr_fraction = 0.1f;   // cosine decay ends at lr * this
    float weight_decay = 0.01f;     // AdamW's decoupled decay (matrices only; norms, biases, embeddings none)
    float beta1 = 0.9f, beta2 = 0.98f, eps = 1e-8f;
    float clip = 1.0f;              // gradient clipping: global L2 norm
    int eval_every = 250;           // steps between held-out accuracy measurements in the log
    int eval_examples = 200;

    TrainSettings& run(int n_steps, float peak_lr) { steps = n_steps; lr = peak_lr; return *this; }
};

enum class Split { train, held_out };

// One generated sequence. Decoders and encoders: ids is the input, labels (same length) the token expected
// at each position (-1: not scored). Encoder-decoders: ids is the source, decoder_ids the decoder input
// (starting with the decoder start token) and labels align with decoder_ids.
struct Example {
    std::vector<int32_t> ids;
    std::vector<int32_t> labels;
    std::vector<int32_t> decoder_ids;
};

// A statement the model card makes about one head, measured after training and re-measured by the tests
// on freshly generated held-out data: "layer 1 head 2 is an induction head (induction score 0.83)".
struct HeadClaim {
    int layer = 0, head = 0;
    std::string pattern;       // a head_patterns label ("induction", "previous_token", ...) or a task metric
    std::string metric;        // what `value` measures, e.g. "induction_score", "coref_check_pass_rate"
    double value = 0.0;        // measured when the card was written
    double min_value = 0.0;    // the claim holds while a re-measurement is >= this
    std::string statement;     // the card's sentence
};

class Task {
public:
    virtual ~Task() = default;
    virtual std::string name() const = 0;        // "induction"
    virtual std::string summary() const = 0;     // one line for --help and the card
    virtual std::string description() const = 0;// the card's "Data" paragraph: what is generated and why
    virtual ModelFamily family() const = 0;
    virtual ModelSize size() const = 0;
    virtual TrainSettings settings() const = 0;
    virtual const Vocab& vocab() const = 0;
    // Seeded, deterministic: the same rng state gives the same example. Split::held_out must differ from
    // anything train produces in a way the card states (other seeds at least; other combinations when the
    // task can hold some out).
    virtual Example sample(Rng& rng, Split split) const = 0;
    // Task accuracy of a batch of examples: the fraction scored correct by the task's own rule (the default:
    // an example is correct when every labelled position's argmax is its label). `predicted` holds the
    // model's argmax per labelled position (-1 elsewhere), aligned with each example's labels.
    virtual bool example_correct(const Example& e, const std::vector<int32_t>& predicted) const;
    // The text the explorer opens with and the head it shows first (measured claims may override the head).
    virtual std::string example_text() const = 0;
    // The word of example_text whose row the explorer pins (the inspector's token), e.g. "it"; its last
    // occurrence. Empty: none pinned (the inspector shows the last token).
    virtual std::string example_query() const { return {}; }
    // Measures the card's claims on the trained model (held-out data from `seed`).
    virtual std::vector<HeadClaim> find_claims(const Model& model, uint64_t seed) const = 0;
    // Re-measures one claim (the tests): the claim holds when the result is >= claim.min_value.
    virtual Expected<double> measure_claim(const Model& model, const HeadClaim& claim, uint64_t seed) const = 0;
    // Optional: a check suite (analysis/checks.h JSON) of held-out sentences the card's claims rest on,
    // written beside the model as checks.json. Empty: none.
    virtual std::string check_suite_json(const Model& /*model*/, uint64_t /*seed*/) const { return {}; }
    // Optional: adjusts the freshly initialised weights before the first step (deterministic; the default
    // keeps transformers' initialisation).
    virtual void initialise(TrainModel& /*model*/) const {}
};

// The registered tasks, in the order --help lists them.
const std::vector<const Task*>& task_table();
const Task* task_find(const std::string& name);   // nullptr when unknown
std::string task_names();                         // "induction, coref, ..."

}  // namespace attn
