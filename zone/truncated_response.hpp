// The answer that replaces a UDP response the path cannot carry.
//
// The daemon's IPv4 UDP sockets never fragment (IP_PMTUDISC_PROBE, server/net/udp_listen_socket),
// so a response larger than the interface MTU is refused by the kernel with EMSGSIZE. The client
// then gets this instead: the header with TC=1 and no records (RFC 2181 §9: a truncated answer is
// not to be used, so sending none of it is allowed), the question, and the OPT record when the
// response had one (RFC 6891 §7: a responder that got OPT answers with OPT). The client retries
// over TCP (RFC 7766 §5, RFC 9715 §3).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace hayate::zone {

// Header, question and OPT of `response` with TC set; empty when `response` does not parse.
// Any other record, TSIG included, is left out.
std::vector<std::uint8_t> truncated_response(std::span<const std::uint8_t> response);

}  // namespace hayate::zone
