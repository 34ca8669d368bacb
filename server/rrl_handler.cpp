#include "server/rrl_handler.hpp"

#include <array>

#include "server/rrl_response.hpp"

namespace hayate::server {
namespace {

void count(std::atomic<std::uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);  // several workers share these
}

// A deferred UDP answer, judged when it is sent.
class RateLimitedSink final : public ResponseSink {
 public:
  RateLimitedSink(std::shared_ptr<ResponseSink> inner, std::shared_ptr<ResponseRateLimiter> limiter,
                  std::shared_ptr<RrlCounters> counters, RrlHandler::Clock clock,
                  const ClientInfo& client)
      : inner_(std::move(inner)),
        limiter_(std::move(limiter)),
        counters_(std::move(counters)),
        clock_(std::move(clock)),
        client_(client) {}

  void send(std::span<const std::uint8_t> message) override {
    RrlHandler::filter(*limiter_, *counters_, clock_(), message, client_,
                       [this](std::span<const std::uint8_t> out) { inner_->send(out); });
  }

 private:
  std::shared_ptr<ResponseSink> inner_;
  std::shared_ptr<ResponseRateLimiter> limiter_;
  std::shared_ptr<RrlCounters> counters_;
  RrlHandler::Clock clock_;
  ClientInfo client_;
};

}  // namespace

RrlHandler::RrlHandler(QueryHandler& inner, std::shared_ptr<RrlCounters> counters, Clock clock)
    : inner_(inner), counters_(std::move(counters)), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return ResponseRateLimiter::Clock::now(); };
}

void RrlHandler::handle(std::span<const std::uint8_t> query, const ClientInfo& client,
                        EmitResponse emit, DeferResponse defer) {
  if (!limiter_ || client.transport != Transport::kUdp ||
      limiter_->settings().exempt.allows(client.address)) {
    inner_.handle(query, client, emit, defer);
    return;
  }
  inner_.handle(
      query, client,
      [&](std::span<const std::uint8_t> message) {
        filter(*limiter_, *counters_, clock_(), message, client, emit);
      },
      [&]() -> std::shared_ptr<ResponseSink> {
        auto sink = defer();
        if (!sink) return sink;
        return std::make_shared<RateLimitedSink>(std::move(sink), limiter_, counters_, clock_,
                                                 client);
      });
}

void RrlHandler::filter(ResponseRateLimiter& limiter, RrlCounters& counters,
                        ResponseRateLimiter::Clock::time_point now,
                        std::span<const std::uint8_t> response, const ClientInfo& client,
                        EmitResponse send) {
  const auto classification = classify_response(response, client.address, limiter.settings());
  if (!classification) {
    send(response);
    return;
  }
  const RrlAction action = limiter.decide(classification->key, now);
  if (action == RrlAction::kSend) {
    send(response);
    return;
  }
  if (limiter.settings().log_only) {
    count(counters.log_only);
    send(response);
    return;
  }
  if (action == RrlAction::kDrop) {
    count(counters.dropped);
    return;
  }
  std::array<std::uint8_t, kMaxSlipSize> slip;
  const std::size_t size = render_slip(response, *classification, slip);
  if (size == 0) {
    count(counters.dropped);
    return;
  }
  count(counters.slipped);
  send(std::span<const std::uint8_t>(slip.data(), size));
}

}  // namespace hayate::server
