#include "server/dns64_synthesis.hpp"

#include <algorithm>
#include <cstring>

#include "zone/dns64_address.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server {
namespace {

namespace rr_type = zone::rr_type;
using zone::ResponseRRset;

constexpr std::uint16_t kSvcParamIpv6Hint = 6;  // RFC 9460 §14.3.2

std::uint16_t rrsig_covered(const zone::Rdata& rdata) {
  return rdata.size() >= 2 ? zone::load_u16(rdata.data()) : 0;
}

// Removes RRsets of `type` from `rrsets`, with the RRSIGs that cover it.
void erase_type(std::vector<ResponseRRset>& rrsets, std::uint16_t type) {
  std::erase_if(rrsets, [type](const ResponseRRset& rrset) { return rrset.type == type; });
  for (ResponseRRset& rrset : rrsets) {
    if (rrset.type != rr_type::RRSIG) continue;
    std::erase_if(rrset.rdatas, [type](const zone::Rdata& r) { return rrsig_covered(r) == type; });
  }
  std::erase_if(rrsets, [](const ResponseRRset& rrset) { return rrset.rdatas.empty(); });
}

bool usable_aaaa(const ResponseRRset& rrset, const Dns64Policy& policy) {
  return std::any_of(rrset.rdatas.begin(), rrset.rdatas.end(), [&](const zone::Rdata& rdata) {
    if (rdata.size() != 16) return false;
    zone::Ipv6Octets address;
    std::memcpy(address.data(), rdata.data(), 16);
    return !policy.excludes(address);
  });
}

// One AAAA per prefix per mapped A (RFC 6147 §5.1.6), in prefix order.
std::vector<zone::Rdata> synthesize_rdatas(const ResponseRRset& a, const Dns64Policy& policy,
                                           bool check_mapped) {
  std::vector<zone::Rdata> out;
  for (const zone::Nat64Prefix& prefix : policy.prefixes) {
    for (const zone::Rdata& rdata : a.rdatas) {
      if (rdata.size() != 4) continue;
      zone::Ipv4Octets ipv4;
      std::memcpy(ipv4.data(), rdata.data(), 4);
      if (check_mapped && !policy.maps(prefix, ipv4)) continue;
      zone::Ipv6Octets ipv6 = zone::synthesize_ipv6(prefix, ipv4);
      out.emplace_back(ipv6.begin(), ipv6.end());
    }
  }
  return out;
}

}  // namespace

bool needs_synthesis(const StagedAnswer& aaaa, const Dns64Policy& policy, bool dnssec_ok) {
  if (aaaa.rcode == zone::rcode::NXDOMAIN) return false;
  if (aaaa.rcode == zone::rcode::NOERROR) {
    for (const ResponseRRset& rrset : aaaa.answer()) {
      if (rrset.type == rr_type::AAAA && usable_aaaa(rrset, policy)) return false;
    }
    if (dnssec_protected(aaaa, policy, dnssec_ok)) return false;
  }
  return true;
}

std::optional<StagedAnswer> synthesize_aaaa(const StagedAnswer* negative_aaaa,
                                            const StagedAnswer& a, const Dns64Policy& policy) {
  if (a.rcode != zone::rcode::NOERROR) return std::nullopt;
  std::uint32_t ttl_cap = kDns64DefaultTtl;
  if (negative_aaaa == nullptr) {
    ttl_cap = UINT32_MAX;  // synthesize-always: no AAAA answer was asked for
  } else if (const ResponseRRset* soa = negative_aaaa->authority_soa()) {
    ttl_cap = soa->ttl;  // already min(SOA TTL, MINIMUM) (RFC 2308 §5)
  }
  StagedAnswer out = a;
  out.authoritative = false;
  bool synthesized = false;
  std::vector<ResponseRRset> answer;
  for (const ResponseRRset& rrset : a.answer()) {
    if (rrset.type == rr_type::RRSIG) {
      ResponseRRset kept = rrset;  // signatures of the chain stay; those over A go
      std::erase_if(kept.rdatas, [](const zone::Rdata& r) { return rrsig_covered(r) == 1; });
      if (!kept.rdatas.empty()) answer.push_back(std::move(kept));
      continue;
    }
    if (rrset.type != rr_type::A) {
      answer.push_back(rrset);
      continue;
    }
    ResponseRRset aaaa{rrset.owner, rr_type::AAAA, rrset.rclass, std::min(rrset.ttl, ttl_cap),
                       synthesize_rdatas(rrset, policy, true)};
    if (aaaa.rdatas.empty()) continue;
    synthesized = true;
    answer.push_back(std::move(aaaa));
  }
  if (!synthesized) return std::nullopt;
  out.answer() = std::move(answer);
  // Nothing synthesized goes in the additional section (the A answer's own data stays).
  out.signed_data = false;
  out.rewrite = StagedAnswer::Rewrite::kSynthesized;
  return out;
}

StagedAnswer without_addresses(StagedAnswer a) {
  erase_type(a.answer(), rr_type::A);
  return a;
}

StagedAnswer ipv4only_arpa_answer(const zone::Name& qname, std::uint16_t qtype,
                                  const Dns64Policy& policy) {
  StagedAnswer out;
  out.rcode = zone::rcode::NOERROR;
  out.recursion_available = true;
  if (qtype == rr_type::AAAA) out.rewrite = StagedAnswer::Rewrite::kSynthesized;
  ResponseRRset a{qname, rr_type::A, zone::rr_class::IN, kIpv4OnlyArpaTtl, {}};
  for (const zone::Ipv4Octets& address : zone::ipv4only_arpa_addresses()) {
    a.rdatas.emplace_back(address.begin(), address.end());
  }
  if (qtype == rr_type::A) {
    out.answer().push_back(std::move(a));
  } else if (qtype == rr_type::AAAA) {
    out.answer().push_back(ResponseRRset{qname, rr_type::AAAA, zone::rr_class::IN,
                                         std::min(kIpv4OnlyArpaTtl, kDns64DefaultTtl),
                                         synthesize_rdatas(a, policy, false)});
  }
  return out;
}

std::optional<zone::Name> dns64_ptr_target(const zone::Name& qname, const Dns64Policy& policy) {
  auto address = zone::ip6_arpa_address(qname);
  if (!address) return std::nullopt;
  for (const zone::Nat64Prefix& prefix : policy.prefixes) {
    if (auto ipv4 = zone::extract_ipv4(prefix, *address)) return zone::in_addr_arpa_name(*ipv4);
  }
  return std::nullopt;
}

StagedAnswer ptr_alias_answer(const zone::Name& qname, const zone::Name& target,
                              const StagedAnswer& target_answer) {
  StagedAnswer out = target_answer;
  out.authoritative = false;
  out.rewrite = StagedAnswer::Rewrite::kSynthesized;
  auto wire = target.wire();
  ResponseRRset cname{qname,
                      rr_type::CNAME,
                      zone::rr_class::IN,
                      kDns64DefaultTtl,
                      {zone::Rdata(wire.begin(), wire.end())}};
  out.answer().insert(out.answer().begin(), std::move(cname));
  return out;
}

bool dnssec_protected(const StagedAnswer& answer, const Dns64Policy& policy, bool dnssec_ok) {
  return dnssec_ok && answer.signed_data && !policy.break_dnssec;
}

void remove_answer_aaaa(StagedAnswer& answer) {
  std::size_t before = answer.answer().size();
  erase_type(answer.answer(), rr_type::AAAA);
  if (answer.answer().size() != before) answer.rewrite = StagedAnswer::Rewrite::kFiltered;
}

void remove_aaaa_beside_a(StagedAnswer& answer, zone::Section section) {
  auto& rrsets = answer.section(section);
  auto has_a = [&](const zone::Name& owner) {
    return std::any_of(rrsets.begin(), rrsets.end(), [&](const ResponseRRset& r) {
      return r.type == rr_type::A && r.owner == owner;
    });
  };
  std::size_t removed = std::erase_if(
      rrsets, [&](const ResponseRRset& r) { return r.type == rr_type::AAAA && has_a(r.owner); });
  if (removed != 0) answer.rewrite = StagedAnswer::Rewrite::kFiltered;
}

void strip_ipv6hints(StagedAnswer& answer) {
  for (auto& section : answer.sections) {
    for (ResponseRRset& rrset : section) {
      if (rrset.type != rr_type::SVCB && rrset.type != rr_type::HTTPS) continue;
      for (zone::Rdata& rdata : rrset.rdatas) {
        zone::Rdata stripped = without_ipv6hint(rdata);
        if (stripped.size() == rdata.size()) continue;
        rdata = std::move(stripped);
        answer.rewrite = StagedAnswer::Rewrite::kFiltered;
      }
    }
  }
}

// RFC 9460 §2.2: SvcPriority (2 octets), TargetName (uncompressed), then SvcParams as
// key (2), length (2), value.
zone::Rdata without_ipv6hint(const zone::Rdata& rdata) {
  std::size_t pos = 2;
  while (pos < rdata.size() && rdata[pos] != 0) {
    if ((rdata[pos] & 0xc0) != 0) return rdata;  // no compression inside SVCB rdata
    pos += 1 + rdata[pos];
  }
  if (pos >= rdata.size()) return rdata;
  ++pos;  // the root label
  zone::Rdata out(rdata.begin(), rdata.begin() + static_cast<long>(pos));
  bool removed = false;
  while (pos < rdata.size()) {
    if (pos + 4 > rdata.size()) return rdata;
    std::uint16_t key = zone::load_u16(rdata.data() + pos);
    std::size_t length = zone::load_u16(rdata.data() + pos + 2);
    if (pos + 4 + length > rdata.size()) return rdata;
    if (key == kSvcParamIpv6Hint) {
      removed = true;
    } else {
      out.insert(out.end(), rdata.begin() + static_cast<long>(pos),
                 rdata.begin() + static_cast<long>(pos + 4 + length));
    }
    pos += 4 + length;
  }
  return removed ? out : rdata;
}

}  // namespace hayate::server
