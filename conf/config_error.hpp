// Configuration errors with their source position, and Result<T>: a value or all the errors.
//
// conf/ does not depend on zone/, so this is its own small result type rather than
// zone::Result, and it carries a list: the loader reports every problem it finds at once.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace hayate::conf {

struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when the error has no position (e.g. the file cannot be read)
  int column = 0;
  std::string message;

  // "FILE:LINE:COLUMN: error: message" (or "FILE: error: message" without a position), the
  // format compilers use, so editors can jump to it.
  std::string to_string() const {
    std::string where = file;
    if (line > 0) where += ":" + std::to_string(line) + ":" + std::to_string(column);
    return where + ": error: " + message;
  }
  friend bool operator==(const ConfigError&, const ConfigError&) = default;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(std::vector<ConfigError> errors) : state_(std::move(errors)) {  // NOLINT
    assert(!std::get<1>(state_).empty());
  }

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // In source order (by line, then column).
  const std::vector<ConfigError>& errors() const {
    assert(!ok());
    return std::get<1>(state_);
  }

  // All errors, one per line, for printing.
  std::string error_text() const {
    std::string text;
    for (const auto& e : errors())
      text += e.to_string() + "\n";
    return text;
  }

 private:
  std::variant<T, std::vector<ConfigError>> state_;
};

}  // namespace hayate::conf
