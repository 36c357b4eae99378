// Memory estimates from headers and shapes, and the refusals over memory_limit(). The header scan is a
// SAX pass (no JSON tree is built, nesting capped at kJsonMaxDepth) that keeps only sums: a 100 MB
// header costs time, not memory. It validates nothing; safetensors_parse does that afterwards.
#include "model/memory_estimate.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

#include "core/dtype.h"
#include "core/i18n.h"
#include "core/json.h"
#include "model/limits.h"
#include "model/safetensors.h"
#include "model/weight_store.h"

namespace attn {
namespace {

// Sums far past int64 (a header may claim 10^30 bytes) saturate instead of overflowing.
constexpr double kSaturate = 4.0e18;
int64_t saturated(double bytes) { return bytes >= kSaturate ? static_cast<int64_t>(kSaturate) : static_cast<int64_t>(bytes); }

// Bytes a load needs besides files, copies and the tokenizer: config.json's tree, the model's small
// tables (rope frequencies, token maps), the first short trace of the text already in the box.
constexpr int64_t kLoadMarginBytes = 16 << 20;

// One file's claim, from the header's tensors.
struct HeaderSums {
    double data_bytes = 0;     // sum of numel * dtype size (or the largest data offset, if larger)
    double copied_bytes = 0;   // f32 copies: 1-D tensors, and matrices misaligned for their dtype
    int64_t tensors = 0;
};

class HeaderScan : public nlohmann::json_sax<Json> {
public:
    explicit HeaderScan(uint64_t data_start) : data_start_(data_start) {}
    HeaderSums sums;

    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t v) override { return number(v < 0 ? -1.0 : static_cast<double>(v)); }
    bool number_unsigned(number_unsigned_t v) override { return number(static_cast<double>(v)); }
    bool number_float(number_float_t, const string_t&) override { return number(-1.0); }
    bool string(string_t& v) override {
        if (depth_ == 2 && in_tensor_ && field_ == "dtype") dtype_known_ = dtype_from_name(v, &dtype_);
        return true;
    }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override {
        if (++depth_ > kJsonMaxDepth) return false;
        if (depth_ == 2) begin_tensor();
        return true;
    }
    bool key(string_t& k) override {
        if (depth_ == 1) name_is_metadata_ = k == "__metadata__";
        if (depth_ == 2) field_ = k;
        return true;
    }
    bool end_object() override {
        if (depth_ == 2 && in_tensor_) end_tensor();
        --depth_;
        return true;
    }
    bool start_array(std::size_t) override {
        if (++depth_ > kJsonMaxDepth) return false;
        if (depth_ == 3 && in_tensor_) array_ = field_;
        return true;
    }
    bool end_array() override {
        if (depth_ == 3) array_.clear();
        --depth_;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
    bool number(double v) {
        if (depth_ != 3 || !in_tensor_) return true;
        if (array_ == "shape") {
            if (v < 0) shape_ok_ = false;
            numel_ *= v;
            ++rank_;
        } else if (array_ == "data_offsets") {
            if (offset_index_ == 0) begin_ = v;
            if (offset_index_ == 1) end_ = v;
            ++offset_index_;
        }
        return true;
    }
    void begin_tensor() {
        in_tensor_ = !name_is_metadata_;
        dtype_known_ = false;
        shape_ok_ = true;
        numel_ = 1;
        rank_ = 0;
        begin_ = end_ = 0;
        offset_index_ = 0;
    }
    void end_tensor() {
        in_tensor_ = false;
        ++sums.tensors;
        // Only a self-consistent entry is believed (its span is its elements times their size, and fits
        // in 64 bits): an inconsistent one is refused by safetensors_parse with a clearer message
        // (overflow, span mismatch) than "this model needs 10^30 bytes".
        if (!dtype_known_ || !shape_ok_ || offset_index_ != 2 || begin_ < 0 || end_ < begin_) return;
        const double size = static_cast<double>(dtype_size(dtype_)), bytes = numel_ * size;
        if (bytes >= kSaturate || end_ - begin_ != bytes) return;
        sums.data_bytes = std::max(sums.data_bytes + bytes, end_);
        const bool misaligned = (data_start_ + static_cast<uint64_t>(begin_)) % dtype_size(dtype_) != 0;
        if (rank_ <= 1 || misaligned) sums.copied_bytes += numel_ * 4.0;   // model/weight_fetch.h
    }

    uint64_t data_start_;
    int depth_ = 0;
    bool name_is_metadata_ = false, in_tensor_ = false, dtype_known_ = false, shape_ok_ = true;
    std::string field_, array_;
    DType dtype_ = DType::F32;
    double numel_ = 1, begin_ = 0, end_ = 0;
    int rank_ = 0, offset_index_ = 0;
};

// The sums of one safetensors file, and the size the file claims to have; false when its header
// cannot be read (safetensors_parse will say why).
bool header_scan(const Blob& file, HeaderSums* sums, double* claimed_size) {
    if (file.size() < 8) return false;
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | file[static_cast<size_t>(i)];
    if (n > kSafetensorsMaxHeader || n > file.size() - 8) return false;
    HeaderScan scan(8 + n);
    if (!Json::sax_parse(file.data() + 8, file.data() + 8 + n, &scan)) return false;
    *sums = scan.sums;
    *claimed_size = 8.0 + static_cast<double>(n) + scan.sums.data_bytes;
    return true;
}

// The weight files a load will read: model.safetensors when present (as weight_store_load prefers it),
// else the shards the index names (the index's own problems are left to weight_store_load).
std::vector<std::string> weight_files(const FileSet& files, std::string* source) {
    *source = kWeightsFile;
    if (files.has(kWeightsFile)) return {kWeightsFile};
    const Blob* index = files.find(kWeightsIndexFile);
    if (!index) return {};
    *source = kWeightsIndexFile;
    std::set<std::string> shards;
    try {
        Json j = json_parse(string_from_bytes(*index), kWeightsIndexFile);
        auto map = j.find("weight_map");
        if (j.is_object() && map != j.end() && map->is_object())
            for (const Json& shard : *map)
                if (shard.is_string() && files.has(shard.get<std::string>())) shards.insert(shard.get<std::string>());
    } catch (const std::exception&) {
        return {};
    }
    return {shards.begin(), shards.end()};
}

bool is_tokenizer_file(const std::string& name) {
    return name == "tokenizer.json" || name == "vocab.txt" || name == "vocab.json" || name == "merges.txt";
}

double f(int64_t v) { return static_cast<double>(v); }

}  // namespace

WeightsClaim weights_claim(const FileSet& files) {
    WeightsClaim claim;
    std::vector<std::string> weights = weight_files(files, &claim.weights_file);
    double file_bytes = 0, weight_bytes = 0, copied = 0;
    for (const auto& [name, blob] : files.files) {
        double size = static_cast<double>(blob->size());
        if (std::find(weights.begin(), weights.end(), name) != weights.end()) {
            HeaderSums sums;
            double claimed = 0;
            if (header_scan(*blob, &sums, &claimed)) {
                size = std::max(size, claimed);   // a truncated file counts at the size it should have
                weight_bytes += sums.data_bytes;
                copied += sums.copied_bytes;
                claim.tensor_count += sums.tensors;
            }
        }
        if (is_tokenizer_file(name)) claim.tokenizer_bytes += static_cast<int64_t>(blob->size());
        file_bytes += size;
    }
    claim.file_bytes = saturated(file_bytes);
    claim.weight_bytes = saturated(weight_bytes);
    claim.copied_bytes = saturated(copied);
    return claim;
}

int64_t model_load_bytes_estimate(const WeightsClaim& claim) {
    return saturated(f(claim.file_bytes) + f(claim.copied_bytes) + f(claim.tokenizer_bytes) * kTokenizerBytesPerFileByte +
                     f(kLoadMarginBytes));
}

int64_t model_load_bytes_from_sizes(int64_t weights_file_bytes, int64_t tokenizer_bytes, int64_t other_bytes) {
    return saturated(f(weights_file_bytes) + f(tokenizer_bytes) * (1 + kTokenizerBytesPerFileByte) + f(other_bytes) +
                     f(kLoadMarginBytes));
}

std::optional<ErrorValue> model_memory_refusal(int64_t need, const std::string& weights_file, int64_t weight_bytes) {
    const int64_t limit = memory_limit();
    if (need <= limit) return std::nullopt;
    return make_error(trf(memory_limit_is_page() ? "limits.model_too_big_page" : "limits.model_too_big_machine",
                          {{"need", memory_size_text(need)},
                           {"file", weights_file},
                           {"weights", memory_size_text(weight_bytes)},
                           {"limit", memory_size_text(limit)}}));
}

std::optional<ErrorValue> model_load_check(const FileSet& files) {
    WeightsClaim claim = weights_claim(files);
    if (claim.tensor_count > kMaxTensorCount)
        return make_error(trf("limits.too_many_tensors", {{"file", claim.weights_file},
                                                          {"count", std::to_string(claim.tensor_count)},
                                                          {"limit", std::to_string(kMaxTensorCount)}}));
    return model_memory_refusal(model_load_bytes_estimate(claim), claim.weights_file, claim.weight_bytes);
}

// Floats of one pass's scratch over T rows of width D with H heads of (T, S) probabilities: the
// residual, q/k/v, context and output (6 D), the MLP's up and gate rows (2 x 4 D, the widest MLP the
// supported architectures have), a spare D; every head's probabilities when not captured (heads run in
// parallel), and a knockout mask.
static double scratch_floats(const ModelInfo& info, int T, int S, int H, bool captured) {
    const double D = info.n_embd;
    return 15.0 * T * D + (captured ? 0.0 : f(H) * T * S) + f(T) * S;
}

int64_t trace_bytes_estimate(const ModelInfo& info, int T, int S, const TraceOptions& options) {
    const double L = info.n_layer, H = info.n_head, D = info.n_embd, V = info.n_vocab;
    const double P = options.logit_positions.empty() ? 1.0 : f(static_cast<int64_t>(options.logit_positions.size()));
    double floats = P * (V + D);
    if (options.capture_attentions) floats += L * H * T * S;
    if (options.capture_hidden_states) floats += (L + 1) * T * D;
    floats += scratch_floats(info, T, S, info.n_head, options.capture_attentions);
    return saturated(floats * 4.0);
}

int64_t trace_seq2seq_bytes_estimate(const ModelInfo& info, int S, int T, const TraceOptions& options) {
    const double L = info.n_layer, H = info.n_head, Ld = info.n_decoder_layer, Hd = info.n_decoder_head;
    const double D = info.n_embd, V = info.n_vocab;
    const double P = options.logit_positions.empty() ? 1.0 : f(static_cast<int64_t>(options.logit_positions.size()));
    double floats = P * (V + D) + f(S) * D;   // logits, and the encoder's output the decoder reads
    if (options.capture_attentions) floats += L * H * S * S + Ld * Hd * T * T + Ld * Hd * T * S;
    if (options.capture_hidden_states) floats += (L + 1) * S * D + (Ld + 1) * T * D;
    floats += std::max(scratch_floats(info, S, S, info.n_head, options.capture_attentions),
                       scratch_floats(info, T, std::max(S, T), info.n_decoder_head, options.capture_attentions));
    return saturated(floats * 4.0);
}

int64_t gradients_bytes_estimate(const ModelInfo& info, int T, bool capture_attentions, bool param_grads) {
    const double L = info.n_layer, H = info.n_head, D = info.n_embd, V = info.n_vocab;
    // Each layer's record (its inputs, norms, q/k/v, context, MLP rows: the forward's scratch) and
    // probabilities, kept for the backward; the backward's gradients of the same; d_attentions.
    double floats = L * (2.0 * 15.0 * T * D + 3.0 * H * T * T);
    floats += 4.0 * T * D + 2.0 * V;   // token embeddings and their gradient, the residual, logprobs
    if (capture_attentions) floats += L * H * T * T;
    if (param_grads) floats += f(info.n_params);
    return saturated(floats * 4.0);
}

std::optional<ErrorValue> trace_memory_check(const ModelInfo& info, int tokens, int64_t need) {
    if (tokens > kMaxTokens)
        return make_error(trf("limits.too_many_tokens", {{"tokens", std::to_string(tokens)},
                                                         {"limit", std::to_string(kMaxTokens)}}));
    const int64_t limit = memory_limit();
    if (f(info.weight_bytes) + f(need) <= f(limit)) return std::nullopt;
    return make_error(trf(memory_limit_is_page() ? "limits.trace_too_big_page" : "limits.trace_too_big_machine",
                          {{"tokens", std::to_string(tokens)},
                           {"need", memory_size_text(need)},
                           {"model", memory_size_text(info.weight_bytes)},
                           {"limit", memory_size_text(limit)}}));
}

}  // namespace attn
