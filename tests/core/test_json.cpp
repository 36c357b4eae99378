#include <doctest/doctest.h>

#include <string>

#include "core/error.h"
#include "core/json.h"

using namespace attn;

TEST_CASE("json_parse reports malformed input with the file name and position") {
    try {
        json_parse("{\"a\": [1, 2,, 3]}", "config.json");
        FAIL("expected an error");
    } catch (const Error& e) {
        std::string m = e.what();
        CHECK(m.find("config.json: malformed JSON") == 0);
        CHECK(m.find("line 1") != std::string::npos);
    }
}

TEST_CASE("json_parse refuses nesting deeper than the limit without exhausting the stack") {
    std::string deep(100000, '[');
    deep += std::string(100000, ']');
    try {
        json_parse(deep, "tokenizer.json");
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("tokenizer.json: JSON nested deeper than") == 0);
    }
    std::string ok_depth(kJsonMaxDepth, '[');
    ok_depth += std::string(kJsonMaxDepth, ']');
    CHECK_NOTHROW(json_parse(ok_depth, "x.json"));
}

TEST_CASE("typed getters name the key and the type found") {
    Json j = json_parse(R"({"n_embd": "64", "n_head": 4, "eps": 1e-5, "flag": true})", "config.json");
    CHECK(json_get_int(j, "n_head", "config.json") == 4);
    CHECK(json_get_number_or(j, "eps", 0.0, "config.json") == doctest::Approx(1e-5));
    CHECK(json_get_int_or(j, "missing", 7, "config.json") == 7);
    try {
        json_get_int(j, "n_embd", "config.json");
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "config.json: key 'n_embd' must be an integer, found a string");
    }
    try {
        json_get_int(j, "n_layer", "config.json");
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "config.json: missing key 'n_layer'");
    }
}

TEST_CASE("an integer key written as a float: whole numbers count, ones beyond int64 are refused") {
    // Found by tools/fuzz config_json: casting 1.28444e+62 to int64 was undefined behaviour.
    Json j = json_parse(R"({"n_embd": 64.0, "n_head": 1.28444e+62, "n_layer": -1e300, "n_ctx": 9223372036854775808.0,
                            "n_inner": 2.5})", "config.json");
    CHECK(json_get_int(j, "n_embd", "config.json") == 64);
    for (const char* key : {"n_head", "n_layer", "n_ctx", "n_inner"}) {
        CAPTURE(key);
        try {
            json_get_int(j, key, "config.json");
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(std::string(e.what()) == "config.json: key '" + std::string(key) + "' must be an integer, found a number");
        }
    }
}

TEST_CASE("catch_errors turns exceptions into error values") {
    auto bad = catch_errors([]() -> int { throw Error("x.json: broken"); });
    CHECK_FALSE(bad.ok());
    CHECK(bad.error().message == "x.json: broken");
    auto good = catch_errors([]() -> int { return 3; });
    REQUIRE(good.ok());
    CHECK(*good == 3);
}
