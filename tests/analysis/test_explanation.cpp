// The explanation and the faithfulness test: every number a sentence states equals the value it names in
// the attribution, the logit lens, the head labels or the faithfulness table (formatted by the shared
// functions); explain runs on every fixture family; faithfulness removing nothing is 0 and one value is
// recomputed here by deleting the token and re-tracing.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "analysis/attribution_methods.h"
#include "analysis/explanation.h"
#include "analysis/explanation_strings.h"
#include "analysis/faithfulness.h"
#include "core/i18n.h"
#include "analysis_fixtures.h"

using namespace attn;

namespace {

struct Run {
    ModelPtr model;
    Trace trace;
    Attribution attribution;
    LogitLens lens;
    std::vector<HeadStats> stats;
    Faithfulness faithfulness;
};

const char* kText = "The animal didn't cross the street because it was too";

Run run_all(const std::string& name, const std::string& text, std::vector<int> ks = {1, 2, 3}) {
    Run r;
    r.model = load_fixture_model(name);
    const bool encoder = !r.model->info().causal;
    // Encoders explain a [MASK]: put one at the end of the sentence.
    std::string input = text;
    if (encoder) input += r.model->tokenizer.token_to_id("[MASK]") ? " [MASK]." : " <mask>.";
    Expected<Trace> t = model_trace_text(*r.model, input, TraceOptions{});
    REQUIRE_MESSAGE(t.ok(), t.error().message);
    r.trace = std::move(*t);
    AttributionOptions opt;
    opt.ig_steps = 8;
    opt.permutation_samples = 2;
    AttributionJob job(*r.model, r.trace.tokens.ids, opt);
    while (!job.step()) {
    }
    REQUIRE_MESSAGE(job.error().empty(), job.error());
    r.attribution = job.result();
    r.lens = job.lens();
    r.stats = head_statistics(r.trace.attentions, token_kinds(r.model->tokenizer, r.trace.tokens), HeadStatsOptions{});
    FaithfulnessOptions fo;
    fo.ks = ks;
    FaithfulnessJob fj(*r.model, r.trace.tokens.ids, r.attribution, fo);
    step_job_finish(fj);
    REQUIRE_MESSAGE(fj.error().empty(), fj.error());
    r.faithfulness = fj.result();
    return r;
}

// "name[1,2]" -> (1, 2); "name[3]" -> (3, -1).
std::pair<int, int> indices(const std::string& source) {
    int a = -1, b = -1;
    const size_t open = source.find('[');
    if (open != std::string::npos) std::sscanf(source.c_str() + open, "[%d,%d]", &a, &b);
    return {a, b};
}

std::string prefix(const std::string& source) { return source.substr(0, source.find('[')); }

const FaithfulnessRow* row_of(const Faithfulness& f, const std::string& method, int k) {
    for (const FaithfulnessRow& r : f.rows)
        if (r.method == method && r.k == k) return &r;
    return nullptr;
}

std::string two_decimals(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

// Every stated number against the value it names, recomputed from the run where the facts measured it.
void check_numbers(const Run& r, const ExplanationFacts& f, const Explanation& e) {
    const Attribution& a = r.attribution;
    REQUIRE(e.numbers.size() == e.number_info.size());
    REQUIRE(!e.numbers.empty());
    for (size_t i = 0; i < e.numbers.size(); ++i) {
        const ExplanationNumber& n = e.number_info[i];
        INFO("number " << i << " '" << n.text << "' from " << n.source << " in: " << e.sentences[n.sentence]);
        CHECK(e.sentences[n.sentence].substr(n.begin, n.end - n.begin) == n.text);
        const auto [x, y] = indices(n.source);
        const std::string p = prefix(n.source);
        float expected = NAN;
        std::string text;
        if (n.source == "probability") {
            expected = std::exp(a.target_logprob);
            text = format_probability(expected);
        } else if (n.source == "foil_probability") {
            expected = std::exp(a.foil_logprob);
            text = format_probability(expected);
        } else if (attribution_method_index(p.c_str()) >= 0) {
            expected = kAttributionMethods[attribution_method_index(p.c_str())].scores(a)[static_cast<size_t>(x)];
            text = format_score(expected);
        } else if (p == "head_ablation" || p == "head_importance") {
            const std::vector<float>& v = p == "head_ablation" ? a.head_ablation : a.head_importance;
            expected = v[static_cast<size_t>(x) * a.n_head + y];
            text = format_score(expected);
        } else if (p == "label_confidence") {
            expected = label_head(r.stats[static_cast<size_t>(x) * a.n_head + y]).confidence;
            text = two_decimals(expected);
        } else if (p == "lens_target_prob") {
            expected = r.lens.target_prob[static_cast<size_t>(x)];
            text = format_probability(expected);
            CHECK(f.lens_settles_layer == x);
        } else if (n.source == "ablation_prob_after") {
            ForwardHooks hooks;
            hooks.head_gates = head_gates_ones(a.n_layer, a.n_head);
            hooks.head_gates[static_cast<size_t>(f.heads.front().layer) * a.n_head + f.heads.front().head] = 0.0f;
            expected = target_probability(*r.model, r.trace.tokens.ids, a.position, a.target, hooks);
            text = format_probability(expected);
        } else if (p.rfind("faithfulness.", 0) == 0) {
            const std::string rest = p.substr(13);
            const std::string method = rest.substr(0, rest.find('.'));
            if (rest.find(".mean_gap") != std::string::npos) {
                expected = faithfulness_mean_gap(r.faithfulness, method);
            } else {
                const int k = std::stoi(rest.substr(rest.find(".k") + 2));
                const FaithfulnessRow* row = row_of(r.faithfulness, method, k);
                REQUIRE(row != nullptr);
                expected = rest.find("comprehensiveness") != std::string::npos ? row->comprehensiveness : row->sufficiency;
            }
            text = format_probability(expected);
        } else {
            FAIL("unknown number source " << n.source);
        }
        CHECK(std::fabs(e.numbers[i] - expected) <= 1e-6f * std::max(1.0f, std::fabs(expected)));
        CHECK(n.text == text);
    }
}

}  // namespace

TEST_CASE("faithfulness: removing nothing changes nothing; a value recomputed by deleting the token (gpt2-tiny)") {
    Run r = run_all("gpt2-tiny", kText, {0, 1, 2, 100});
    const Attribution& a = r.attribution;
    const std::vector<int32_t>& ids = r.trace.tokens.ids;
    const int T = static_cast<int>(ids.size());
    CHECK(std::fabs(r.faithfulness.full_prob - std::exp(a.target_logprob)) < 1e-4f);
    for (int m = 0; m < kNumAttributionMethods; ++m) {
        if (kAttributionMethods[m].scores(a).empty()) continue;
        const FaithfulnessRow* none = row_of(r.faithfulness, kAttributionMethods[m].name, 0);
        const FaithfulnessRow* all = row_of(r.faithfulness, kAttributionMethods[m].name, 100);
        REQUIRE(none != nullptr);
        REQUIRE(all != nullptr);
        CHECK(none->comprehensiveness == 0.0f);   // nothing removed: the same input, the same pass
        CHECK(all->sufficiency == 0.0f);          // everything kept
    }
    // Integrated gradients, k = 1, by hand: its best token that is not the scored (last) one, deleted.
    const std::vector<float>& ig = a.integrated_gradients;
    int best = -1;
    for (int t = 0; t < T - 1; ++t)
        if (!r.model->tokenizer.is_special(ids[t]) && (best < 0 || ig[t] > ig[best])) best = t;
    REQUIRE(best >= 0);
    std::vector<int32_t> without = ids;
    without.erase(without.begin() + best);
    const float p_without = target_probability(*r.model, without, T - 2, a.target);
    const std::vector<int32_t> only = {ids[best], ids[T - 1]};
    const float p_only = target_probability(*r.model, only, 1, a.target);
    const FaithfulnessRow* row = row_of(r.faithfulness, "integrated_gradients", 1);
    REQUIRE(row != nullptr);
    CHECK(row->comprehensiveness == doctest::Approx(r.faithfulness.full_prob - p_without).epsilon(1e-6));
    CHECK(row->sufficiency == doctest::Approx(r.faithfulness.full_prob - p_only).epsilon(1e-6));
    // The best method has the largest mean gap.
    for (const FaithfulnessRow& x : r.faithfulness.rows)
        CHECK(faithfulness_mean_gap(r.faithfulness, x.method) <= faithfulness_mean_gap(r.faithfulness, r.faithfulness.best_method));
}

TEST_CASE("faithfulness job: progress rises to 1, cancel stops early, an encoder-decoder gets a message") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    Expected<Trace> t = model_trace_text(*model, kText, TraceOptions{});
    REQUIRE(t.ok());
    AttributionOptions opt;
    opt.ig_steps = 4;
    opt.permutation_samples = 1;
    opt.head_ablation = false;
    AttributionJob job(*model, t->tokens.ids, opt);
    while (!job.step()) {
    }
    FaithfulnessJob fj(*model, t->tokens.ids, job.result(), FaithfulnessOptions{});
    float last = fj.progress();
    CHECK(last == 0.0f);
    fj.step();
    fj.step();
    CHECK(fj.progress() > last);
    fj.cancel();
    step_job_finish(fj);
    CHECK(fj.error().empty());
    CHECK(fj.result().rows.size() == 1);   // one pass after the full input: sufficiency of the first row

    ModelPtr bart = load_fixture_model("bart-tiny");
    FaithfulnessJob bad(*bart, {0, 1, 2}, job.result(), FaithfulnessOptions{});
    step_job_finish(bad);
    CHECK(bad.error().find("encoder-decoder") != std::string::npos);
}

TEST_CASE("explanation numbers equal the attribution, lens, labels and faithfulness on every fixture family") {
    for (const char* name : {"gpt2-tiny", "gpt2-f16", "llama-tiny", "qwen2-tiny", "bert-tiny", "roberta-tiny",
                             "distilbert-tiny", "llama-bf16-sharded"}) {
        INFO(name);
        Run r = run_all(name, kText);
        ExplanationFacts f = explanation_facts(*r.model, r.trace.tokens, r.attribution, r.lens, r.stats, &r.faithfulness);
        Explanation e = explain(f, explanation_strings(Language::en));
        INFO(e.text());
        CHECK(e.sentences.size() == e.claims.size());
        CHECK(e.sentences.size() >= 5);
        CHECK(e.sentences.front().find("\u201c" + f.predicted + "\u201d") != std::string::npos);
        CHECK(f.top_tokens.size() == 7);
        CHECK(f.heads.size() == 3);
        CHECK(f.heads_by_ablation);
        CHECK(f.most_faithful == r.faithfulness.best_method);
        // The lens sentence: the stated state is the first from which the answer stays on top.
        if (f.lens_settles_layer >= 0) {
            for (size_t s = static_cast<size_t>(f.lens_settles_layer); s < r.lens.target_rank.size(); ++s)
                CHECK(r.lens.target_rank[s] == 0);
            if (f.lens_settles_layer > 0) CHECK(r.lens.target_rank[static_cast<size_t>(f.lens_settles_layer - 1)] != 0);
        }
        // Agreement is stated only when every method's first token is the same one.
        bool same = true;
        for (const auto& m : f.top_tokens) same = same && m.second.front().position == f.top_tokens[0].second.front().position;
        CHECK(f.methods_agree == same);
        CHECK((e.text().find("disagree about the most important token") != std::string::npos) == !same);
        check_numbers(r, f, e);
    }
}

TEST_CASE("explanation with a foil states both probabilities") {
    Run r;
    r.model = load_fixture_model("gpt2-tiny");
    Expected<Trace> t = model_trace_text(*r.model, kText, TraceOptions{});
    REQUIRE(t.ok());
    r.trace = *t;
    AttributionOptions opt;
    opt.ig_steps = 4;
    opt.permutation_samples = 1;
    opt.score.foil = r.model->tokenizer.encode(" street", false).ids.at(0);
    AttributionJob job(*r.model, r.trace.tokens.ids, opt);
    while (!job.step()) {
    }
    r.attribution = job.result();
    r.lens = job.lens();
    ExplanationFacts f = explanation_facts(*r.model, r.trace.tokens, r.attribution, r.lens, {}, nullptr);
    Explanation e = explain(f, explanation_strings(Language::en));
    CHECK(e.sentences.front().find("\u201cstreet\u201d") != std::string::npos);
    CHECK(f.most_faithful.empty());
    check_numbers(r, f, e);
}

TEST_CASE("encoder-decoder explanation from forward passes (bart-tiny)") {
    ModelPtr model = load_fixture_model("bart-tiny");
    const std::vector<int32_t> src = seq2seq_source_ids(*model, "The animal didn't cross the street");
    const std::vector<int32_t> dec = seq2seq_target_ids(*model, "The animal");
    Expected<Trace> t = model_trace_seq2seq(*model, src, dec, TraceOptions{});
    REQUIRE(t.ok());
    Expected<ExplanationFacts> f = explanation_facts_seq2seq(*model, *t);
    REQUIRE_MESSAGE(f.ok(), f.error().message);
    Explanation e = explain(*f, explanation_strings(Language::en));
    INFO(e.text());
    CHECK(e.sentences.front().find("encoder-decoder") != std::string::npos);
    CHECK(e.text().find("not available") != std::string::npos);
    const int dpos = static_cast<int>(dec.size()) - 1;
    const float* z = t->logits_at(dpos);
    const int V = t->n_vocab;
    const int argmax = static_cast<int>(std::max_element(z, z + V) - z);
    CHECK(f->target == argmax);
    double m = z[argmax], sum = 0.0;
    for (int v = 0; v < V; ++v) sum += std::exp(z[v] - m);
    CHECK(f->probability == doctest::Approx(1.0 / sum).epsilon(1e-5));
    REQUIRE(!f->top_tokens.empty());
    REQUIRE(!f->heads.empty());
    // The occlusion numbers: each source token replaced by <mask>, re-traced here.
    const int32_t mask = *model->tokenizer.token_to_id("<mask>");
    auto prob_with = [&](const std::vector<int32_t>& source, const ForwardHooks& hooks) {
        TraceOptions o;
        o.logit_positions = {dpos};
        o.hooks = hooks;
        Expected<Trace> u = model_trace_seq2seq(*model, source, dec, o);
        REQUIRE(u.ok());
        const float* w = u->logits_at(dpos);
        double mm = *std::max_element(w, w + V), s = 0.0;
        for (int v = 0; v < V; ++v) s += std::exp(w[v] - mm);
        return static_cast<float>(std::exp(w[argmax] - mm) / s);
    };
    for (size_t i = 0; i < e.numbers.size(); ++i) {
        const ExplanationNumber& n = e.number_info[i];
        INFO(n.source);
        const auto [x, y] = indices(n.source);
        if (prefix(n.source) == "occlusion_mask") {
            std::vector<int32_t> edited = src;
            edited[static_cast<size_t>(x)] = mask;
            CHECK(e.numbers[i] == doctest::Approx(f->probability - prob_with(edited, {})).epsilon(1e-5));
        } else if (prefix(n.source) == "head_ablation") {
            ForwardHooks hooks;
            hooks.decoder_head_gates = head_gates_ones(model->info().n_decoder_layer, model->info().n_decoder_head);
            hooks.decoder_head_gates[static_cast<size_t>(x) * model->info().n_decoder_head + y] = 0.0f;
            CHECK(e.numbers[i] == doctest::Approx(f->probability - prob_with(src, hooks)).epsilon(1e-5));
        } else if (prefix(n.source) == "cross_attention") {
            CHECK(e.numbers[i] == t->cross_attentions.at(x, y, dpos, f->cross_heads.at(0).source));
        }
        CHECK(e.sentences[n.sentence].substr(n.begin, n.end - n.begin) == n.text);
    }
}

TEST_CASE("number formats shared with the panels") {
    CHECK(format_probability(0.4123f) == "41.2%");
    CHECK(format_probability(0.00123f) == "0.12%");
    CHECK(format_probability(-0.05f) == "-5.0%");
    CHECK(format_score(0.12345f) == "+0.123");
    CHECK(format_score(-2.0f) == "-2");
}

namespace {

// The numbers a text prints (12.3%, +0.123, 0.45, 3 ...), in order of appearance.
std::vector<std::string> printed_numbers(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    for (size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : ' ';
        const bool digit = c >= '0' && c <= '9';
        if (digit || (!cur.empty() && (c == '.' || c == '%' || c == 'e')) ||
            (cur.empty() && (c == '+' || c == '-') && i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '9')) {
            cur += c;
        } else if (!cur.empty()) {
            while (cur.back() == '.') cur.pop_back();   // the sentence's full stop
            out.push_back(cur);
            cur.clear();
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("explanation in Chinese: the same sentences from the same facts, with the same numbers") {
    i18n_clear_missing();
    for (const char* name : {"gpt2-tiny", "bert-tiny"}) {
        INFO(name);
        Run r = run_all(name, kText);
        ExplanationFacts f = explanation_facts(*r.model, r.trace.tokens, r.attribution, r.lens, r.stats, &r.faithfulness);
        const Explanation en = explain(f, explanation_strings(Language::en));
        const Explanation zh = explain(f, explanation_strings(Language::zh));
        INFO(zh.text());
        REQUIRE(zh.sentences.size() == en.sentences.size());
        CHECK(zh.numbers == en.numbers);
        REQUIRE(zh.number_info.size() == en.number_info.size());
        for (size_t i = 0; i < zh.number_info.size(); ++i) {
            const ExplanationNumber& n = zh.number_info[i];
            CHECK(n.text == en.number_info[i].text);
            CHECK(n.source == en.number_info[i].source);
            CHECK(zh.sentences[static_cast<size_t>(n.sentence)].substr(n.begin, n.end - n.begin) == n.text);
        }
        // Every number either text prints, counted from the texts themselves (layer and head indices
        // included), is printed by the other too.
        CHECK(printed_numbers(zh.text()) == printed_numbers(en.text()));
        CHECK(zh.sentences.front().find("\xE6\xA8\xA1\xE5\x9E\x8B\xE9\xA2\x84\xE6\xB5\x8B") != std::string::npos);   // 模型预测
        CHECK(zh.text().find("The model") == std::string::npos);
        CHECK(zh.text().find("\xE3\x80\x82 ") == std::string::npos);   // no space after 。
    }
    CHECK(i18n_missing().empty());
}
