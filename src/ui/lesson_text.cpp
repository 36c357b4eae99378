// The lesson's sentences come from the string tables (ui.lesson.*, assets/strings/ui.<code>.json); this
// file only says which key fills which part, so every language has the same lesson.
#include "ui/lesson_text.h"

namespace attn {

const char* const kLessonSymbols = "√∞ᵀ−≈";

const LessonStrings& lesson_strings(Language language) {
    // Built once per language; tr's pointers live as long as the program.
    static const std::vector<LessonStrings> all = [] {
        std::vector<LessonStrings> out;
        for (const LanguageInfo& l : languages()) out.push_back(lesson_strings_from_tables(l.language));
        return out;
    }();
    return all[static_cast<size_t>(language)];
}

LessonStrings lesson_strings_from_tables(Language language) {
    LessonStrings s;
    s.language = language_info(language).code;
    s.steps = {
            {HeadStep::input, tr(language, "ui.lesson.input_row"), tr(language, "ui.lesson.input_title"), ""},
            {HeadStep::qkv, tr(language, "ui.lesson.qkv_row"), tr(language, "ui.lesson.qkv_title"), tr(language, "ui.lesson.qkv_text")},
            {HeadStep::rope, tr(language, "ui.lesson.rope_row"), tr(language, "ui.lesson.rope_title"), tr(language, "ui.lesson.rope_text")},
            {HeadStep::gqa, tr(language, "ui.lesson.gqa_row"), tr(language, "ui.lesson.gqa_title"), ""},
            {HeadStep::scores, tr(language, "ui.lesson.scores_row"), tr(language, "ui.lesson.scores_title"), tr(language, "ui.lesson.scores_text")},
            {HeadStep::scale, tr(language, "ui.lesson.scale_row"), tr(language, "ui.lesson.scale_title"), ""},
            {HeadStep::mask, tr(language, "ui.lesson.mask_row"), tr(language, "ui.lesson.mask_title"), ""},
            {HeadStep::softmax, tr(language, "ui.lesson.softmax_row"), tr(language, "ui.lesson.softmax_title"), tr(language, "ui.lesson.softmax_text")},
            {HeadStep::context, tr(language, "ui.lesson.context_row"), tr(language, "ui.lesson.context_title"), tr(language, "ui.lesson.context_text")},
            {HeadStep::entropy, tr(language, "ui.lesson.entropy_row"), tr(language, "ui.lesson.entropy_title"), tr(language, "ui.lesson.entropy_text")},
    };
        s.input_pre_norm = tr(language, "ui.lesson.input_pre_norm");
        s.input_post_norm = tr(language, "ui.lesson.input_post_norm");
        s.input_cross = tr(language, "ui.lesson.input_cross");
        s.scale_inverse_sqrt = tr(language, "ui.lesson.scale_inverse_sqrt");
        s.scale_other = tr(language, "ui.lesson.scale_other");
        s.mask_causal = tr(language, "ui.lesson.mask_causal");
        s.mask_none = tr(language, "ui.lesson.mask_none");
        s.mask_cross = tr(language, "ui.lesson.mask_cross");
        s.gqa_shared = tr(language, "ui.lesson.gqa_shared");
        s.heading = tr(language, "ui.lesson.heading");
        s.step_counter = tr(language, "ui.lesson.step_counter");
        s.previous = tr(language, "ui.lesson.previous");
        s.next = tr(language, "ui.lesson.next");
        s.query_row = tr(language, "ui.lesson.query_row");
        s.pick_row = tr(language, "ui.lesson.pick_row");
        s.row_sum = tr(language, "ui.lesson.row_sum");
        s.more_values = tr(language, "ui.lesson.more_values");
        s.entropy_row = tr(language, "ui.lesson.entropy_row");
        s.entropy_columns = tr(language, "ui.lesson.entropy_columns");
        s.hidden_cell = tr(language, "ui.lesson.hidden_cell");
        s.no_model = tr(language, "ui.lesson.no_model");
        s.kind_self = tr(language, "ui.lesson.kind_self");
        s.kind_encoder = tr(language, "ui.lesson.kind_encoder");
        s.kind_decoder = tr(language, "ui.lesson.kind_decoder");
        s.kind_cross = tr(language, "ui.lesson.kind_cross");
    return s;
}

const LessonStepText& lesson_step_text(const LessonStrings& strings, HeadStep step) {
    for (const LessonStepText& t : strings.steps)
        if (t.step == step) return t;
    return strings.steps.front();
}

std::string lesson_fill(const char* text, const std::vector<std::pair<const char*, std::string>>& values) {
    std::string out = text;
    for (const auto& [name, value] : values) {
        const std::string key = std::string("{") + name + "}";
        for (size_t at = out.find(key); at != std::string::npos; at = out.find(key, at + value.size()))
            out.replace(at, key.size(), value);
    }
    return out;
}

}  // namespace attn
