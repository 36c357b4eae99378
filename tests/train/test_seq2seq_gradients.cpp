// The encoder-decoder loss pass (model/seq2seq_gradients.h) on bart-tiny: its loss is bart.cpp's own
// forward scored by hand, and the gradient of sampled entries of EVERY parameter tensor (shared table,
// both position tables, layernorm_embedding, self and cross q/k/v/out, fc1/fc2, every norm,
// final_logits_bias) matches central finite differences of the double pass; the f32 pass matches the
// double one. The weights are owned by the seq2seq TrainModel, which the tests perturb in place.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <set>

#include "decoder_reference.h"
#include "model/bart.h"
#include "model/grad_params.h"
#include "model/seq2seq_gradients.h"
#include "train/rng.h"
#include "train/train_model.h"

using namespace attn;

namespace {

// bart-tiny with scale_embedding on (so embed_scale is not 1) and its weights owned by a TrainModel.
std::unique_ptr<TrainModel> open_bart_tiny(bool scale_embedding) {
    auto files = folder_read(fixture_path("bart-tiny"));
    REQUIRE(files.ok());
    std::string config = string_from_bytes(*files->find("config.json"));
    if (scale_embedding) {
        const std::string key = "\"scale_embedding\": false";
        REQUIRE(config.find(key) != std::string::npos);
        config.replace(config.find(key), key.size(), "\"scale_embedding\": true");
    }
    files->add("config.json", bytes_from_string(config));
    auto model = model_load(*files);
    REQUIRE_MESSAGE(model.ok(), model.error().message);
    auto tm = train_model_open_seq2seq(std::move(*model));
    REQUIRE_MESSAGE(tm.ok(), tm.error().message);
    return std::move(*tm);
}

struct Inputs {
    std::vector<int32_t> source = {0, 31, 415, 7, 88, 250, 2};
    std::vector<int32_t> decoder = {2, 0, 99, 415, 12, 301};
    std::vector<int32_t> labels = {0, 99, -1, 12, 301, 2};
};

}  // namespace

TEST_CASE("seq2seq loss is bart.cpp's forward logits scored by hand") {
    std::unique_ptr<TrainModel> tm = open_bart_tiny(false);
    Inputs in;
    TraceOptions opt;
    for (size_t t = 0; t < in.decoder.size(); ++t) opt.logit_positions.push_back(static_cast<int>(t));
    auto trace = model_trace_seq2seq(tm->model(), in.source, in.decoder, opt);
    REQUIRE(trace.ok());
    double expected = 0.0;
    int n = 0;
    std::vector<int32_t> argmax(in.labels.size(), -1);
    for (size_t t = 0; t < in.labels.size(); ++t) {
        if (in.labels[t] < 0) continue;
        const float* z = trace->logits_at(static_cast<int>(t));
        REQUIRE(z != nullptr);
        double mx = z[0], sum = 0.0;
        for (int v = 0; v < trace->n_vocab; ++v) mx = std::max(mx, static_cast<double>(z[v]));
        for (int v = 0; v < trace->n_vocab; ++v) sum += std::exp(z[v] - mx);
        expected -= z[in.labels[t]] - mx - std::log(sum);
        argmax[t] = static_cast<int32_t>(std::max_element(z, z + trace->n_vocab) - z);
        ++n;
    }
    const BartWeights& w = *bart_weights(*tm->model().network);
    auto r = seq2seq_loss_gradients(w, in.source, in.decoder, in.labels, 1.0f, nullptr);
    REQUIRE_MESSAGE(r.ok(), r.error().message);
    CHECK(r->n_labelled == n);
    CHECK(std::abs(r->loss - expected) < 1e-3 * n);
    CHECK(r->predicted == argmax);
    auto r64 = seq2seq_loss_gradients_f64(w, in.source, in.decoder, in.labels, 1.0, nullptr);
    REQUIRE(r64.ok());
    CHECK(std::abs(r64->loss - expected) < 1e-3 * n);

    // Bad input is an error naming the problem, not a crash.
    auto bad = seq2seq_loss_gradients(w, {0, 600}, in.decoder, in.labels, 1.0f, nullptr);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("source token id 600") != std::string::npos);
    auto misaligned = seq2seq_loss_gradients(w, in.source, in.decoder, {1, 2}, 1.0f, nullptr);
    REQUIRE_FALSE(misaligned.ok());
    CHECK(misaligned.error().message.find("2 labels for 6 decoder positions") != std::string::npos);
}

TEST_CASE("seq2seq parameter gradients match central finite differences for every kind of parameter") {
    std::unique_ptr<TrainModel> tm = open_bart_tiny(true);
    Inputs in;
    // Larger weights than bart-tiny's N(0, 0.02) so every path carries a gradient well above rounding.
    Rng rng(7);
    for (TrainParam& p : tm->params()) {
        const bool norm_weight = p.shape.size() == 1 && p.name.find(".weight") != std::string::npos;
        for (size_t i = 0; i < p.numel; ++i)
            p.value[i] = static_cast<float>((norm_weight ? 1.0 : 0.0) + 0.3 * rng.normal());
    }
    const BartWeights& w = *bart_weights(*tm->model().network);
    ParamGradients<double> g64(true);
    auto r = seq2seq_loss_gradients_f64(w, in.source, in.decoder, in.labels, 1.0, &g64);
    REQUIRE(r.ok());
    ParamGradients<float> g32(true);
    REQUIRE(seq2seq_loss_gradients(w, in.source, in.decoder, in.labels, 1.0f, &g32).ok());
    auto loss_at = [&]() {
        auto l = seq2seq_loss_gradients_f64(w, in.source, in.decoder, in.labels, 1.0, nullptr);
        REQUIRE(l.ok());
        return l->loss;
    };

    std::set<std::string> kinds_seen;
    int checked = 0;
    for (TrainParam& p : tm->params()) {
        INFO("parameter " << p.name);
        const double* an = g64.find(p.value);
        REQUIRE_MESSAGE(an != nullptr, "no gradient reached " << p.name);
        const float* an32 = g32.find(p.value);
        REQUIRE(an32 != nullptr);
        // Entries that matter: the rows of the ids used for the tables, spread entries elsewhere.
        std::vector<size_t> sample;
        if (p.name == "model.shared.weight") {
            for (int32_t id : {415, 0, 2, 301}) sample.push_back(static_cast<size_t>(id) * p.shape[1] + (id % 7));
        } else if (p.name.find("embed_positions") != std::string::npos) {
            for (int row : {2, 4, 7}) sample.push_back(static_cast<size_t>(row) * p.shape[1] + row);
        } else if (p.name == "final_logits_bias") {
            for (int v : {0, 99, 301, 5}) sample.push_back(static_cast<size_t>(v));
        } else {
            for (int k = 0; k < 3; ++k) sample.push_back(static_cast<size_t>(rng.below(static_cast<int>(p.numel))));
        }
        double scale = 0.0;
        for (size_t i = 0; i < p.numel; ++i) scale = std::max(scale, std::abs(an[i]));
        for (size_t i : sample) {
            const float v0 = p.value[i];
            const float h = 1e-3f * std::max(1.0f, std::abs(v0));
            p.value[i] = v0 + h;
            const double up = loss_at(), dx_up = static_cast<double>(p.value[i]) - v0;
            p.value[i] = v0 - h;
            const double down = loss_at(), dx_down = static_cast<double>(v0) - p.value[i];
            p.value[i] = v0;
            const double fd = (up - down) / (dx_up + dx_down);
            INFO("entry " << i << " analytic " << an[i] << " finite difference " << fd);
            CHECK(std::abs(fd - an[i]) <= 2e-3 * std::max(std::abs(an[i]), 0.05 * scale) + 1e-7);
            CHECK(std::abs(an32[i] - an[i]) <= 1e-3 * scale + 1e-6);
            ++checked;
        }
        std::string kind = p.name;
        for (const char* layer : {"layers.0.", "layers.1."})
            if (kind.find(layer) != std::string::npos) kind.replace(kind.find(layer), 9, "");
        kinds_seen.insert(kind);
    }
    // Both stacks' layers, each sublayer kind, and the tables are present (nothing was skipped).
    for (const char* k : {"model.shared.weight", "model.encoder.embed_positions.weight", "model.decoder.embed_positions.weight",
                          "model.encoder.layernorm_embedding.weight", "model.decoder.layernorm_embedding.bias",
                          "model.encoder.self_attn.q_proj.weight", "model.decoder.encoder_attn.k_proj.weight",
                          "model.decoder.encoder_attn.v_proj.bias", "model.decoder.encoder_attn.out_proj.weight",
                          "model.decoder.encoder_attn_layer_norm.weight", "model.decoder.self_attn.v_proj.weight",
                          "model.encoder.fc1.weight", "model.decoder.fc2.bias", "model.encoder.final_layer_norm.bias",
                          "final_logits_bias"})
        CHECK_MESSAGE(kinds_seen.count(k) == 1, k);
    CHECK(checked > 250);
}

TEST_CASE("the seq2seq TrainModel names its parameters as the checkpoint, sums slots and re-points the network") {
    std::unique_ptr<TrainModel> tm = open_bart_tiny(false);
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const TrainParam& p : tm->params()) shapes[p.name] = p.shape;
    CHECK(shapes.size() == tm->params().size());   // each once: the tied table too
    CHECK(shapes.count("model.shared.weight") == 1);
    CHECK(shapes.count("lm_head.weight") == 0);
    CHECK(shapes["final_logits_bias"] == std::vector<int64_t>{1, 600});
    CHECK(shapes["model.encoder.embed_positions.weight"] == std::vector<int64_t>{66, 64});
    CHECK(shapes["model.decoder.layers.1.encoder_attn.q_proj.weight"] == std::vector<int64_t>{64, 64});
    CHECK(shapes.size() == 1 + 2 + 4 + 2 * 16 + 2 * 26 + 1);

    Inputs in;
    Example e{in.source, in.labels, in.decoder};
    tm->set_slots(2);
    tm->zero_grads();
    REQUIRE(tm->add_loss(e, 0.5f, true, 0).ok());
    REQUIRE(tm->add_loss(e, 0.5f, true, 1).ok());
    tm->reduce();
    std::vector<float> summed;
    const TrainParam& shared = tm->params()[0];
    const float* g = tm->grad(shared);
    summed.assign(g, g + shared.numel);
    tm->set_slots(1);
    tm->zero_grads();
    REQUIRE(tm->add_loss(e, 1.0f, true, 0).ok());
    const float* once = tm->grad(shared);
    double diff = 0.0, norm = 0.0;
    for (size_t i = 0; i < shared.numel; ++i) {
        diff = std::max(diff, static_cast<double>(std::abs(once[i] - summed[i])));
        norm = std::max(norm, static_cast<double>(std::abs(once[i])));
    }
    CHECK(norm > 0.0);
    CHECK(diff <= 1e-6 * norm + 1e-9);

    // An update to a parameter's values is what the network traces next.
    auto before = model_trace_seq2seq(tm->model(), in.source, in.decoder, TraceOptions{});
    for (TrainParam& p : tm->params())
        if (p.name == "model.decoder.layers.0.encoder_attn.q_proj.weight")
            for (size_t i = 0; i < p.numel; ++i) p.value[i] += 0.5f * static_cast<float>(i % 3);
    auto after = model_trace_seq2seq(tm->model(), in.source, in.decoder, TraceOptions{});
    REQUIRE(before.ok());
    REQUIRE(after.ok());
    CHECK(max_abs_diff(before->cross_attentions.probs, after->cross_attentions.probs) > 1e-3f);
    CHECK(max_abs_diff(before->attentions.probs, after->attentions.probs) == 0.0f);
}
