// The client's own EDNS Client Subnet option, for the resolver (RFC 7871 §7.1.1): the subnet a
// stub or forwarder asks the resolver to use instead of the packet's source address. Validation
// (FORMERR for a malformed option) happens before, in QueryProcessor::handle (client_view.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "zone/edns.hpp"
#include "zone/message_parser.hpp"

namespace hayate::server {

// The query's ECS option when it has one that parses; nullopt otherwise.
std::optional<zone::ClientSubnet> client_subnet_of(const zone::ParsedQuery& query,
                                                   std::span<const std::uint8_t> packet);

}  // namespace hayate::server
