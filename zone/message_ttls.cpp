#include "zone/message_ttls.hpp"

#include <cstddef>

#include "zone/message.hpp"
#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

// Past a possibly compressed name (RFC 1035 §4.1.4): its labels up to a root label or a
// pointer; 0 when it runs past the end or uses the reserved label types.
std::size_t skip_name(std::span<const std::uint8_t> m, std::size_t pos) {
  while (pos < m.size()) {
    const std::uint8_t length = m[pos];
    if (length == 0) return pos + 1;
    if ((length & 0xc0) == 0xc0) return pos + 2 <= m.size() ? pos + 2 : 0;
    if ((length & 0xc0) != 0) return 0;
    pos += 1 + length;
  }
  return 0;
}

}  // namespace

bool find_ttl_offsets(std::span<const std::uint8_t> message, std::vector<std::uint16_t>& offsets) {
  if (message.size() < kHeaderSize || message.size() > 0xffff) return false;
  const std::size_t questions = load_u16(message.data() + 4);
  const std::size_t records = std::size_t{load_u16(message.data() + 6)} +
                              load_u16(message.data() + 8) + load_u16(message.data() + 10);
  std::size_t pos = kHeaderSize;
  for (std::size_t i = 0; i < questions; ++i) {
    pos = skip_name(message, pos);
    if (pos == 0 || pos + 4 > message.size()) return false;
    pos += 4;
  }
  for (std::size_t i = 0; i < records; ++i) {
    pos = skip_name(message, pos);
    if (pos == 0 || pos + 10 > message.size()) return false;
    const std::uint16_t type = load_u16(message.data() + pos);
    const std::size_t rdlength = load_u16(message.data() + pos + 8);
    if (type != rr_type::OPT) offsets.push_back(static_cast<std::uint16_t>(pos + 4));
    pos += 10 + rdlength;
    if (pos > message.size()) return false;
  }
  return pos == message.size();
}

void lower_ttls(std::span<std::uint8_t> message, std::span<const std::uint16_t> offsets,
                std::uint32_t seconds) {
  for (const std::uint16_t offset : offsets) {
    std::uint8_t* field = message.data() + offset;
    const std::uint32_t ttl = load_u32(field);
    store_u32(field, ttl > seconds ? ttl - seconds : 0);
  }
}

}  // namespace hayate::zone
