// Which [[view]] a client belongs to, and how many leading bits of its address decided that: the
// SCOPE PREFIX-LENGTH of an ECS answer (RFC 7871 §7.2.1).
//
// Views are matched in configuration order, first match wins (BIND's match-clients). The scope
// is the fewest leading bits that make every address sharing them land in the same view: the
// length of the matching subnet, or more when an earlier (winning) subnet lies inside it and must
// be told apart; for a client no view matches, just enough bits to stay clear of every subnet.
// A subnet the client's known bits cannot settle is matched on the zero-padded address, and the
// scope may then exceed the SOURCE PREFIX-LENGTH, which §7.2.1 allows ("the provided prefix
// length was not specific enough").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "server/acl.hpp"

namespace hayate::server {

struct ClientAddress {
  int family = 0;                        // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};  // network order; zero past known_bits
  std::uint8_t known_bits = 0;           // ECS SOURCE PREFIX-LENGTH, or 32/128 for a source address
};

struct ViewChoice {
  std::size_t view = 0;    // 0: the default view; i + 1: the i-th [[view]]
  std::uint8_t scope = 0;  // leading address bits the choice depends on
};

class ViewTable {
 public:
  struct Entry {
    Prefix subnet;
    std::size_t view = 0;  // 1-based, as ViewChoice::view
  };

  ViewTable() = default;
  explicit ViewTable(std::vector<Entry> entries) : entries_(std::move(entries)) {}

  bool empty() const { return entries_.empty(); }
  ViewChoice choose(const ClientAddress& client) const;

 private:
  std::vector<Entry> entries_;  // in match order
};

// Leading bits `a` and `b` (16 octets each) have in common, at most `limit`.
unsigned common_prefix_bits(const std::uint8_t* a, const std::uint8_t* b, unsigned limit);

}  // namespace hayate::server
