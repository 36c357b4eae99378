// Running a check suite: resolving each case's token references on the model's own tokens, one forward
// pass (or one gradient pass for scope attribution) per case, and the metric per head / layer / rollout.
// The suite format is documented in checks_parse.cpp; reporting is checks_report.cpp.
#include <algorithm>
#include <cctype>
#include <cmath>

#include "analysis/checks.h"
#include "analysis/rollout.h"
#include "analysis/saliency.h"
#include "model/gradients.h"

namespace attn {

std::string check_piece_text(const std::string& piece) {
    std::string s = piece;
    for (const char* marker : {"\xC4\xA0", "\xE2\x96\x81", "##", "\xC4\x8A"})   // Ġ ▁ ## Ċ
        while (s.compare(0, std::string(marker).size(), marker) == 0) s.erase(0, std::string(marker).size());
    const size_t a = s.find_first_not_of(" \t\n"), b = s.find_last_not_of(" \t\n");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80); }

}  // namespace

// Added special tokens ("[CLS]", "<s>") by their piece; everything else as a whole word of the text and
// the pieces covering it, because a small vocabulary splits "animal" into "an" + "imal" (the suite must
// still run there) and a piece "it" inside "wit" must not count as the word "it".
TokenMatch resolve_token_ref(const TokenRef& ref, const std::vector<std::string>& pieces,
                             const std::vector<std::pair<int, int>>& offsets, const std::string& text) {
    TokenMatch m;
    const int T = static_cast<int>(pieces.size());
    if (ref.position >= 0) {
        if (ref.position >= T)
            m.error = "position " + std::to_string(ref.position) + " is past the last token (" + std::to_string(T - 1) + ")";
        else
            m.positions = {ref.position};
        return m;
    }
    const std::string want = lower(check_piece_text(ref.text));
    int seen = 0;
    for (int t = 0; t < T; ++t)
        if ((t >= static_cast<int>(offsets.size()) || offsets[t].first < 0) &&
            lower(check_piece_text(pieces[t])) == want && ++seen == ref.occurrence)
            return TokenMatch{{t}, ""};

    const std::string hay = lower(text);
    int words = 0;
    for (size_t at = hay.find(want); at != std::string::npos && !want.empty(); at = hay.find(want, at + 1)) {
        const size_t end = at + want.size();
        if (word_char(want.front()) && at > 0 && word_char(hay[at - 1])) continue;
        if (word_char(want.back()) && end < hay.size() && word_char(hay[end])) continue;
        if (++words != ref.occurrence) continue;
        for (int t = 0; t < T && t < static_cast<int>(offsets.size()); ++t)
            if (offsets[t].first >= 0 && offsets[t].first < static_cast<int>(end) &&
                offsets[t].second > static_cast<int>(at))
                m.positions.push_back(t);
        if (m.positions.empty()) m.error = "'" + ref.text + "' was cut off (past the model's context)";
        return m;
    }
    const int found = std::max(seen, words);
    m.error = "'" + ref.text + "'" +
              (found == 0 ? " is not in the text"
                          : " occurs " + std::to_string(found) + " time(s), not " + std::to_string(ref.occurrence));
    return m;
}

namespace {

// One side of the input (the text, or an encoder-decoder's target) as the model reads it.
struct Side {
    std::vector<int32_t> ids;
    std::vector<std::string> pieces;
    std::vector<std::pair<int, int>> offsets;   // byte ranges in `text`; -1 for added tokens
    const std::string* text = nullptr;
};

// `ids` are what the model reads; `enc` the tokenizer's encoding of the text, somewhere inside them
// (seq2seq_source_ids may wrap it in bos ... eos, the target adds a start and bos).
Side make_side(const Model& model, std::vector<int32_t> ids, const Encoding& enc, const std::string& text) {
    Side s;
    s.text = &text;
    s.offsets.assign(ids.size(), {-1, -1});
    size_t shift = ids.size() >= enc.ids.size() ? ids.size() - enc.ids.size() : 0;
    if (shift > 0 && ids.size() == enc.ids.size() + 2 && std::equal(enc.ids.begin(), enc.ids.end(), ids.begin() + 1))
        shift = 1;
    for (size_t i = 0; i < enc.ids.size() && i + shift < ids.size(); ++i) s.offsets[i + shift] = enc.offsets[i];
    for (int32_t id : ids) s.pieces.push_back(model.tokenizer.id_to_token(id));
    s.ids = std::move(ids);
    return s;
}

// What the positions read as: their span of the text (a split word reads whole, non-ASCII intact), or
// for added special tokens the piece itself.
std::string joined_text(const Side& side, const std::vector<int>& positions) {
    int begin = -1, end = -1;
    for (int p : positions)
        if (side.offsets[p].first >= 0) {
            begin = begin < 0 ? side.offsets[p].first : std::min(begin, side.offsets[p].first);
            end = std::max(end, side.offsets[p].second);
        }
    if (begin < 0) return positions.empty() ? "" : side.pieces[positions[0]];
    return check_piece_text(side.text->substr(begin, end - begin));
}

// Resolves refs on a side: the flat positions and, per reference, its own.
bool resolve_all(const std::vector<TokenRef>& refs, const Side& side, const char* field, CheckCaseResult& r,
                 std::vector<int>& flat, std::vector<std::vector<int>>& groups, std::vector<std::string>& texts) {
    for (const TokenRef& ref : refs) {
        TokenMatch m = resolve_token_ref(ref, side.pieces, side.offsets, *side.text);
        if (!m.error.empty()) {
            r.error = std::string(field) + " " + m.error;
            return false;
        }
        groups.push_back(m.positions);
        texts.push_back(joined_text(side, m.positions));
        for (int p : m.positions)
            if (std::find(flat.begin(), flat.end(), p) == flat.end()) flat.push_back(p);
    }
    return true;
}

// The metric on one attention (or attribution) row over the keys.
template <class Row>
float metric_value(const CheckCase& c, const Row& row, const std::vector<int>& expected,
                   const std::vector<std::vector<int>>& distractors) {
    double exp = 0.0;
    for (int p : expected) exp += row[p];
    if (c.metric == CheckMetric::mass) return static_cast<float>(exp);
    double worst = -1e30;
    for (const auto& g : distractors) {
        double d = 0.0;
        for (int p : g) d += row[p];
        worst = std::max(worst, d);
    }
    return static_cast<float>(exp - worst);
}

void run_case(const Model& model, const CheckCase& c, CheckCaseResult& r) {
    r.name = c.name;
    r.scope = c.scope;
    r.metric = c.metric;
    r.threshold = c.threshold;
    const ModelInfo& info = model.info();
    const bool seq2seq = info.encoder_decoder;
    if (!seq2seq && c.attention != "self") {
        r.error = "attention '" + c.attention + "' needs an encoder-decoder model; " + info.architecture + " has self attention only";
        return;
    }
    if (seq2seq && c.scope == CheckScope::attribution) {
        r.error = "scope attribution is not available for encoder-decoder models (no gradients through them yet)";
        return;
    }
    if (c.attention == "cross" && c.scope == CheckScope::rollout) {
        r.error = "scope rollout needs self attention; cross attention has no rollout";
        return;
    }

    const Encoding enc = model.tokenizer.encode(c.text, /*add_special_tokens=*/true);
    Side source = make_side(model, seq2seq ? seq2seq_source_ids(model, c.text) : enc.ids, enc, c.text);
    Side target;
    if (seq2seq) target = make_side(model, seq2seq_target_ids(model, c.target), model.tokenizer.encode(c.target, false), c.target);
    for (const Side* s : {&source, &target})
        if (static_cast<int>(s->ids.size()) > info.n_ctx) {
            r.error = "the " + std::string(s == &source ? "text" : "target") + " is " + std::to_string(s->ids.size()) +
                      " tokens, longer than the model's context (" + std::to_string(info.n_ctx) + ")";
            return;
        }

    const Side& query_side = c.attention == "self" ? source : target;
    const Side& key_side = c.attention == "cross" ? source : query_side;
    std::vector<int> qpos;
    std::vector<std::vector<int>> qgroups, egroups, dgroups;
    std::vector<std::string> qtext;
    if (!resolve_all({c.query}, query_side, "query", r, qpos, qgroups, qtext)) return;
    r.query = qpos.back();   // a word in pieces: its last piece, which has read the whole word
    r.query_text = qtext.back();
    if (!resolve_all(c.expected, key_side, "expected", r, r.expected, egroups, r.expected_text)) return;
    if (!resolve_all(c.distractors, key_side, "distractor", r, r.distractors, dgroups, r.distractor_text)) return;

    if (c.scope == CheckScope::attribution) {
        GradRequest req;
        req.score.position = r.query;
        req.capture_attentions = false;
        Expected<GradResult> g = model_gradients(model, source.ids, req);
        if (!g) {
            r.error = g.error().message;
            return;
        }
        const int T = static_cast<int>(source.ids.size());
        std::vector<float> gxi = grad_x_input(g->d_token_embeds, g->token_embeds, T, info.n_embd);
        double total = 0.0;
        for (float v : gxi) total += std::fabs(v);
        for (float& v : gxi) v = total > 0.0 ? static_cast<float>(v / total) : 0.0f;
        r.value = metric_value(c, gxi, r.expected, dgroups);
        r.pass = r.value > c.threshold;
        return;
    }

    TraceOptions options;
    options.capture_hidden_states = false;
    Expected<Trace> t = seq2seq ? model_trace_seq2seq(model, source.ids, target.ids, options)
                                : model_trace(model, source.ids, options);
    if (!t) {
        r.error = t.error().message;
        return;
    }
    const AttentionTensor& a = c.attention == "self" ? t->attentions
                               : c.attention == "decoder" ? t->decoder_attentions : t->cross_attentions;
    const int L = a.n_layer, H = a.n_head, S = a.n_key;
    r.n_layer = L;
    r.n_head = H;
    if (c.scope == CheckScope::head) {
        r.head_value.resize(static_cast<size_t>(L) * H);
        r.head_pass.resize(r.head_value.size());
        for (int l = 0; l < L; ++l)
            for (int h = 0; h < H; ++h) {
                const float* row = a.head(l, h) + static_cast<size_t>(r.query) * S;
                const float v = metric_value(c, row, r.expected, dgroups);
                r.head_value[l * H + h] = v;
                r.head_pass[l * H + h] = v > c.threshold;
            }
        r.best = static_cast<int>(std::max_element(r.head_value.begin(), r.head_value.end()) - r.head_value.begin());
        r.value = r.head_value[r.best];
    } else if (c.scope == CheckScope::layer_average) {
        std::vector<double> mean(S);
        for (int l = 0; l < L; ++l) {
            std::fill(mean.begin(), mean.end(), 0.0);
            for (int h = 0; h < H; ++h)
                for (int s = 0; s < S; ++s) mean[s] += a.at(l, h, r.query, s) / H;
            r.layer_value.push_back(metric_value(c, mean, r.expected, dgroups));
        }
        r.best = static_cast<int>(std::max_element(r.layer_value.begin(), r.layer_value.end()) - r.layer_value.begin());
        r.value = r.layer_value[r.best];
    } else {
        const std::vector<double> roll = attention_rollout(residual_attention(a));
        const double* row = roll.data() + static_cast<size_t>(r.query) * S;
        r.value = metric_value(c, row, r.expected, dgroups);
    }
    r.pass = r.value > c.threshold;
}

}  // namespace

struct CheckRun::State {
    const Model* model = nullptr;
    CheckSuite suite;
    CheckSuiteResult result;
    size_t next = 0;
    bool cancelled = false;
    std::string stage, error;
    std::vector<double> head_sum;   // (L, H) sum of head values over the head cases counted
    int head_cases = 0;
};

CheckRun::CheckRun(const Model& model, CheckSuite suite) : state_(std::make_unique<State>()) {
    state_->model = &model;
    state_->suite = std::move(suite);
    state_->result.suite = state_->suite.name;
    state_->stage = state_->suite.cases.empty() ? "done" : "case 1: " + state_->suite.cases[0].name;
}

CheckRun::~CheckRun() = default;

bool CheckRun::step() {
    State& s = *state_;
    if (done()) return true;
    CheckCaseResult r;
    try {
        run_case(*s.model, s.suite.cases[s.next], r);
    } catch (const std::exception& e) {
        r.error = e.what();
    }
    CheckSuiteResult& out = s.result;
    if (r.error.empty() && r.scope == CheckScope::head) {
        if (out.head_pass_count.empty()) {
            out.n_layer = r.n_layer;
            out.n_head = r.n_head;
            out.head_pass_count.assign(r.head_pass.size(), 0);
            s.head_sum.assign(r.head_pass.size(), 0.0);
        }
        // Cases over another attention stack (BART's decoder next to its encoder) may differ in shape:
        // the counts describe the first stack only.
        if (r.n_layer == out.n_layer && r.n_head == out.n_head) {
            ++s.head_cases;
            for (size_t i = 0; i < r.head_pass.size(); ++i) {
                out.head_pass_count[i] += r.head_pass[i];
                s.head_sum[i] += r.head_value[i];
            }
        }
    }
    out.cases.push_back(std::move(r));
    ++s.next;

    out.best_heads.resize(out.head_pass_count.size());
    for (size_t i = 0; i < out.best_heads.size(); ++i) out.best_heads[i] = static_cast<int>(i);
    std::stable_sort(out.best_heads.begin(), out.best_heads.end(), [&](int a, int b) {
        if (out.head_pass_count[a] != out.head_pass_count[b]) return out.head_pass_count[a] > out.head_pass_count[b];
        return s.head_sum[a] > s.head_sum[b];
    });
    s.stage = done() ? "done"
                     : "case " + std::to_string(s.next + 1) + "/" + std::to_string(s.suite.cases.size()) + ": " +
                           s.suite.cases[s.next].name;
    return done();
}

bool CheckRun::done() const { return state_->cancelled || state_->next >= state_->suite.cases.size(); }

float CheckRun::progress() const {
    const size_t n = state_->suite.cases.size();
    return n == 0 ? 1.0f : static_cast<float>(state_->next) / static_cast<float>(n);
}

const std::string& CheckRun::stage() const { return state_->stage; }

void CheckRun::cancel() {
    state_->cancelled = true;
    state_->stage = "cancelled";
}

const std::string& CheckRun::error() const { return state_->error; }

const CheckSuiteResult& CheckRun::result() const { return state_->result; }

}  // namespace attn
