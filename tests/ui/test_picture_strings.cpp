// Exported pictures speak the UI's language. A PNG is the app's frame drawn alone (picture_only): its
// caption, colorbar legend and notes are read back from the draw data (drawn_text.h); an SVG's text is
// read from the file. In Chinese both carry the Chinese templates of the string tables and none of the
// English words of assets/strings/pictures.en.json; in English they read as before. The label-thinning
// note says its ordinals the way each language does.
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "core/i18n.h"
#include "tests/ui/ui_zoo_language.h"
#include "tests/ui/drawn_text.h"
#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "ui/label_thinning.h"
#include "ui/picture_title.h"
#include "ui/svg_export.h"
#include "tests/text_contains.h"

using namespace attn;

namespace {

std::string without_spaces(const std::string& s) {
    std::string out;
    for (char c : s)
        if (c != ' ' && c != '\n' && c != '\t') out += c;
    return out;
}

// The English words (three letters or more) of the pictures table's texts, placeholders left out.
std::set<std::string> english_picture_words() {
    std::set<std::string> words;
    const std::regex placeholder(R"(\{[a-z_]+\})"), word("[A-Za-z]{3,}");
    for (const std::string& key : string_keys(Language::en)) {
        if (key.rfind("pictures.", 0) != 0) continue;
        const std::string text = std::regex_replace(tr(Language::en, key.c_str()), placeholder, " ");
        for (std::sregex_iterator it(text.begin(), text.end(), word), end; it != end; ++it) words.insert(it->str());
    }
    return words;
}

// The words of `english` that `chinese` still shows. `kept` is what reads the same in both languages
// (the model's name, its text and tokens).
std::vector<std::string> untranslated(const std::string& english, const std::string& chinese, const std::string& kept) {
    std::vector<std::string> left;
    for (const std::string& w : english_picture_words())
        if (contains(english, w) && contains(chinese, w) && !contains(kept, w)) left.push_back(w);
    return left;
}

// The contents of an SVG's <text> elements, except the model's own words and numbers: token labels,
// ticks and the subtitle (the input text). Row labels are tokens in the heatmap only (the flow's are
// layer names, the grid's "L0"...).
std::string svg_words(const std::string& svg, MainView view) {
    std::string out;
    const std::regex text(R"re(<(text)([^>]*)>([^<]*)</)re");
    for (std::sregex_iterator it(svg.begin(), svg.end(), text), end; it != end; ++it) {
        const std::string attrs = (*it)[2];
        bool model_words = contains(attrs, "class=\"tick\"") || contains(attrs, "id=\"subtitle\"");
        for (const char* c : {"col-label", "left-label", "right-label", "top-label", "bottom-label"})
            model_words |= contains(attrs, std::string("class=\"") + c + "\"");
        if (view == MainView::heatmap) model_words |= contains(attrs, "class=\"row-label\"");
        if (model_words) continue;
        out += (*it)[3].str() + "\n";
    }
    return out;
}

std::string svg_of(UiHarness& ui, MainView view) {
    ui.app.main_view = view;
    Expected<ExportFile> f = app_export_file(ui.app, ExportKind::svg);
    REQUIRE_MESSAGE(f.ok(), f.error().message);
    return std::string(f->bytes.begin(), f->bytes.end());
}

// What the PNG of `view` shows: the app's frame with picture_only, as picture_render draws it.
std::string picture_text(UiHarness& ui, MainView view) {
    ui.app.main_view = view;
    ui.app.picture_only = true;
    ui.frame();
    ui.frame();
    const std::string seen = drawn_text();
    ui.app.picture_only = false;
    return seen;
}

}  // namespace

TEST_CASE("label_thinning_note: English ordinals, Chinese counts, from the tables") {
    EnglishAfter restore;
    i18n_clear_missing();
    set_language(Language::en);
    CHECK(label_thinning_note(1, 1).empty());
    CHECK(label_thinning_note(3) == "every 3rd label shown (hover for all)");
    CHECK(label_thinning_note(21, 1) == "every 21st row label shown (hover for all)");
    CHECK(label_thinning_note(1, 12) == "every 12th column label shown (hover for all)");
    CHECK(label_thinning_note(2, 4) == "every 2nd row label, every 4th column label shown (hover for all)");
    CHECK(label_ordinal(111) == "111th");
    CHECK(label_ordinal(102) == "102nd");
    CHECK(notes_joined("a", "b") == "a; b");
    CHECK(notes_joined("", "b") == "b");
    set_language(Language::zh);
    CHECK(label_thinning_note(1).empty());
    CHECK(label_thinning_note(3) == "标签每 3 个显示 1 个（悬停可查看全部）");
    CHECK(label_thinning_note(21, 1) == "行标签每 21 个显示 1 个（悬停可查看全部）");
    CHECK(label_thinning_note(1, 12) == "列标签每 12 个显示 1 个（悬停可查看全部）");
    CHECK(label_thinning_note(2, 4) == "行标签每 2 个、列标签每 4 个显示 1 个（悬停可查看全部）");
    CHECK(label_ordinal(22) == "22");
    CHECK(notes_joined("a", "b") == "a；b");
    CHECK(i18n_missing().empty());
}

TEST_CASE("picture_title in Chinese: one template per heading, the attention kind, no English words") {
    EnglishAfter restore;
    i18n_clear_missing();
    UiHarness ui(ImVec2(1280, 800));
    ui.app.model_name = "m";
    app_show_trace(ui.app, make_synthetic_trace(2, 4, 6, true), 0.1);
    ui.app.selection.layer = 1;
    ui.app.selection.head = 3;
    ui.app.line_heads.on = {1, 0, 1, 0};
    ui.app.flow.threshold = 0.25f;
    set_language(Language::zh);
    const std::string heatmap = picture_title(ui.app, MainView::heatmap).heading;
    CHECK(heatmap == "m  \xC2\xB7  热力图  \xC2\xB7  第 1 层，头 3");
    CHECK(contains(picture_title(ui.app, MainView::lines).heading, "连线  \xC2\xB7  第 1 层，头 0, 2"));
    CHECK(contains(picture_title(ui.app, MainView::grid).heading, "所有头  \xC2\xB7  2 层 × 每层 4 个头"));
    CHECK(contains(picture_title(ui.app, MainView::flow).heading, "注意力流  \xC2\xB7  各头取平均，显示不低于 0.25 的连线"));
    ui.app.selection.head_mode = HeadMode::average_all;
    CHECK(contains(picture_title(ui.app, MainView::heatmap).heading, "第 1 层，全部 4 个头的平均"));
    ui.app.selection.head_mode = HeadMode::one;
    ui.app.line_heads.on = {1, 1, 1, 1};
    CHECK(contains(picture_title(ui.app, MainView::lines).heading, "全部 4 个头"));
    const std::string lesson = picture_title(ui.app, MainView::lesson).heading;
    CHECK(contains(lesson, "课程  \xC2\xB7  第 1 层，头 3  \xC2\xB7  "));
    ui.app.model_name.clear();
    CHECK(picture_title(ui.app, MainView::grid).heading.rfind("未加载模型", 0) == 0);
    ui.app.model_name = "m";
    // Every view's heading: none of the pictures table's English words (a view's name may keep a term
    // the Chinese table keeps on purpose, like "Logit").
    const std::set<std::string> words = english_picture_words();
    REQUIRE(words.count("heatmap"));
    for (MainView v : kMainViews) {
        CAPTURE(main_view_name(v));
        const std::string zh = picture_title(ui.app, v).heading;
        for (const std::string& w : words)
            if (contains(zh, w)) FAIL_CHECK("'" << zh << "' reads '" << w << "'");
    }
    set_language(Language::en);
    CHECK(picture_title(ui.app, MainView::heatmap).heading == "m  \xC2\xB7  heatmap  \xC2\xB7  layer 1, head 3");
    CHECK(contains(picture_title(ui.app, MainView::lesson).heading, "lesson  \xC2\xB7  layer 1, head 3  \xC2\xB7  "));
    CHECK(i18n_missing().empty());
}

TEST_CASE("picture_title: an encoder-decoder's heading names the attention kind in the UI's language") {
    EnglishAfter restore;
    i18n_clear_missing();
    UiHarness ui(ImVec2(1280, 800));
    ui.load_fixture("bart-tiny");
    app_set_text(ui.app, "The animal didn't cross the street");
    app_set_target(ui.app, "Hello world");
    REQUIRE(ui.app.trace.is_encoder_decoder());
    const struct {
        AttentionKind kind;
        const char* en;
        const char* zh;
    } kinds[] = {{AttentionKind::self, "encoder self attention (source)", "编码器自注意力（源文本）"},
                 {AttentionKind::decoder, "decoder self attention (target, causal)", "解码器自注意力（目标文本，因果）"},
                 {AttentionKind::cross, "cross attention (target looks at source)", "交叉注意力（目标文本看源文本）"}};
    for (const auto& k : kinds) {
        CAPTURE(k.en);
        ui.app.selection.kind = k.kind;
        set_language(Language::en);
        CHECK(contains(picture_title(ui.app, MainView::heatmap).heading, k.en));
        set_language(Language::zh);
        const std::string zh = picture_title(ui.app, MainView::heatmap).heading;
        CHECK(contains(zh, k.zh));
        CHECK_FALSE(contains(zh, k.en));
    }
}

TEST_CASE("SVG pictures in Chinese: axis names, legends, colorbar and row names from the tables") {
    EnglishAfter restore;
    i18n_clear_missing();
    UiHarness ui(ImVec2(1280, 800));
    ui.app.model_name = "m";
    ui.app.text = "The animal didn't cross";
    app_show_trace(ui.app, make_synthetic_trace(2, 4, 9, true), 0.1);
    ui.app.selection.layer = 1;
    ui.app.selection.auto_scale = true;   // the grid's colorbar then says what 1 means
    ui.app.flow.pinned = 3;               // the flow's legend then names the orange paths
    std::string english, chinese;
    for (Language language : {Language::en, Language::zh}) {
        set_language(language);
        std::string& out = language == Language::en ? english : chinese;
        for (MainView v : {MainView::heatmap, MainView::grid, MainView::lines, MainView::flow}) {
            CAPTURE(main_view_name(v));
            const std::string svg = svg_of(ui, v);
            REQUIRE(svg.rfind("<?xml", 0) == 0);
            out += svg_words(svg, v);
        }
    }
    // English as the tables say it.
    for (const char* en : {"heatmap", "key \xE2\x86\x92", "query \xE2\x86\x93", "future (masked)", "opacity = attention weight;",
                           "looking (query)", "looked at (key)", "input", "layer 2", "edges under 0.", "1 = each head"})
        CHECK_MESSAGE(contains(english, en), std::string(en));
    // Chinese: the same places in the Chinese templates.
    for (const char* zh : {"热力图", "键 →", "查询 ↓", "未来（已遮蔽）", "不透明度 = 注意力权重；", "发出注意（查询）",
                           "被注意（键）", "输入", "第 2 层", "橙色", "1 = 每个头的最大值"})
        CHECK_MESSAGE(contains(chinese, zh), std::string(zh));
    for (const std::string& w : untranslated(english, chinese, ui.app.text + " m"))
        FAIL_CHECK("the Chinese SVG still reads '" << w << "'");
    CHECK_FALSE(std::regex_search(chinese, std::regex("[A-Za-z]{3,}")));
    CHECK(i18n_missing().empty());
}

TEST_CASE("PNG pictures in Chinese: the caption, the colorbar's mask legend and the notes are drawn in Chinese") {
    EnglishAfter restore;
    i18n_clear_missing();
    std::string drawn[2];
    std::string kept;
    for (Language language : {Language::en, Language::zh}) {
        UiHarness ui(ImVec2(700, 450));
        app_set_language(ui.app, language);
        ui.load_fixture("gpt2-tiny");
        app_set_text(ui.app, "The animal didn't cross the street because it was too tired");
        ui.app.selection.layer = 1;
        ui.app.selection.head = 2;
        std::string& seen = drawn[language == Language::en ? 0 : 1];
        for (MainView v : {MainView::heatmap, MainView::grid, MainView::lines, MainView::flow})
            seen += without_spaces(picture_text(ui, v));
        kept = without_spaces(ui.app.text + ui.app.model_name);
        for (const std::string& piece : ui.app.trace.tokens.pieces) kept += piece;
    }
    CHECK(contains(drawn[0], "heatmap\xC2\xB7layer1,head2"));
    CHECK(contains(drawn[0], "future(masked)"));
    CHECK(contains(drawn[1], "热力图\xC2\xB7第1层，头2"));
    CHECK(contains(drawn[1], "未来（已遮蔽）"));
    CHECK(contains(drawn[1], "连线\xC2\xB7第1层"));
    CHECK(contains(drawn[1], "注意力流\xC2\xB7各头取平均"));
    for (const std::string& w : untranslated(drawn[0], drawn[1], kept)) FAIL_CHECK("the Chinese picture still reads '" << w << "'");
    CHECK(i18n_missing().empty());
}
