// What one [[dns64]] block asks for, in the form the pipeline uses: which clients, which mode,
// which NAT64 prefixes, which IPv4 ranges are synthesized and which AAAA count as none.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <vector>

#include "server/acl.hpp"
#include "server/query_handler.hpp"
#include "zone/dns64_address.hpp"

namespace hayate::server {

enum class Dns64Mode : std::uint8_t {
  kDns64,             // RFC 6147
  kFilterAaaa,        // BIND's filter-aaaa-on-v4 / -on-v6
  kSynthesizeAlways,  // real AAAA ignored: every AAAA answer is synthesized from A
};

// A listening socket's address and port, as in [server] listen.
struct ListenerAddress {
  int family = AF_INET;
  std::array<std::uint8_t, 16> address{};
  std::uint16_t port = 0;

  bool matches(const sockaddr_storage& listener) const;
};

struct Dns64Policy {
  Dns64Mode mode = Dns64Mode::kDns64;
  std::vector<zone::Nat64Prefix> prefixes{zone::Nat64Prefix::well_known()};
  Acl clients;                             // who this policy is for
  std::vector<ListenerAddress> listeners;  // on which listeners; empty: all
  std::vector<Prefix> mapped;              // IPv4 ranges to synthesize for; empty: all
  std::vector<Prefix> exclude;             // AAAA in these count as no AAAA (RFC 6147 §5.1.4)
  bool break_dnssec = false;               // rewrite signed answers for DO=1 clients too (§5.5)

  bool synthesizes() const { return mode != Dns64Mode::kFilterAaaa; }
  // Whether an A record's address may be embedded in `prefix`: inside `mapped`, and never a
  // non-global address under the well-known prefix (RFC 6052 §3.1).
  bool maps(const zone::Nat64Prefix& prefix, const zone::Ipv4Octets& ipv4) const;
  // Whether a real AAAA counts as none (always in synthesize-always mode).
  bool excludes(const zone::Ipv6Octets& ipv6) const;
};

// The configured policies in order; the first whose clients match applies (BIND's dns64 rule).
class Dns64Policies {
 public:
  Dns64Policies() = default;
  explicit Dns64Policies(std::vector<Dns64Policy> policies) : policies_(std::move(policies)) {}

  // The policy for `client` (its address and the listener it came in on), or nullptr. `index`
  // gets its position + 1 (0 with none): a small number that keys the answer cache so clients of
  // different policies never share answers.
  const Dns64Policy* select(const ClientInfo& client, std::uint8_t& index) const;
  bool empty() const { return policies_.empty(); }
  std::size_t size() const { return policies_.size(); }

  // At most this many: the policy index must fit the answer cache key's octet.
  static constexpr std::size_t kMaxPolicies = 255;

 private:
  std::vector<Dns64Policy> policies_;
};

}  // namespace hayate::server
