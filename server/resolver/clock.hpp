// Time for the resolver caches: a function returning steady-clock time (the same shape InfraCache
// takes), so tests drive expiry with a ManualClock instead of sleeping.
#pragma once

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
