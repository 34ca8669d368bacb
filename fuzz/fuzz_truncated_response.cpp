// The TC=1 stand-in for an answer larger than the MTU (zone/truncated_response) on arbitrary
// bytes: no crash or out-of-bounds read; when it accepts a message, the result keeps the ID, the
// flags (TC added), the question count and the question octets, counts no answer or authority
// record and at most one additional (OPT, root owner), is no longer than the input, and is its
// own truncation.
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "zone/message.hpp"
#include "zone/rr_type.hpp"
#include "zone/truncated_response.hpp"

namespace {

using namespace hayate::zone;

using hayate::fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> message(data, size);
  const std::vector<std::uint8_t> out = truncated_response(message);
  if (out.empty()) return 0;
  check(out.size() >= kHeaderSize && out.size() <= message.size());
  check(out[0] == message[0] && out[1] == message[1]);
  check(load_u16(out.data() + 2) == (load_u16(message.data() + 2) | flag::TC));
  check(load_u16(out.data() + 4) == load_u16(message.data() + 4));
  check(load_u16(out.data() + 6) == 0 && load_u16(out.data() + 8) == 0);
  const std::uint16_t additional = load_u16(out.data() + 10);
  check(additional <= 1);
  // Header and question are the input's, octet for octet; then OPT ends the message.
  std::size_t pos = kHeaderSize;
  for (std::size_t i = 0; i < load_u16(out.data() + 4); ++i) {
    pos = skip_message_name(out, pos);
    check(pos != 0 && pos + kQuestionFixedSize <= out.size());
    pos += kQuestionFixedSize;
  }
  for (std::size_t i = kHeaderSize; i < pos; ++i)
    check(out[i] == message[i]);
  if (additional == 1) {
    check(pos + 1 + kRRFixedSize <= out.size() && out[pos] == 0);
    check(load_u16(out.data() + pos + 1) == rr_type::OPT);
    pos += 1 + kRRFixedSize + load_u16(out.data() + pos + 9);
  }
  check(pos == out.size());
  check(truncated_response(out) == out);
  return 0;
}
