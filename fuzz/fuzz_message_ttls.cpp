// The TTL walk of kept resolver answers (zone/message_ttls) on arbitrary bytes: no crash or
// out-of-bounds read; when it accepts a message, its offsets are in order, each leaves room for a
// TTL after a record's owner, type and class, and lower_ttls changes those four octets only, each
// TTL becoming max(0, TTL - seconds).
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "zone/message.hpp"
#include "zone/message_ttls.hpp"

namespace {

using namespace hayate::zone;

using hayate::fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  // The first four octets choose the seconds to subtract; the rest is the message.
  std::uint32_t seconds = 0;
  std::memcpy(&seconds, data, 4);
  const std::span<const std::uint8_t> message(data + 4, size - 4);
  std::vector<std::uint16_t> offsets;
  if (!find_ttl_offsets(message, offsets)) return 0;
  std::size_t previous = kHeaderSize;
  for (const std::uint16_t offset : offsets) {
    check(offset >= previous + 5);              // at least a root owner, type and class before it
    check(offset + 4u + 2u <= message.size());  // the TTL, then RDLENGTH
    previous = offset + 4u;
  }
  std::vector<std::uint8_t> copy(message.begin(), message.end());
  lower_ttls(copy, offsets, seconds);
  std::vector<bool> is_ttl(copy.size(), false);
  for (const std::uint16_t offset : offsets) {
    for (int i = 0; i < 4; ++i)
      is_ttl[offset + i] = true;
    const std::uint32_t before = load_u32(message.data() + offset);
    check(load_u32(copy.data() + offset) == (before > seconds ? before - seconds : 0));
  }
  for (std::size_t i = 0; i < copy.size(); ++i)
    check(is_ttl[i] || copy[i] == message[i]);
  return 0;
}
