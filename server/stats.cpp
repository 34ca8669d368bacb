#include "server/stats.hpp"

namespace hayate::server {
namespace {

template <std::size_t N>
void add_all(std::array<std::uint64_t, N>& into,
             const std::array<std::atomic<std::uint64_t>, N>& from) {
  for (std::size_t i = 0; i < N; ++i)
    into[i] += from[i].load(std::memory_order_relaxed);
}

std::uint64_t read(const std::atomic<std::uint64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

}  // namespace

StatsSnapshot sum_stats(const std::vector<const WorkerStats*>& workers) {
  StatsSnapshot total;
  for (const WorkerStats* w : workers) {
    add_all(total.queries_by_transport, w->queries_by_transport);
    add_all(total.responses_by_rcode, w->responses_by_rcode);
    add_all(total.queries_by_qtype, w->queries_by_qtype);
    total.responses_other_rcode += read(w->responses_other_rcode);
    total.queries_other_qtype += read(w->queries_other_qtype);
    total.answers_from_cache += read(w->answers_from_cache);
    total.dropped += read(w->dropped);
    total.truncated += read(w->truncated);
    total.resolver_cache_answers += read(w->resolver_cache_answers);
    total.resolver_refused += read(w->resolver_refused);
    total.upstream_queries += read(w->upstream_queries);
    total.upstream_failures += read(w->upstream_failures);
    total.stale_answers += read(w->stale_answers);
    total.resolver_overload_drops += read(w->resolver_overload_drops);
    total.dns64_synthesized += read(w->dns64_synthesized);
    total.aaaa_filtered += read(w->aaaa_filtered);
    total.ecs_queries += read(w->ecs_queries);
    total.ecs_tailored_answers += read(w->ecs_tailored_answers);
    total.ecs_queries_sent += read(w->ecs_queries_sent);
    total.ecs_tailored_cached += read(w->ecs_tailored_cached);
    total.ecs_cache_hits += read(w->ecs_cache_hits);
    total.ecs_cache_misses += read(w->ecs_cache_misses);
  }
  return total;
}

}  // namespace hayate::server
