#include "server/rrl.hpp"

#include <algorithm>

namespace hayate::server {

std::uint32_t RrlSettings::rate(RrlCategory category) const {
  switch (category) {
    case RrlCategory::kAnswer:
    case RrlCategory::kNodata:  // BIND's nodata-per-second defaults to responses-per-second
      return responses_per_second;
    case RrlCategory::kNxdomain:
      return nxdomains_per_second;
    case RrlCategory::kReferral:
      return referrals_per_second;
    case RrlCategory::kError:
      return errors_per_second;
  }
  return 0;
}

std::size_t ResponseRateLimiter::KeyHash::operator()(const RrlKey& key) const {
  // FNV-1a over the fields: the name is already a hash, the rest is a few octets.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::uint64_t value, int octets) {
    for (int i = 0; i < octets; ++i) {
      h = (h ^ ((value >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
    }
  };
  for (std::uint8_t octet : key.prefix)
    mix(octet, 1);
  mix(key.family, 1);
  mix(static_cast<std::uint8_t>(key.category), 1);
  mix(key.qtype, 2);
  mix(key.name_hash, 8);
  return static_cast<std::size_t>(h);
}

ResponseRateLimiter::ResponseRateLimiter(RrlSettings settings)
    : settings_(std::move(settings)),
      per_shard_(std::max<std::size_t>(1, settings_.max_entries / kShards)) {
  settings_.window = std::max<std::uint32_t>(1, settings_.window);
}

std::size_t ResponseRateLimiter::entries() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.index.size();
  }
  return total;
}

RrlAction ResponseRateLimiter::decide(const RrlKey& key, Clock::time_point now) {
  const std::int64_t rate = settings_.rate(key.category);
  if (rate == 0) return RrlAction::kSend;
  Shard& shard = shards_[KeyHash{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  Entry& entry = find_or_add(shard, key, now);
  credit(entry, rate, now);
  entry.balance = std::max(entry.balance - kUnit, -rate * kUnit * settings_.window);
  if (entry.balance >= 0) return RrlAction::kSend;
  ++entry.limited;
  if (settings_.slip != 0 && entry.limited % settings_.slip == 0) return RrlAction::kSlip;
  return RrlAction::kDrop;
}

ResponseRateLimiter::Entry& ResponseRateLimiter::find_or_add(Shard& shard, const RrlKey& key,
                                                             Clock::time_point now) {
  if (auto it = shard.index.find(key); it != shard.index.end()) {
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);  // now the most recent
    return *it->second;
  }
  if (shard.index.size() >= per_shard_) {
    shard.index.erase(shard.lru.back().key);
    shard.lru.pop_back();
  }
  // A new key starts with a full second's budget, as if it had been idle for the window.
  shard.lru.push_front(Entry{key, settings_.rate(key.category) * kUnit, now, 0});
  shard.index.emplace(key, shard.lru.begin());
  return shard.lru.front();
}

void ResponseRateLimiter::credit(Entry& entry, std::int64_t rate, Clock::time_point now) const {
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - entry.last).count();
  if (elapsed <= 0) return;  // same millisecond (or a clock that went back): no credit
  entry.last = now;
  if (elapsed >= static_cast<std::int64_t>(settings_.window) * 1000) {
    entry.balance = rate * kUnit;  // quiet for a whole window: forgiven
    entry.limited = 0;
    return;
  }
  // rate responses per second = rate thousandths of a response per millisecond.
  entry.balance = std::min(entry.balance + rate * elapsed, rate * kUnit);
}

}  // namespace hayate::server
