// The rewrites DNS64 and the AAAA filter make to answers: pure functions on StagedAnswers.
//
// DNS64 (RFC 6147 §5.1): an AAAA answer without a usable AAAA is replaced by the A answer for
// the same name, with each A record turned into one AAAA per prefix (RFC 6052). The AAAA filter
// (BIND's filter-aaaa) removes AAAA records from names that also have A, and ipv6hint from
// SVCB/HTTPS records. server/dns64_stage.* decides which of these to call and asks for the data.
#pragma once

#include <cstdint>
#include <optional>

#include "server/dns64_policy.hpp"
#include "server/staged_answer.hpp"
#include "zone/name.hpp"
#include "zone/rrset.hpp"

namespace hayate::server {

// RFC 6147 §5.1.7: TTL of a synthesized AAAA when the negative AAAA answer carried no SOA.
inline constexpr std::uint32_t kDns64DefaultTtl = 600;
// TTL of the locally answered ipv4only.arpa A records (RFC 8880 §7.2: answered without
// asking; the real zone's records have a day).
inline constexpr std::uint32_t kIpv4OnlyArpaTtl = 86400;

// Whether the AAAA answer must be replaced by a synthesized one (RFC 6147 §5.1): NXDOMAIN is
// passed through (§5.1.2); any other error counts as an empty answer (§5.1.3); an answer with an
// AAAA outside the excluded ranges stands (§5.1.4); a signed NODATA for a DO=1 client stands
// unless break-dnssec (§5.5).
bool needs_synthesis(const StagedAnswer& aaaa, const Dns64Policy& policy, bool dnssec_ok);

// The synthesized answer from the A answer (§5.1.6–5.1.8): its CNAME/DNAME chain kept, each A
// RRset replaced by the AAAA RRset of the same owner (the chain's end), TTL min(A TTL, the SOA TTL
// of `negative_aaaa`) or min(A TTL, 600) without one; authority and additional from the A answer;
// AA and AD clear. nullopt when the A answer holds no address the policy maps.
std::optional<StagedAnswer> synthesize_aaaa(const StagedAnswer* negative_aaaa,
                                            const StagedAnswer& a, const Dns64Policy& policy);

// The A answer with its A records (and their RRSIGs) removed: synthesize-always's answer when
// there is nothing to synthesize.
StagedAnswer without_addresses(StagedAnswer a);

// RFC 7050 §3 / RFC 8880 §7.2: ipv4only.arpa answered locally. A: 192.0.0.170 and 192.0.0.171;
// AAAA: those synthesized with every prefix (RFC 6052 §3.1 does not apply: RFC 7050 wants exactly
// these under the well-known prefix); anything else: NODATA.
StagedAnswer ipv4only_arpa_answer(const zone::Name& qname, std::uint16_t qtype,
                                  const Dns64Policy& policy);

// RFC 6147 §5.3.1: for a full ip6.arpa name whose address is in one of the policy's prefixes, the
// in-addr.arpa name of the embedded IPv4 address; nullopt otherwise.
std::optional<zone::Name> dns64_ptr_target(const zone::Name& qname, const Dns64Policy& policy);

// The answer to the ip6.arpa PTR question: a CNAME from `qname` to `target`, then the answer
// for the target (its chain, rcode, authority and additional).
StagedAnswer ptr_alias_answer(const zone::Name& qname, const zone::Name& target,
                              const StagedAnswer& target_answer);

// BIND's break-dnssec rule for the filter (and §5.5 for DNS64): signed data for a DO=1 client is
// left alone unless the policy says otherwise.
bool dnssec_protected(const StagedAnswer& answer, const Dns64Policy& policy, bool dnssec_ok);

// The filter: removes the answer section's AAAA RRsets (and their RRSIGs).
void remove_answer_aaaa(StagedAnswer& answer);
// The filter: removes AAAA RRsets of `section` whose owner also has an A RRset there.
void remove_aaaa_beside_a(StagedAnswer& answer, zone::Section section);
// The filter: removes the ipv6hint parameter from every SVCB and HTTPS record (RFC 9460 §7.3).
void strip_ipv6hints(StagedAnswer& answer);
// One SVCB/HTTPS rdata without its ipv6hint; unchanged when it has none or does not parse.
zone::Rdata without_ipv6hint(const zone::Rdata& rdata);

}  // namespace hayate::server
