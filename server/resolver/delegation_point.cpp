#include "server/resolver/delegation_point.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include "zone/rr_type.hpp"

namespace hayate::server::resolver {
namespace {

namespace rr_type = zone::rr_type;

void add_unique(std::vector<UpstreamAddress>& out, const UpstreamAddress& address) {
  if (std::find(out.begin(), out.end(), address) == out.end()) out.push_back(address);
}

void add_cached_addresses(RrsetCache& cache, NameServer& server, std::uint16_t rclass) {
  for (std::uint16_t type : {rr_type::A, rr_type::AAAA}) {
    auto hit = cache.lookup(server.name, type, rclass);
    if (hit) append_addresses(type, hit->rrset->rdatas, server.addresses);
  }
}

std::vector<DelegationServer> servers_of(const std::vector<zone::Rdata>& ns_rdatas) {
  std::vector<DelegationServer> out;
  for (const auto& rdata : ns_rdatas) {
    auto name = rdata_name(rdata);
    if (!name) continue;
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const DelegationServer& s) { return s.server.name == *name; });
    if (!seen) out.push_back(DelegationServer{NameServer{std::move(*name), {}}, false});
  }
  return out;
}

}  // namespace

void append_addresses(std::uint16_t type, const std::vector<zone::Rdata>& rdatas,
                      std::vector<UpstreamAddress>& out) {
  for (const auto& rdata : rdatas) {
    if (type == rr_type::A && rdata.size() == 4) {
      boost::asio::ip::address_v4::bytes_type bytes;
      std::copy(rdata.begin(), rdata.end(), bytes.begin());
      add_unique(out, UpstreamAddress{boost::asio::ip::address_v4(bytes), 53});
    } else if (type == rr_type::AAAA && rdata.size() == 16) {
      boost::asio::ip::address_v6::bytes_type bytes;
      std::copy(rdata.begin(), rdata.end(), bytes.begin());
      add_unique(out, UpstreamAddress{boost::asio::ip::address_v6(bytes), 53});
    }
  }
}

std::vector<UpstreamAddress> DelegationPoint::addresses(const ResolverLimits& limits) const {
  std::vector<UpstreamAddress> out;
  for (const auto& s : servers)
    for (const auto& address : s.server.addresses)
      if (address.address.is_v4() ? limits.use_ipv4 : limits.use_ipv6) add_unique(out, address);
  return out;
}

bool DelegationPoint::usable() const {
  return std::any_of(servers.begin(), servers.end(), [this](const DelegationServer& s) {
    return !s.server.addresses.empty() || !in_bailiwick(s.server.name, zone);
  });
}

DelegationPoint delegation_from_hints(const RootHints& hints) {
  DelegationPoint dp;  // zone "."
  for (const auto& server : hints.servers)
    dp.servers.push_back(DelegationServer{server, false});
  return dp;
}

std::optional<DelegationPoint> delegation_from_cache(RrsetCache& cache, const zone::Name& zone,
                                                     std::uint16_t rclass) {
  auto ns = cache.lookup(zone, rr_type::NS, rclass);
  if (!ns) return std::nullopt;
  DelegationPoint dp{zone, servers_of(ns->rrset->rdatas)};
  for (auto& s : dp.servers)
    add_cached_addresses(cache, s.server, rclass);
  return dp;
}

DelegationPoint closest_delegation(RrsetCache& cache, const RootHints& hints,
                                   const zone::Name& name, std::uint16_t qtype,
                                   std::uint16_t rclass) {
  zone::Name cut = (qtype == rr_type::DS && !name.is_root()) ? name.strip_left() : name;
  for (;;) {
    auto dp = delegation_from_cache(cache, cut, rclass);
    if (dp && dp->usable()) return std::move(*dp);
    if (cut.is_root()) break;
    cut = cut.strip_left();
  }
  return delegation_from_hints(hints);
}

DelegationPoint delegation_from_referral(const ScrubbedResponse& referral, RrsetCache& cache) {
  DelegationPoint dp{referral.ns->owner, servers_of(referral.ns->rdatas)};
  for (auto& s : dp.servers) {
    for (const auto& glue : referral.glue)
      if (glue.owner == s.server.name && in_bailiwick(glue.owner, dp.zone))
        append_addresses(glue.type, glue.rdatas, s.server.addresses);
    add_cached_addresses(cache, s.server, referral.ns->rclass);
  }
  return dp;
}

}  // namespace hayate::server::resolver
