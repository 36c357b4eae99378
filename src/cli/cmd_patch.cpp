// `patch`: activation patching between a clean and a corrupted text of the same token length. Prints
// both predictions, the logit differences and the sites that bring the most back; writes the whole
// result as JSON (.json) or safetensors. The job runs to the end before anything is written.
#include <cstdio>

#include "analysis/patching.h"
#include "cli/commands.h"
#include "cli/model_open.h"
#include "cli/token_arg.h"
#include "core/json.h"
#include "model/safetensors_write.h"
#include "platform/file_io.h"

namespace attn {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string quoted(const std::string& piece) { return "'" + piece + "'"; }

Json rows_of(const std::vector<float>& v, int rows, int cols) {
    Json out = Json::array();
    for (int r = 0; r < rows; ++r)
        out.push_back(std::vector<float>(v.begin() + static_cast<long>(r) * cols, v.begin() + static_cast<long>(r + 1) * cols));
    return out;
}

Json tokens_of(const std::string& text, const Encoding& e) {
    return Json{{"text", text}, {"ids", e.ids}, {"pieces", e.tokens}};
}

}  // namespace

int cmd_patch(int argc, char** argv) {
    Args args = args_parse(argc, argv,
                           {"--model", "--clean", "--corrupted", "--position", "--answer", "--wrong-answer", "--out"}, {});
    const std::string out_path = args.require("--out");
    const bool json = ends_with(out_path, ".json");
    if (!json && !ends_with(out_path, ".safetensors"))
        throw UsageError{"--out must end in .json or .safetensors, got '" + out_path + "'"};
    const std::string folder = args.require("--model");
    const std::string clean_text = args.require("--clean"), corrupted_text = args.require("--corrupted");
    ModelPtr model = model_open(folder);
    const ModelInfo& info = model->info();
    if (info.encoder_decoder)
        throw UsageError{"patch supports decoder-only and encoder models; " + folder + " is " + info.architecture +
                         ", an encoder-decoder"};
    const Encoding clean = model->tokenizer.encode(clean_text, /*add_special_tokens=*/true);
    const Encoding corrupted = model->tokenizer.encode(corrupted_text, /*add_special_tokens=*/true);
    if (clean.ids.size() != corrupted.ids.size())
        throw UsageError{"the clean and corrupted texts must have the same number of tokens: clean has " +
                         std::to_string(clean.ids.size()) + ", corrupted has " + std::to_string(corrupted.ids.size())};
    const int T = static_cast<int>(clean.ids.size());
    if (T > info.n_ctx)
        throw UsageError{"the texts have " + std::to_string(T) + " tokens, more than the model's context of " +
                         std::to_string(info.n_ctx)};

    PatchingOptions options;
    options.position = args.get_int("--position", -1);
    if (args.has("--position") && (options.position < 0 || options.position >= T))
        throw UsageError{"--position " + args.get("--position") + " is outside the texts' " + std::to_string(T) + " tokens"};
    if (args.has("--answer")) options.answer = parse_token("--answer", args.get("--answer"), *model);
    if (args.has("--wrong-answer")) options.wrong_answer = parse_token("--wrong-answer", args.get("--wrong-answer"), *model);
    if (options.answer >= 0 && options.answer == options.wrong_answer)
        throw UsageError{"--wrong-answer is the same token as --answer; the difference would be zero"};

    PatchingJob job(*model, clean.ids, corrupted.ids, options);
    step_job_finish(job);
    if (!job.error().empty()) throw UsageError{job.error()};
    const PatchingResult& r = job.result();
    const int L = r.n_layer, H = r.n_head;
    auto piece = [&](int id) { return model->tokenizer.id_to_token(id); };

    int best_state = 0, best_t = 0, best_head = 0;
    for (int i = 0; i < (L + 1) * T; ++i)
        if (r.residual[i] > r.residual[best_state * T + best_t]) best_state = i / T, best_t = i % T;
    for (int i = 0; i < L * H; ++i)
        if (r.heads[i] > r.heads[best_head]) best_head = i;

    std::printf("clean:     %s predicts %s\n", quoted(clean_text).c_str(), quoted(piece(r.clean_top)).c_str());
    std::printf("corrupted: %s predicts %s\n", quoted(corrupted_text).c_str(), quoted(piece(r.corrupted_top)).c_str());
    std::printf("scored at position %d (%s); metric logit(%s) - logit(%s)\n", r.position,
                quoted(clean.tokens[r.position]).c_str(), quoted(piece(r.answer)).c_str(), quoted(piece(r.wrong_answer)).c_str());
    std::printf("logit difference: clean %.4f, corrupted %.4f\n", r.clean_diff, r.corrupted_diff);
    std::printf("best residual site: %s, position %d (%s): %.1f%% recovered\n",
                best_state == 0 ? "embeddings" : ("after layer " + std::to_string(best_state - 1)).c_str(), best_t,
                quoted(clean.tokens[best_t]).c_str(), 100.0 * r.residual[best_state * T + best_t]);
    std::printf("best head: L%d H%d: %.1f%% recovered\n", best_head / H, best_head % H, 100.0 * r.heads[best_head]);

    Bytes bytes;
    if (json) {
        Json out = {{"model", folder},
                    {"architecture", info.architecture},
                    {"clean", tokens_of(clean_text, clean)},
                    {"corrupted", tokens_of(corrupted_text, corrupted)},
                    {"position", r.position},
                    {"answer", {{"id", r.answer}, {"piece", piece(r.answer)}}},
                    {"wrong_answer", {{"id", r.wrong_answer}, {"piece", piece(r.wrong_answer)}}},
                    {"clean_top", {{"id", r.clean_top}, {"piece", piece(r.clean_top)}}},
                    {"corrupted_top", {{"id", r.corrupted_top}, {"piece", piece(r.corrupted_top)}}},
                    {"clean_diff", r.clean_diff},
                    {"corrupted_diff", r.corrupted_diff},
                    {"n_layer", L},
                    {"n_head", H},
                    {"n_token", T},
                    {"residual", rows_of(r.residual, L + 1, T)},
                    {"heads", rows_of(r.heads, L, H)}};
        const std::string text = out.dump(1, ' ', false, Json::error_handler_t::replace) + "\n";
        bytes.assign(text.begin(), text.end());
    } else {
        const std::vector<int64_t> clean_ids(clean.ids.begin(), clean.ids.end());
        const std::vector<int64_t> corrupted_ids(corrupted.ids.begin(), corrupted.ids.end());
        const std::vector<float> diffs = {r.clean_diff, r.corrupted_diff};
        SafetensorsWriter w;
        w.add_f32("residual", {L + 1, T}, r.residual.data());
        w.add_f32("heads", {L, H}, r.heads.data());
        w.add_f32("logit_diffs", {2}, diffs.data());
        w.add_i64("clean_ids", {T}, clean_ids.data());
        w.add_i64("corrupted_ids", {T}, corrupted_ids.data());
        w.set_metadata("producer", "attnscope");
        w.set_metadata("architecture", info.architecture);
        w.set_metadata("position", std::to_string(r.position));
        w.set_metadata("answer", std::to_string(r.answer));
        w.set_metadata("wrong_answer", std::to_string(r.wrong_answer));
        Expected<Bytes> b = w.write();
        if (!b) throw UsageError{b.error().message};
        bytes = std::move(*b);
    }
    auto written = file_write_atomic(out_path, bytes);
    if (!written) throw UsageError{written.error().message};
    return 0;
}

}  // namespace attn
