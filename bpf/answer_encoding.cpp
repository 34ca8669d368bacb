#include "bpf/answer_encoding.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "zone/message.hpp"

namespace hayate::bpf {

hayate_xdp_key make_key(std::span<const std::uint8_t> qname_lower, std::uint16_t qtype,
                        std::uint16_t qclass, std::uint8_t shape) {
  hayate_xdp_key key{};
  key.name_hash = name_hash(qname_lower);
  key.name_words =
      static_cast<std::uint8_t>((std::min<std::size_t>(qname_lower.size(), 255) + 7) / 8);
  key.qtype = qtype;
  key.qclass = qclass;
  key.shape = shape;
  return key;
}

std::uint64_t name_hash(std::span<const std::uint8_t> qname_lower) {
  std::uint8_t padded[256] = {};
  const std::size_t n = std::min<std::size_t>(qname_lower.size(), 255);
  std::memcpy(padded, qname_lower.data(), n);
  std::uint64_t hash = HAYATE_XDP_HASH_SEED;
  for (std::size_t w = 0; w * 8 < n; ++w) {
    std::uint64_t word = 0;
    for (int i = 7; i >= 0; --i)  // little-endian, as the program loads it, on any host
      word = word << 8 | padded[w * 8 + static_cast<std::size_t>(i)];
    hash = hayate_xdp_hash_word(hash, word);
  }
  return hash;
}

zone::Result<hayate_xdp_answer> encode_answer(std::span<const std::uint8_t> response,
                                              std::span<const std::uint8_t> qname_lower,
                                              std::uint64_t expires_ns, std::uint32_t slot) {
  if (qname_lower.empty() || qname_lower.size() > HAYATE_XDP_MAX_QNAME) {
    return zone::make_error("not a name of 1 to 255 octets");
  }
  const std::size_t question_length = qname_lower.size() + 4;
  if (response.size() < zone::kHeaderSize + question_length) {
    return zone::make_error("response shorter than its header and question");
  }
  const std::uint16_t flags = zone::load_u16(&response[2]);
  if ((flags & zone::flag::QR) == 0 || zone::load_u16(&response[4]) != 1) {
    return zone::make_error("not a response with one question");
  }
  const auto body = response.subspan(zone::kHeaderSize + question_length);
  if (body.size() > HAYATE_XDP_MAX_BODY) {
    return zone::make_error("body of " + std::to_string(body.size()) + " octets exceeds " +
                            std::to_string(HAYATE_XDP_MAX_BODY));
  }
  hayate_xdp_answer value{};
  value.expires_ns = expires_ns;
  // RD and CD come from each query (RFC 1035 §4.1.1, RFC 6840 §5.9), as in the answer cache.
  value.flags = static_cast<std::uint16_t>(flags & ~(zone::flag::RD | zone::flag::CD));
  value.ancount = zone::load_u16(&response[6]);
  value.nscount = zone::load_u16(&response[8]);
  value.arcount = zone::load_u16(&response[10]);
  value.body_len = static_cast<std::uint16_t>(body.size());
  value.body_csum = ones_complement_sum(body);
  value.slot = slot;
  std::memcpy(value.qname, qname_lower.data(), qname_lower.size());
  if (!body.empty()) std::memcpy(value.body, body.data(), body.size());
  return value;
}

std::uint16_t ones_complement_sum(std::span<const std::uint8_t> bytes) {
  std::uint64_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2)
    sum += static_cast<std::uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  if (i < bytes.size()) sum += static_cast<std::uint32_t>(bytes[i] << 8);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

}  // namespace hayate::bpf
