// Tokenizer against the HF reference fixtures: every case of every tokenizer_reference.json (ids,
// tokens, char offsets, decode) and the special-token ids stored in reference.safetensors.
#include <doctest/doctest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "core/json.h"
#include "fixture_path.h"
#include "model/tokenizer/tokenizer.h"
#include "platform/file_io.h"

using namespace attn;

namespace {

std::string read_text(const std::string& path) {
    Expected<Bytes> b = file_read(path);
    REQUIRE_MESSAGE(b.ok(), b.error().message);
    return string_from_bytes(*b);
}

Tokenizer load_tokenizer(const std::string& path) {
    Expected<Tokenizer> t = tokenizer_from_json(read_text(path), path);
    REQUIRE_MESSAGE(t.ok(), t.error().message);
    return std::move(*t);
}

// Runs every case of one tokenizer_reference.json; returns how many were checked.
int check_reference(const std::string& tokenizer_path, const std::string& reference_path) {
    Tokenizer tok = load_tokenizer(tokenizer_path);
    Json ref = json_parse(read_text(reference_path), reference_path);
    int checked = 0;
    for (const Json& c : ref["cases"]) {
        const std::string text = c["text"].get<std::string>();
        CAPTURE(tokenizer_path);
        CAPTURE(text);
        Encoding e = tok.encode(text, false);
        const auto ids = c["ids"].get<std::vector<int32_t>>();
        const auto tokens = c["tokens"].get<std::vector<std::string>>();
        CHECK(e.ids == ids);
        CHECK(e.tokens == tokens);
        std::vector<std::pair<int, int>> offsets;
        for (const Json& o : c["offsets"]) offsets.emplace_back(o[0].get<int>(), o[1].get<int>());
        CHECK(offsets_to_chars(text, e) == offsets);
        CHECK(tok.decode(ids, false) == c["decoded"].get<std::string>());
        ++checked;
    }
    return checked;
}

// Minimal safetensors reader for the test: 8-byte little-endian header size, JSON header, I64 data.
std::vector<int64_t> read_i64_tensor(const Bytes& file, const std::string& name) {
    REQUIRE(file.size() >= 8);
    uint64_t header_len = 0;
    for (int k = 7; k >= 0; --k) header_len = (header_len << 8) | file[k];
    REQUIRE(8 + header_len <= file.size());
    Json header = json_parse(std::string(file.begin() + 8, file.begin() + 8 + static_cast<long>(header_len)), name);
    REQUIRE(header.contains(name));
    const Json& t = header[name];
    REQUIRE(t["dtype"] == "I64");
    const size_t begin = t["data_offsets"][0].get<size_t>(), end = t["data_offsets"][1].get<size_t>();
    const size_t base = 8 + header_len;
    REQUIRE(base + end <= file.size());
    std::vector<int64_t> out((end - begin) / 8);
    for (size_t k = 0; k < out.size(); ++k) {
        uint64_t v = 0;
        for (int b = 7; b >= 0; --b) v = (v << 8) | file[base + begin + k * 8 + b];
        out[k] = static_cast<int64_t>(v);
    }
    return out;
}

}  // namespace

TEST_CASE("tokenizer reproduces every tokenizer_reference.json case") {
    const std::vector<std::string> models = {"gpt2-tiny", "gpt2-f16", "llama-tiny", "llama-bf16-sharded", "qwen2-tiny",
                                             "bart-tiny", "roberta-tiny", "bert-tiny", "distilbert-tiny"};
    for (const std::string& m : models) {
        SUBCASE(m.c_str()) {
            const int n = check_reference(fixture_path(m + "/tokenizer.json"), fixture_path(m + "/tokenizer_reference.json"));
            MESSAGE(m << ": " << n << " cases checked");
            CHECK(n == 35);
        }
    }
    SUBCASE("unigram") {
        const int n = check_reference(fixture_path("unigram-tokenizer.json"), fixture_path("unigram-tokenizer_reference.json"));
        MESSAGE("unigram: " << n << " cases checked");
        CHECK(n == 35);
    }
}

TEST_CASE("tokenizer with special tokens matches reference.safetensors input_ids") {
    const std::vector<std::string> models = {"gpt2-tiny", "gpt2-f16", "llama-tiny", "llama-bf16-sharded", "qwen2-tiny",
                                             "roberta-tiny", "bert-tiny", "distilbert-tiny"};
    for (const std::string& m : models) {
        SUBCASE(m.c_str()) {
            Tokenizer tok = load_tokenizer(fixture_path(m + "/tokenizer.json"));
            Json ref = json_parse(read_text(fixture_path(m + "/reference.json")), m + "/reference.json");
            Expected<Bytes> st = file_read(fixture_path(m + "/reference.safetensors"));
            REQUIRE(st.ok());
            const auto& texts = ref["texts"];
            int checked = 0;
            for (size_t i = 0; i < texts.size(); ++i) {
                const std::string text = texts[i].get<std::string>();
                CAPTURE(text);
                std::vector<int64_t> expected = read_i64_tensor(*st, "case" + std::to_string(i) + ".input_ids");
                Encoding e = tok.encode(text, true);
                std::vector<int64_t> got(e.ids.begin(), e.ids.end());
                if (got.size() > 64) got.resize(64);
                REQUIRE(got.size() == expected.size());
                if (ref.contains("mask_positions")) {
                    const size_t mask = ref["mask_positions"][i].get<size_t>();
                    REQUIRE(mask < got.size());
                    got[mask] = expected[mask];
                }
                CHECK(got == expected);
                ++checked;
            }
            MESSAGE(m << ": " << checked << " texts checked");
            CHECK(checked == 4);
        }
    }
}

// Times are printed, not asserted (tools/bench/bench_tokenizer measures them).
TEST_CASE("tokenizer loads the 3.5 MB GPT-2 tokenizer.json and encodes 100 KB of text, losslessly") {
    const std::string json = read_text(fixture_path("gpt2-tiny/tokenizer.json"));
    auto t0 = std::chrono::steady_clock::now();
    Expected<Tokenizer> tok = tokenizer_from_json(json, "tokenizer.json");
    auto t1 = std::chrono::steady_clock::now();
    REQUIRE(tok.ok());
    std::string text;
    while (text.size() < 100000) text += "The animal didn't cross the street because it was too tired. Numbers 1234, symbols $%^! ";
    Encoding e = tok->encode(text, false);
    auto t2 = std::chrono::steady_clock::now();
    const double load_s = std::chrono::duration<double>(t1 - t0).count();
    const double encode_s = std::chrono::duration<double>(t2 - t1).count();
    MESSAGE("gpt2 tokenizer.json load " << load_s << " s, 100 KB encode " << encode_s << " s (" << e.ids.size() << " tokens)");
    CHECK(tok->decode(e.ids) == text);
}

TEST_CASE("tokenizer BPE on one huge pre-token round-trips (its time: tools/bench/bench_tokenizer)") {
    Tokenizer tok = load_tokenizer(fixture_path("gpt2-tiny/tokenizer.json"));
    const std::string text(100000, 'a');
    auto t0 = std::chrono::steady_clock::now();
    Encoding e = tok.encode(text, false);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE("100k 'a' -> " << e.ids.size() << " tokens in " << s << " s");
    CHECK(tok.decode(e.ids) == text);
}
