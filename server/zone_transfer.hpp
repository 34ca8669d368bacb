// AXFR (RFC 5936) of one zone over TCP: SOA, every record, SOA again, in as many messages as
// needed.
#pragma once

#include <cstdint>
#include <span>

#include "server/query_handler.hpp"
#include "zone/message_parser.hpp"
#include "zone/zone.hpp"

namespace hayate::server {

// Streams the zone as response messages to `query` through `emit`, using `buffer` (at least
// 65535 octets) for each message in turn.
void stream_zone_transfer(const zone::Zone& zone, const zone::ParsedQuery& query,
                          std::span<const std::uint8_t> query_packet,
                          std::span<std::uint8_t> buffer, EmitResponse emit);

}  // namespace hayate::server
