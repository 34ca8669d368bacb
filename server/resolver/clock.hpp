// Time for the resolver caches: a function returning steady-clock time (the same shape InfraCache
// takes), so tests drive expiry with a ManualClock instead of sleeping.
#pragma once

#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

namespace hayate::server::resolver {

using SteadyTime = std::chrono::steady_clock::time_point;
using ClockFunction = std::function<SteadyTime()>;

inline ClockFunction steady_clock_function() {
  return [] { return std::chrono::steady_clock::now(); };
}

// steady_clock's CLOCK_MONOTONIC as of the kernel's last tick (at most a few milliseconds
// behind, the same epoch): a read of the vDSO's data page, where steady_clock::now() reads the
// TSC through the hypervisor's clock page. The resolver reads the time for every answer it
// sends from the answer cache (to age its TTLs), and that read was ~1% of a worker's CPU here;
// its caches count TTLs in whole seconds.
inline SteadyTime coarse_steady_now() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return SteadyTime(std::chrono::duration_cast<SteadyTime::duration>(
      std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec)));
}

inline ClockFunction coarse_steady_clock_function() {
  return [] { return coarse_steady_now(); };
}

// A clock that moves only when told to; safe to read from several threads.
class ManualClock {
 public:
  SteadyTime now() const { return SteadyTime(std::chrono::nanoseconds(ns_.load())); }
  void advance(std::chrono::nanoseconds by) { ns_.fetch_add(by.count()); }
  // Valid while this ManualClock lives.
  ClockFunction function() const {
    return [this] { return now(); };
  }

 private:
  // Starts well away from the epoch so that "now - age" never goes below it.
  std::atomic<std::int64_t> ns_{std::chrono::nanoseconds(std::chrono::hours(1000)).count()};
};

}  // namespace hayate::server::resolver
