// The CLI's commands. Each returns the process exit code; usage problems throw UsageError and bad
// files come back as error values, both reported by main() as one line on stderr with exit code 2.
#pragma once
#include "cli/args.h"

namespace attn {

int cmd_tokenize(int argc, char** argv);
int cmd_trace(int argc, char** argv);
int cmd_info(int argc, char** argv);
int cmd_generate(int argc, char** argv);
int cmd_analyze(int argc, char** argv);
int cmd_heads(int argc, char** argv);
int cmd_explain(int argc, char** argv);
int cmd_patch(int argc, char** argv);
int cmd_render(int argc, char** argv);   // only with ATTN_CLI_RENDER (the app's UI is built)
int cmd_probe(int argc, char** argv);
int cmd_train(int argc, char** argv);
int cmd_eval(int argc, char** argv);

}  // namespace attn
