// Forwarding mode: every question goes, with RD=1, to the upstream resolvers of its forward zone
// (forward_table.hpp), one after the other until one gives a usable answer.
//
// - Failover: a timeout, network error, unusable response, SERVFAIL, REFUSED, FORMERR or NOTIMP
//   moves on to the next upstream. The transport reports timeouts to the infra cache (which marks
//   a server down after a few in a row); REFUSED marks the server lame for that forward zone for
//   a while. Servers marked down or lame are tried last rather than first, so a dead upstream
//   costs one timeout, not one per question.
// - What is believed (RFC 5452 §6, applied to a forwarder): the transport has already matched ID,
//   source and question; only the answer section's chain from the question's name (CNAME, DNAME,
//   then the data) is kept and cached, with answer trust (RFC 2181 §5.4.1); an NXDOMAIN/NODATA is
//   cached with the SOA of the authority section when that SOA is at or above the name (RFC 2308
//   §5: TTL min(SOA TTL, MINIMUM), capped by cache-max-negative-ttl).
// - Serve-stale (RFC 8767 §4): when every upstream failed, expired data still kept answers, TTL 30.
// - Identical concurrent questions (name, type, class) share one upstream exchange: later callers
//   wait for the first one's result.
// - EDNS Client Subnet (RFC 7871, ecs_policy.hpp): the question's subnet goes only to upstreams
//   on the ecs-upstreams list. Their option must echo it (§7.3) or the response is dropped (the
//   next upstream is asked); REFUSED or FORMERR to ECS is retried at once without it and the
//   upstream remembered. An answer with SCOPE > 0 is tailored: not put in the RRset cache, its
//   scope returned for the resolver stage to keep per subnet.
//
// Per worker (transport and in-flight map are single-threaded); the caches are shared.
#pragma once

#include <utility>  // before asio's awaitable with g++ 12 and Boost 1.74

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "server/resolver/ecs_policy.hpp"
#include "server/resolver/forward_table.hpp"
#include "server/resolver/infra_cache.hpp"
#include "server/resolver/negative_cache.hpp"
#include "server/resolver/resolver.hpp"
#include "server/resolver/rrset_cache.hpp"
#include "server/resolver/upstream.hpp"
#include "server/stats.hpp"
#include "zone/response_view.hpp"

namespace hayate::server::resolver {

struct ForwarderOptions {
  std::chrono::milliseconds timeout{5000};  // per client question, all upstreams together
  bool serve_stale = true;                  // RFC 8767
  std::chrono::seconds refused_avoid{60};   // how long a REFUSED upstream goes to the back
  std::uint16_t udp_payload_size = 1232;    // EDNS size we offer upstream
};

struct ForwarderServices {
  UpstreamTransport& transport;
  RrsetCache& rrsets;
  NegativeCache& negatives;
  InfraCache& infra;
  WorkerStats* stats = nullptr;      // upstream failures are counted here when given
  const EcsSettings* ecs = nullptr;  // null: never send ECS
};

class Forwarder final : public Resolver {
 public:
  Forwarder(ForwarderServices services, std::shared_ptr<const ForwardTable> table,
            ForwarderOptions options = {});
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  boost::asio::awaitable<ResolveResult> resolve(Question question) override;

  std::size_t in_flight() const { return pending_.size(); }

 private:
  struct Pending;
  using Clock = std::chrono::steady_clock;

  boost::asio::awaitable<ResolveResult> wait_for(Pending& pending);
  boost::asio::awaitable<ResolveResult> forward(const Question& question);
  boost::asio::awaitable<std::optional<ResolveResult>> ask(
      const Question& question, const ForwardZone& zone, const UpstreamAddress& server,
      std::chrono::milliseconds budget, unsigned& queries, unsigned& ecs_queries);
  std::vector<UpstreamAddress> order(const ForwardZone& zone);
  ResolveResult accept(const zone::ResponseView& view, const Question& question,
                       std::uint8_t ecs_scope);
  void cache_negative(const zone::ResponseView& view, const zone::Name& name,
                      const Question& question, ResolveResult& result);
  void count_failure();

  ForwarderServices services_;
  std::shared_ptr<const ForwardTable> table_;
  ForwarderOptions options_;
  std::unordered_map<std::string, std::shared_ptr<Pending>> pending_;
};

}  // namespace hayate::server::resolver
