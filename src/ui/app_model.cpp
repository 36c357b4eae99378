// The app's calls into the model: loading (keeping the old model on failure), re-tracing the text
// (decoder-only, encoder with mask predictions, or encoder-decoder source + target) and the greedy
// Next token step. Synchronous, except a retrace after an edit on a model whose traces take longer than
// a few frames: that one runs a block per step, a few milliseconds a frame (app_trace_job_frame).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "analysis/value_weighted.h"
#include "core/i18n.h"
#include "model/forward_job.h"
#include "model/generate.h"
#include "ui/app.h"
#include "ui/app_interventions.h"
#include "ui/frame_budget.h"
#include "ui/heads_cache.h"

namespace attn {

namespace {

// "[MASK]" in BERT-style vocabularies, "<mask>" in RoBERTa's; -1 when the vocabulary has neither.
int32_t mask_token_id(const Tokenizer& tok) {
    for (const char* name : {"[MASK]", "<mask>"})
        if (std::optional<int32_t> id = tok.token_to_id(name)) return *id;
    return -1;
}

void cut_to(std::vector<int32_t>& ids, int n_ctx, bool* truncated) {
    if (n_ctx > 0 && static_cast<int>(ids.size()) > n_ctx) {
        ids.resize(n_ctx);
        *truncated = true;
    }
}

// How long the text was before the context cut it, and where in the text the cut falls.
struct TextCut {
    int n_tokens = 0;
    int cut_byte = -1;   // after the last piece the model reads; -1: nothing was cut
};

// `enc` is the text's own encoding (its offsets); `n_tokens` the model's input before the cut.
TextCut text_cut(const Encoding& enc, int n_tokens, int n_ctx) {
    TextCut cut;
    cut.n_tokens = n_tokens;
    if (n_ctx <= 0 || n_tokens <= n_ctx) return cut;
    cut.cut_byte = 0;
    // Special tokens carry empty offsets: the cut is after the last kept piece that has text.
    for (int i = std::min(n_ctx, static_cast<int>(enc.offsets.size())) - 1; i >= 0; --i)
        if (enc.offsets[static_cast<size_t>(i)].second > 0) {
            cut.cut_byte = enc.offsets[static_cast<size_t>(i)].second;
            break;
        }
    return cut;
}

bool text_blank(const std::string& text) {
    return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

std::vector<TokenProb> top_tokens(const Model& model, const Trace& t, int position) {
    std::vector<TokenProb> top = top_k_softmax(t.logits_at(position), t.n_vocab, 5);
    for (TokenProb& p : top) p.piece = model.tokenizer.id_to_token(p.id);
    return top;
}

// What one trace of the app's input runs on: ids (decoders, encoders) or source + decoder ids (BART).
struct TraceInput {
    TraceOptions options;
    std::vector<int32_t> ids;            // the decoder's or encoder's input; BART: the source
    std::vector<int32_t> decoder_ids;    // BART only
};

// The input the model's kind needs; `truncated` says whether an input was cut to the context.
Expected<TraceInput> trace_input(const App& app, bool* truncated, TextCut* cut, ObservedTensors* seen) {
    const Model& model = *app.model;
    const ModelInfo& info = model.info();
    TraceInput in;
    TraceOptions& options = in.options;
    if (!info.encoder_decoder) options.hooks.observer = seen->observer();   // value norms for the heatmap option
    app_add_intervention_hooks(app, options.hooks);   // ablations, knockouts, masks (App::interventions)
    options.capture_hidden_states = false;   // the views need attentions and logits only
    if (info.encoder_decoder) {
        in.ids = seq2seq_source_ids(model, app.text);
        in.decoder_ids = app.stepped_decoder_ids.empty() ? seq2seq_target_ids(model, app.target) : app.stepped_decoder_ids;
        if (info.n_ctx > 0 && static_cast<int>(in.ids.size()) > info.n_ctx)
            *cut = text_cut(model.tokenizer.encode(app.text, /*add_special_tokens=*/true), static_cast<int>(in.ids.size()),
                            info.n_ctx);
        cut->n_tokens = static_cast<int>(in.ids.size());
        cut_to(in.ids, info.n_ctx, truncated);
        cut_to(in.decoder_ids, info.n_ctx, truncated);
        return in;   // logits: last decoder position
    }
    if (!app.stepped_ids.empty()) {
        in.ids = app.stepped_ids;
        return in;
    }
    // Encoded here rather than by model_trace_text: the notice needs the length before the cut.
    auto enc = catch_errors([&] { return model.tokenizer.encode(app.text, /*add_special_tokens=*/true); });
    if (!enc) return enc.error();
    *cut = text_cut(*enc, static_cast<int>(enc->ids.size()), info.n_ctx);
    in.ids = std::move(enc->ids);
    cut_to(in.ids, info.n_ctx, truncated);
    if (info.causal) return in;
    // Encoder: logits wherever the text has a mask token, so the panel can say what fills it.
    const int32_t mask = mask_token_id(model.tokenizer);
    for (size_t i = 0; i < in.ids.size(); ++i)
        if (mask >= 0 && in.ids[i] == mask) options.logit_positions.push_back(static_cast<int>(i));
    if (options.logit_positions.empty()) options.logit_positions.push_back(-1);   // no mask: keep one row only
    return in;
}

}  // namespace

Expected<std::unique_ptr<ForwardJob>> app_trace_job(const Model& model, const std::vector<int32_t>& ids,
                                                    const std::vector<int32_t>& decoder_ids, const TraceOptions& options) {
    if (model.info().encoder_decoder) return model_trace_seq2seq_job(model, ids, decoder_ids, options);
    return model_trace_job(model, ids, options);
}

AttentionView attention_view(const Trace& trace, AttentionKind kind) {
    AttentionView v;
    if (kind != AttentionKind::self && trace.is_encoder_decoder()) {
        v.attention = kind == AttentionKind::decoder ? &trace.decoder_attentions : &trace.cross_attentions;
        v.queries = &trace.decoder_tokens;
        v.keys = kind == AttentionKind::decoder ? &trace.decoder_tokens : &trace.tokens;
        return v;
    }
    v.attention = &trace.attentions;
    v.queries = v.keys = &trace.tokens;
    return v;
}

bool app_load_model(App& app, const FileSet& files, const std::string& name) {
    Expected<ModelPtr> loaded = model_load(files);
    if (!loaded) {
        app.load_error = trf("errors.cannot_load_model", {{"name", name}, {"problem", loaded.error().message}});
        return false;
    }
    app.trace_job.reset();   // it reads the old model's weights
    app_heads_forget_model(app);   // so does a large model's induction measurement
    app.model = std::move(*loaded);
    app.packed_network = nullptr;   // natively packed a few matrices a frame from now (app_pack_weights_frame)
    app.model_name = name;
    app.model_from_disk = false;   // the platform marks disk loads (app_mark_model_from_disk)
    app.linked_disk_model.clear(); // a model was opened: the link's request is answered
    app_probe_start(app);   // at once, or a block a frame once the first trace shows (app_probe.cpp)
    app.load_error.clear();
    app.load_warning.clear();
    for (const std::string& w : app.model->warnings) app.load_warning += (app.load_warning.empty() ? "" : "; ") + w;
    app.notice = trf("notices.loaded", {{"model", name}});
    app.stepped_ids.clear();   // ids of another vocabulary mean nothing to this model
    app.stepped_decoder_ids.clear();
    app.stepped_position = -1;
    const ModelInfo& info = app.model->info();
    if (!info.encoder_decoder) app.selection.kind = AttentionKind::self;
    // A fresh BART starts on cross attention: the one thing only it can show.
    else if (app.selection.kind == AttentionKind::self) app.selection.kind = AttentionKind::cross;
    app.has_trace = false;     // the old trace's shapes belong to the old model
    app.trace = Trace{};
    app.mask_predictions.clear();
    app.next_predictions.clear();
    app.card = zoo_card_read(files);
    const bool open_card = app.open_card_for == name;
    app.open_card_for.clear();
    if (!open_card || !app_card_open(app)) app_retrace(app);
    return true;
}

void app_set_text(App& app, const std::string& text) {
    if (&app.text != &text) {
        app.text = text;
        ++app.text_generation;   // the text box drops its edit state and shows the new text
    }
    app.stepped_ids.clear();     // the user's text is the input again
    if (app.stepped_decoder_ids.empty()) app.stepped_position = -1;
    app_retrace_after_edit(app);
}

void app_set_target(App& app, const std::string& target) {
    if (&app.target != &target) {
        app.target = target;
        ++app.target_generation;
    }
    app.stepped_decoder_ids.clear();
    app.stepped_position = -1;
    app_retrace_after_edit(app);
}

namespace {

// Everything after the forward pass: predictions, the views' trace, value norms, the interventions' pass.
void retrace_finish(App& app, Trace trace, bool truncated, const TextCut& cut, const ObservedTensors& seen, double ms) {
    app.trace_error.clear();
    app.truncated = truncated;
    app.n_text_tokens = cut.n_tokens;
    app.text_cut_byte = cut.cut_byte;
    const ModelInfo& info = app.model->info();
    app.mask_predictions.clear();
    app.next_predictions.clear();
    if (info.encoder_decoder) {
        app.next_predictions = top_tokens(*app.model, trace, trace.decoder_tokens.size() - 1);
    } else if (info.causal) {
        app.next_predictions = top_tokens(*app.model, trace, trace.tokens.size() - 1);
    } else {
        const int32_t mask = mask_token_id(app.model->tokenizer);
        for (int p : trace.logit_positions)
            if (p >= 0 && p < trace.tokens.size() && trace.tokens.ids[p] == mask)
                app.mask_predictions.push_back(MaskPrediction{p, top_tokens(*app.model, trace, p)});
    }
    app_show_trace(app, std::move(trace), ms);
    if (!info.encoder_decoder && !app.trace.attentions.empty()) {
        const AttentionTensor& a = app.trace.attentions;
        app.analysis.value_norms = value_norms(seen, a.n_layer, a.n_head, info.n_kv_head > 0 ? info.n_kv_head : a.n_head, a.n_key);
        app.analysis.value_norms_trace = app.trace_version;
    }
    app_interventions_traced(app);   // the same input without them: the panel's before/after
}

double ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

double app_pack_weights_frame(App& app, double budget_ms) {
    if (!app.model || app.packed_network == app.model->network.get()) return 0.0;
    Network& network = *app.model->network;
    bool more = true;
    const double spent = step_within_budget(budget_ms, app.longest_pack_step_ms, [&] { more = network.pack_weights_step(); },
                                            [&] { return !more; });
    if (!more) app.packed_network = &network;
    return spent;
}

// A retrace in steps (one block each), stepped by app_trace_job_frame within App::trace_budget_ms a frame.
struct TraceInFlight {
    const Model* model = nullptr;   // the job reads this model's weights: it is dropped if the model changes
    std::unique_ptr<ForwardJob> job;
    ObservedTensors seen;           // the job's observer writes here: it lives as long as the job
    TextCut cut;
    bool truncated = false;
    double ms = 0.0;                // time spent in the job's steps so far
    explicit TraceInFlight(std::set<std::string> wanted) : seen(std::move(wanted)) {}
};

namespace {

// Traces `in` at once and shows it, the trace's time counted from `start`: app_retrace, and an edit whose
// input is already made.
void retrace_now(App& app, const Expected<TraceInput>& in, bool truncated, const TextCut& cut,
                 const ObservedTensors& seen, std::chrono::steady_clock::time_point start) {
    Expected<Trace> trace = in ? forward_job_finish(app_trace_job(*app.model, in->ids, in->decoder_ids, in->options))
                               : Expected<Trace>(in.error());
    if (!trace) {
        app.trace_error = trace.error().message;
        return;   // the previous trace stays on screen
    }
    retrace_finish(app, std::move(*trace), truncated, cut, seen, ms_since(start));
}

}  // namespace

void app_retrace(App& app) {
    app.trace_job.reset();   // this trace is newer than any in flight
    app.step_error.clear();
    if (!app.model) return;
    if (text_blank(app.text) && app.stepped_ids.empty()) {
        app_clear_trace(app);   // a lone BOS is no content: the views say to type instead
        return;
    }
    const auto start = std::chrono::steady_clock::now();
    bool truncated = false;
    TextCut cut;
    ObservedTensors seen(value_names(app.model->info().n_layer));
    retrace_now(app, trace_input(app, &truncated, &cut, &seen), truncated, cut, seen, start);
}

// After an edit: traced in steps when the last trace was slow (App::trace_step_above_ms) or the new text
// would be, at the last trace's time a token, so typing stays responsive; the views keep the previous
// trace until the new one is complete.
void app_retrace_after_edit(App& app) {
    if (!app.model || (text_blank(app.text) && app.stepped_ids.empty())) {
        app_retrace(app);
        return;
    }
    const auto start = std::chrono::steady_clock::now();
    auto flight = std::make_shared<TraceInFlight>(value_names(app.model->info().n_layer));
    Expected<TraceInput> in = trace_input(app, &flight->truncated, &flight->cut, &flight->seen);
    // Both: a large model's short text still reads all its weights, and a 1,024-token text pasted after a
    // sentence was traced at once because the sentence had been fast (a 15M model: a second frozen).
    const bool slow = app.trace_ms > app.trace_step_above_ms ||
                      (in && app.trace_ms_per_token * static_cast<double>(in->ids.size() + in->decoder_ids.size()) >
                                 app.trace_step_above_ms);
    app.trace_job.reset();   // this trace is newer than any in flight
    app.step_error.clear();
    if (!in || !slow) {
        retrace_now(app, in, flight->truncated, flight->cut, flight->seen, start);   // or the input's error
        return;
    }
    in->options.step_multiply_adds = app.trace_step_multiply_adds;   // steps of a few ms, not half a block
    Expected<std::unique_ptr<ForwardJob>> job = app_trace_job(*app.model, in->ids, in->decoder_ids, in->options);
    if (!job) {
        app.trace_error = job.error().message;
        return;
    }
    flight->model = app.model.get();
    flight->job = std::move(*job);
    app.trace_job = std::move(flight);
}

bool app_tracing(const App& app, int* steps_done, int* steps_total) {
    if (!app.trace_job) return false;
    if (steps_done) *steps_done = app.trace_job->job->steps_done();
    if (steps_total) *steps_total = app.trace_job->job->steps_total();
    return true;
}

namespace {

// Steps the retrace in flight within budget_ms (infinity: to the end, which is no frame of its own).
double trace_job_run(App& app, double budget_ms) {
    if (!app.trace_job) return 0.0;
    std::shared_ptr<TraceInFlight> flight = app.trace_job;
    if (flight->model != app.model.get()) {   // another model was loaded or trained meanwhile
        app.trace_job.reset();
        return 0.0;
    }
    const auto t0 = std::chrono::steady_clock::now();
    double longest = 0.0;
    Expected<double> stepped = catch_errors([&] {
        return step_within_budget(budget_ms, longest, [&] { flight->job->step(); }, [&] { return flight->job->done(); });
    });
    const double spent = stepped ? *stepped : ms_since(t0);   // a failed step still took its time
    flight->ms += spent;
    if (std::isfinite(budget_ms)) app.longest_trace_frame_ms = std::max(app.longest_trace_frame_ms, spent);
    if (!stepped) {
        app.trace_job.reset();
        app.trace_error = stepped.error().message;   // the previous trace stays on screen
        return spent;
    }
    if (!flight->job->done()) return spent;
    app.trace_job.reset();
    retrace_finish(app, flight->job->take(), flight->truncated, flight->cut, flight->seen, flight->ms);
    return spent;
}

}  // namespace

double app_trace_job_frame(App& app) { return trace_job_run(app, app.trace_budget_ms); }

void app_trace_job_finish(App& app) { trace_job_run(app, std::numeric_limits<double>::infinity()); }

void app_clear_trace(App& app) {
    app.trace = Trace{};
    app.has_trace = false;
    ++app.trace_version;
    app.trace_error.clear();
    app.truncated = false;
    app.n_text_tokens = 0;
    app.text_cut_byte = -1;
    app.mask_predictions.clear();
    app.next_predictions.clear();
    app.stepped_position = -1;
    app.selection.pinned_query = -1;
}

bool app_waiting_for_text(const App& app) { return app.model && !app.has_trace && text_blank(app.text); }

bool app_next_token(App& app) {
    if (!app.model || !app.has_trace) return false;
    const Model& model = *app.model;
    const ModelInfo& info = model.info();
    if (!info.causal && !info.encoder_decoder) {
        app.step_error = trf("errors.next_token_needs_decoder", {{"model", app.model_name}});
        return false;
    }
    const Trace& t = app.trace;
    const TokenSeq& seq = info.encoder_decoder ? t.decoder_tokens : t.tokens;
    const float* logits = t.logits_at(seq.size() - 1);
    if (!logits) return false;
    if (info.n_ctx > 0 && seq.size() >= info.n_ctx) {
        app.step_error = trf("errors.context_full", {{"n", std::to_string(info.n_ctx)}});
        return false;
    }
    uint64_t rng = 0;   // greedy: the generator is not used
    std::vector<int32_t> ids = seq.ids;
    ids.push_back(next_token_pick(logits, t.n_vocab, GenerateOptions{}, rng));
    // The text box shows the decoded ids; the trace keeps the ids themselves (see App::stepped_ids).
    std::string text = model.tokenizer.decode(ids, /*skip_special_tokens=*/true);
    if (info.encoder_decoder) {
        app.stepped_decoder_ids = ids;
        app.target = text;
        ++app.target_generation;
    } else {
        app.stepped_ids = ids;
        app.text = text;
        ++app.text_generation;
    }
    app.stepped_position = static_cast<int>(ids.size()) - 1;
    app_retrace(app);
    return app.trace_error.empty();
}

}  // namespace attn
