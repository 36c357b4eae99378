// `generate`: continue a text with a decoder model, greedy by default (equal to transformers' greedy
// decoding), or sampled with --temperature / --top-k / --seed. Prints one JSON object.
#include <cstdio>

#include "cli/commands.h"
#include "cli/model_open.h"
#include "core/json.h"
#include "model/generate.h"

namespace attn {

int cmd_generate(int argc, char** argv) {
    Args args = args_parse(argc, argv, {"--model", "--text", "--text-file", "--max-new", "--temperature", "--top-k", "--seed"},
                           {"--no-stop"});
    const std::string folder = args.require("--model");
    std::string text = args_text(args, "--text", "--text-file");
    GenerateOptions options;
    options.max_new_tokens = args.get_int("--max-new", 20);
    options.top_k = args.get_int("--top-k", 0);
    options.seed = static_cast<uint64_t>(args.get_int("--seed", 0));
    options.stop_at_eos = !args.has("--no-stop");
    const std::string temperature = args.get("--temperature", "0");
    try {
        size_t used = 0;
        options.temperature = std::stof(temperature, &used);
        if (used != temperature.size() || options.temperature < 0.0f) throw std::invalid_argument("bad");
    } catch (const std::exception&) {
        throw UsageError{"--temperature must be a number >= 0, got '" + temperature + "'"};
    }
    if (options.max_new_tokens < 0) throw UsageError{"--max-new must be >= 0"};
    if (options.top_k < 0) throw UsageError{"--top-k must be >= 0"};

    ModelPtr model = model_open(folder);
    const ModelInfo& info = model->info();
    if (!info.causal && !info.encoder_decoder)
        throw UsageError{folder + " is " + info.architecture + ", an encoder: it fills in masks rather than continuing "
                                                               "text (use trace with a [MASK] token)"};
    std::vector<int32_t> prompt = info.encoder_decoder ? seq2seq_source_ids(*model, text)
                                                       : model->tokenizer.encode(text, /*add_special_tokens=*/true).ids;
    if (info.encoder_decoder) {
        // The source is encoded once; the output is the whole decoder sequence, start token included,
        // as transformers' generate() returns it.
        auto output = model_generate_seq2seq(*model, prompt, options);
        if (!output) throw UsageError{output.error().message};
        const std::string decoded = model->tokenizer.decode(*output, true);
        Json out = {{"prompt_ids", prompt}, {"new_ids", *output}, {"new_text", decoded}, {"text", decoded}};
        std::printf("%s\n", out.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
        return 0;
    }
    if (static_cast<int>(prompt.size()) >= model->info().n_ctx)
        throw UsageError{"the prompt has " + std::to_string(prompt.size()) + " tokens; the model's context is " +
                         std::to_string(model->info().n_ctx) + ", leaving no room to generate"};
    auto produced = model_generate(*model, prompt, options);
    if (!produced) throw UsageError{produced.error().message};
    std::vector<int32_t> all = prompt;
    all.insert(all.end(), produced->begin(), produced->end());
    Json out = {{"prompt_ids", prompt},
                {"new_ids", *produced},
                {"new_text", model->tokenizer.decode(*produced, true)},
                {"text", model->tokenizer.decode(all, true)}};
    std::printf("%s\n", out.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
    return 0;
}

}  // namespace attn
