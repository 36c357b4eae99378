// The model-file rows of the bad-input catalog (issue 14): one table of broken model folders, each made
// from a good fixture by one mutation, with the phrases its error message must contain. Three front
// ends read the same table, so a row is tested the same way everywhere:
//   - tests/model/test_bad_model_catalog.cpp loads each in memory (native under ASan+UBSan, and WASM);
//   - tests/tools/write_bad_models writes each as a folder, which tests/cli/cases_bad_models.py feeds to
//     the CLI and tests/e2e/bad_models.test.js to the page (the previous model must stay loaded).
//
//   for (const BadModelCase& c : bad_model_catalog(fixtures_dir)) {
//       Expected<ModelPtr> m = model_load(c.make());
//       // m must fail (or, where c.loads, load with a warning), the message containing c.expect
//   }
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/file_set.h"

namespace attn {

struct BadModelCase {
    std::string row;                   // the catalog row it covers, as the issue words it
    std::string name;                  // a folder-safe id, unique: "st_header_past_end"
    std::function<FileSet()> make;     // builds the folder (lazily: some fixtures are megabytes)
    std::vector<std::string> expect;   // phrases the message must contain; the first names the file
    // false: the load must fail with that message. true: it must load (the model still works for what
    // does not touch the fault) with a warning (Model::warnings) containing the phrases.
    bool loads = false;
};

// Every case; `fixtures_dir` holds tests/fixtures (gpt2-tiny, llama-tiny, bert-tiny, llama-bf16-sharded).
std::vector<BadModelCase> bad_model_catalog(const std::string& fixtures_dir);

// A good folder read from a fixture (config.json, weights, tokenizer.json), for cases built elsewhere.
FileSet fixture_files(const std::string& fixtures_dir, const std::string& model);

}  // namespace attn
