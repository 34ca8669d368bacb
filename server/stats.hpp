// Query counters. Each worker owns one WorkerStats and is its only writer (relaxed atomics, no
// contention); the control thread sums all workers' counters when asked.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "server/query_handler.hpp"

namespace hayate::server {

struct WorkerStats {
  static constexpr std::size_t kRcodes = 24;   // RFC 6895 §2.3 assigned rcodes fit below 24
  static constexpr std::size_t kQtypes = 256;  // qtypes above 255 are counted as "other"

  std::array<std::atomic<std::uint64_t>, 2> queries_by_transport{};  // indexed by Transport
  std::array<std::atomic<std::uint64_t>, kRcodes> responses_by_rcode{};
  std::atomic<std::uint64_t> responses_other_rcode{0};
  std::array<std::atomic<std::uint64_t>, kQtypes> queries_by_qtype{};
  std::atomic<std::uint64_t> queries_other_qtype{0};
  std::atomic<std::uint64_t> answers_from_cache{0};
  std::atomic<std::uint64_t> dropped{0};    // malformed beyond an answer, or policy drops
  std::atomic<std::uint64_t> truncated{0};  // responses sent with TC=1
  // The resolver (names in none of our zones).
  std::atomic<std::uint64_t> resolver_cache_answers{0};  // answered from its RRset/negative cache
  std::atomic<std::uint64_t> resolver_refused{0};        // clients outside [resolver] allow
  std::atomic<std::uint64_t> upstream_queries{0};        // questions sent to upstream servers
  std::atomic<std::uint64_t> upstream_failures{0};  // timeouts, network errors, SERVFAIL, REFUSED
  std::atomic<std::uint64_t> stale_answers{0};      // served expired (RFC 8767)
  std::atomic<std::uint64_t> resolver_overload_drops{0};  // over [resolver] max-pending limits
  // [[dns64]] policies: answers made (not answer-cache hits) with synthesized records, and with
  // AAAA records or ipv6hint removed by the filter.
  std::atomic<std::uint64_t> dns64_synthesized{0};
  std::atomic<std::uint64_t> aaaa_filtered{0};
  // EDNS Client Subnet (RFC 7871), authoritative side.
  std::atomic<std::uint64_t> ecs_queries{0};  // valid ECS from a trusted resolver
  std::atomic<std::uint64_t> ecs_tailored_answers{
      0};  // of those, for names whose answer differs by view
  // EDNS Client Subnet on the resolver side (RFC 7871).
  std::atomic<std::uint64_t> ecs_queries_sent{0};     // upstream queries that carried ECS
  std::atomic<std::uint64_t> ecs_tailored_cached{0};  // answers with SCOPE > 0 cached per subnet
  std::atomic<std::uint64_t> ecs_cache_hits{0};       // tailored answer found for the subnet
  std::atomic<std::uint64_t> ecs_cache_misses{0};     // tailored name, none for this subnet

  static void bump(std::atomic<std::uint64_t>& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void count_query(Transport transport, std::uint16_t qtype) {
    bump(queries_by_transport[static_cast<std::size_t>(transport)]);
    bump(qtype < kQtypes ? queries_by_qtype[qtype] : queries_other_qtype);
  }
  void count_response(std::uint16_t rcode) {
    bump(rcode < kRcodes ? responses_by_rcode[rcode] : responses_other_rcode);
  }
};

// A plain copy of the summed counters, for status output and metrics.
struct StatsSnapshot {
  std::array<std::uint64_t, 2> queries_by_transport{};
  std::array<std::uint64_t, WorkerStats::kRcodes> responses_by_rcode{};
  std::uint64_t responses_other_rcode = 0;
  std::array<std::uint64_t, WorkerStats::kQtypes> queries_by_qtype{};
  std::uint64_t queries_other_qtype = 0;
  std::uint64_t answers_from_cache = 0;
  std::uint64_t dropped = 0;
  std::uint64_t truncated = 0;
  std::uint64_t resolver_cache_answers = 0;
  std::uint64_t resolver_refused = 0;
  std::uint64_t upstream_queries = 0;
  std::uint64_t upstream_failures = 0;
  std::uint64_t stale_answers = 0;
  std::uint64_t resolver_overload_drops = 0;
  std::uint64_t dns64_synthesized = 0;
  std::uint64_t aaaa_filtered = 0;
  std::uint64_t ecs_queries = 0;
  std::uint64_t ecs_tailored_answers = 0;
  std::uint64_t ecs_queries_sent = 0;
  std::uint64_t ecs_tailored_cached = 0;
  std::uint64_t ecs_cache_hits = 0;
  std::uint64_t ecs_cache_misses = 0;
  // [rrl]: UDP responses the rate limiter dropped, sent as TC=1 slips, or (log-only) let pass.
  // They are counted in responses_by_rcode too: they were made before being limited.
  std::uint64_t rrl_dropped = 0;
  std::uint64_t rrl_slipped = 0;
  std::uint64_t rrl_log_only = 0;
};

StatsSnapshot sum_stats(const std::vector<const WorkerStats*>& workers);

}  // namespace hayate::server
