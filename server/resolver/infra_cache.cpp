#include "server/resolver/infra_cache.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hayate::server::resolver {

namespace {

double ms(std::chrono::milliseconds d) {
  return static_cast<double>(d.count());
}

}  // namespace

InfraCache::InfraCache(InfraOptions options, ClockFunction clock)
    : options_(options), clock_(std::move(clock)) {}

// ---- measurements ----

void InfraCache::record_rtt(const UpstreamAddress& server, std::chrono::microseconds rtt) {
  std::lock_guard lock(mutex_);
  Entry& e = entry(server, clock_());
  const double sample = static_cast<double>(rtt.count()) / 1000.0;
  if (!e.measured) {
    // RFC 6298 §2.2: the first measurement sets SRTT = R, RTTVAR = R/2.
    e.srtt_ms = sample;
    e.rttvar_ms = sample / 2;
    e.measured = true;
  } else {
    // §2.3 with alpha = 1/8, beta = 1/4; RTTVAR first, from the old SRTT.
    e.rttvar_ms = 0.75 * e.rttvar_ms + 0.25 * std::fabs(e.srtt_ms - sample);
    e.srtt_ms = 0.875 * e.srtt_ms + 0.125 * sample;
  }
  // A new sample ends any backoff (§5.7 keeps the backed-off RTO only until then).
  e.rto_ms = std::clamp(e.srtt_ms + 4 * e.rttvar_ms, ms(options_.min_rto), ms(options_.max_rto));
  e.consecutive_timeouts = 0;
  e.down_until = {};
}

void InfraCache::record_timeout(const UpstreamAddress& server, bool edns) {
  std::lock_guard lock(mutex_);
  const Clock::time_point now = clock_();
  Entry& e = entry(server, now);
  // RFC 6298 §5.5: back off the timer, up to the maximum.
  e.rto_ms = std::min(2 * timeout_ms(e), ms(options_.max_rto));
  ++e.consecutive_timeouts;
  if (edns) ++e.edns_timeouts;
  if (e.consecutive_timeouts >= options_.down_after_timeouts) {
    // Down for down_base, doubled per further timeout: a dead server costs one probe per period
    // instead of one timeout per query.
    const unsigned extra = std::min(e.consecutive_timeouts - options_.down_after_timeouts, 16u);
    const auto hold =
        std::min<std::chrono::seconds>(options_.down_base * (1u << extra), options_.down_max);
    e.down_until = now + hold;
  }
}

std::chrono::milliseconds InfraCache::timeout_for(const UpstreamAddress& server) {
  std::lock_guard lock(mutex_);
  const Entry* e = find(server, clock_());
  const double timeout = e ? timeout_ms(*e) : ms(options_.unknown_timeout);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(timeout)));
}

double InfraCache::timeout_ms(const Entry& e) const {
  return e.rto_ms > 0 ? e.rto_ms : ms(options_.unknown_timeout);
}

// ---- EDNS ----

void InfraCache::record_edns(const UpstreamAddress& server, EdnsSupport support) {
  std::lock_guard lock(mutex_);
  Entry& e = entry(server, clock_());
  e.edns = support;
  e.edns_timeouts = 0;
}

EdnsSupport InfraCache::edns_support(const UpstreamAddress& server) {
  std::lock_guard lock(mutex_);
  const Entry* e = find(server, clock_());
  return e ? e->edns : EdnsSupport::kUnknown;
}

bool InfraCache::use_edns(const UpstreamAddress& server) {
  std::lock_guard lock(mutex_);
  const Entry* e = find(server, clock_());
  if (e == nullptr || e->edns == EdnsSupport::kYes) return true;
  if (e->edns == EdnsSupport::kNo) return false;
  return e->edns_timeouts < options_.edns_timeouts_before_plain;
}

// ---- lameness ----

void InfraCache::mark_lame(const UpstreamAddress& server, const zone::Name& zone,
                           std::chrono::seconds ttl) {
  std::lock_guard lock(mutex_);
  const Clock::time_point now = clock_();
  Entry& e = entry(server, now);
  std::erase_if(e.lame, [&](const LameMark& m) { return m.expires <= now || m.zone == zone; });
  if (e.lame.size() >= options_.max_lame_zones_per_server) e.lame.erase(e.lame.begin());
  e.lame.push_back({zone, now + ttl});
}

bool InfraCache::is_lame(const UpstreamAddress& server, const zone::Name& zone) {
  std::lock_guard lock(mutex_);
  const Clock::time_point now = clock_();
  Entry* e = find(server, now);
  return e != nullptr && lame_for(*e, zone, now);
}

void InfraCache::mark_ecs_unwanted(const UpstreamAddress& server, std::chrono::seconds ttl) {
  std::lock_guard lock(mutex_);
  const Clock::time_point now = clock_();
  entry(server, now).no_ecs_until = now + ttl;
}

bool InfraCache::ecs_unwanted(const UpstreamAddress& server) {
  std::lock_guard lock(mutex_);
  const Clock::time_point now = clock_();
  Entry* e = find(server, now);
  return e != nullptr && e->no_ecs_until > now;
}

bool InfraCache::lame_for(Entry& e, const zone::Name& zone, Clock::time_point now) const {
  return std::any_of(e.lame.begin(), e.lame.end(),
                     [&](const LameMark& m) { return m.expires > now && m.zone == zone; });
}

// ---- selection ----

std::optional<std::size_t> InfraCache::select(std::span<const UpstreamAddress> candidates,
                                              const zone::Name* zone, SecureRandom& random) {
  std::lock_guard lock(mutex_);
  const Clock::time_point now = clock_();
  std::vector<Candidate> usable;
  std::optional<std::size_t> first_back;  // among down servers, the one whose hold ends first
  Clock::time_point first_back_at = Clock::time_point::max();
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    Entry* e = find(candidates[i], now);
    if (e != nullptr && zone != nullptr && lame_for(*e, *zone, now)) continue;
    if (e != nullptr && e->down_until > now) {
      if (e->down_until < first_back_at) {
        first_back_at = e->down_until;
        first_back = i;
      }
      continue;
    }
    usable.push_back({i, estimate_ms(e)});
  }
  if (usable.empty()) return first_back;
  return pick(usable, random);
}

double InfraCache::estimate_ms(const Entry* e) const {
  // Unbound compares RTOs, not SRTTs: a server that just timed out looks as slow as its backoff.
  if (e == nullptr || e->rto_ms <= 0) return ms(options_.unknown_rtt);
  return e->rto_ms;
}

std::size_t InfraCache::pick(const std::vector<Candidate>& usable, SecureRandom& random) const {
  double fastest = std::numeric_limits<double>::max();
  for (const Candidate& c : usable)
    fastest = std::min(fastest, c.estimate_ms);
  std::vector<std::size_t> band;
  std::vector<std::size_t> others;
  for (const Candidate& c : usable) {
    (c.estimate_ms <= fastest + ms(options_.selection_band) ? band : others).push_back(c.index);
  }
  // Exploration: now and then ask a slower server, so that one that got faster is noticed.
  if (!others.empty() && random.uniform(100) < options_.explore_percent) {
    return others[random.uniform(static_cast<std::uint32_t>(others.size()))];
  }
  return band[random.uniform(static_cast<std::uint32_t>(band.size()))];
}

// ---- entries and LRU ----

std::optional<ServerInfo> InfraCache::info(const UpstreamAddress& server) {
  std::lock_guard lock(mutex_);
  const Clock::time_point now = clock_();
  const Entry* e = find(server, now);
  if (e == nullptr) return std::nullopt;
  ServerInfo out;
  out.measured = e->measured;
  out.srtt_ms = e->srtt_ms;
  out.rttvar_ms = e->rttvar_ms;
  out.rto = std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(timeout_ms(*e))));
  out.consecutive_timeouts = e->consecutive_timeouts;
  out.down = e->down_until > now;
  out.edns = e->edns;
  return out;
}

std::size_t InfraCache::size() const {
  std::lock_guard lock(mutex_);
  return index_.size();
}

void InfraCache::clear() {
  std::lock_guard lock(mutex_);
  index_.clear();
  lru_.clear();
}

InfraCache::Entry* InfraCache::find(const UpstreamAddress& server, Clock::time_point now) {
  auto it = index_.find(server);
  if (it == index_.end()) return nullptr;
  if (now - it->second->updated > options_.host_ttl) {
    lru_.erase(it->second);
    index_.erase(it);
    return nullptr;
  }
  return &*it->second;
}

InfraCache::Entry& InfraCache::entry(const UpstreamAddress& server, Clock::time_point now) {
  if (find(server, now) == nullptr) {
    while (!lru_.empty() && lru_.size() >= options_.max_servers)
      evict_oldest();
    Entry fresh;
    fresh.server = server;
    fresh.updated = now;
    lru_.push_front(std::move(fresh));
    index_.emplace(server, lru_.begin());
  }
  auto it = index_.at(server);
  lru_.splice(lru_.begin(), lru_, it);  // most recently used first; iterators stay valid
  it->updated = now;
  return *it;
}

void InfraCache::evict_oldest() {
  index_.erase(lru_.back().server);
  lru_.pop_back();
}

}  // namespace hayate::server::resolver
