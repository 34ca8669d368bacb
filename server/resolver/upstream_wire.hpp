// The wire side of an upstream exchange: building the query, deciding whether a response belongs
// to it (RFC 5452 §9.1), and the few header facts the transport acts on (TC, rcode, OPT present).
//
// Kept apart from the sockets so the checks are tested on bytes and shared by every transport.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "server/resolver/upstream.hpp"

namespace hayate::server::resolver {

// The query message for `query` with message ID `id`; an OPT record when `with_edns`.
std::vector<std::uint8_t> build_upstream_query(const UpstreamQuery& query, std::uint16_t id,
                                               bool with_edns);

enum class ResponseMatch : std::uint8_t {
  kAccept,
  kNotResponse,    // shorter than a header, QR=0, or not opcode QUERY
  kWrongId,        // RFC 5452 §9.1: the ID must match
  kWrongQuestion,  // RFC 5452 §9.1: QNAME (case-insensitively), QTYPE and QCLASS must match
};

// Whether `response` answers the query sent with `id`. The source address is the caller's check.
// One leniency: a FORMERR or NOTIMP without a question section is accepted, because old servers
// answer an EDNS query that way and it is the signal for the RFC 6891 §7 fallback; such a
// response carries no data that could be cached.
ResponseMatch match_response(std::span<const std::uint8_t> response, std::uint16_t id,
                             const UpstreamQuery& query);

struct ResponseFacts {
  std::uint8_t rcode = 0;  // the header's 4 bits
  bool truncated = false;  // TC
  bool has_opt = false;    // an OPT record in the additional section
};

// Reads the facts above from an accepted response. A response whose records cannot be walked
// reports has_opt = false (the transport only uses it to decide on the EDNS fallback).
ResponseFacts response_facts(std::span<const std::uint8_t> response);

}  // namespace hayate::server::resolver
