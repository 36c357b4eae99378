// The heads report: statistics and labels for one attention kind, and its JSON (CLI and page share it).
#include "analysis/heads_report.h"

#include <cmath>

#include "core/json.h"
#include "model/model.h"

namespace attn {

const char* const kHeadsBosNote =
    "BOS rule: the first key often soaks up attention (a sink), so previous/self/next/local/stripe/block/top1 and "
    "the induction score are computed over keys 1.. with each row renormalised; first_token_mass is measured on the "
    "raw rows and the special/punctuation masses on keys 1.. of the raw rows; in a causal model the first query row "
    "(it sees only itself) is left out of every summary. entropy and mean_distance per query are the raw rows'.";

Expected<HeadsReport> heads_report(const Model& model, const Trace& trace, const std::string& kind,
                                   const InductionOptions* induction, const std::vector<float>* measured) {
    return catch_errors([&]() -> HeadsReport {
        HeadsReport r;
        r.architecture = trace.architecture;
        r.kind = kind;
        const AttentionTensor* a = nullptr;
        if (kind == "self") {
            a = &trace.attentions;
            r.queries = r.keys = trace.tokens;
        } else if (kind == "decoder" || kind == "cross") {
            if (!trace.is_encoder_decoder())
                throw Error("--kind " + kind + " needs an encoder-decoder model; this one is " + trace.architecture);
            a = kind == "decoder" ? &trace.decoder_attentions : &trace.cross_attentions;
            r.queries = trace.decoder_tokens;
            r.keys = kind == "decoder" ? trace.decoder_tokens : trace.tokens;
        } else {
            throw Error("attention kind '" + kind + "' is not one of self, decoder, cross");
        }
        if (a->empty()) throw Error("the trace has no " + kind + " attention");
        r.n_layer = a->n_layer;
        r.n_head = a->n_head;
        HeadStatsOptions options;
        options.cross_attention = kind == "cross";
        r.stats = head_statistics(*a, token_kinds(model.tokenizer, r.keys), options);
        if (induction && kind == "self") {
            Expected<std::vector<float>> s = measured ? Expected<std::vector<float>>(*measured) : induction_scores(model, *induction);
            if (!s) throw Error(s.error().message);
            head_stats_set_induction(r.stats, *s);
            r.induction_measured = true;
            r.induction = *induction;
        }
        for (const HeadStats& s : r.stats) r.labels.push_back(label_head(s));
        return r;
    });
}

namespace {

Json rounded(double v) { return Json(std::round(v * 1e6) / 1e6); }

}  // namespace

std::string heads_report_json(const HeadsReport& r, const std::string& model_name, bool per_query) {
    Json stats = Json::array();
    for (const HeadStatInfo& s : kHeadStatTable)
        stats.push_back({{"key", s.key}, {"label", head_stat_label(s.stat, Language::en)}, {"what", head_stat_what(s.stat, Language::en)}});
    Json patterns = Json::array();
    for (const HeadPatternInfo& p : kHeadPatternTable)
        patterns.push_back({{"name", p.name}, {"badge", head_pattern_badge(p.pattern, Language::en)},
                            {"label", head_pattern_label(p.pattern, Language::en)}, {"what", head_pattern_what(p.pattern, Language::en)}});
    Json heads = Json::array();
    for (size_t i = 0; i < r.stats.size(); ++i) {
        const HeadStats& s = r.stats[i];
        const HeadLabel& l = r.labels[i];
        // A head whose attention holds NaN or infinity has no label (its statistics are null).
        Json h = {{"layer", s.layer}, {"head", s.head},
                  {"label", l.bad_values ? Json(nullptr) : Json(head_pattern_info(l.pattern).name)},
                  {"confidence", rounded(l.confidence)}};
        if (l.bad_values) h["bad_values"] = true;
        for (int k = 0; k < kHeadStatCount; ++k) h[kHeadStatTable[k].key] = rounded(s.value[k]);
        h["stripe_key"] = s.stripe_key;
        Json scores = Json::object();
        for (int k = 0; k < kHeadPatternCount; ++k) scores[kHeadPatternTable[k].name] = rounded(l.scores[k]);
        h["scores"] = scores;
        if (per_query) {
            Json pq = Json::object();
            const size_t T = s.per_query.size() / kHeadStatCount;
            for (int k = 0; k < kHeadStatCount; ++k) {
                if (static_cast<HeadStat>(k) == HeadStat::induction) continue;   // a whole-head measurement
                Json col = Json::array();
                for (size_t t = 0; t < T; ++t) col.push_back(s.per_query[t * kHeadStatCount + k]);   // unrounded: compared at 1e-4
                pq[kHeadStatTable[k].key] = col;
            }
            h["per_query"] = pq;
        }
        heads.push_back(h);
    }
    Json out = {{"model", model_name},
                {"architecture", r.architecture},
                {"kind", r.kind},
                {"n_layer", r.n_layer},
                {"n_head", r.n_head},
                {"tokens", r.queries.pieces},
                {"ids", r.queries.ids},
                {"notes", kHeadsBosNote},
                {"statistics", stats},
                {"patterns", patterns},
                {"heads", heads}};
    if (r.kind == "cross") out["key_tokens"] = r.keys.pieces;
    if (r.induction_measured)
        out["induction"] = {{"length", r.induction.length}, {"seed", r.induction.seed}, {"repeats", r.induction.repeats},
                            {"input", "[bos when the model has one] + N random ordinary tokens, repeated twice"}};
    else
        out["induction"] = nullptr;
    return out.dump(1);
}

}  // namespace attn
