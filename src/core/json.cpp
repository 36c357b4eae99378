// Depth-limited JSON parsing and typed field access with errors that name the file and the key.
#include "core/json.h"

#include <cmath>
#include <sstream>

#include "core/error.h"

namespace attn {

Json json_parse(const std::string& text, const std::string& label) {
    auto depth_guard = [&](int depth, Json::parse_event_t, Json&) {
        if (depth > kJsonMaxDepth)
            throw Error(label + ": JSON nested deeper than " + std::to_string(kJsonMaxDepth) + " levels");
        return true;
    };
    try {
        return Json::parse(text, depth_guard, /*allow_exceptions=*/true);
    } catch (const Json::parse_error& e) {
        std::string what = e.what();
        // nlohmann's text starts with "[json.exception.parse_error.101] parse error at ..."
        auto at = what.find("parse error");
        std::string detail = at == std::string::npos ? what : what.substr(at + 12);
        throw Error(label + ": malformed JSON " + detail);
    } catch (const Json::exception& e) {
        throw Error(label + ": malformed JSON: " + e.what());
    }
}

const char* json_type_name(const Json& value) {
    if (value.is_null()) return "null";
    if (value.is_boolean()) return "a boolean";
    if (value.is_number_integer()) return "an integer";
    if (value.is_number()) return "a number";
    if (value.is_string()) return "a string";
    if (value.is_array()) return "an array";
    return "an object";
}

static void require_object(const Json& object, const std::string& label) {
    if (!object.is_object()) throw Error(label + ": expected a JSON object, found " + json_type_name(object));
}

const Json& json_require(const Json& object, const char* key, const std::string& label) {
    require_object(object, label);
    auto it = object.find(key);
    if (it == object.end()) throw Error(label + ": missing key '" + key + "'");
    return *it;
}

static Error wrong_type(const char* key, const char* wanted, const Json& found, const std::string& label) {
    return Error(label + ": key '" + key + "' must be " + wanted + ", found " + json_type_name(found));
}

int64_t json_get_int(const Json& object, const char* key, const std::string& label) {
    const Json& v = json_require(object, key, label);
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_number_float()) {
        // A whole number written as a float (64.0) counts; one beyond int64 (1e62, found by fuzzing) or NaN
        // does not: casting it would be undefined behaviour.
        double d = v.get<double>();
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == std::trunc(d))
            return static_cast<int64_t>(d);
    }
    throw wrong_type(key, "an integer", v, label);
}

int64_t json_get_int_or(const Json& object, const char* key, int64_t fallback, const std::string& label) {
    require_object(object, label);
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    return json_get_int(object, key, label);
}

double json_get_number_or(const Json& object, const char* key, double fallback, const std::string& label) {
    require_object(object, label);
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_number()) throw wrong_type(key, "a number", *it, label);
    return it->get<double>();
}

bool json_get_bool_or(const Json& object, const char* key, bool fallback, const std::string& label) {
    require_object(object, label);
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) throw wrong_type(key, "true or false", *it, label);
    return it->get<bool>();
}

std::string json_get_string(const Json& object, const char* key, const std::string& label) {
    const Json& v = json_require(object, key, label);
    if (!v.is_string()) throw wrong_type(key, "a string", v, label);
    return v.get<std::string>();
}

std::string json_get_string_or(const Json& object, const char* key, const std::string& fallback,
                               const std::string& label) {
    require_object(object, label);
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_string()) throw wrong_type(key, "a string", *it, label);
    return it->get<std::string>();
}

void json_check_positive(int64_t value, const char* key, const std::string& label) {
    if (value <= 0) throw Error(label + ": " + key + "=" + std::to_string(value) + " must be positive");
}

static int size_checked(int64_t value, const char* key, const std::string& label) {
    json_check_positive(value, key, label);
    if (value > kConfigSizeMax)
        throw Error(label + ": " + key + "=" + std::to_string(value) + " is too large (at most " +
                    std::to_string(kConfigSizeMax) + ")");
    return static_cast<int>(value);
}

int json_get_size(const Json& object, const char* key, const std::string& label) {
    return size_checked(json_get_int(object, key, label), key, label);
}

int json_get_size_or(const Json& object, const char* key, int fallback, const std::string& label) {
    require_object(object, label);
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    return size_checked(json_get_int(object, key, label), key, label);
}

float json_get_epsilon_or(const Json& object, const char* key, double fallback, const std::string& label) {
    const double eps = json_get_number_or(object, key, fallback, label);
    // The float range is checked in double first: converting an out-of-range double is undefined.
    if (!(eps >= 1e-38 && eps <= 1.0)) {
        std::ostringstream text;
        text << eps;
        throw Error(label + ": " + key + "=" + text.str() + " must be a small positive number (between 1e-38 and 1)");
    }
    return static_cast<float>(eps);
}

}  // namespace attn
