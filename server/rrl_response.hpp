// Response rate limiting, the wire side: which budget (server/rrl) a response we are about to send
// draws on, and the empty TC=1 reply sent instead of a limited one when it slips.
//
// It reads the response, not the query: the category depends on the answer (NXDOMAIN, referral,
// error), and reading the bytes that go out covers every way an answer is made (zones, answer
// cache, resolver, DNS64) without hooks in each.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "server/rrl.hpp"

namespace hayate::server {

struct RrlResponse {
  RrlKey key;
  std::size_t question_end = 0;  // offset just past the question (the header's end without one)
};

// The key of `response` (our own rendered message) sent to `client`; nullopt when the client's
// address family is neither IPv4 nor IPv6 or the message is too broken to classify (it is then
// sent: we made it, and a budget cannot be charged to nobody).
std::optional<RrlResponse> classify_response(std::span<const std::uint8_t> response,
                                             const sockaddr_storage& client,
                                             const RrlSettings& settings);

// The slip reply: the response's header with TC=1 and only its question (RFC 1035 §4.1.1: TC
// tells the client to retry over TCP, where spoofing is impossible). `out` must hold
// classification.question_end octets; returns the size written.
std::size_t render_slip(std::span<const std::uint8_t> response, const RrlResponse& classification,
                        std::span<std::uint8_t> out);

// Longest slip reply: header and one question with a 255-octet name.
inline constexpr std::size_t kMaxSlipSize = 12 + 255 + 4;

}  // namespace hayate::server
