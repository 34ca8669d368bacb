#include "zone/truncated_response.hpp"

#include <cstddef>

#include "zone/message.hpp"
#include "zone/rr_type.hpp"

namespace hayate::zone {

std::vector<std::uint8_t> truncated_response(std::span<const std::uint8_t> response) {
  if (response.size() < kHeaderSize || response.size() > 0xffff) return {};
  const std::size_t questions = load_u16(response.data() + 4);
  std::size_t pos = kHeaderSize;
  for (std::size_t i = 0; i < questions; ++i) {
    pos = skip_message_name(response, pos);
    if (pos == 0 || pos + kQuestionFixedSize > response.size()) return {};
    pos += kQuestionFixedSize;
  }
  // Header and question verbatim: a pointer in the question points into the question itself.
  std::vector<std::uint8_t> out(response.begin(), response.begin() + static_cast<long>(pos));
  const std::size_t before_additional =
      std::size_t{load_u16(response.data() + 6)} + load_u16(response.data() + 8);
  const std::size_t records = before_additional + load_u16(response.data() + 10);
  std::uint16_t additional = 0;
  for (std::size_t i = 0; i < records; ++i) {
    const std::size_t owner = pos;
    pos = skip_message_name(response, pos);
    if (pos == 0 || pos + kRRFixedSize > response.size()) return {};
    const std::uint16_t type = load_u16(response.data() + pos);
    const std::size_t end = pos + kRRFixedSize + load_u16(response.data() + pos + 8);
    if (end > response.size()) return {};
    // OPT: once, in the additional section, with the root as owner (RFC 6891 §6.1.1); its
    // class, TTL and options as they were.
    if (type == rr_type::OPT && i >= before_additional && additional == 0 && pos == owner + 1 &&
        response[owner] == 0) {
      out.insert(out.end(), response.begin() + static_cast<long>(owner),
                 response.begin() + static_cast<long>(end));
      additional = 1;
    }
    pos = end;
  }
  store_u16(out.data() + 2, load_u16(out.data() + 2) | flag::TC);
  store_u16(out.data() + 6, 0);
  store_u16(out.data() + 8, 0);
  store_u16(out.data() + 10, additional);
  return out;
}

}  // namespace hayate::zone
