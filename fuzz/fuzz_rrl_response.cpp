// Feeds arbitrary bytes, as a response about to be sent, to the rate limiter's classifier
// (server/rrl_response) and, when it classifies them, to the slip renderer and the limiter: none
// may read past the message, and a slip reply must be a header with TC=1 and at most the question.
#include <sys/socket.h>

#include <netinet/in.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <span>

#include "fuzz/fuzz_check.hpp"
#include "server/rrl.hpp"
#include "server/rrl_response.hpp"
#include "zone/message.hpp"

namespace {

using namespace hayate::server;

using hayate::fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first octet picks the client: IPv4, IPv6 or IPv4-mapped IPv6.
  if (size < 1) return 0;
  sockaddr_storage client{};
  if (data[0] % 3 == 0) {
    auto& in = reinterpret_cast<sockaddr_in&>(client);
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(0xc0000201);
  } else {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(client);
    in6.sin6_family = AF_INET6;
    in6.sin6_addr.s6_addr[0] = 0x20;
    if (data[0] % 3 == 2) {
      std::memset(in6.sin6_addr.s6_addr, 0, 10);
      in6.sin6_addr.s6_addr[10] = in6.sin6_addr.s6_addr[11] = 0xff;
    }
  }
  const std::span<const std::uint8_t> response(data + 1, size - 1);
  RrlSettings settings;
  settings.responses_per_second = settings.nxdomains_per_second = 1;
  settings.referrals_per_second = settings.errors_per_second = 1;
  settings.slip = 1;
  settings.max_entries = 16;
  static ResponseRateLimiter limiter(settings);  // kept across inputs: the table is exercised too
  const auto classified = classify_response(response, client, settings);
  if (!classified) return 0;
  check(classified->question_end >= hayate::zone::kHeaderSize);
  check(classified->question_end <= response.size());
  std::array<std::uint8_t, kMaxSlipSize> slip{};
  const std::size_t n = render_slip(response, *classified, slip);
  if (n != 0) {
    hayate::zone::Header header;
    check(hayate::zone::Header::parse(std::span<const std::uint8_t>(slip.data(), n), header));
    check(header.has(hayate::zone::flag::TC));
    check(header.ancount == 0 && header.nscount == 0 && header.arcount == 0);
    check(header.qdcount <= 1);
  }
  limiter.decide(classified->key, std::chrono::steady_clock::now());
  return 0;
}
