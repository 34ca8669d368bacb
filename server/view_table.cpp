#include "server/view_table.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <bit>

namespace hayate::server {

unsigned common_prefix_bits(const std::uint8_t* a, const std::uint8_t* b, unsigned limit) {
  unsigned bits = 0;
  for (unsigned i = 0; bits < limit; ++i) {
    const std::uint8_t diff = static_cast<std::uint8_t>(a[i] ^ b[i]);
    if (diff != 0) {
      bits += static_cast<unsigned>(std::countl_zero(diff));
      break;
    }
    bits += 8;
  }
  return std::min(bits, limit);
}

ViewChoice ViewTable::choose(const ClientAddress& client) const {
  // SOURCE 0: the client asks for an answer fit for everyone (RFC 7871 §7.1.2).
  if (client.known_bits == 0) return ViewChoice{};
  const unsigned family_bits = client.family == AF_INET ? 32 : 128;
  ViewChoice choice;
  unsigned scope = 0;
  for (const Entry& entry : entries_) {
    if (entry.subnet.family != client.family) continue;
    if (entry.subnet.contains(client.family, client.bytes.data())) {
      choice.view = entry.view;
      scope = std::max<unsigned>(scope, entry.subnet.length);
      break;
    }
    // An earlier subnet the client is outside of: the answer holds only for addresses that
    // differ from it within its length, so one bit past the common prefix is needed.
    const unsigned common =
        common_prefix_bits(client.bytes.data(), entry.subnet.address.data(), entry.subnet.length);
    scope = std::max(scope, common + 1);
  }
  choice.scope = static_cast<std::uint8_t>(std::min(scope, family_bits));
  return choice;
}

}  // namespace hayate::server
