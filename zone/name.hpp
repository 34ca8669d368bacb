// DNS domain names in uncompressed wire form (RFC 1035 §3.1).
//
// A Name always holds a valid, absolute name: labels of 1..63 octets, a root label at the end, at
// most 255 octets in all. Comparison and hashing ignore ASCII case (RFC 4343); the original case is
// kept for output. Canonical order is RFC 4034 §6.1.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "zone/name_storage.hpp"
#include "zone/result.hpp"

namespace hayate::zone {

inline constexpr std::size_t kMaxNameLength = 255;  // RFC 1035 §2.3.4
inline constexpr std::size_t kMaxLabelLength = 63;  // RFC 1035 §2.3.4
inline constexpr std::size_t kMaxLabelCount = 128;  // 255 octets hold at most 127 labels + root

// ASCII-only lowercase: DNS case folding never touches octets above 0x7f (RFC 4343 §3).
constexpr std::uint8_t ascii_lower(std::uint8_t c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + ('a' - 'A')) : c;
}

class Name {
 public:
  // The root name ".".
  Name() : wire_(std::string_view("", 1)) {}

  // Parses presentation format (RFC 1035 §5.1): "\DDD" and "\X" escapes, a trailing dot makes
  // the name absolute; otherwise `origin` is appended (error when there is none). "@" is origin.
  static Result<Name> from_text(std::string_view text, const Name* origin = nullptr);

  // Validates an uncompressed wire name that must fill `wire` exactly.
  static Result<Name> from_wire(std::span<const std::uint8_t> wire);

  // For callers that have already validated the bytes (message parser, zone internals).
  static Name from_valid_wire(std::span<const std::uint8_t> wire);

  std::span<const std::uint8_t> wire() const {
    return {reinterpret_cast<const std::uint8_t*>(wire_.data()), wire_.size()};
  }
  std::size_t wire_length() const { return wire_.size(); }
  std::size_t label_count() const;  // not counting the root label
  bool is_root() const { return wire_.size() == 1; }
  bool is_wildcard() const { return wire_.size() >= 2 && wire_[0] == 1 && wire_[1] == '*'; }

  // Presentation format, absolute (trailing dot), special characters escaped.
  std::string to_text() const;

  // The i-th label from the left (0 = leftmost), without its length octet.
  std::string_view label(std::size_t index) const;

  // True when this name equals `ancestor` or lies below it.
  bool is_subdomain_of(const Name& ancestor) const;

  // The name with the leftmost `count` labels removed (root stays root).
  Name strip_left(std::size_t count = 1) const;
  // The rightmost `count` labels of this name (plus root).
  Name suffix(std::size_t count) const;
  // "*." + this name, or an error when it would be too long.
  Result<Name> wildcard_child() const;
  // `label` prepended to this name.
  Result<Name> prepend(std::string_view raw_label) const;
  // Concatenation of a relative name's labels (this, without its root) and `origin`.
  Result<Name> concat(const Name& origin) const;

  Name lowercased() const;

  // Case-insensitive equality and RFC 4034 §6.1 canonical ordering.
  friend bool operator==(const Name& a, const Name& b);
  friend std::strong_ordering operator<=>(const Name& a, const Name& b) {
    return a.canonical_compare(b) <=> 0;
  }
  int canonical_compare(const Name& other) const;

  // Case-insensitive hash (FNV-1a over lowercased octets).
  std::size_t hash() const;

 private:
  explicit Name(std::string_view wire) : wire_(wire) {}
  // Offsets of each label's length octet, leftmost first; returns the label count.
  std::size_t label_offsets(std::uint8_t (&offsets)[kMaxLabelCount]) const;

  NameStorage wire_;  // inline up to 30 octets: most names of a big zone need no heap block
};

struct NameHash {
  std::size_t operator()(const Name& n) const { return n.hash(); }
};

// Case-insensitive hash of valid wire-form name octets; equals Name::hash() for the same name, so
// code holding raw wire bytes (the message parser) can probe hash tables without building a Name.
std::size_t hash_name_wire(std::span<const std::uint8_t> wire);

}  // namespace hayate::zone

template <>
struct std::hash<hayate::zone::Name> {
  std::size_t operator()(const hayate::zone::Name& n) const { return n.hash(); }
};
