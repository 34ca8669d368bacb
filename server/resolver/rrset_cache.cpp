#include "server/resolver/rrset_cache.hpp"

#include "zone/rr_text.hpp"

namespace hayate::server::resolver {
namespace {

// The heap behind one RRset: the object, its shared_ptr control block, the owner's wire and
// every rdata vector.
std::size_t rrset_bytes(const CachedRRset& rrset) {
  std::size_t bytes = sizeof(CachedRRset) + 2 * sizeof(void*) + rrset.owner.wire_length();
  for (const zone::Rdata& rdata : rrset.rdatas)
    bytes += sizeof(zone::Rdata) + rdata.size();
  return bytes;
}

}  // namespace

Trust trust_for(zone::Section section, bool authoritative) {
  switch (section) {
    case zone::Section::kAnswer:
      return authoritative ? Trust::kAuthAnswer : Trust::kAnswer;
    case zone::Section::kAuthority:
      return authoritative ? Trust::kAuthAuthority : Trust::kAuthority;
    case zone::Section::kAdditional:
      break;
  }
  return Trust::kAdditional;
}

const char* trust_name(Trust trust) {
  switch (trust) {
    case Trust::kAdditional:
      return "additional";
    case Trust::kAuthority:
      return "authority";
    case Trust::kAnswer:
      return "answer";
    case Trust::kAuthAuthority:
      return "auth-authority";
    case Trust::kAuthAnswer:
      return "auth-answer";
  }
  return "unknown";
}

std::string rrset_cache_key(const zone::Name& owner, std::uint16_t type, std::uint16_t rclass) {
  std::string key;
  key.reserve(owner.wire_length() + 4);
  for (std::uint8_t c : owner.wire())
    key.push_back(static_cast<char>(zone::ascii_lower(c)));
  key.push_back(static_cast<char>(type >> 8));
  key.push_back(static_cast<char>(type));
  key.push_back(static_cast<char>(rclass >> 8));
  key.push_back(static_cast<char>(rclass));
  return key;
}

RrsetCache::RrsetCache(const CacheConfig& config, ClockFunction clock)
    : config_(config), store_(config, std::move(clock)) {}

bool RrsetCache::insert(const zone::Name& owner, std::uint16_t type, std::uint16_t rclass,
                        std::uint32_t ttl, std::vector<zone::Rdata> rdatas, Trust trust) {
  std::uint32_t kept_ttl = clamp_positive_ttl(config_, ttl);
  if (kept_ttl == 0 || rdatas.empty()) return false;
  auto rrset = std::make_shared<CachedRRset>(
      CachedRRset{owner, type, rclass, kept_ttl, trust, std::move(rdatas)});
  std::size_t bytes = rrset_bytes(*rrset);
  auto keep_existing = [trust](const std::shared_ptr<const CachedRRset>& old, bool fresh) {
    return fresh && old->trust > trust;
  };
  return store_.insert(rrset_cache_key(owner, type, rclass), std::move(rrset), kept_ttl, bytes,
                       keep_existing);
}

std::optional<RRsetHit> RrsetCache::lookup(const zone::Name& owner, std::uint16_t type,
                                           std::uint16_t rclass, std::uint32_t earlier_uses) {
  return find(owner, type, rclass, Store::Mode::kFresh, earlier_uses);
}

std::optional<RRsetHit> RrsetCache::lookup_stale(const zone::Name& owner, std::uint16_t type,
                                                 std::uint16_t rclass) {
  return find(owner, type, rclass, Store::Mode::kStaleToo);
}

std::optional<RRsetHit> RrsetCache::find(const zone::Name& owner, std::uint16_t type,
                                         std::uint16_t rclass, Store::Mode mode,
                                         std::uint32_t earlier_uses) {
  auto hit = store_.lookup(rrset_cache_key(owner, type, rclass), mode, earlier_uses);
  if (!hit) return std::nullopt;
  return RRsetHit{std::move(hit->value), hit->ttl, hit->stale, hit->prefetch};
}

std::size_t RrsetCache::flush(const zone::Name& name) {
  return store_.erase_if([&name](const std::shared_ptr<const CachedRRset>& rrset) {
    return rrset->owner.is_subdomain_of(name);
  });
}

void RrsetCache::flush_all() {
  store_.clear();
}

void RrsetCache::dump(
    const std::function<void(const CachedRRset&, std::uint32_t ttl, bool stale)>& visit) const {
  store_.visit([&visit](const std::shared_ptr<const CachedRRset>& rrset, std::uint32_t ttl,
                        bool stale) { visit(*rrset, ttl, stale); });
}

std::string rrset_to_text(const CachedRRset& rrset, std::uint32_t ttl) {
  std::string out;
  for (const zone::Rdata& rdata : rrset.rdatas) {
    out += zone::record_to_text(rrset.owner, rrset.type, rrset.rclass, ttl, rdata);
    out += '\n';
  }
  return out;
}

}  // namespace hayate::server::resolver
