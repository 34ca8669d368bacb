// Which view answers a query, from its EDNS Client Subnet option (RFC 7871) or its source.
//
// - A malformed ECS option (any violation parse_client_subnet finds: family, prefix lengths,
//   ADDRESS length, bits past SOURCE) or a non-zero SCOPE in a query is FORMERR (§6, §7.1.1).
// - A valid option from a resolver in [ecs] trusted chooses the view by its ADDRESS/SOURCE and
//   is echoed in the answer with the SCOPE the choice implies (§7.2.1).
// - Otherwise (no option, or an untrusted sender) the packet's source address chooses, and the
//   answer carries no ECS option: its ADDRESS was not used (§7.2.1 answers with ECS only what
//   the option decided).
#pragma once

#include <span>

#include "server/query_handler.hpp"
#include "server/serving_state.hpp"
#include "zone/edns.hpp"
#include "zone/message_parser.hpp"

namespace hayate::server {

struct ClientView {
  bool formerr = false;    // the query's ECS option is invalid
  bool echo = false;       // the answer carries `ecs`, with SCOPE set to the answer's scope
  zone::ClientSubnet ecs;  // the query's option, when echo
  ViewChoice choice;       // view index and the scope it implies
};

ClientView choose_client_view(const zone::ParsedQuery& query, std::span<const std::uint8_t> packet,
                              const ClientInfo& client, const AnswerPolicy& policy);

// The client's source address as a ClientAddress (IPv4-mapped IPv6 as IPv4), fully known.
ClientAddress source_address(const ClientInfo& client);

}  // namespace hayate::server
