// The EDNS Client Subnet option of a response to a client (RFC 7871 §7.2): FAMILY, SOURCE
// PREFIX-LENGTH and ADDRESS copied from the client's query, SCOPE PREFIX-LENGTH from the answer.
// Only for clients that sent a valid option; the others get none (§7.2.1: "MUST NOT" add one).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "zone/edns.hpp"
#include "zone/message_parser.hpp"

namespace hayate::server {

// The client's ECS option when the query has one that parses; nullopt otherwise.
std::optional<zone::ClientSubnet> client_subnet_of(const zone::ParsedQuery& query,
                                                   std::span<const std::uint8_t> packet);

// Room for one encoded ECS option with its header (IPv6 /128: 4 + 4 + 16 octets).
using EcsOptionBuffer = std::array<std::uint8_t, zone::kOptionHeaderSize + 4 + 16>;

// Writes the option (code, length, data) echoing `client` with `scope` (at most the family's
// length) into `out`; returns its size.
std::size_t write_ecs_echo(const zone::ClientSubnet& client, std::uint8_t scope,
                           EcsOptionBuffer& out);

}  // namespace hayate::server
