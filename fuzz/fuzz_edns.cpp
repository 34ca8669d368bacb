// Treats the input as an OPT options area. Every option must re-encode to the same octets, and
// every ECS option that parses must encode back to exactly its input (validation is strict, so
// the encoding is canonical) and re-parse to the same value. The area is also wrapped in a query
// and must come back unchanged through the query parser.
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "zone/edns.hpp"
#include "zone/message_parser.hpp"

namespace {

using namespace hayate::zone;

using hayate::fuzz::check;

bool same(const ClientSubnet& a, const ClientSubnet& b) {
  return a.family == b.family && a.source_prefix == b.source_prefix &&
         a.scope_prefix == b.scope_prefix && a.address == b.address;
}

void round_trip_ecs(std::span<const std::uint8_t> data) {
  ClientSubnet first;
  EcsError error = parse_client_subnet(data, first);
  check(ecs_error_reason(error) != nullptr);
  if (error != EcsError::kOk) return;
  std::array<std::uint8_t, 20> encoded;
  std::size_t length = encode_client_subnet(first, encoded);
  check(length == data.size());
  check(std::memcmp(encoded.data(), data.data(), length) == 0);
  ClientSubnet second;
  check(parse_client_subnet(std::span(encoded).first(length), second) == EcsError::kOk);
  check(same(first, second));
}

// Header + question "." A IN + OPT carrying `options`, parsed back.
void through_query_parser(std::span<const std::uint8_t> options, bool well_formed) {
  std::vector<std::uint8_t> packet = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1};
  std::size_t at = packet.size();
  packet.resize(at + opt_rr_size(options.size()));
  OptParams params;
  check(write_opt_rr(std::span(packet).subspan(at), params, options) != 0);
  ParsedQuery q;
  ParseError error = parse_query(packet, q);
  if (!well_formed) {
    check(error == ParseError::kOptOptionOverrun);
    return;
  }
  check(error == ParseError::kOk);
  check(q.options_length == options.size());
  check(std::memcmp(packet.data() + q.options_offset, options.data(), options.size()) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  std::span<const std::uint8_t> area(data, size);
  std::vector<std::uint8_t> rebuilt(size + 8);
  std::size_t used = 0;
  OptionIterator it(area);
  EdnsOption option;
  while (it.next(option)) {
    std::size_t n = write_option(std::span(rebuilt).subspan(used), option.code, option.data);
    check(n == kOptionHeaderSize + option.data.size());
    used += n;
    if (option.code == edns_option::CLIENT_SUBNET) round_trip_ecs(option.data);
    if (option.code == edns_option::COOKIE) (void)cookie_length_valid(option.data.size());
  }
  bool well_formed = !it.malformed();
  check(well_formed == options_well_formed(area));
  if (well_formed) {
    check(used == size);
    check(size == 0 || std::memcmp(rebuilt.data(), data, size) == 0);
  }
  // The raw input as ECS option data too, so the codec gets exercised on every input.
  round_trip_ecs(area);
  through_query_parser(area, well_formed);
  return 0;
}
