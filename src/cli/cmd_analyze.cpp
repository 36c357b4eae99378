// `analyze`: explain one prediction of a decoder-only or encoder model and write every attribution as
// safetensors (or NumPy .npz when --out ends in .npz), tensors named as analysis/attribution_export.h
// lists them. The whole job runs before anything is written, so a failure leaves no file behind.
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "analysis/attribution.h"
#include "analysis/attribution_export.h"
#include "cli/commands.h"
#include "cli/intervention_args.h"
#include "cli/model_open.h"
#include "cli/token_arg.h"
#include "platform/file_io.h"

namespace attn {
namespace {

uint64_t parse_seed(const Args& args) {
    const std::string s = args.get("--seed", "1");
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (!all_digits(s) || errno == ERANGE || *end != '\0')
        throw UsageError{"--seed must be a non-negative integer, got '" + s + "'"};
    return v;
}

}  // namespace

int cmd_analyze(int argc, char** argv) {
    Args args = args_parse(argc, argv,
                           {"--model", "--text", "--text-file", "--ids", "--ig-steps", "--score-position", "--target",
                            "--foil", "--permutation-samples", "--seed", "--lens-top-k", "--out", "--ablate", "--knockout",
                            "--mask-token"},
                           {"--no-head-ablation"}, kInterventionOptions);
    const std::string out_path = args.require("--out");
    const bool npz = out_path.size() >= 4 && out_path.compare(out_path.size() - 4, 4, ".npz") == 0;
    const bool st = out_path.size() >= 12 && out_path.compare(out_path.size() - 12, 12, ".safetensors") == 0;
    if (!npz && !st) throw UsageError{"--out must end in .safetensors or .npz, got '" + out_path + "'"};
    const std::string folder = args.require("--model");
    const bool has_ids = args.has("--ids");
    if (has_ids && (args.has("--text") || args.has("--text-file")))
        throw UsageError{"give --text, --text-file or --ids, only one"};
    const std::string text = has_ids ? "" : args_text(args, "--text", "--text-file");

    AttributionOptions options;
    options.ig_steps = args.get_int("--ig-steps", options.ig_steps);
    if (options.ig_steps < 1) throw UsageError{"--ig-steps must be at least 1"};
    options.permutation_samples = args.get_int("--permutation-samples", options.permutation_samples);
    if (options.permutation_samples < 0) throw UsageError{"--permutation-samples must be 0 or more"};
    options.lens_top_k = args.get_int("--lens-top-k", options.lens_top_k);
    if (options.lens_top_k < 1) throw UsageError{"--lens-top-k must be at least 1"};
    options.permutation_seed = parse_seed(args);
    options.head_ablation = !args.has("--no-head-ablation");

    ModelPtr model = model_open(folder);
    const ModelInfo& info = model->info();
    if (info.encoder_decoder)
        throw UsageError{"analyze supports decoder-only and encoder models; " + folder + " is " + info.architecture +
                         ", an encoder-decoder"};
    std::vector<int32_t> ids;
    if (has_ids) {
        ids = parse_ids("--ids", args.get("--ids"));
    } else {
        ids = model->tokenizer.encode(text, /*add_special_tokens=*/true).ids;
        if (ids.empty()) throw UsageError{"the text has no tokens to explain"};
        if (static_cast<int>(ids.size()) > info.n_ctx) {
            std::fprintf(stderr, "attnscope-cli analyze: input has %zu tokens; kept the first %d (the model's context)\n",
                         ids.size(), info.n_ctx);
            ids.resize(info.n_ctx);
        }
    }
    const int T = static_cast<int>(ids.size());
    if (args.has("--score-position")) {
        std::vector<int32_t> p = parse_ids("--score-position", args.get("--score-position"));
        if (p.size() != 1) throw UsageError{"--score-position takes one position"};
        if (p[0] >= T)
            throw UsageError{"--score-position " + std::to_string(p[0]) + " is outside the input's " +
                             std::to_string(T) + " tokens"};
        options.score.position = p[0];
    }
    if (args.has("--target")) options.score.target = parse_token("--target", args.get("--target"), *model);
    if (args.has("--foil")) options.score.foil = parse_token("--foil", args.get("--foil"), *model);
    if (options.score.foil >= 0 && options.score.foil == options.score.target)
        throw UsageError{"--foil is the same token as --target; the contrast would be zero"};

    const Interventions iv = interventions_from_args(args, info, T);
    options.hooks = intervention_hooks(iv, info.n_layer, info.n_head, T);
    if (!interventions_have_backward(iv))
        std::fprintf(stderr, "attnscope-cli analyze: mean ablations are left out of the attributions (the gradient pass "
                             "cannot run an edited forward); zero ablations, knockouts and masks are in\n");

    AttributionJob job(*model, ids, options);
    while (!job.step()) {
    }
    if (!job.error().empty()) throw UsageError{job.error()};

    AttributionArrays arrays;
    attribution_arrays(ids, job.result(), job.lens(), job.activations(), &arrays);
    std::map<std::string, std::string> metadata = {{"producer", "attnscope"},
                                                   {"architecture", info.architecture},
                                                   {"ig_steps", std::to_string(options.ig_steps)},
                                                   {"permutation_samples", std::to_string(options.permutation_samples)},
                                                   {"seed", std::to_string(options.permutation_seed)}};
    if (!iv.empty()) metadata["interventions"] = iv.describe();
    Expected<Bytes> bytes = npz ? attribution_to_npz(arrays) : attribution_to_safetensors(arrays, metadata);
    if (!bytes) throw UsageError{bytes.error().message};
    auto written = file_write_atomic(out_path, *bytes);
    if (!written) throw UsageError{written.error().message};
    return 0;
}

}  // namespace attn
