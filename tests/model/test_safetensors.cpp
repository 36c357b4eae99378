// safetensors reader and writer. Sections: usage examples / real fixtures / alignment / valid edge
// cases / bad files (one test per family of reference checks) / writer.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "fixture_path.h"
#include "model/safetensors.h"
#include "model/safetensors_write.h"
#include "platform/file_io.h"
#include "text_contains.h"

using namespace attn;

namespace {

SharedBytes share(Bytes b) { return std::make_shared<const Bytes>(std::move(b)); }

SharedBytes read_fixture(const std::string& relative) {
    auto bytes = file_read(fixture_path(relative));
    REQUIRE_MESSAGE(bytes.ok(), bytes.error().message);
    return share(std::move(*bytes));
}

// [u64 header length][header][data_bytes bytes of data]; `declared` overrides the length field.
Bytes make_file(const std::string& header, size_t data_bytes, uint64_t declared = UINT64_MAX) {
    uint64_t n = declared == UINT64_MAX ? header.size() : declared;
    Bytes b(8);
    for (int i = 0; i < 8; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
    b.insert(b.end(), header.begin(), header.end());
    for (size_t i = 0; i < data_bytes; ++i) b.push_back(static_cast<uint8_t>(i * 7));
    return b;
}

// The error message of parsing `bytes` as model.safetensors; fails the test if it parses.
std::string parse_error(Bytes bytes, const std::string& label = "model.safetensors") {
    auto st = safetensors_parse(share(std::move(bytes)), label);
    if (st.ok()) {
        FAIL_CHECK("expected an error");
        return "";
    }
    return st.error().message;
}


#define CHECK_ERROR(message, phrase)                                    \
    do {                                                                \
        std::string m_ = (message);                                     \
        INFO(m_);                                                       \
        CHECK(m_.rfind("model.safetensors: ", 0) == 0);                 \
        CHECK(contains(m_, phrase));                                    \
    } while (0)

std::string tensor_json(const std::string& name, const char* dtype, const std::string& shape, uint64_t begin,
                        uint64_t end) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" +
           std::to_string(begin) + "," + std::to_string(end) + "]}";
}

}  // namespace

TEST_CASE("the usage examples in safetensors.h and safetensors_write.h") {
    FileSet files;
    float bias_values[2] = {0.5f, -1.0f};
    SafetensorsWriter writer;
    writer.add_f32("ln_f.bias", {2}, bias_values);
    files.add("model.safetensors", *writer.write());

    // safetensors.h
    Expected<SafetensorsFile> st = safetensors_parse(files.find_shared("model.safetensors"), "model.safetensors");
    REQUIRE(st);
    if (const TensorView* t = st->find("ln_f.bias")) {
        std::vector<float> bias = tensor_to_f32(*t);
        CHECK(bias == std::vector<float>{0.5f, -1.0f});
    } else {
        FAIL("ln_f.bias not found");
    }

    // safetensors_write.h
    const int L = 1, H = 2, T = 3, S = 3;
    std::vector<float> probs(L * H * T * S, 0.25f);
    std::vector<int64_t> ids(T, 7);
    SafetensorsWriter w;
    w.add_f32("attentions", {L, H, T, S}, probs.data());
    w.add_i64("input_ids", {T}, ids.data());
    w.set_metadata("model", "gpt2");
    Expected<Bytes> bytes = w.write();
    REQUIRE(bytes);
    auto back = safetensors_parse(std::make_shared<const Bytes>(*bytes), "trace.safetensors");
    REQUIRE(back);
    CHECK(back->find("attentions")->shape == std::vector<int64_t>{1, 2, 3, 3});
    CHECK(back->metadata().at("model") == "gpt2");
}

// ---- the real fixtures ---------------------------------------------------------------------------

TEST_CASE("every fixture safetensors file parses, and its tensors tile its data section") {
    const char* files[] = {
        "bart-tiny/model.safetensors",       "bart-tiny/reference.safetensors",
        "bert-tiny/model.safetensors",       "bert-tiny/reference.safetensors",
        "distilbert-tiny/model.safetensors", "distilbert-tiny/reference.safetensors",
        "gpt2-f16/model.safetensors",        "gpt2-f16/reference.safetensors",
        "gpt2-tiny/model.safetensors",       "gpt2-tiny/reference.safetensors",
        "llama-tiny/model.safetensors",      "llama-tiny/reference.safetensors",
        "qwen2-tiny/model.safetensors",      "qwen2-tiny/reference.safetensors",
        "roberta-tiny/model.safetensors",    "roberta-tiny/reference.safetensors",
        "llama-bf16-sharded/model-00001-of-00004.safetensors",
        "llama-bf16-sharded/model-00002-of-00004.safetensors",
        "llama-bf16-sharded/model-00003-of-00004.safetensors",
        "llama-bf16-sharded/model-00004-of-00004.safetensors",
        "llama-bf16-sharded/reference.safetensors",
    };
    for (const char* name : files) {
        CAPTURE(name);
        SharedBytes bytes = read_fixture(name);
        auto st = safetensors_parse(bytes, name);
        REQUIRE_MESSAGE(st.ok(), st.error().message);
        REQUIRE(!st->tensors().empty());
        CHECK(8 + st->header_size() + st->data_size() == bytes->size());
        size_t sum = 0;
        const uint8_t* expect = bytes->data() + 8 + st->header_size();
        for (const TensorView& t : st->tensors()) {
            CHECK(t.data == expect);   // in offset order, back to back
            CHECK(t.nbytes == static_cast<size_t>(t.numel()) * dtype_size(t.dtype));
            CHECK(t.file == name);
            CHECK(st->find(t.name) == &t);
            expect += t.nbytes;
            sum += t.nbytes;
        }
        CHECK(sum == st->data_size());
        bool is_model = std::string(name).find("reference") == std::string::npos;
        if (is_model) {
            REQUIRE(st->metadata().count("format"));
            CHECK(st->metadata().at("format") == "pt");
        } else {
            CHECK(st->metadata().empty());
        }
    }
}

TEST_CASE("gpt2-tiny (F32) and gpt2-f16 (F16): dtypes, shapes and values") {
    auto f32 = safetensors_parse(read_fixture("gpt2-tiny/model.safetensors"), "model.safetensors");
    auto f16 = safetensors_parse(read_fixture("gpt2-f16/model.safetensors"), "model.safetensors");
    REQUIRE(f32.ok());
    REQUIRE(f16.ok());
    CHECK(f32->tensors().size() == 28);
    REQUIRE(f16->tensors().size() == f32->tensors().size());

    // Same names and shapes; every tensor F32 in one and F16 in the other.
    for (const TensorView& t : f32->tensors()) {
        CAPTURE(t.name);
        CHECK(t.dtype == DType::F32);
        const TensorView* h = f16->find(t.name);
        REQUIRE(h);
        CHECK(h->dtype == DType::F16);
        CHECK(h->shape == t.shape);
    }

    const TensorView* wte = f32->find("transformer.wte.weight");
    REQUIRE(wte);
    CHECK(wte->shape == std::vector<int64_t>{50257, 32});
    CHECK(wte->shape_string() == "[50257, 32]");
    // Values read independently with Python's struct module from the same file.
    std::vector<float> e = tensor_to_f32(*wte);
    CHECK(e[0] == -0.01723555475473404f);
    CHECK(e[1] == 0.010973584838211536f);
    CHECK(e[3] == 0.015540413558483124f);
    REQUIRE(wte->as_f32() != nullptr);   // 8-byte header length, vector storage: aligned
    CHECK(wte->as_f32()[1] == e[1]);

    const TensorView* attn = f32->find("transformer.h.0.attn.c_attn.weight");
    const TensorView* attn16 = f16->find("transformer.h.0.attn.c_attn.weight");
    REQUIRE(attn);
    REQUIRE(attn16);
    CHECK(attn->shape == std::vector<int64_t>{32, 96});
    std::vector<float> a = tensor_to_f32(*attn);
    std::vector<float> a16 = tensor_to_f32(*attn16);
    CHECK(a[0] == 0.3082863986492157f);
    CHECK(a16[0] == -0.1905517578125f);   // f16 0xb219, exact
    CHECK(a16[1] == 0.031982421875f);
    CHECK(a16[2] == -0.083984375f);
    CHECK(attn16->as_f32() == nullptr);   // not F32

    // The two checkpoints were initialised separately, so only the constant tensors agree: layer norm
    // weights are all 1 and biases all 0 in both (checked rather than assumed identical weights).
    int differing = 0;
    for (size_t i = 0; i < a.size(); ++i) differing += std::fabs(a[i] - a16[i]) > 1e-3f;
    CHECK(differing > static_cast<int>(a.size()) / 2);
    for (const char* name : {"transformer.h.0.ln_1.weight", "transformer.h.1.ln_2.bias", "transformer.ln_f.weight",
                             "transformer.h.0.attn.c_attn.bias"}) {
        CAPTURE(name);
        std::vector<float> x = tensor_to_f32(*f32->find(name));
        std::vector<float> y = tensor_to_f32(*f16->find(name));
        CHECK(x == y);
        float expected = std::string(name).find("weight") != std::string::npos ? 1.0f : 0.0f;
        for (float v : x) REQUIRE(v == expected);
    }
    // f16 weights are finite and in a sane range for an initialised network.
    for (const TensorView& t : f16->tensors())
        for (float v : tensor_to_f32(t)) REQUIRE((std::isfinite(v) && std::fabs(v) < 10.0f));
}

TEST_CASE("reference.safetensors: I64 token ids read back") {
    auto st = safetensors_parse(read_fixture("gpt2-tiny/reference.safetensors"), "reference.safetensors");
    REQUIRE(st.ok());
    const TensorView* ids = st->find("case0.input_ids");
    REQUIRE(ids);
    CHECK(ids->dtype == DType::I64);
    CHECK(ids->shape == std::vector<int64_t>{13});
    std::vector<int64_t> v = tensor_to_i64(*ids);
    CHECK(v[0] == 464);   // GPT-2's id for "The"
    CHECK(v[1] == 5044);
    try {
        tensor_to_f32(*ids);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) ==
              "reference.safetensors: tensor 'case0.input_ids' has dtype I64; expected F32, F16 or BF16");
    }
}

TEST_CASE("BF16 shard: values widen exactly and are finite") {
    auto st = safetensors_parse(read_fixture("llama-bf16-sharded/model-00001-of-00004.safetensors"),
                                "model-00001-of-00004.safetensors");
    REQUIRE(st.ok());
    const TensorView* emb = st->find("model.embed_tokens.weight");
    REQUIRE(emb);
    CHECK(emb->dtype == DType::BF16);
    CHECK(emb->shape == std::vector<int64_t>{600, 64});
    std::vector<float> v = tensor_to_f32(*emb);
    CHECK(v[0] == 0.0106201171875f);     // 0x3c2e
    CHECK(v[1] == -0.0021209716796875f); // 0xbb0b
    CHECK(v[3] == 0.0196533203125f);     // 0x3ca1
    for (const TensorView& t : st->tensors())
        for (float x : tensor_to_f32(t)) REQUIRE(std::isfinite(x));
}

// ---- alignment -------------------------------------------------------------------------------------

TEST_CASE("data after a header of odd length (misaligned) reads correctly through the copying helpers") {
    float values[3] = {1.5f, -2.25f, 3e-8f};
    uint16_t halves[2] = {0x3c00, 0xc000};
    std::string header = "{" + tensor_json("a", "F32", "[3]", 0, 12) + "," + tensor_json("b", "F16", "[2]", 12, 16) + "}";
    header += " ";   // 8 + header length is now odd
    Bytes b = make_file(header, 0);
    const uint8_t* raw = reinterpret_cast<const uint8_t*>(values);
    b.insert(b.end(), raw, raw + 12);
    raw = reinterpret_cast<const uint8_t*>(halves);
    b.insert(b.end(), raw, raw + 4);
    REQUIRE((8 + header.size()) % 4 != 0);
    auto st = safetensors_parse(share(b), "odd.safetensors");
    REQUIRE_MESSAGE(st.ok(), st.error().message);
    const TensorView* a = st->find("a");
    REQUIRE(a);
    CHECK(reinterpret_cast<uintptr_t>(a->data) % 4 != 0);
    CHECK(a->as_f32() == nullptr);   // would be a misaligned float pointer
    CHECK(tensor_to_f32(*a) == std::vector<float>{1.5f, -2.25f, 3e-8f});
    CHECK(tensor_to_f32(*st->find("b")) == std::vector<float>{1.0f, -2.0f});
}

// ---- valid edge cases ------------------------------------------------------------------------------

TEST_CASE("valid edge cases: empty file, scalars, zero-size tensors, padding, unknown fields") {
    // The reference serializer's output for no tensors: "{}" padded to 8 bytes.
    auto empty = safetensors_parse(share(make_file("{}      ", 0)), "empty.safetensors");
    REQUIRE(empty.ok());
    CHECK(empty->tensors().empty());

    // The example in the reference implementation's documentation.
    auto doc = safetensors_parse(share(make_file(R"({"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}})", 16)),
                                 "doc.safetensors");
    REQUIRE_MESSAGE(doc.ok(), doc.error().message);
    CHECK(doc->find("test")->numel() == 4);

    std::string header = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"x\"}," +
                         tensor_json("scalar", "F32", "[]", 0, 4) + "," + tensor_json("none", "F16", "[0, 5]", 4, 4) +
                         "," + tensor_json("also_none", "I64", "[3, 0]", 4, 4) + "," +
                         "\"mask\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[4,6],\"extra\":1}}";
    auto st = safetensors_parse(share(make_file(header, 6)), "edge.safetensors");
    REQUIRE_MESSAGE(st.ok(), st.error().message);
    CHECK(st->tensors().size() == 4);
    CHECK(st->find("scalar")->numel() == 1);
    CHECK(st->find("scalar")->shape_string() == "[]");
    CHECK(st->find("none")->numel() == 0);
    CHECK(st->find("none")->nbytes == 0);
    CHECK(tensor_to_f32(*st->find("none")).empty());
    CHECK(tensor_to_i64(*st->find("mask")).size() == 2);
    CHECK(st->metadata().at("note") == "x");
    CHECK(st->find("absent") == nullptr);
}

// ---- bad files: every check of the reference, with the file named ---------------------------------

TEST_CASE("bad file: Git LFS pointer") {
    std::string pointer =
        "version https://git-lfs.github.com/spec/v1\n"
        "oid sha256:4a6d0a3d3c0e9a4e1d8c0f2b3a5e6d7c8b9a0f1e2d3c4b5a69788796a5b4c3d2\n"
        "size 548105171\n";
    REQUIRE(pointer.size() == 134);
    CHECK(is_git_lfs_pointer(bytes_from_string(pointer)));
    CHECK(parse_error(bytes_from_string(pointer)) ==
          "model.safetensors: this is a Git LFS pointer (134 bytes), not the weights; fetch the real file (git lfs pull)");
}

TEST_CASE("bad file: truncated below 8 bytes, header length past the end, header over 100 MB") {
    CHECK_ERROR(parse_error(Bytes{}), "only 0 bytes, too small");
    CHECK_ERROR(parse_error(Bytes{1, 2, 3}), "only 3 bytes, too small");

    std::string header = "{" + tensor_json("w", "F32", "[4]", 0, 16) + "}";
    Bytes full = make_file(header, 16);
    Bytes cut(full.begin(), full.begin() + 8 + static_cast<long>(header.size()) / 2);
    CHECK_ERROR(parse_error(cut), "runs past the end of the file");
    CHECK_ERROR(parse_error(make_file(header, 16, header.size() + 17)), "runs past the end of the file");
    CHECK_ERROR(parse_error(make_file(header, 16, UINT64_MAX - 1)), "is over the limit of 100000000 bytes");
    CHECK_ERROR(parse_error(make_file(header, 16, 100000001)), "is over the limit");
    // Truncated inside the data section: the tensor now runs past the end.
    Bytes short_data(full.begin(), full.end() - 4);
    CHECK_ERROR(parse_error(short_data), "tensor 'w': data_offsets [0, 16] run past the end of the file");

    // An HTML page saved as model.safetensors: the "length" is text, and we say so.
    std::string html = "<!DOCTYPE html><html><body>404</body></html>";
    std::string m = parse_error(bytes_from_string(html));
    CHECK_ERROR(m, "it does not look like a safetensors file");
    CHECK_ERROR(m, "<!DOCTYP");
    Bytes zip = {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0};
    CHECK_ERROR(parse_error(zip), "the file is a ZIP archive, e.g. a PyTorch .bin checkpoint, not safetensors");
    CHECK_ERROR(parse_error(Bytes{'G', 'G', 'U', 'F', 3, 0, 0, 0, 16, 0, 0, 0}), "the file is a GGUF model");
}

TEST_CASE("bad file: header not starting with '{', not UTF-8, malformed or too deep JSON") {
    CHECK_ERROR(parse_error(make_file("[1, 2, 3]", 0)), "header does not start with '{'");
    CHECK_ERROR(parse_error(make_file(" {}", 0)), "header does not start with '{'");
    CHECK_ERROR(parse_error(make_file("", 0)), "header does not start with '{' (it is empty)");

    std::string bad_utf8 = "{\"w\xc3\x28\":{}}";       // 0xc3 then a non-continuation byte
    CHECK_ERROR(parse_error(make_file(bad_utf8, 0)), "header is not valid UTF-8 (bad byte 0xc3 at header offset 3)");
    CHECK_ERROR(parse_error(make_file("{\"\xed\xa0\x80\":1}", 0)), "not valid UTF-8");   // a surrogate
    CHECK_ERROR(parse_error(make_file("{\"\xc0\xaf\":1}", 0)), "not valid UTF-8");        // overlong '/'

    CHECK_ERROR(parse_error(make_file("{\"w\": {\"dtype\": \"F32\",}}", 0)), "malformed JSON header at line 1");
    CHECK_ERROR(parse_error(make_file("{} trailing", 0)), "malformed JSON header");
    std::string deep = "{\"w\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
    CHECK_ERROR(parse_error(make_file(deep, 0)), "header JSON nested deeper than 128 levels");
}

TEST_CASE("bad file: entries that are not tensor descriptions") {
    CHECK_ERROR(parse_error(make_file(R"({"w":[1,2]})", 0)),
                "tensor 'w': expected an object with dtype, shape and data_offsets, found an array");
    CHECK_ERROR(parse_error(make_file(R"({"w":{"dtype":"F32","shape":[1]}})", 4)), "tensor 'w': missing 'data_offsets'");
    CHECK_ERROR(parse_error(make_file(R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", 4)), "tensor 'w': missing 'shape'");
    CHECK_ERROR(parse_error(make_file(R"({"w":{"dtype":"Q4_0","shape":[1],"data_offsets":[0,4]}})", 4)),
                "tensor 'w': unknown dtype 'Q4_0' (known: BOOL, U8");
    CHECK_ERROR(parse_error(make_file(R"({"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}})", 4)),
                "unknown dtype 'f32'");
    CHECK_ERROR(parse_error(make_file(R"({"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}})", 4)),
                "tensor 'w': dtype must be a string, found an integer");
    CHECK_ERROR(parse_error(make_file(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4)),
                "shape must be a list of non-negative integers, found the negative number -1");
    CHECK_ERROR(parse_error(make_file(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4)),
                "found the non-integer 1.5");
    CHECK_ERROR(parse_error(make_file(R"({"w":{"dtype":"F32","shape":"1","data_offsets":[0,4]}})", 4)),
                "shape must be a list of integers, found a string");
    CHECK_ERROR(parse_error(make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 4)),
                "data_offsets must be a list of two integers [begin, end], found a list of 1");
    CHECK_ERROR(parse_error(make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", 4)),
                "data_offsets must be non-negative integers, found the negative number -4");
    CHECK_ERROR(parse_error(make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,1e30]}})", 4)),
                "data_offsets must be non-negative integers");
    CHECK_ERROR(parse_error(make_file(R"({"__metadata__":{"format":1}})", 0)),
                "'__metadata__' value for 'format' must be a string, found an integer");
    CHECK_ERROR(parse_error(make_file(R"({"__metadata__":["pt"]})", 0)), "'__metadata__' must be an object of strings");
}

TEST_CASE("bad file: duplicate names, which a JSON object would silently merge") {
    std::string header = "{" + tensor_json("w", "F32", "[1]", 0, 4) + "," + tensor_json("w", "F32", "[1]", 4, 8) + "}";
    CHECK_ERROR(parse_error(make_file(header, 8)), "tensor 'w' appears twice in the header");
    CHECK_ERROR(parse_error(make_file(R"({"w":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}})", 4)),
                "key 'dtype' appears twice in the entry of tensor 'w'");
    CHECK_ERROR(parse_error(make_file(R"({"__metadata__":{},"__metadata__":{}})", 0)), "'__metadata__' appears twice");
    CHECK_ERROR(parse_error(make_file(R"({"__metadata__":{"a":"1","a":"2"}})", 0)),
                "key 'a' appears twice in the entry of '__metadata__'");
}

TEST_CASE("bad file: sizes that disagree with the shape, and arithmetic overflow") {
    std::string header = "{" + tensor_json("h.0.attn.c_attn.weight", "F32", "[32, 96]", 0, 100) + "}";
    CHECK(parse_error(make_file(header, 100)) ==
          "model.safetensors: tensor 'h.0.attn.c_attn.weight': data_offsets [0, 100] hold 100 bytes but shape "
          "[32, 96] of F32 needs 12288");
    // 2^62 * 4 elements overflow 64 bits; 2^61 * 2 elements fit but not their 4-byte size.
    CHECK_ERROR(parse_error(make_file("{" + tensor_json("w", "F32", "[4611686018427387904, 4]", 0, 16) + "}", 16)),
                "tensor 'w': shape [4611686018427387904, 4] of F32 is too large: its element count or byte size "
                "overflows 64 bits");
    CHECK_ERROR(parse_error(make_file("{" + tensor_json("w", "F32", "[2305843009213693952, 2]", 0, 16) + "}", 16)),
                "overflows 64 bits");
    // A product that wraps to exactly the declared span must not slip through: 2^63 * 2 * 4 wraps to 0.
    CHECK_ERROR(parse_error(make_file("{" + tensor_json("w", "F32", "[9223372036854775808, 2]", 0, 0) + "}", 0)),
                "overflows 64 bits");
    CHECK_ERROR(parse_error(make_file("{" + tensor_json("w", "F32", "[18446744073709551615]", 0, 4) + "}", 4)),
                "overflows 64 bits");
    CHECK_ERROR(parse_error(make_file("{" + tensor_json("w", "F32", "[1]", 8, 4) + "}", 8)),
                "tensor 'w': data_offsets [8, 4] end before they begin");
    CHECK_ERROR(parse_error(make_file("{" + tensor_json("w", "F32", "[0]", UINT64_MAX, UINT64_MAX) + "}", 0)),
                "data_offsets [18446744073709551615, 18446744073709551615] run past the end of the file");
}

TEST_CASE("bad file: overlaps, gaps and trailing bytes") {
    std::string a = tensor_json("a", "F32", "[4]", 0, 16);
    CHECK_ERROR(parse_error(make_file("{" + a + "," + tensor_json("b", "F32", "[4]", 8, 24) + "}", 24)),
                "tensor 'b' (data_offsets [8, 24]) overlaps tensor 'a' (data_offsets [0, 16])");
    CHECK_ERROR(parse_error(make_file("{" + a + "," + tensor_json("b", "F32", "[4]", 0, 16) + "}", 16)), "overlaps");
    CHECK_ERROR(parse_error(make_file("{" + a + "," + tensor_json("b", "F32", "[4]", 20, 36) + "}", 36)),
                "tensor 'b' (data_offsets [20, 36]) leaves a gap after tensor 'a', which ends at 16: bytes [16, 20)");
    CHECK_ERROR(parse_error(make_file("{" + tensor_json("a", "F32", "[4]", 8, 24) + "}", 24)),
                "tensor 'a' (data_offsets [8, 24]) leaves a gap: bytes [0, 8) of the data section belong to no tensor");
    CHECK_ERROR(parse_error(make_file("{" + a + "}", 20)),
                "4 trailing bytes: the data section holds 20 bytes but the tensors cover only 16");
    CHECK_ERROR(parse_error(make_file("{}", 3)), "3 trailing bytes");
    // Listed out of order is fine (older writers sorted by name, not offset).
    auto ok = safetensors_parse(
        share(make_file("{" + tensor_json("z", "F32", "[1]", 0, 4) + "," + tensor_json("a", "F32", "[2]", 4, 12) + "}", 12)),
        "model.safetensors");
    REQUIRE_MESSAGE(ok.ok(), ok.error().message);
    CHECK(ok->tensors()[0].name == "z");
}

// ---- writer ----------------------------------------------------------------------------------------

TEST_CASE("writer output is byte-identical to the reference serializer's documented examples") {
    float v[6] = {0, 1, 2, 3, 4, 5};
    SafetensorsWriter w;
    w.add_f32("attn.0", {1, 2, 3}, v);
    auto bytes = w.write();
    REQUIRE(bytes.ok());
    std::string header = R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";
    REQUIRE(header.size() == 64);
    Bytes expected = make_file(header, 0);
    const uint8_t* raw = reinterpret_cast<const uint8_t*>(v);
    expected.insert(expected.end(), raw, raw + 24);
    CHECK(*bytes == expected);

    SafetensorsWriter w2;   // a shorter name: 7 spaces of padding keep the data 8-aligned
    w2.add_f32("attn0", {1, 1, 2, 3}, v);
    auto b2 = w2.write();
    REQUIRE(b2.ok());
    CHECK((*b2)[0] == 72);
    CHECK(std::string(b2->begin() + 8, b2->begin() + 80).substr(65) == "       ");

    CHECK(*SafetensorsWriter().write() == make_file("{}      ", 0));
    SafetensorsWriter w3;
    w3.set_metadata("framework", "pt");
    CHECK(*w3.write() == make_file("{\"__metadata__\":{\"framework\":\"pt\"}}     ", 0));
}

TEST_CASE("writer round trip: F32 and I64 tensors with metadata parse back identically") {
    std::vector<float> probs(2 * 3 * 5);
    for (size_t i = 0; i < probs.size(); ++i) probs[i] = std::sin(static_cast<float>(i)) * 1e-3f;
    std::vector<int64_t> ids = {464, 5044, -1, INT64_MAX};
    float scalar = 42.0f;
    SafetensorsWriter w;
    w.add_f32("attentions", {2, 3, 5}, probs.data());
    w.add_i64("input_ids", {4}, ids.data());
    w.add_f32("loss", {}, &scalar);
    w.add_f32("empty", {0, 7}, nullptr);
    w.add_f32("name with \"quotes\" and \xc3\xa9", {1}, &scalar);
    w.set_metadata("architecture", "gpt2");
    w.set_metadata("text", "line\nbreak \"quoted\"");
    auto bytes = w.write();
    REQUIRE_MESSAGE(bytes.ok(), bytes.error().message);

    auto st = safetensors_parse(share(*bytes), "trace.safetensors");
    REQUIRE_MESSAGE(st.ok(), st.error().message);
    CHECK(st->header_size() % 8 == 0);
    CHECK(st->tensors().size() == 5);
    CHECK(st->tensors()[0].name == "input_ids");   // widest dtype first
    CHECK(st->metadata().at("architecture") == "gpt2");
    CHECK(st->metadata().at("text") == "line\nbreak \"quoted\"");

    const TensorView* a = st->find("attentions");
    REQUIRE(a);
    CHECK(a->dtype == DType::F32);
    CHECK(a->shape == std::vector<int64_t>{2, 3, 5});
    CHECK(std::memcmp(a->data, probs.data(), a->nbytes) == 0);
    REQUIRE(a->as_f32() != nullptr);
    CHECK(tensor_to_f32(*a) == probs);
    for (const TensorView& t : st->tensors())
        CHECK(reinterpret_cast<uintptr_t>(t.data) % dtype_size(t.dtype) == 0);

    const TensorView* i = st->find("input_ids");
    REQUIRE(i);
    CHECK(i->dtype == DType::I64);
    CHECK(tensor_to_i64(*i) == ids);
    CHECK(tensor_to_f32(*st->find("loss")) == std::vector<float>{42.0f});
    CHECK(st->find("empty")->numel() == 0);
    CHECK(st->find("name with \"quotes\" and \xc3\xa9") != nullptr);
}

TEST_CASE("writer refuses duplicate and reserved names, negative dimensions, missing data") {
    float x = 1;
    auto error_of = [](const SafetensorsWriter& w) {
        auto b = w.write();
        return b.ok() ? std::string() : b.error().message;
    };
    SafetensorsWriter dup;
    dup.add_f32("w", {1}, &x);
    dup.add_f32("w", {1}, &x);
    CHECK(error_of(dup) == "safetensors writer: tensor 'w': added twice");
    SafetensorsWriter reserved;
    reserved.add_f32("__metadata__", {1}, &x);
    CHECK(contains(error_of(reserved), "reserved"));
    SafetensorsWriter negative;
    negative.add_f32("w", {2, -1}, &x);
    CHECK(error_of(negative) == "safetensors writer: tensor 'w': negative dimension -1");
    SafetensorsWriter null_data;
    null_data.add_f32("w", {3}, nullptr);
    CHECK(error_of(null_data) == "safetensors writer: tensor 'w': no data");
    SafetensorsWriter huge;
    huge.add_f32("w", {INT64_MAX, 4}, &x);
    CHECK(contains(error_of(huge), "too large"));
    SafetensorsWriter bad_text;
    bad_text.set_metadata("k", "\xff");
    CHECK(contains(error_of(bad_text), "not valid UTF-8"));
}
