// Error values for everything below the UI: user input never aborts, it yields an Error naming the
// file, the field and what is wrong. Internally code may throw attn::Error; public entry points return
// Expected<T> so callers (CLI, UI) decide how to show it.
//
//   Expected<Config> c = config_load("gpt2/config.json");
//   if (!c) { show_status(c.error().message); return; }
//   use(*c);
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace attn {

struct Error : std::runtime_error {
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

struct ErrorValue {
    std::string message;
};

template <class T>
class Expected {
public:
    Expected(T value) : value_(std::move(value)) {}
    Expected(ErrorValue error) : error_(std::move(error)) {}

    explicit operator bool() const { return value_.has_value(); }
    bool ok() const { return value_.has_value(); }
    T& value() { return *value_; }
    const T& value() const { return *value_; }
    T& operator*() { return *value_; }
    const T& operator*() const { return *value_; }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }
    const ErrorValue& error() const { return error_; }

private:
    std::optional<T> value_;
    ErrorValue error_;
};

inline ErrorValue make_error(std::string message) { return ErrorValue{std::move(message)}; }

// Runs fn(); an attn::Error or std::exception becomes an error value instead of escaping.
template <class Fn>
auto catch_errors(Fn&& fn) -> Expected<decltype(fn())> {
    try {
        return fn();
    } catch (const Error& e) {
        return make_error(e.what());
    } catch (const std::bad_alloc&) {
        return make_error("out of memory");
    } catch (const std::exception& e) {
        return make_error(e.what());
    }
}

}  // namespace attn
