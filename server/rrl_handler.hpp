// Response rate limiting in a worker's handler chain: wraps the query pipeline and passes each UDP
// response through the shared ResponseRateLimiter (server/rrl) once it is known, sending it,
// dropping it, or sending the empty TC=1 slip reply instead. Deferred answers (the resolver) are
// judged when they are sent, through a wrapping sink.
//
// TCP is never limited: a TCP client has completed a handshake, so its address is real and no
// victim is flooded (BIND, Knot and NSD limit UDP only). The XDP fast path has its own limiter in
// the kernel for the answers it sends itself.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "server/query_handler.hpp"
#include "server/rrl.hpp"

namespace hayate::server {

// Shared by every worker's handler; outlives them through shared ownership (deferred answers
// can arrive late).
struct RrlCounters {
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> slipped{0};
  std::atomic<std::uint64_t> log_only{0};  // would have been dropped or slipped ([rrl] log-only)
};

class RrlHandler final : public QueryHandler {
 public:
  using Clock = std::function<ResponseRateLimiter::Clock::time_point()>;

  // `inner` must outlive the handler. `clock` defaults to steady_clock::now (tests inject one).
  RrlHandler(QueryHandler& inner, std::shared_ptr<RrlCounters> counters, Clock clock = {});

  // The limiter to use from now on; null: no limiting. Call on the worker's thread (a reload
  // posts it there); answers deferred earlier keep the limiter they started with.
  void set_limiter(std::shared_ptr<ResponseRateLimiter> limiter) { limiter_ = std::move(limiter); }

  using QueryHandler::handle;
  void prefetch(std::span<const std::uint8_t> query) override { inner_.prefetch(query); }
  void handle(std::span<const std::uint8_t> query, const ClientInfo& client, EmitResponse emit,
              DeferResponse defer) override;

  // What happens to one response: passes it (or its slip reply) to `send`, or nothing.
  static void filter(ResponseRateLimiter& limiter, RrlCounters& counters,
                     ResponseRateLimiter::Clock::time_point now,
                     std::span<const std::uint8_t> response, const ClientInfo& client,
                     EmitResponse send);

 private:
  QueryHandler& inner_;
  std::shared_ptr<RrlCounters> counters_;
  Clock clock_;
  std::shared_ptr<ResponseRateLimiter> limiter_;
};

}  // namespace hayate::server
