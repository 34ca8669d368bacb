#include "zone/generate_directive.hpp"

#include <charconv>
#include <climits>
#include <cstdint>
#include <optional>

namespace hayate::zone {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// An unsigned decimal of at least one digit at the front of `text`; consumes it.
std::optional<std::uint32_t> take_unsigned(std::string_view& text) {
  std::size_t n = 0;
  while (n < text.size() && is_digit(text[n]))
    ++n;
  if (n == 0) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + n, value);
  if (ec != std::errc() || value > UINT32_MAX) return std::nullopt;
  text.remove_prefix(n);
  return static_cast<std::uint32_t>(value);
}

// A signed decimal ("%d" in BIND's sscanf) at the front of `text`; consumes it.
std::optional<std::int64_t> take_signed(std::string_view& text) {
  bool negative = false;
  std::string_view rest = text;
  if (!rest.empty() && (rest[0] == '-' || rest[0] == '+')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  auto magnitude = take_unsigned(rest);
  if (!magnitude) return std::nullopt;
  text = rest;
  return negative ? -static_cast<std::int64_t>(*magnitude) : static_cast<std::int64_t>(*magnitude);
}

// BIND's nibble mode: hex digits least significant first, separated by dots; `width` counts
// characters including the dots and pads with "0." groups.
std::string nibbles(std::uint32_t value, std::uint32_t width, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  do {
    out.push_back(digits[value & 0x0f]);
    value >>= 4;
    if (width > 0) --width;
    if (width > 0 || value != 0) {
      out.push_back('.');
      if (width > 0) --width;
    }
  } while (value != 0 || width > 0);
  return out;
}

std::string format_number(std::int64_t number, std::uint32_t width, char base) {
  if (base == 'n' || base == 'N') {
    return nibbles(static_cast<std::uint32_t>(number), width, base == 'N');
  }
  std::string digits;
  if (base == 'd') {
    digits = std::to_string(number < 0 ? -number : number);
  } else {
    // BIND formats with printf's %o/%x, i.e. the value as an unsigned int.
    char buf[16];
    auto value = static_cast<std::uint32_t>(number);
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, base == 'o' ? 8 : 16);
    digits.assign(buf, end);
    if (base == 'X') {
      for (char& c : digits) {
        if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
      }
    }
  }
  bool negative = base == 'd' && number < 0;
  std::size_t used = digits.size() + (negative ? 1 : 0);
  std::string out = negative ? "-" : "";
  if (width > used) out.append(width - used, '0');
  return out + digits;
}

struct Modifier {
  std::int64_t offset = 0;
  std::uint32_t width = 0;
  char base = 'd';
};

// Parses "{offset[,width[,base]]}" at the front of `text` (BIND:
// "{%d%1[,}]%u%1[,}]%1[doxXnN]%1[}]") and consumes it.
Result<Modifier> take_modifier(std::string_view& text) {
  Modifier m;
  text.remove_prefix(1);  // '{'
  auto offset = take_signed(text);
  if (!offset) return make_error("syntax error");
  m.offset = *offset;
  if (!text.empty() && text[0] == '}') {
    text.remove_prefix(1);
    return m;
  }
  if (text.empty() || text[0] != ',') return make_error("syntax error");
  text.remove_prefix(1);
  auto width = take_unsigned(text);
  if (!width || *width > 255) return make_error("syntax error");
  m.width = *width;
  if (!text.empty() && text[0] == '}') {
    text.remove_prefix(1);
    return m;
  }
  if (text.size() < 3 || text[0] != ',') return make_error("syntax error");
  char base = text[1];
  if (std::string_view("doxXnN").find(base) == std::string_view::npos || text[2] != '}') {
    return make_error("syntax error");
  }
  m.base = base;
  text.remove_prefix(3);
  return m;
}

}  // namespace

Result<GenerateRange> parse_generate_range(std::string_view text) {
  auto invalid = [&] { return make_error("invalid range '" + std::string(text) + "'"); };
  std::string_view rest = text;
  GenerateRange range;
  auto start = take_unsigned(rest);
  if (!start || rest.empty() || rest[0] != '-') return invalid();
  rest.remove_prefix(1);
  auto stop = take_unsigned(rest);
  if (!stop) return invalid();
  range.start = *start;
  range.stop = *stop;
  if (!rest.empty()) {
    if (rest[0] != '/') return invalid();
    rest.remove_prefix(1);
    auto step = take_unsigned(rest);
    if (!step || *step == 0 || !rest.empty()) return invalid();
    range.step = *step;
  }
  if (range.start > kMaxGenerateValue || range.stop > kMaxGenerateValue ||
      range.start > range.stop) {
    return invalid();
  }
  return range;
}

Result<std::string> expand_generate_template(std::string_view templ, std::uint32_t value) {
  std::string out;
  out.reserve(templ.size() + 16);
  while (!templ.empty()) {
    char c = templ[0];
    if (c == '\\') {
      // Escapes pass through for the later parser: "\$" stays "\$" (BIND genname).
      out.append(templ.substr(0, 2));
      templ.remove_prefix(std::min<std::size_t>(2, templ.size()));
      continue;
    }
    if (c != '$') {
      out.push_back(c);
      templ.remove_prefix(1);
      continue;
    }
    templ.remove_prefix(1);
    if (!templ.empty() && templ[0] == '$') {
      out.push_back('$');
      templ.remove_prefix(1);
      continue;
    }
    Modifier m;
    if (!templ.empty() && templ[0] == '{') {
      auto parsed = take_modifier(templ);
      if (!parsed) return make_error(parsed.error());
      m = *parsed;
    }
    std::int64_t number = std::int64_t{value} + m.offset;
    if (number > INT_MAX || number < INT_MIN) return make_error("out of range");
    out += format_number(number, m.width, m.base);
  }
  return out;
}

}  // namespace hayate::zone
