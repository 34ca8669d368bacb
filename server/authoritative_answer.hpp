// The authoritative answer to one question from the server's zones (RFC 1034 §4.3.2 with
// RFC 2308 negative answers, RFC 4592 wildcards, RFC 6672 DNAME, RFC 8482 ANY), rendered into the
// response: answer, authority and additional sections, the AA bit and the rcode.
#pragma once

#include <cstdint>
#include <span>

#include "server/query_handler.hpp"
#include "zone/message_renderer.hpp"
#include "zone/zone_set.hpp"

namespace hayate::server {

struct AuthoritativeQuestion {
  std::span<const std::uint8_t> qname;  // as received: its case is echoed in owner names
  std::uint16_t qtype = 0;
  Transport transport = Transport::kUdp;
  int max_chain = 16;  // CNAME/DNAME steps answered (1: the first alias only, RFC 7871 §7.2.1)
};

enum class AuthoritativeOutcome {
  kAnswered,  // sections, AA and rcode are in the renderer
  kNoZone,    // no zone serves the name: the caller answers REFUSED
};

// Longest CNAME/DNAME chain followed inside our zones (BIND and Knot stop at 16 too).
inline constexpr int kMaxChainLength = 16;

AuthoritativeOutcome answer_authoritatively(const zone::ZoneSet& zones,
                                            const AuthoritativeQuestion& question,
                                            zone::MessageRenderer& renderer);

// RFC 2308 §3 and §5: the SOA in a negative answer carries min(SOA TTL, SOA MINIMUM).
std::uint32_t negative_ttl(const zone::RRset& soa);

}  // namespace hayate::server
