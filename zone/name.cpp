#include "zone/name.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>

namespace hayate::zone {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Characters that must be escaped in presentation format so the text parses back to the same
// name (RFC 1035 §5.1, RFC 4343 §2.1).
bool needs_escape(std::uint8_t c) {
  switch (c) {
    case '.':
    case ';':
    case '\\':
    case '(':
    case ')':
    case '"':
    case '@':
    case '$':
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<Name> Name::from_text(std::string_view text, const Name* origin) {
  if (text.empty()) return make_error("empty name");
  if (text == "@") {
    if (origin == nullptr) return make_error("'@' used without an origin");
    return *origin;
  }
  if (text == ".") return Name();

  // Built in a reused buffer and copied into the Name: no heap block per parse (a zone load parses
  // millions of names).
  static thread_local std::string wire;
  wire.clear();
  wire.reserve(text.size() + 2);
  std::size_t label_start = 0;
  wire.push_back('\0');  // placeholder for the first label's length
  bool absolute = false;

  auto close_label = [&](bool last) -> std::optional<std::string> {
    std::size_t length = wire.size() - label_start - 1;
    if (length == 0) {
      return last ? std::string() : std::string("empty label in '") + std::string(text) + "'";
    }
    if (length > kMaxLabelLength) {
      return "label longer than 63 octets in '" + std::string(text) + "'";
    }
    wire[label_start] = static_cast<char>(length);
    return std::nullopt;
  };

  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (auto err = close_label(false)) return make_error(*err);
      if (i + 1 == text.size()) {
        absolute = true;
        break;
      }
      label_start = wire.size();
      wire.push_back('\0');
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return make_error("dangling '\\' in '" + std::string(text) + "'");
      if (is_digit(text[i + 1])) {
        if (i + 3 >= text.size() || !is_digit(text[i + 2]) || !is_digit(text[i + 3])) {
          return make_error("bad \\DDD escape in '" + std::string(text) + "'");
        }
        int value = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (value > 255) return make_error("\\DDD escape above 255 in '" + std::string(text) + "'");
        wire.push_back(static_cast<char>(value));
        i += 3;
      } else {
        wire.push_back(text[i + 1]);
        i += 1;
      }
    } else {
      wire.push_back(c);
    }
    if (wire.size() - label_start - 1 > kMaxLabelLength) {
      return make_error("label longer than 63 octets in '" + std::string(text) + "'");
    }
  }
  if (!absolute) {
    if (auto err = close_label(false)) return make_error(*err);
  }
  wire.push_back('\0');  // root label
  if (!absolute) {
    if (origin == nullptr) {
      return make_error("relative name '" + std::string(text) + "' without an origin");
    }
    wire.pop_back();
    auto origin_wire = origin->wire();
    wire.append(reinterpret_cast<const char*>(origin_wire.data()), origin_wire.size());
  }
  if (wire.size() > kMaxNameLength) {
    return make_error("name longer than 255 octets: '" + std::string(text) + "'");
  }
  return Name(wire);
}

Result<Name> Name::from_wire(std::span<const std::uint8_t> wire) {
  if (wire.empty()) return make_error("empty wire name");
  if (wire.size() > kMaxNameLength) return make_error("wire name longer than 255 octets");
  std::size_t pos = 0;
  while (pos < wire.size()) {
    std::uint8_t length = wire[pos];
    if (length == 0) {
      if (pos + 1 != wire.size()) return make_error("octets after the root label");
      return from_valid_wire(wire);
    }
    if (length > kMaxLabelLength) return make_error("label length octet above 63 (compressed?)");
    pos += 1 + length;
  }
  return make_error("wire name without a root label");
}

Name Name::from_valid_wire(std::span<const std::uint8_t> wire) {
  return Name(std::string_view(reinterpret_cast<const char*>(wire.data()), wire.size()));
}

std::size_t Name::label_offsets(std::uint8_t (&offsets)[kMaxLabelCount]) const {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (static_cast<std::uint8_t>(wire_[pos]) != 0) {
    offsets[count++] = static_cast<std::uint8_t>(pos);
    pos += 1 + static_cast<std::uint8_t>(wire_[pos]);
  }
  return count;
}

std::size_t Name::label_count() const {
  std::size_t count = 0;
  for (std::size_t pos = 0; static_cast<std::uint8_t>(wire_[pos]) != 0;
       pos += 1 + static_cast<std::uint8_t>(wire_[pos])) {
    ++count;
  }
  return count;
}

std::string_view Name::label(std::size_t index) const {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < index; ++i)
    pos += 1 + static_cast<std::uint8_t>(wire_[pos]);
  return wire_.view().substr(pos + 1, static_cast<std::uint8_t>(wire_[pos]));
}

std::string Name::to_text() const {
  if (is_root()) return ".";
  std::string out;
  out.reserve(wire_.size() + 4);
  std::size_t pos = 0;
  while (static_cast<std::uint8_t>(wire_[pos]) != 0) {
    std::size_t length = static_cast<std::uint8_t>(wire_[pos]);
    for (std::size_t i = pos + 1; i <= pos + length; ++i) {
      auto c = static_cast<std::uint8_t>(wire_[i]);
      if (c <= 0x20 || c >= 0x7f) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\%03u", c);
        out += buf;
      } else {
        if (needs_escape(c)) out.push_back('\\');
        out.push_back(static_cast<char>(c));
      }
    }
    out.push_back('.');
    pos += 1 + length;
  }
  return out;
}

bool operator==(const Name& a, const Name& b) {
  if (a.wire_.size() != b.wire_.size()) return false;
  for (std::size_t i = 0; i < a.wire_.size(); ++i) {
    if (ascii_lower(static_cast<std::uint8_t>(a.wire_[i])) !=
        ascii_lower(static_cast<std::uint8_t>(b.wire_[i]))) {
      return false;
    }
  }
  return true;
}

bool Name::is_subdomain_of(const Name& ancestor) const {
  if (ancestor.wire_.size() > wire_.size()) return false;
  // Walk labels until the remaining suffix has the ancestor's length, so we compare on a label
  // boundary (a suffix match in the middle of a label is no match).
  std::size_t pos = 0;
  while (wire_.size() - pos > ancestor.wire_.size()) {
    pos += 1 + static_cast<std::uint8_t>(wire_[pos]);
  }
  if (wire_.size() - pos != ancestor.wire_.size()) return false;
  return Name::from_valid_wire(wire().subspan(pos)) == ancestor;
}

Name Name::strip_left(std::size_t count) const {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < count && static_cast<std::uint8_t>(wire_[pos]) != 0; ++i) {
    pos += 1 + static_cast<std::uint8_t>(wire_[pos]);
  }
  return Name(wire_.view().substr(pos));
}

Name Name::suffix(std::size_t count) const {
  std::size_t total = label_count();
  return count >= total ? *this : strip_left(total - count);
}

Result<Name> Name::prepend(std::string_view raw_label) const {
  if (raw_label.empty()) return make_error("empty label");
  if (raw_label.size() > kMaxLabelLength) return make_error("label longer than 63 octets");
  if (wire_.size() + 1 + raw_label.size() > kMaxNameLength) {
    return make_error("name longer than 255 octets");
  }
  std::string wire;
  wire.reserve(wire_.size() + 1 + raw_label.size());
  wire.push_back(static_cast<char>(raw_label.size()));
  wire.append(raw_label);
  wire.append(wire_.view());
  return Name(wire);
}

Result<Name> Name::wildcard_child() const {
  return prepend("*");
}

Result<Name> Name::concat(const Name& origin) const {
  if (wire_.size() - 1 + origin.wire_.size() > kMaxNameLength) {
    return make_error("name longer than 255 octets");
  }
  std::string wire(wire_.view().substr(0, wire_.size() - 1));
  wire.append(origin.wire_.view());
  return Name(wire);
}

Name Name::lowercased() const {
  std::string wire(wire_.view());
  for (auto& c : wire)
    c = static_cast<char>(ascii_lower(static_cast<std::uint8_t>(c)));
  return Name(wire);
}

// RFC 4034 §6.1: compare label by label from the right; each label as a left-justified octet
// string with uppercase ASCII folded to lowercase; a shorter label sorts first when it is a prefix.
int Name::canonical_compare(const Name& other) const {
  std::uint8_t mine[kMaxLabelCount];
  std::uint8_t theirs[kMaxLabelCount];
  std::size_t my_count = label_offsets(mine);
  std::size_t their_count = other.label_offsets(theirs);
  while (my_count > 0 && their_count > 0) {
    --my_count;
    --their_count;
    const auto* a = reinterpret_cast<const std::uint8_t*>(wire_.data()) + mine[my_count];
    const auto* b = reinterpret_cast<const std::uint8_t*>(other.wire_.data()) + theirs[their_count];
    std::size_t common = std::min(a[0], b[0]);
    for (std::size_t i = 1; i <= common; ++i) {
      std::uint8_t x = ascii_lower(a[i]);
      std::uint8_t y = ascii_lower(b[i]);
      if (x != y) return x < y ? -1 : 1;
    }
    if (a[0] != b[0]) return a[0] < b[0] ? -1 : 1;
  }
  if (my_count == their_count) return 0;
  return my_count < their_count ? -1 : 1;
}

std::size_t hash_name_wire(std::span<const std::uint8_t> wire) {
  std::uint64_t h = 14695981039346656037ULL;
  for (std::uint8_t c : wire) {
    h ^= ascii_lower(c);
    h *= 1099511628211ULL;
  }
  return static_cast<std::size_t>(h);
}

std::size_t Name::hash() const {
  return hash_name_wire(wire());
}

}  // namespace hayate::zone
