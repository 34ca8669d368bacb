#include "server/resolver/resolver_shared.hpp"

#include <sstream>

namespace hayate::server::resolver {
namespace {

void add_lines(std::vector<std::string>& out, const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    out.push_back(std::move(line));
}

}  // namespace

ResolverShared::ResolverShared(ResolverSettings settings, ClockFunction clock)
    : settings_(std::move(settings)),
      rrsets_(settings_.rrset_cache, clock),
      negatives_(settings_.negative_cache, clock),
      subnets_(settings_.rrset_cache, settings_.ecs.max_subnets_per_name, clock),
      pending_(settings_.max_pending, settings_.max_pending_per_client),
      forward_table_(
          std::make_shared<const ForwardTable>(settings_.forward, settings_.forward_zones)),
      clock_(std::move(clock)) {}

CacheEpoch ResolverShared::epoch() const {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
  return {static_cast<std::uint32_t>(seconds), generation_.load(std::memory_order_acquire)};
}

std::size_t ResolverShared::flush(const zone::Name* name) {
  generation_.fetch_add(1, std::memory_order_release);
  if (name != nullptr)
    return rrsets_.flush(*name) + negatives_.flush(*name) + subnets_.flush(*name);
  const std::size_t count = rrsets_.size() + negatives_.size() + subnets_.size();
  rrsets_.flush_all();
  negatives_.flush_all();
  subnets_.flush_all();
  return count;
}

std::vector<std::string> ResolverShared::dump() const {
  std::vector<std::string> lines;
  rrsets_.dump([&lines](const CachedRRset& rrset, std::uint32_t ttl, bool stale) {
    if (stale) lines.push_back("; stale");
    add_lines(lines, rrset_to_text(rrset, ttl));
  });
  negatives_.dump([&lines](const CachedNegative& entry, std::uint32_t ttl, bool stale) {
    if (stale) lines.push_back("; stale");
    add_lines(lines, negative_to_text(entry, ttl));
  });
  subnets_.dump([&lines](const TailoredSet&, const TailoredAnswer& entry, std::uint32_t age) {
    lines.push_back("; subnet " + subnet_to_text(entry.subnet));
    for (const zone::ResponseRRset& rrset : entry.answer) {
      CachedRRset shown{rrset.owner, rrset.type,     rrset.rclass,
                        rrset.ttl,   Trust::kAnswer, rrset.rdatas};
      add_lines(lines, rrset_to_text(shown, rrset.ttl > age ? rrset.ttl - age : 0));
    }
  });
  return lines;
}

}  // namespace hayate::server::resolver
