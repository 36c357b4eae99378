// Zoo models in the explorer: opening on the card's example text (encoder-decoders: with the model's own
// translation as the target) and featured head, and the left panel's
// "Model card" section (task, summary, held-out accuracy, the measured head claims, how it was trained).
// The card is read at load (app_load_model); nothing here re-measures a claim.
// card.json stays English (it is what tools/train writes); in another UI language the panel shows the
// task's summary, data paragraph and claims from the tables (assets/strings/cards.*), the claims' numbers
// filled in from the card. A card whose task (or claim metric) the tables do not know shows its own text.
#include <algorithm>
#include <cstdio>

#include "analysis/check_suites.h"
#include "core/i18n.h"
#include "imgui.h"
#include "model/generate.h"
#include "ui/app.h"
#include "ui/theme.h"
#include "ui/token_label.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

// A piece's text without the space a tokenizer keeps in front of a word ("Ġit", "▁it" -> "it").
std::string piece_word(const std::string& piece, PieceStyle style) {
    std::string bytes;
    piece_bytes(piece, style, &bytes);
    const size_t a = bytes.find_first_not_of(" \t\n");
    return a == std::string::npos ? std::string() : bytes.substr(a, bytes.find_last_not_of(" \t\n") - a + 1);
}

// The table's text for `key` when the UI is not English and the tables have it (a card from elsewhere
// has no keys for its task), else the card's own.
std::string card_text(const std::string& own, const std::string& key) {
    if (current_language() == Language::en || !tr_has(key)) return own;
    return tr(key.c_str());
}

// A claim's number as the trainer's statement writes it (src/train/task_*.cpp find_claims): rates as a
// percentage with one decimal (the claimed minimum as a whole percentage), scores with two decimals.
std::string claim_number(const HeadClaim& h, double v, bool minimum) {
    const bool rate = h.metric.size() > 5 && h.metric.compare(h.metric.size() - 5, 5, "_rate") == 0;
    char buf[32];
    if (rate) std::snprintf(buf, sizeof buf, minimum ? "%.0f%%" : "%.1f%%", 100.0 * v);
    else std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

// The head cases of the built-in coreference suite: the builtin_coreference_pass_rate claim's "N of the M".
int builtin_coreference_head_cases() {
    static const int cases = [] {
        const BuiltinCheckSuite* b = builtin_check_suite("coreference");
        if (!b) return 0;
        Expected<CheckSuite> suite = parse_check_suite(b->json, b->file);
        if (!suite.ok()) return 0;
        return static_cast<int>(std::count_if(suite->cases.begin(), suite->cases.end(),
                                              [](const CheckCase& c) { return c.scope == CheckScope::head; }));
    }();
    return cases;
}

// A claim's sentence: the table's template for (task, metric) with what varies between trainings filled
// in from the card, or the card's own statement.
std::string claim_text(const ModelCard& c, const HeadClaim& h) {
    const std::string own = h.statement.empty() ? h.pattern : h.statement;
    const std::string key = "cards." + c.task + ".claim." + h.metric;
    if (current_language() == Language::en || !tr_has(key)) return own;
    const int cases = builtin_coreference_head_cases();
    return fill_placeholders(tr(key.c_str()), {{"layer", std::to_string(h.layer)},
                                               {"head", std::to_string(h.head)},
                                               {"value", claim_number(h, h.value, false)},
                                               {"min", claim_number(h, h.min_value, true)},
                                               {"passed", std::to_string(static_cast<int>(h.value * cases + 0.5))},
                                               {"cases", std::to_string(cases)}});
}

}  // namespace

bool app_card_open(App& app) {
    if (!app.card.present || !app.card.error.empty()) return false;
    const ModelCard& c = app.card.card;
    if (!c.example_text.empty()) {
        app.text = c.example_text;
        ++app.text_generation;   // the text box shows the example
        app.stepped_ids.clear();
        app.stepped_decoder_ids.clear();
        app.stepped_position = -1;
        // Encoder-decoders: the card gives the source; the model's own greedy translation is the target,
        // so cross attention has a row per target word to show its alignment with.
        if (app.model && app.model->info().encoder_decoder) {
            const Model& model = *app.model;
            GenerateOptions options;
            options.max_new_tokens = std::max(8, model.info().n_ctx > 0 ? model.info().n_ctx - 2 : 32);
            Expected<std::vector<int32_t>> ids = model_generate_seq2seq(model, seq2seq_source_ids(model, app.text), options);
            app.target = ids ? model.tokenizer.decode(*ids, /*skip_special_tokens=*/true) : std::string();
            ++app.target_generation;
        }
    }
    app.selection.head_mode = HeadMode::one;   // the claim is about one head: show that head alone
    app.selection.layer = c.featured_layer;
    app.selection.head = c.featured_head;
    app.selection.pinned_query = -1;
    if (app.model) {
        const ModelInfo& info = app.model->info();
        selection_clamp(app.selection, info.n_layer, info.n_head);
    }
    app_retrace(app);
    // The card's query word pinned (its last occurrence), so the inspector shows the row the card is about.
    if (!c.featured_query.empty() && !app.trace.tokens.ids.empty()) {
        const PieceStyle style = piece_style_for(app.trace);
        for (int t = app.trace.tokens.size() - 1; t >= 0; --t) {
            if (piece_word(app.trace.tokens.pieces[static_cast<size_t>(t)], style) == c.featured_query) {
                app.selection.pinned_query = t;
                break;
            }
        }
    }
    return true;
}

void app_show_card_panel(App& app) {
    app.widgets.card_panel = {};
    if (!app.card.present) return;
    const ImVec2 top = ImGui::GetCursorScreenPos();
    ImGui::Spacing();
    ImGui::SetNextItemOpen(true, ImGuiCond_Once);
    const bool open = ImGui::CollapsingHeader(tr_id("card.title"));
    widget_mark("card_panel");
    if (open) {
        if (!app.card.error.empty()) {
            ImGui::TextColored(theme_error(), "%s", app.card.error.c_str());
        } else {
            const ModelCard& c = app.card.card;
            const std::string summary = card_text(c.summary, "cards." + c.task + ".summary");
            ImGui::TextUnformatted(summary.empty() ? c.task.c_str()
                                                   : trf("cards.task_summary", {{"task", c.task}, {"summary", summary}}).c_str());
            if (c.held_out_accuracy > 0.0) {
                char percent[16];
                std::snprintf(percent, sizeof percent, "%.1f", c.held_out_accuracy * 100.0);
                ImGui::TextUnformatted(c.held_out_examples > 0
                                           ? trf("card.accuracy", {{"percent", percent}, {"n", std::to_string(c.held_out_examples)}}).c_str()
                                           : trf("card.accuracy_short", {{"percent", percent}}).c_str());
            }
            ImGui::TextUnformatted(
                trf("card.featured", {{"layer", std::to_string(c.featured_layer)}, {"head", std::to_string(c.featured_head)}}).c_str());
            if (ImGui::SmallButton(tr_id("card.show_example"))) app_card_open(app);
            widget_mark("card_example");
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("card.show_example_tip"));
            if (!c.claims.empty()) {
                ImGui::Spacing();
                ImGui::TextDisabled("%s", tr("card.claims"));
                for (const HeadClaim& h : c.claims) {
                    ImGui::Bullet();
                    ImGui::TextUnformatted(trf("cards.claim_line", {{"layer", std::to_string(h.layer)},
                                                                    {"head", std::to_string(h.head)},
                                                                    {"text", claim_text(c, h)}}).c_str());
                    if (!h.metric.empty()) {
                        char value[16], min[16];
                        std::snprintf(value, sizeof value, "%.2f", h.value);
                        std::snprintf(min, sizeof min, "%.2f", h.min_value);
                        ImGui::TextDisabled("  %s", trf("card.claim_metric", {{"metric", h.metric}, {"value", value}, {"min", min}}).c_str());
                    }
                }
            }
            if (!c.description.empty()) {
                ImGui::Spacing();
                ImGui::TextDisabled("%s", tr("card.data"));
                const std::string description = card_text(c.description, "cards." + c.task + ".description");
                ImGui::TextUnformatted(description.c_str());
            }
            if (!c.command.empty()) {
                ImGui::Spacing();
                ImGui::TextDisabled("%s", trf("card.command", {{"command", c.command}}).c_str());
            }
        }
    }
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    app.widgets.card_panel = {top.x, top.y, right - top.x, ImGui::GetCursorScreenPos().y - top.y};
}

}  // namespace attn
