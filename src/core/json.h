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

}  // namespace attn
