// `tokenize`: ids and tokens of a text as HF tokenizers' encode() gives them, as one JSON line.
#include <cstdio>

#include "cli/commands.h"
#include "core/json.h"
#include "model/tokenizer/tokenizer.h"
#include "platform/file_io.h"

namespace attn {

int cmd_tokenize(int argc, char** argv) {
    Args args = args_parse(argc, argv, {"--tokenizer", "--text", "--text-file"}, {"--no-special"});
    std::string path = args.require("--tokenizer");
    std::string text = args_text(args, "--text", "--text-file");
    auto bytes = file_read(path);
    if (!bytes) throw UsageError{bytes.error().message};
    auto tokenizer = tokenizer_from_json(string_from_bytes(*bytes), path);
    if (!tokenizer) throw UsageError{tokenizer.error().message};
    auto encoding = catch_errors([&] { return tokenizer->encode(text, !args.has("--no-special")); });
    if (!encoding) throw UsageError{encoding.error().message};
    Json out = {{"ids", encoding->ids}, {"tokens", encoding->tokens}};
    std::string line = out.dump(-1, ' ', false, Json::error_handler_t::replace);
    std::printf("%s\n", line.c_str());
    return 0;
}

}  // namespace attn
