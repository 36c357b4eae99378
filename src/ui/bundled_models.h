// The models the explorer ships with: the trained zoo (assets/models, one folder per task, each with a
// model card) and the random test fixtures. One table, generated at configure time by
// ui/bundled_models.cmake, read by the desktop picker, the page (which the build serves the same folders
// to, at models/<name>/) and the tests. It lists folders; it reads no model files.
//
//   const std::vector<BundledModel>& all = bundled_models();   // zoo first, then the test models
//   const BundledModel* first = bundled_model_default(all);     // what the explorer opens with
//   std::string label = bundled_model_label(*first);            // "coref: who 'it' is ..."
#pragma once
#include <string>
#include <vector>

namespace attn {

struct BundledModel {
    std::string name;        // the picker's key; the page fetches models/<name>/
    std::string dir;         // the folder at build time (absolute): what the desktop app reads
    bool zoo = false;        // trained here (assets/models); false: a random test fixture
    std::string card_json;   // zoo: its card.json ("" when the folder has none)
};

// The build's table, in bundled_models_order's order.
const std::vector<BundledModel>& bundled_models();

// Zoo models first - coref leads (the seeds' example sentence, "... because it was too tired", is its
// task), the others by name - then the test fixtures in the order given.
std::vector<BundledModel> bundled_models_order(std::vector<BundledModel> models);
// The model the explorer opens with: the first in order (null for an empty list).
const BundledModel* bundled_model_default(const std::vector<BundledModel>& models);
const BundledModel* bundled_model_find(const std::vector<BundledModel>& models, const std::string& name);
// The picker's entry: zoo models "task: summary" from their card (the name when the card has neither),
// fixtures their name.
std::string bundled_model_label(const BundledModel& model);

}  // namespace attn
