// Ordering and labels of the bundled models; the table itself is generated (bundled_models.cmake).
#include "ui/bundled_models.h"

#include <algorithm>

#include "ui/zoo_card.h"

namespace attn {

std::vector<BundledModel> bundled_models_order(std::vector<BundledModel> models) {
    auto rank = [](const BundledModel& m) { return !m.zoo ? 2 : m.name == "coref" ? 0 : 1; };
    std::stable_sort(models.begin(), models.end(), [&](const BundledModel& a, const BundledModel& b) {
        if (rank(a) != rank(b)) return rank(a) < rank(b);
        return a.zoo && a.name < b.name;   // fixtures keep the order they were listed in
    });
    return models;
}

const BundledModel* bundled_model_default(const std::vector<BundledModel>& models) {
    return models.empty() ? nullptr : &models.front();
}

const BundledModel* bundled_model_find(const std::vector<BundledModel>& models, const std::string& name) {
    for (const BundledModel& m : models)
        if (m.name == name) return &m;
    return nullptr;
}

std::string bundled_model_label(const BundledModel& model) {
    if (!model.zoo || model.card_json.empty()) return model.name;
    Expected<ModelCard> card = model_card_parse(model.card_json, model.name + "/card.json");
    if (!card) return model.name;
    const std::string task = card->task.empty() ? model.name : card->task;
    return card->summary.empty() ? task : task + ": " + card->summary;
}

}  // namespace attn
