// The URL fragment on its own (ui/url_fragment.h): a parsed link written back and parsed again is the
// same state (what tests/fuzz/url_state.cpp checks on any bytes), and the writer's form of it.
#include <doctest/doctest.h>

#include <string>

#include "ui/url_fragment.h"

using namespace attn;

TEST_CASE("URL fragment: a link written back from its state is the link in canonical form") {
    const std::string link =
        "#model=gpt2-tiny&view=heatmap&kind=self&layer=1&head=3&cmap=magma&auto=1&theme=light&font=22"
        "&text=The%20cat&lang=zh&present=1&pin=4&lheads=0,2&flow=0.25&fpin=6&heads=0,2,3&words=1&vw=1"
        "&lstep=softmax&lesson=induction&lpage=2";
    const UrlState st = url_state_parse(link);
    const std::string written = url_state_write(st);
    // The writer's order (the struct's), ':' and ',' percent-encoded like every byte that is not plain.
    CHECK(written ==
          "model=gpt2-tiny&view=heatmap&kind=self&layer=1&head=3&cmap=magma&auto=1&theme=light&lang=zh"
          "&present=1&font=22&text=The%20cat&pin=4&lheads=0%2C2&flow=0.25&fpin=6&heads=0%2C2%2C3&words=1&vw=1"
          "&lstep=softmax&lesson=induction&lpage=2");
    const UrlState again = url_state_parse(written);
    CHECK(again.model == st.model);
    CHECK(again.view == MainView::heatmap);
    CHECK(again.colormap == Colormap::magma);
    CHECK(again.language == Language::zh);
    CHECK(again.font_size == 22.0f);
    CHECK(again.text == std::string("The cat"));
    CHECK(again.line_heads == std::vector<int>{0, 2});
    CHECK(again.flow_threshold == 0.25f);
    CHECK(again.head_mode == HeadMode::average_chosen);
    CHECK(again.averaged_heads == std::vector<int>{0, 2, 3});
    CHECK(again.lesson_step == HeadStep::softmax);
    CHECK(again.lesson_page == 2);
    CHECK(url_state_write(again) == written);
}

TEST_CASE("URL fragment: unset fields are not written, off flags are, a disk model stays marked") {
    CHECK(url_state_write(url_state_parse("junk&=x&layer=abc")) == "");
    CHECK(url_state_write(url_state_parse("words=0&vw=0&auto=0&present=0&theme=dark")) ==
          "auto=0&theme=dark&present=0&words=0&vw=0");
    const UrlState st = url_state_parse("model=local%3Amy-bert");
    CHECK(st.local_model == std::string("my-bert"));
    CHECK(url_state_write(st) == "model=local%3Amy-bert");
    // Any bytes in the text come back: '&', '=', '%', '+', '#', NUL and invalid UTF-8 included.
    UrlState text;
    text.text = std::string("a&b=c%d+e#f\0g\xff", 14);
    CHECK(url_state_parse(url_state_write(text)).text == text.text);
}

TEST_CASE("URL fragment: the flow threshold is written with 6 decimals and reads back within them") {
    const UrlState st = url_state_parse("flow=0.1234567");
    REQUIRE(st.flow_threshold);
    CHECK(url_state_write(st) == "flow=0.123457");
    CHECK(*url_state_parse(url_state_write(st)).flow_threshold == doctest::Approx(*st.flow_threshold).epsilon(1e-6));
    CHECK(url_state_write(url_state_parse("flow=0.0000001")) == "flow=0");
    CHECK(url_state_write(url_state_parse("flow=1")) == "flow=1");
}

// Found by tools/fuzz url_state (minimised: "heads=2&heads=all"): a later heads=all kept the heads
// chosen before it beside average_all, so the state differed from the one its own link (heads=all)
// gives, and the app was handed a chosen set for a mode that has none.
TEST_CASE("URL fragment: a later heads=all or heads=one drops the heads chosen before it") {
    for (const char* later : {"all", "one"}) {
        CAPTURE(later);
        const UrlState st = url_state_parse(std::string("heads=0,2&heads=") + later);
        CHECK(st.head_mode == (std::string(later) == "all" ? HeadMode::average_all : HeadMode::one));
        CHECK(st.averaged_heads.empty());
        CHECK(url_state_parse(url_state_write(st)).averaged_heads == st.averaged_heads);
    }
    // The other way round the later list wins, as before.
    const UrlState chosen = url_state_parse("heads=all&heads=1,3");
    CHECK(chosen.head_mode == HeadMode::average_chosen);
    CHECK(chosen.averaged_heads == std::vector<int>{1, 3});
}
