// The view as a URL fragment, so a link reproduces what is on screen:
//   #model=gpt2-tiny&view=heatmap&kind=self&layer=1&head=3&cmap=magma&auto=1&theme=light&font=22&text=The%20cat
//    &lang=zh&present=1&pin=4&lheads=0,2&flow=0.25&fpin=6&heads=avg|0,2,3&words=1&vw=1&lstep=softmax
// pin: the pinned token; lheads: the heads the Lines view draws; flow/fpin: the flow view's threshold and
// pinned top token; heads: the heatmap's head average (all, or a chosen set); words: word-level view;
// vw: the heatmap's value-weighted attention; lang: the UI's language (core/i18n.h; absent: English);
// lstep: the lesson's step (head_step_name), written while the lesson view is shown.
// lesson, lpage: the Lessons panel's open lesson (its model's name) and page (0-based), while one is open.
// A model opened from disk cannot travel in a link: it is written model=local:NAME, and the page that
// opens such a link says so instead of silently showing another model.
// Values are percent-encoded UTF-8. Parsing is forgiving: unknown keys and bad values are ignored (a
// hand-edited link must never break the page), so every field is optional.
//
// This half (the fragment <-> UrlState) needs no App, so tests/fuzz/url_state.cpp builds it alone;
// ui/url_state.h turns an App into a UrlState and applies one to it.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "analysis/head_computation.h"
#include "core/i18n.h"
#include "ui/selection.h"
#include "ui/theme_kind.h"

namespace attn {

struct UrlState {
    std::optional<std::string> model;   // a bundled model's name
    std::optional<MainView> view;
    std::optional<AttentionKind> kind;
    std::optional<int> layer, head;
    std::optional<Colormap> colormap;
    std::optional<bool> auto_scale;
    std::optional<Theme> theme;
    std::optional<Language> language;   // lang=zh
    std::optional<float> font_size;
    std::optional<std::string> text, target;
    std::optional<std::string> local_model;   // model=local:NAME: made with a model opened from disk
    std::optional<int> pinned;
    std::optional<std::vector<int>> line_heads;
    std::optional<float> flow_threshold;      // in [0, 1]
    std::optional<int> flow_pinned;
    std::optional<HeadMode> head_mode;
    std::vector<int> averaged_heads;          // with head_mode average_chosen
    std::optional<bool> words;
    std::optional<bool> value_weighted;
    std::optional<HeadStep> lesson_step;
    std::optional<bool> presenter;            // present=1: presenter mode (ui/presenter.h)
    std::optional<std::string> lesson;        // the Lessons panel's open lesson, with lesson_page
    std::optional<int> lesson_page;
};

UrlState url_state_parse(const std::string& fragment);   // with or without the leading '#'
// The fragment (no '#') naming every field that is set, in the order above the struct's comment shows.
// Parsing it gives the same state, except that the flow threshold is written with 6 decimals (short,
// never an exponent) and a chosen-heads average with no heads is written as heads=all.
std::string url_state_write(const UrlState& state);

std::string url_encode(const std::string& s);
std::string url_decode(const std::string& s);   // '+' stays '+'; bad escapes are kept as they are

}  // namespace attn
