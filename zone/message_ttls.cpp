#include "zone/message_ttls.hpp"

#include <cstddef>

#include "zone/message.hpp"
#include "zone/rr_type.hpp"

namespace hayate::zone {
bool find_ttl_offsets(std::span<const std::uint8_t> message, std::vector<std::uint16_t>& offsets) {
  if (message.size() < kHeaderSize || message.size() > 0xffff) return false;
  const std::size_t questions = load_u16(message.data() + 4);
  const std::size_t records = std::size_t{load_u16(message.data() + 6)} +
                              load_u16(message.data() + 8) + load_u16(message.data() + 10);
  std::size_t pos = kHeaderSize;
  for (std::size_t i = 0; i < questions; ++i) {
    pos = skip_message_name(message, pos);
    if (pos == 0 || pos + 4 > message.size()) return false;
    pos += 4;
  }
  for (std::size_t i = 0; i < records; ++i) {
    pos = skip_message_name(message, pos);
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
