// The hot-answer map's key and value, built from a question and from the response user space
// renders for it (the value is that response minus what the XDP program takes from the query:
// the ID, the RD/CD bits and the question).
#pragma once

#include <cstdint>
#include <span>

#include "bpf/xdp_shared.h"
#include "zone/result.hpp"

namespace hayate::bpf {

// `qname_lower` is a lowercased uncompressed wire name of at most 255 octets.
hayate_xdp_key make_key(std::span<const std::uint8_t> qname_lower, std::uint16_t qtype,
                        std::uint16_t qclass, std::uint8_t shape);

// The name hash the program computes (xdp_shared.h): over the name's 8-octet words, the
// octets past its end zero.
std::uint64_t name_hash(std::span<const std::uint8_t> qname_lower);

// `response` answers a query for `qname_lower` (and a type and class). Fails when it is not a
// response with one question or its body does not fit the map value.
zone::Result<hayate_xdp_answer> encode_answer(std::span<const std::uint8_t> response,
                                              std::span<const std::uint8_t> qname_lower,
                                              std::uint64_t expires_ns, std::uint32_t slot);

// RFC 1071 one's-complement sum of `bytes` as big-endian 16-bit words (an odd last octet is
// padded with zero), folded to 16 bits and not inverted.
std::uint16_t ones_complement_sum(std::span<const std::uint8_t> bytes);

}  // namespace hayate::bpf
