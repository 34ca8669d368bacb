// The DNS64 helpers that read untrusted bytes: the SVCB/HTTPS ipv6hint stripper (rdata from
// upstream answers) and the ip6.arpa name reader (client questions), plus the RFC 6052 round trip
// for every prefix length. Checks: the stripper never grows the rdata and is idempotent; an
// ip6.arpa name that reads as an address names exactly that address; extraction inverts
// synthesis.
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "server/dns64_synthesis.hpp"
#include "zone/dns64_address.hpp"

namespace {

using namespace hayate;

using hayate::fuzz::check;

constexpr char kHex[] = "0123456789abcdef";

// The 32-nibble ip6.arpa name of `address` (RFC 3596 §2.5), for the reader's check.
zone::Name ip6_arpa_name(const zone::Ipv6Octets& address) {
  std::string text;
  for (int i = 15; i >= 0; --i) {
    std::uint8_t octet = address[static_cast<std::size_t>(i)];
    text += kHex[octet & 0x0f];
    text += '.';
    text += kHex[octet >> 4];
    text += '.';
  }
  return zone::Name::from_text(text + "ip6.arpa.").value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  zone::Rdata rdata(data, data + size);
  zone::Rdata stripped = server::without_ipv6hint(rdata);
  check(stripped.size() <= rdata.size());
  check(server::without_ipv6hint(stripped) == stripped);

  if (auto name = zone::Name::from_wire(std::span<const std::uint8_t>(data, size))) {
    if (auto address = zone::ip6_arpa_address(*name)) check(ip6_arpa_name(*address) == *name);
  }

  if (size >= 20) {
    zone::Nat64Prefix prefix;
    std::memcpy(prefix.octets.data(), data, 16);
    prefix.octets[8] = 0;  // the u octet (RFC 6052 §2.2)
    static constexpr std::uint8_t kLengths[] = {32, 40, 48, 56, 64, 96};
    prefix.length = kLengths[data[16] % 6];
    zone::Ipv4Octets ipv4;
    std::memcpy(ipv4.data(), data + 16, 4);
    auto synthesized = zone::synthesize_ipv6(prefix, ipv4);
    check(synthesized[8] == 0);
    check(zone::extract_ipv4(prefix, synthesized) == ipv4);
  }
  return 0;
}
