// JSON parsing for config.json, tokenizer.json, safetensors headers and index files. Wraps nlohmann::json
// so every caller gets the same depth limit and error wording ("FILE: malformed JSON at line L, column C:
// ..."). It does not interpret any schema; see json_get_* for typed field access with clear errors.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace attn {

using Json = nlohmann::json;

// Deeper nesting than this is refused before it is built (no stack exhaustion on hostile input).
constexpr int kJsonMaxDepth = 128;

// Throws attn::Error naming `label` (usually a file name) on malformed or too deeply nested input.
Json json_parse(const std::string& text, const std::string& label);

// Typed field access: throw attn::Error "LABEL: key 'KEY' ..." when missing or of the wrong type.
const Json& json_require(const Json& object, const char* key, const std::string& label);
int64_t json_get_int(const Json& object, const char* key, const std::string& label);
int64_t json_get_int_or(const Json& object, const char* key, int64_t fallback, const std::string& label);
double json_get_number_or(const Json& object, const char* key, double fallback, const std::string& label);
bool json_get_bool_or(const Json& object, const char* key, bool fallback, const std::string& label);
std::string json_get_string(const Json& object, const char* key, const std::string& label);
std::string json_get_string_or(const Json& object, const char* key, const std::string& fallback,
                               const std::string& label);
const char* json_type_name(const Json& value);
// Throws "LABEL: KEY=VALUE must be positive" for sizes read from a config.
void json_check_positive(int64_t value, const char* key, const std::string& label);

// The largest size (width, layers, heads, vocabulary, context) a config may give: 2^24. Every real
// model's sizes are far below it, and products of two of them still fit in 64 bits.
constexpr int64_t kConfigSizeMax = int64_t(1) << 24;
// A size from a config: an integer in [1, kConfigSizeMax], else "LABEL: KEY=VALUE must be positive" /
// "... is too large (at most 16777216)". The _or form returns `fallback` (unchecked) when KEY is absent
// or null.
int json_get_size(const Json& object, const char* key, const std::string& label);
int json_get_size_or(const Json& object, const char* key, int fallback, const std::string& label);
// A normalisation epsilon: a number > 0 that stays > 0 and finite as a float (1e-300 would round to 0,
// 1e300 is no float at all), else "LABEL: KEY=VALUE must be a small positive number".
float json_get_epsilon_or(const Json& object, const char* key, double fallback, const std::string& label);

}  // namespace attn
