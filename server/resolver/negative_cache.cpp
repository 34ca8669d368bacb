#include "server/resolver/negative_cache.hpp"

#include "zone/message.hpp"
#include "zone/rdata_names.hpp"
#include "zone/rr_text.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server::resolver {
namespace {

// NXDOMAIN entries use type 0, which no RRset has (RFC 6895 §3.1: reserved).
constexpr std::uint16_t kNxDomainType = 0;
constexpr std::size_t kSoaFixedTail = 20;  // SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM

// Key of lowercased name wire `lower` + type + class (the same layout as rrset_cache_key).
std::string negative_key(std::span<const std::uint8_t> lower, std::uint16_t type,
                         std::uint16_t rclass) {
  std::string key(lower.begin(), lower.end());
  key.push_back(static_cast<char>(type >> 8));
  key.push_back(static_cast<char>(type));
  key.push_back(static_cast<char>(rclass >> 8));
  key.push_back(static_cast<char>(rclass));
  return key;
}

std::size_t negative_bytes(const CachedNegative& entry) {
  const NegativeAnswer& a = entry.answer;
  return sizeof(CachedNegative) + 2 * sizeof(void*) + a.name.wire_length() +
         a.soa_owner.wire_length() + a.soa_rdata.size();
}

}  // namespace

std::optional<std::uint32_t> negative_ttl(std::uint32_t soa_ttl,
                                          std::span<const std::uint8_t> soa_rdata) {
  // MNAME and RNAME, then the five 32-bit fields (RFC 1035 §3.3.13).
  std::size_t pos = zone::skip_wire_name(soa_rdata, 0);
  if (pos <= soa_rdata.size()) pos = zone::skip_wire_name(soa_rdata, pos);
  if (pos > soa_rdata.size() || soa_rdata.size() - pos != kSoaFixedTail) return std::nullopt;
  std::uint32_t minimum = zone::load_u32(&soa_rdata[soa_rdata.size() - 4]);
  return std::min(soa_ttl, minimum);
}

NegativeCache::NegativeCache(const CacheConfig& config, ClockFunction clock)
    : config_(config), store_(config, std::move(clock)) {}

bool NegativeCache::insert(NegativeAnswer answer) {
  auto ttl = negative_ttl(answer.soa_ttl, answer.soa_rdata);
  if (!ttl) return false;
  std::uint32_t kept_ttl = clamp_negative_ttl(config_, *ttl);
  if (kept_ttl == 0) return false;
  bool nxdomain = answer.kind == NegativeKind::kNxDomain;
  if (nxdomain && answer.name.is_root()) return false;
  if (nxdomain) answer.type = kNxDomainType;
  std::string key = negative_key(answer.name.lowercased().wire(), answer.type, answer.rclass);
  auto entry = std::make_shared<CachedNegative>(CachedNegative{std::move(answer), kept_ttl});
  std::size_t bytes = negative_bytes(*entry);
  // Newer negative data replaces older: there is no trust ranking between negative answers.
  auto replace = [](const std::shared_ptr<const CachedNegative>&, bool) { return false; };
  return store_.insert(std::move(key), std::move(entry), kept_ttl, bytes, replace);
}

std::optional<NegativeHit> NegativeCache::lookup(const zone::Name& name, std::uint16_t type,
                                                 std::uint16_t rclass) {
  return find(name, type, rclass, Store::Mode::kFresh);
}

std::optional<NegativeHit> NegativeCache::lookup_stale(const zone::Name& name, std::uint16_t type,
                                                       std::uint16_t rclass) {
  return find(name, type, rclass, Store::Mode::kStaleToo);
}

std::optional<NegativeHit> NegativeCache::find(const zone::Name& name, std::uint16_t type,
                                               std::uint16_t rclass, Store::Mode mode) {
  if (auto hit = find_nxdomain_cut(name, rclass, mode)) return hit;
  zone::Name lower = name.lowercased();
  auto hit = store_.lookup(negative_key(lower.wire(), type, rclass), mode);
  if (!hit) return std::nullopt;
  return NegativeHit{std::move(hit->value), hit->ttl, hit->stale, hit->prefetch};
}

// RFC 8020 §2: an NXDOMAIN for an ancestor means this name does not exist either. The name's
// suffixes are tails of its wire form at label boundaries, so no Name is built per probe; the
// root is skipped (insert() never stores it).
std::optional<NegativeHit> NegativeCache::find_nxdomain_cut(const zone::Name& name,
                                                            std::uint16_t rclass,
                                                            Store::Mode mode) {
  zone::Name lower = name.lowercased();
  std::span<const std::uint8_t> wire = lower.wire();
  for (std::size_t pos = 0; wire[pos] != 0; pos += 1 + wire[pos]) {
    auto hit = store_.lookup(negative_key(wire.subspan(pos), kNxDomainType, rclass), mode);
    if (hit) return NegativeHit{std::move(hit->value), hit->ttl, hit->stale, hit->prefetch};
  }
  return std::nullopt;
}

std::size_t NegativeCache::flush(const zone::Name& name) {
  return store_.erase_if([&name](const std::shared_ptr<const CachedNegative>& entry) {
    return entry->answer.name.is_subdomain_of(name);
  });
}

void NegativeCache::flush_all() {
  store_.clear();
}

void NegativeCache::dump(
    const std::function<void(const CachedNegative&, std::uint32_t ttl, bool stale)>& visit) const {
  store_.visit([&visit](const std::shared_ptr<const CachedNegative>& entry, std::uint32_t ttl,
                        bool stale) { visit(*entry, ttl, stale); });
}

std::string negative_to_text(const CachedNegative& entry, std::uint32_t ttl) {
  const NegativeAnswer& a = entry.answer;
  std::string out = "; ";
  if (a.kind == NegativeKind::kNxDomain) {
    out += "NXDOMAIN " + a.name.to_text();
  } else {
    out += "NODATA " + a.name.to_text() + " " + zone::type_to_text(a.type);
  }
  out += " " + std::to_string(ttl) + "\n";
  out += zone::record_to_text(a.soa_owner, zone::rr_type::SOA, a.rclass, ttl, a.soa_rdata);
  out += '\n';
  return out;
}

}  // namespace hayate::server::resolver
