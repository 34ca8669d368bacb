#include "server/resolver/subnet_cache.hpp"

#include <algorithm>
#include <limits>

#include "server/resolver/ecs_policy.hpp"
#include "server/resolver/rrset_cache.hpp"

namespace hayate::server::resolver {
namespace {

std::size_t set_bytes(const TailoredSet& set) {
  std::size_t bytes = sizeof(TailoredSet) + 2 * sizeof(void*) + set.qname.wire_length();
  for (const TailoredAnswer& entry : set.entries) {
    bytes += sizeof(TailoredAnswer);
    for (const zone::ResponseRRset& rrset : entry.answer) {
      bytes += sizeof(zone::ResponseRRset) + rrset.owner.wire_length();
      for (const zone::Rdata& rdata : rrset.rdatas)
        bytes += sizeof(zone::Rdata) + rdata.size();
    }
  }
  return bytes;
}

std::uint32_t seconds_left(SteadyTime expires, SteadyTime now) {
  if (expires <= now) return 0;
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(expires - now).count());
}

std::uint32_t age_of(const TailoredAnswer& entry, SteadyTime now) {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(now - entry.stored).count());
}

bool same_subnet(const zone::ClientSubnet& a, const zone::ClientSubnet& b) {
  return a.family == b.family && a.source_prefix == b.source_prefix && a.address == b.address;
}

}  // namespace

SubnetCache::SubnetCache(const CacheConfig& config, std::size_t max_per_name, ClockFunction clock)
    : config_(config),
      max_per_name_(std::max<std::size_t>(max_per_name, 1)),
      store_(config, std::move(clock)) {}

bool SubnetCache::insert(const zone::Name& qname, std::uint16_t qtype, std::uint16_t qclass,
                         const zone::ClientSubnet& sent, std::uint8_t scope,
                         std::vector<zone::ResponseRRset> answer) {
  if (scope == 0 || answer.empty()) return false;
  std::uint32_t ttl = std::numeric_limits<std::uint32_t>::max();
  for (zone::ResponseRRset& rrset : answer) {
    rrset.ttl = clamp_positive_ttl(config_, rrset.ttl);
    ttl = std::min(ttl, rrset.ttl);
  }
  if (ttl == 0) return false;  // RFC 1035 §3.2.1: TTL 0 is not cached
  const std::string key = rrset_cache_key(qname, qtype, qclass);
  const SteadyTime now = store_.now();
  auto set = std::make_shared<TailoredSet>();
  if (auto old = store_.lookup(key, Store::Mode::kFresh)) *set = *old->value;
  set->qname = qname;
  set->qtype = qtype;
  set->qclass = qclass;
  const zone::ClientSubnet subnet = truncate_subnet(sent, scope);
  auto& entries = set->entries;
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [&](const TailoredAnswer& e) {
                                 return e.expires <= now || same_subnet(e.subnet, subnet);
                               }),
                entries.end());
  entries.push_back(
      TailoredAnswer{subnet, std::move(answer), now, now + std::chrono::seconds(ttl)});
  // The cap: the oldest subnets go first (entries are kept in insertion order).
  if (entries.size() > max_per_name_)
    entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(max_per_name_));
  SteadyTime last = now;
  for (const TailoredAnswer& e : entries)
    last = std::max(last, e.expires);
  const std::size_t bytes = set_bytes(*set);
  return store_.insert(key, std::shared_ptr<const TailoredSet>(std::move(set)),
                       seconds_left(last, now), bytes, [](const auto&, bool) { return false; });
}

std::optional<TailoredHit> SubnetCache::lookup(const zone::Name& qname, std::uint16_t qtype,
                                               std::uint16_t qclass,
                                               const zone::ClientSubnet& client, bool* known) {
  if (known != nullptr) *known = false;
  auto hit = store_.lookup(rrset_cache_key(qname, qtype, qclass), Store::Mode::kFresh);
  if (!hit) return std::nullopt;
  const SteadyTime now = store_.now();
  const TailoredAnswer* best = nullptr;
  for (const TailoredAnswer& e : hit->value->entries) {
    if (e.expires <= now) continue;
    if (known != nullptr) *known = true;
    if (!subnet_contains(e.subnet, client)) continue;
    if (best == nullptr || e.subnet.source_prefix > best->subnet.source_prefix) best = &e;
  }
  if (best == nullptr) return std::nullopt;
  TailoredHit out{best->answer, best->subnet.source_prefix};
  const std::uint32_t age = age_of(*best, now);
  for (zone::ResponseRRset& rrset : out.answer)
    rrset.ttl = rrset.ttl > age ? rrset.ttl - age : 0;
  return out;
}

std::size_t SubnetCache::flush(const zone::Name& name) {
  std::size_t dropped = 0;
  store_.erase_if([&](const std::shared_ptr<const TailoredSet>& set) {
    if (!set->qname.is_subdomain_of(name)) return false;
    dropped += set->entries.size();
    return true;
  });
  return dropped;
}

void SubnetCache::flush_all() {
  store_.clear();
}

void SubnetCache::dump(const std::function<void(const TailoredSet&, const TailoredAnswer&,
                                                std::uint32_t age)>& visit) const {
  const SteadyTime now = store_.now();
  store_.visit([&](const std::shared_ptr<const TailoredSet>& set, std::uint32_t, bool stale) {
    if (stale) return;
    for (const TailoredAnswer& e : set->entries)
      if (e.expires > now) visit(*set, e, age_of(e, now));
  });
}

std::size_t SubnetCache::size() const {
  std::size_t count = 0;
  store_.visit([&](const std::shared_ptr<const TailoredSet>& set, std::uint32_t, bool) {
    count += set->entries.size();
  });
  return count;
}

}  // namespace hayate::server::resolver
