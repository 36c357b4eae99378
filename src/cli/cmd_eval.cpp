// `eval`: a model's accuracy on freshly generated held-out data of a task, and (when the folder has a
// model card) each of the card's head claims re-measured. The last line is "accuracy: NN.N%".
#include <cstdio>

#include "cli/commands.h"
#include "cli/model_open.h"
#include "platform/file_io.h"
#include "train/model_card.h"
#include "train/trainer.h"

namespace attn {

int cmd_eval(int argc, char** argv) {
    Args args = args_parse(argc, argv, {"--model", "--task", "--n", "--seed"}, {"--no-claims"});
    const std::string dir = args.require("--model"), name = args.require("--task");
    const Task* task = task_find(name);
    if (!task) throw UsageError{"unknown task '" + name + "' (tasks: " + task_names() + ")"};
    const int n = args.get_int("--n", 1000);
    if (n <= 0) throw UsageError{"--n must be positive"};
    const uint64_t seed = static_cast<uint64_t>(args.get_int("--seed", 12345));
    ModelPtr model = model_open(dir);
    // The task's examples are ids of its own vocabulary: any other model would read them as other words.
    const Vocab& vocab = task->vocab();
    bool same = model->tokenizer.vocab_size() == vocab.size();
    for (int i = 0; same && i < vocab.size(); ++i) same = model->tokenizer.id_to_token(i) == vocab.token(i);
    if (!same)
        throw UsageError{dir + ": this model's vocabulary is not the " + name + " task's (" +
                         std::to_string(model->tokenizer.vocab_size()) + " tokens; the task has " +
                         std::to_string(vocab.size()) + "), so it was not trained on this task"};

    int failed = 0;
    if (!args.has("--no-claims")) {
        Expected<Bytes> card_bytes = file_read(dir + "/" + kModelCardFile);
        if (card_bytes) {
            Expected<ModelCard> card = model_card_parse(string_from_bytes(*card_bytes), dir + "/" + kModelCardFile);
            if (!card) throw UsageError{card.error().message};
            for (const HeadClaim& c : card->claims) {
                Expected<double> v = task->measure_claim(*model, c, seed);
                if (!v) throw UsageError{"claim " + c.metric + ": " + v.error().message};
                const bool ok = *v >= c.min_value;
                failed += !ok;
                std::printf("claim layer %d head %d %s: %s = %.3f (card: %.3f, holds at >= %.3f) %s\n", c.layer, c.head,
                            c.pattern.c_str(), c.metric.c_str(), *v, c.value, c.min_value, ok ? "holds" : "FAILS");
            }
        }
    }
    Expected<double> acc = evaluate_task(*task, *model, n, seed);
    if (!acc) throw UsageError{dir + ": " + acc.error().message};
    std::printf("task %s, %d held-out examples (seed %llu)\n", name.c_str(), n, static_cast<unsigned long long>(seed));
    std::printf("accuracy: %.1f%%\n", 100.0 * *acc);
    return failed ? 1 : 0;
}

}  // namespace attn
