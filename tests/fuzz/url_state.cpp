// Fuzz target: the URL state (ui/url_fragment.h), any bytes as a link's fragment. Parsing must never
// abort, and the state it gives must survive being written back as a link: parse(write(parse(x))) is
// parse(x) (the flow threshold within the writer's 6 decimals), and writing that again gives the same
// link. Percent-encoding must give back any bytes.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ui/url_fragment.h"

namespace {

// The one way a state and its rewritten copy may differ: url_state_write rounds the flow threshold to
// 6 decimals (a short link, never an exponent).
bool same_threshold(const std::optional<float>& a, const std::optional<float>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || std::fabs(*a - *b) <= 1e-6f;   // half a millionth, plus the float error of reading it back
}

// Field by field: a field added to UrlState must be added here too, or the round trip goes unchecked.
const char* first_difference(const attn::UrlState& a, const attn::UrlState& b) {
    if (a.model != b.model) return "model";
    if (a.local_model != b.local_model) return "local_model";
    if (a.view != b.view) return "view";
    if (a.kind != b.kind) return "kind";
    if (a.layer != b.layer) return "layer";
    if (a.head != b.head) return "head";
    if (a.colormap != b.colormap) return "colormap";
    if (a.auto_scale != b.auto_scale) return "auto_scale";
    if (a.theme != b.theme) return "theme";
    if (a.language != b.language) return "language";
    if (a.font_size != b.font_size) return "font_size";
    if (a.text != b.text) return "text";
    if (a.target != b.target) return "target";
    if (a.pinned != b.pinned) return "pinned";
    if (a.line_heads != b.line_heads) return "line_heads";
    if (!same_threshold(a.flow_threshold, b.flow_threshold)) return "flow_threshold";
    if (a.flow_pinned != b.flow_pinned) return "flow_pinned";
    if (a.head_mode != b.head_mode) return "head_mode";
    if (a.averaged_heads != b.averaged_heads) return "averaged_heads";
    if (a.words != b.words) return "words";
    if (a.value_weighted != b.value_weighted) return "value_weighted";
    if (a.lesson_step != b.lesson_step) return "lesson_step";
    if (a.presenter != b.presenter) return "presenter";
    if (a.lesson != b.lesson) return "lesson";
    if (a.lesson_page != b.lesson_page) return "lesson_page";
    return nullptr;
}

[[noreturn]] void fail(const char* what, const std::string& detail) {
    std::fprintf(stderr, "fuzz_url_state: %s\n%s\n", what, detail.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string fragment(reinterpret_cast<const char*>(data), size);
    const attn::UrlState state = attn::url_state_parse(fragment);
    const std::string link = attn::url_state_write(state);
    const attn::UrlState again = attn::url_state_parse(link);
    if (const char* field = first_difference(state, again))
        fail("parse(write(parse(x))) differs from parse(x) in", std::string(field) + "; written as: " + link);
    if (attn::url_state_write(again) != link) fail("writing the parsed link again changed it:", link);
    if (attn::url_decode(attn::url_encode(fragment)) != fragment) fail("url_decode(url_encode(x)) != x", fragment);
    return 0;
}
