// Findings about zone data: errors and warnings that name a file and line.
#pragma once

#include <cstdint>
#include <string>

namespace hayate::zone {

enum class Severity { kWarning, kError };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;        // as given by the user, or the $INCLUDE path as resolved
  std::uint32_t line = 0;  // 1-based; 0 when the finding is about the whole zone
  std::string message;

  // "file:line: error: message" (the format named-checkzone and compilers use).
  std::string to_string() const {
    std::string out = file;
    if (line != 0) out += ":" + std::to_string(line);
    out += severity == Severity::kError ? ": error: " : ": warning: ";
    out += message;
    return out;
  }
};

}  // namespace hayate::zone
