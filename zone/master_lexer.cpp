#include "zone/master_lexer.hpp"

namespace hayate::zone {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

// Characters that end an unquoted token.
bool ends_token(char c) {
  return is_blank(c) || c == '\n' || c == ';' || c == '(' || c == ')' || c == '\0';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

Result<bool> MasterLexer::fail(std::string message, std::uint32_t line) {
  error_line_ = line;
  return make_error(std::move(message));
}

Result<bool> MasterLexer::next(MasterEntry& entry) {
  entry.tokens.clear();
  entry.owner_omitted = false;
  entry.has_nul = false;
  entry.line = 0;
  int depth = 0;                // open parentheses
  std::uint32_t open_line = 0;  // where the outermost '(' was
  bool line_start = true;

  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (line_start && depth == 0 && entry.tokens.empty()) {
      // RFC 1035 §5.1: a blank at the start of an entry means "the previous owner".
      entry.owner_omitted = is_blank(c);
    }
    line_start = false;
    if (is_blank(c)) {
      ++pos_;
    } else if (c == ';') {
      while (pos_ < text_.size() && text_[pos_] != '\n')
        ++pos_;
    } else if (c == '\n') {
      ++pos_;
      ++line_;
      if (depth == 0 && !entry.tokens.empty()) return true;
      line_start = true;
    } else if (c == '(') {
      if (depth++ == 0) open_line = line_;
      if (entry.line == 0) entry.line = line_;
      ++pos_;
    } else if (c == ')') {
      if (depth == 0) return fail("unbalanced ')'", line_);
      --depth;
      ++pos_;
    } else if (c == '\0') {
      entry.has_nul = true;
      if (entry.line == 0) entry.line = line_;
      ++pos_;
    } else {
      auto token = read_token(entry);
      if (!token) return token;
    }
  }
  if (depth != 0) return fail("unbalanced '(': not closed before the end of the file", open_line);
  return !entry.tokens.empty();
}

Result<bool> MasterLexer::read_token(MasterEntry& entry) {
  std::size_t start = pos_;
  std::uint32_t start_line = line_;
  bool in_quotes = false;
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == '\0' && in_quotes) return fail("NUL octet in a quoted string", line_);
    if (c == '\\') {
      // The escaped character never ends the token (RFC 1035 §5.1 "\X").
      if (pos_ + 1 >= text_.size()) return fail("backslash at the end of the file", line_);
      if (text_[pos_ + 1] == '\n') return fail("backslash before a line break", line_);
      pos_ += 2;
      continue;
    }
    if (c == '"') {
      in_quotes = !in_quotes;
      ++pos_;
      continue;
    }
    if (in_quotes) {
      if (c == '\n') return fail("unterminated quoted string", start_line);
      ++pos_;
      continue;
    }
    if (ends_token(c)) break;
    ++pos_;
  }
  if (in_quotes) return fail("unterminated quoted string", start_line);
  if (entry.line == 0) entry.line = start_line;
  entry.tokens.push_back({text_.substr(start, pos_ - start), text_[start] == '"'});
  return true;
}

Result<std::string> decode_text_token(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '"') continue;  // quoting only groups; it adds nothing to the value
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= raw.size()) return make_error("dangling '\\'");
    if (is_digit(raw[i + 1])) {
      if (i + 3 >= raw.size() || !is_digit(raw[i + 2]) || !is_digit(raw[i + 3])) {
        return make_error("bad \\DDD escape");
      }
      int value = (raw[i + 1] - '0') * 100 + (raw[i + 2] - '0') * 10 + (raw[i + 3] - '0');
      if (value > 255) return make_error("\\DDD escape above 255");
      out.push_back(static_cast<char>(value));
      i += 3;
    } else {
      out.push_back(raw[++i]);
    }
  }
  return out;
}

}  // namespace hayate::zone
