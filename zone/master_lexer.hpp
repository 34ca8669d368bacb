// Splits master-file text into logical entries (RFC 1035 §5.1).
//
// An entry is one line, or several when parentheses are open. The lexer drops `;` comments and
// the parentheses themselves, keeps quoted strings intact (quotes and escapes included, so the
// text can be handed on to a type-specific parser unchanged), remembers whether the entry began
// with a blank (RFC 1035: the owner is the previous one) and the line where it began.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "zone/result.hpp"

namespace hayate::zone {

struct MasterToken {
  std::string_view text;  // raw: quotes and backslash escapes still in place
  bool quoted = false;    // the token began with '"'
};

struct MasterEntry {
  std::uint32_t line = 0;      // line of the entry's first token
  bool owner_omitted = false;  // the entry's first line began with a space or tab
  // A NUL octet appeared between tokens. It separates tokens (as in BIND, whose C strings end
  // there) so that the entry's own error is reported first; the reader refuses the entry anyway.
  bool has_nul = false;
  std::vector<MasterToken> tokens;
};

class MasterLexer {
 public:
  // `text` must outlive the lexer and the tokens it hands out.
  explicit MasterLexer(std::string_view text) : text_(text) {}

  // Fills `entry` with the next non-empty entry: true when there is one, false at the end of the
  // input, or an error (then error_line() names the line).
  Result<bool> next(MasterEntry& entry);

  std::uint32_t error_line() const { return error_line_; }
  // Offset of the first octet not yet read: the entries handed out lie before it.
  std::size_t position() const { return pos_; }

 private:
  Result<bool> fail(std::string message, std::uint32_t line);
  // Reads one token starting at pos_; advances pos_ past it.
  Result<bool> read_token(MasterEntry& entry);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t error_line_ = 0;
};

// The contents of a token as a character-string (RFC 1035 §5.1): surrounding quotes removed,
// "\X" -> X and "\DDD" -> the octet DDD. Errors on a bad \DDD or a dangling backslash.
Result<std::string> decode_text_token(std::string_view raw);

}  // namespace hayate::zone
