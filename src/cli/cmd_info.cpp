// `info`: what a model folder holds (architecture, sizes, parameters, dtypes, tokenizer), as JSON.
#include <cstdio>

#include "cli/commands.h"
#include "cli/model_open.h"
#include "core/json.h"

namespace attn {

int cmd_info(int argc, char** argv) {
    Args args = args_parse(argc, argv, {"--model"}, {});
    ModelPtr model = model_open(args.require("--model"));
    const ModelInfo& i = model->info();
    Json out = {
        {"architecture", i.architecture},
        {"n_layer", i.n_layer},
        {"n_head", i.n_head},
        {"n_kv_head", i.n_kv_head},
        {"n_embd", i.n_embd},
        {"n_ctx", i.n_ctx},
        {"n_vocab", i.n_vocab},
        {"n_params", i.n_params},
        {"weight_dtypes", i.weight_dtypes},
        {"weight_memory_bytes", i.weight_bytes},
        {"causal", i.causal},
        {"encoder_decoder", i.encoder_decoder},
        {"tokenizer", {{"type", model->tokenizer.model_type()}, {"vocab_size", model->tokenizer.vocab_size()}}},
    };
    if (i.encoder_decoder) {
        out["n_decoder_layer"] = i.n_decoder_layer;
        out["n_decoder_head"] = i.n_decoder_head;
        out["decoder_start_token_id"] = i.decoder_start_token_id;
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
}

}  // namespace attn
