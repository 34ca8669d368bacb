// What the resolver has learnt about each upstream server: round-trip time, timeouts, EDNS
// support and lameness, and the choice of which server to ask next.
//
// Modelled on Unbound's infra cache (services/cache/infra.c) with RFC 6298 arithmetic:
// - RTT: srtt and rttvar per server, RTO = srtt + 4·rttvar clamped to [50 ms, 3 s] (§2); a
//   timeout doubles the RTO (§5.5) and, after a few in a row, marks the server down for a while
//   (exponentially longer each time) so that it is only probed, not relied on.
// - EDNS: unknown until a server answers an EDNS query (yes) or fails it with FORMERR/NOTIMP or
//   stays silent to EDNS and then answers without it (no), RFC 6891 §7.
// - Lame marks per (server, zone) with an expiry (RFC 4697 §2.1: remember, but not forever).
// - ECS refusal: a server that answered REFUSED or FORMERR to a query with EDNS Client Subnet is
//   asked without it for a while (RFC 7871 §7.1: some servers reject an option they dislike).
// - Selection: random among the servers whose estimate is within 400 ms of the fastest, unknown
//   servers counting 376 ms (so they are tried early), plus a little exploration of the others.
//
// Shared by all workers behind one mutex; bounded by an LRU, and entries not updated for
// host_ttl are forgotten (a server's network position changes; it should be measured again).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "server/resolver/secure_random.hpp"
#include "server/resolver/upstream_address.hpp"
#include "zone/name.hpp"

namespace hayate::server::resolver {

enum class EdnsSupport : std::uint8_t { kUnknown, kYes, kNo };

struct InfraOptions {
  std::size_t max_servers = 10000;
  std::chrono::seconds host_ttl{900};              // Unbound's infra-host-ttl
  std::chrono::milliseconds unknown_rtt{376};      // selection estimate before any sample
  std::chrono::milliseconds unknown_timeout{800};  // first query's timeout before any sample
  std::chrono::milliseconds min_rto{50};
  std::chrono::milliseconds max_rto{3000};
  std::chrono::milliseconds selection_band{400};  // random choice within fastest + band
  unsigned down_after_timeouts = 3;               // consecutive timeouts
  std::chrono::seconds down_base{5};              // first down period, doubled after that
  std::chrono::seconds down_max{120};
  unsigned explore_percent = 5;             // picks outside the band, for re-measuring
  unsigned edns_timeouts_before_plain = 2;  // RFC 6891 §7: then try without EDNS
  std::size_t max_lame_zones_per_server = 16;
};

// A copy of one server's entry, for tests and for `hayatectl` dumps.
struct ServerInfo {
  bool measured = false;  // at least one RTT sample
  double srtt_ms = 0;
  double rttvar_ms = 0;
  std::chrono::milliseconds rto{0};  // current timeout, backoff included
  unsigned consecutive_timeouts = 0;
  bool down = false;
  EdnsSupport edns = EdnsSupport::kUnknown;
};

class InfraCache {
 public:
  using Clock = std::chrono::steady_clock;
  using ClockFunction = std::function<Clock::time_point()>;

  explicit InfraCache(InfraOptions options = {}, ClockFunction clock = &Clock::now);
  InfraCache(const InfraCache&) = delete;
  InfraCache& operator=(const InfraCache&) = delete;

  // ---- measurements (the transport reports every exchange) ----
  void record_rtt(const UpstreamAddress& server, std::chrono::microseconds rtt);
  // `edns` says whether the unanswered query carried OPT (it counts towards the EDNS fallback).
  void record_timeout(const UpstreamAddress& server, bool edns);
  // The timeout to use for the next query to `server` (its RTO, or unknown_timeout).
  std::chrono::milliseconds timeout_for(const UpstreamAddress& server);

  // ---- EDNS (RFC 6891 §7) ----
  void record_edns(const UpstreamAddress& server, EdnsSupport support);
  EdnsSupport edns_support(const UpstreamAddress& server);
  // False when the server is known not to do EDNS, or when it is unknown and its last EDNS
  // queries all went unanswered (then a plain query finds out whether EDNS is the problem).
  bool use_edns(const UpstreamAddress& server);

  // ---- lameness (per server and zone) ----
  void mark_lame(const UpstreamAddress& server, const zone::Name& zone, std::chrono::seconds ttl);
  bool is_lame(const UpstreamAddress& server, const zone::Name& zone);

  // ---- EDNS Client Subnet (RFC 7871) ----
  void mark_ecs_unwanted(const UpstreamAddress& server, std::chrono::seconds ttl);
  bool ecs_unwanted(const UpstreamAddress& server);

  // ---- selection ----
  // Index of the candidate to ask next for `zone` (null: ignore lame marks). Lame servers are
  // never chosen; down servers only when every other candidate is down too (the one that comes
  // back first is probed). nullopt when there is no candidate or all are lame.
  std::optional<std::size_t> select(std::span<const UpstreamAddress> candidates,
                                    const zone::Name* zone, SecureRandom& random);

  std::optional<ServerInfo> info(const UpstreamAddress& server);
  std::size_t size() const;
  void clear();

 private:
  struct LameMark {
    zone::Name zone;
    Clock::time_point expires;
  };
  struct Entry {
    UpstreamAddress server;
    Clock::time_point updated;
    bool measured = false;
    double srtt_ms = 0;
    double rttvar_ms = 0;
    double rto_ms = 0;  // 0 until the first sample or timeout
    unsigned consecutive_timeouts = 0;
    Clock::time_point down_until{};
    EdnsSupport edns = EdnsSupport::kUnknown;
    unsigned edns_timeouts = 0;  // EDNS queries unanswered in a row
    std::vector<LameMark> lame;
    Clock::time_point no_ecs_until{};  // ECS refused: not sent before then
  };
  struct Candidate {
    std::size_t index;
    double estimate_ms;
  };
  using List = std::list<Entry>;

  // The entry for `server`, created (and the LRU trimmed) when missing or expired; most recent.
  Entry& entry(const UpstreamAddress& server, Clock::time_point now);
  Entry* find(const UpstreamAddress& server, Clock::time_point now);
  void evict_oldest();
  double timeout_ms(const Entry& e) const;
  double estimate_ms(const Entry* e) const;
  bool lame_for(Entry& e, const zone::Name& zone, Clock::time_point now) const;
  std::size_t pick(const std::vector<Candidate>& usable, SecureRandom& random) const;

  const InfraOptions options_;
  const ClockFunction clock_;
  mutable std::mutex mutex_;
  List lru_;  // most recently used first
  std::unordered_map<UpstreamAddress, List::iterator, UpstreamAddressHash> index_;
};

}  // namespace hayate::server::resolver
