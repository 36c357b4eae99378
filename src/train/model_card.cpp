// card.json and README.md of a zoo model (model_card.h).
#include "train/model_card.h"

#include <cmath>
#include <cstdio>

#include "core/json.h"

namespace attn {
namespace {

std::string percent(double x) {
    char s[32];
    std::snprintf(s, sizeof s, "%.1f%%", 100.0 * x);
    return s;
}

std::string fixed(double x, int digits) {
    char s[32];
    std::snprintf(s, sizeof s, "%.*f", digits, x);
    return s;
}

}  // namespace

std::string model_card_json(const ModelCard& c) {
    Json claims = Json::array();
    for (const HeadClaim& h : c.claims)
        claims.push_back({{"layer", h.layer}, {"head", h.head}, {"pattern", h.pattern}, {"metric", h.metric},
                          {"value", h.value}, {"min_value", h.min_value}, {"statement", h.statement}});
    Json j = {
        {"task", c.task}, {"summary", c.summary}, {"description", c.description}, {"family", c.family},
        {"class", c.hf_class}, {"command", c.command}, {"seed", c.seed}, {"steps", c.steps},
        {"train_seconds", std::round(c.train_seconds * 10.0) / 10.0}, {"held_out_accuracy", c.held_out_accuracy},
        {"held_out_examples", c.held_out_examples}, {"example_text", c.example_text},
        {"featured", {{"layer", c.featured_layer}, {"head", c.featured_head}}}, {"claims", claims},
    };
    if (!c.featured_query.empty()) j["featured"]["query"] = c.featured_query;
    return j.dump(2) + "\n";
}

Expected<ModelCard> model_card_parse(const std::string& text, const std::string& file) {
    return catch_errors([&]() -> ModelCard {
        const Json j = json_parse(text, file);
        if (!j.is_object()) throw Error(file + ": expected a JSON object at the top level");
        ModelCard c;
        c.task = json_get_string(j, "task", file);
        c.summary = json_get_string_or(j, "summary", "", file);
        c.description = json_get_string_or(j, "description", "", file);
        c.family = json_get_string_or(j, "family", "", file);
        c.hf_class = json_get_string_or(j, "class", "", file);
        c.command = json_get_string_or(j, "command", "", file);
        c.seed = static_cast<uint64_t>(json_get_int_or(j, "seed", 0, file));
        c.steps = static_cast<int>(json_get_int_or(j, "steps", 0, file));
        c.train_seconds = json_get_number_or(j, "train_seconds", 0.0, file);
        c.held_out_accuracy = json_get_number_or(j, "held_out_accuracy", 0.0, file);
        c.held_out_examples = static_cast<int>(json_get_int_or(j, "held_out_examples", 0, file));
        c.example_text = json_get_string_or(j, "example_text", "", file);
        if (j.contains("featured")) {
            const Json& f = j["featured"];
            if (!f.is_object()) throw Error(file + ": 'featured' must be an object {\"layer\": L, \"head\": H}");
            c.featured_layer = static_cast<int>(json_get_int(f, "layer", file + ": featured"));
            c.featured_head = static_cast<int>(json_get_int(f, "head", file + ": featured"));
            c.featured_query = json_get_string_or(f, "query", "", file + ": featured");
        }
        if (j.contains("claims")) {
            if (!j["claims"].is_array()) throw Error(file + ": 'claims' must be an array");
            int i = 0;
            for (const Json& x : j["claims"]) {
                const std::string where = file + ": claims[" + std::to_string(i++) + "]";
                if (!x.is_object()) throw Error(where + ": expected an object");
                HeadClaim h;
                h.layer = static_cast<int>(json_get_int(x, "layer", where));
                h.head = static_cast<int>(json_get_int(x, "head", where));
                h.pattern = json_get_string_or(x, "pattern", "", where);
                h.metric = json_get_string(x, "metric", where);
                h.value = json_get_number_or(x, "value", 0.0, where);
                h.min_value = json_get_number_or(x, "min_value", 0.0, where);
                h.statement = json_get_string_or(x, "statement", "", where);
                c.claims.push_back(h);
            }
        }
        c.markdown = model_card_markdown(c);
        return c;
    });
}

std::string model_card_markdown(const ModelCard& c) {
    std::string s;
    s += "---\nlibrary_name: transformers\ntags:\n- attnscope\n- interpretability\n- " + c.task + "\n---\n\n";
    s += "# AttnScope zoo: " + c.task + "\n\n" + c.summary + "\n\n";
    s += "A " + c.family + " (`" + c.hf_class + "`) trained from scratch by AttnScope's own trainer on data it "
         "generates. Nothing here was downloaded.\n\n";
    s += "## Reproduce\n\n```sh\n" + c.command + "\n```\n\n";
    s += "Seed " + std::to_string(c.seed) + ", " + std::to_string(c.steps) + " steps, " + fixed(c.train_seconds, 0) +
         " s on the machine that trained it (2 cores). The same seed gives the same weights on one machine.\n\n";
    s += "## Data\n\n" + c.description + "\n\n";
    s += "## Held-out accuracy\n\n" + percent(c.held_out_accuracy) + " on " + std::to_string(c.held_out_examples) +
         " freshly generated held-out examples (`tools/cli eval --model DIR --task " + c.task + "`).\n\n";
    s += "## What the heads do\n\n";
    if (c.claims.empty()) s += "No head claims were measured for this task.\n";
    for (const HeadClaim& h : c.claims)
        s += "- **Layer " + std::to_string(h.layer) + ", head " + std::to_string(h.head) + "** (" + h.pattern + "): " +
             h.statement + " Measured " + h.metric + " = " + fixed(h.value, 3) + "; the tests re-measure it on fresh "
             "held-out data and require at least " + fixed(h.min_value, 3) + ".\n";
    s += "\n## Try it\n\nOpen the model in AttnScope with the text \"" + c.example_text + "\"; it opens on layer " +
         std::to_string(c.featured_layer) + ", head " + std::to_string(c.featured_head) +
         (c.featured_query.empty() ? std::string(".\n") : ", with the row of \"" + c.featured_query + "\" pinned.\n");
    return s;
}

}  // namespace attn
