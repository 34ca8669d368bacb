#include "server/resolver/resolver_stage.hpp"

#include <algorithm>
#include <cstdint>
#include <exception>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "server/resolver/cache_answer.hpp"

namespace hayate::server::resolver {
namespace {

namespace asio = boost::asio;

RecursiveAnswer to_answer(ResolveResult&& r) {
  return RecursiveAnswer{r.rcode, std::move(r.answer), std::move(r.soa), r.stale, r.ecs_scope};
}

// How long a fresh answer from the caches may be sent again as rendered (RecursiveAnswer::
// reuse_seconds): until its first record expires. With prefetch on, only for the first 90% of
// that, so that the question reaches the caches again inside the last tenth of the TTL, where
// prefetch acts (CacheStore::take_prefetch).
std::uint32_t reuse_seconds(const RecursiveAnswer& answer, bool prefetch) {
  if (answer.rcode != zone::rcode::NOERROR && answer.rcode != zone::rcode::NXDOMAIN) return 0;
  std::uint32_t ttl = UINT32_MAX;
  for (const zone::ResponseRRset& rrset : answer.answer)
    ttl = std::min(ttl, rrset.ttl);
  if (answer.soa) ttl = std::min(ttl, answer.soa->ttl);
  if (ttl == UINT32_MAX) return 0;  // nothing to take a lifetime from
  return prefetch ? ttl - ttl / 10 : ttl;
}

}  // namespace

ResolverStage::ResolverStage(asio::io_context& context, ResolverShared& shared, Resolver* forwarder,
                             Resolver* iterator, WorkerStats& stats)
    : context_(context),
      shared_(shared),
      forwarder_(forwarder),
      iterator_(iterator),
      stats_(stats) {}

bool ResolverStage::allows(const ClientInfo& client) const {
  return shared_.settings().allow.allows(client.address);
}

Question ResolverStage::to_question(const RecursiveQuestion& q) const {
  return Question{q.qname, q.qtype, q.qclass,
                  ecs_for_client(shared_.settings().ecs, q.client_address, q.client_subnet)};
}

// The tailored answer for the client's subnet, longest prefix first (RFC 7871 §7.3.2). A name
// with tailored answers for other subnets only is a miss: it must be resolved for this one.
std::optional<RecursiveAnswer> ResolverStage::from_subnet_cache(const Question& q) {
  if (!q.ecs || q.ecs->source_prefix == 0) return std::nullopt;
  bool known = false;
  auto hit = shared_.subnets().lookup(q.qname, q.qtype, q.qclass, *q.ecs, &known);
  if (!hit) {
    if (known) WorkerStats::bump(stats_.ecs_cache_misses);
    return std::nullopt;
  }
  WorkerStats::bump(stats_.ecs_cache_hits);
  RecursiveAnswer answer;
  answer.rcode = zone::rcode::NOERROR;
  answer.answer = std::move(hit->answer);
  answer.ecs_scope = hit->scope;
  return answer;
}

// RFC 7871 §7.3.1: an answer with SCOPE s is kept for the subnet sent, cut to s bits (the
// iterator and forwarder already limited s to the SOURCE sent and kept it out of the RRset cache).
void ResolverStage::keep_tailored(const Question& q, const ResolveResult& result) {
  if (result.ecs_scope == 0 || !q.ecs || result.stale || result.rcode != zone::rcode::NOERROR ||
      result.soa)
    return;
  if (shared_.subnets().insert(q.qname, q.qtype, q.qclass, *q.ecs, result.ecs_scope, result.answer))
    WorkerStats::bump(stats_.ecs_tailored_cached);
}

std::optional<RecursiveAnswer> ResolverStage::from_cache(const RecursiveQuestion& question) {
  bool refresh = false;
  const Question q = to_question(question);
  if (auto tailored = from_subnet_cache(q)) return tailored;
  CacheAnswerOptions options;
  options.earlier_uses = question.earlier_uses;
  auto result = answer_from_caches(shared_.rrsets(), shared_.negatives(), q, options, &refresh);
  if (!result) return std::nullopt;
  const bool prefetching = refresh && shared_.settings().prefetch;
  if (prefetching) prefetch(q);
  RecursiveAnswer answer = to_answer(std::move(*result));
  // Not reused: stale data (each use is counted and may trigger a refresh), answers that an ECS
  // subnet could change (RFC 7871 §7.3), and answers being refreshed (the new data is near).
  if (!answer.stale && !q.ecs && !prefetching)
    answer.reuse_seconds = reuse_seconds(answer, shared_.settings().prefetch);
  return answer;
}

CacheEpoch ResolverStage::cache_epoch() const {
  return shared_.epoch();
}

void ResolverStage::resolve(const RecursiveQuestion& question, Done done) {
  auto slot = shared_.pending().try_acquire(question.client_address);
  if (!slot) {
    WorkerStats::bump(stats_.resolver_overload_drops);
    asio::post(context_, [done = std::move(done)] {
      RecursiveAnswer dropped;
      dropped.dropped = true;
      done(std::move(dropped));
    });
    return;
  }
  asio::co_spawn(context_, run(to_question(question), std::move(done), std::move(*slot)),
                 asio::detached);
}

Resolver* ResolverStage::pick(const zone::Name& name) const {
  if (forwarder_ != nullptr && shared_.forward_table()->find(name) != nullptr) return forwarder_;
  return iterator_;
}

asio::awaitable<void> ResolverStage::run(Question question, Done done,
                                         net::ConnectionLimiter::Slot slot) {
  ResolveResult result;
  Resolver* resolver = pick(question.qname);
  if (resolver == nullptr) {
    result.failure = "no resolver for this name";
  } else {
    try {
      result = co_await resolver->resolve(question);
    } catch (const std::exception& e) {
      result = ResolveResult{};  // SERVFAIL rather than no answer at all
      result.failure = e.what();
    }
  }
  stats_.upstream_queries.fetch_add(result.upstream_queries, std::memory_order_relaxed);
  stats_.ecs_queries_sent.fetch_add(result.ecs_queries, std::memory_order_relaxed);
  if (result.stale) WorkerStats::bump(stats_.stale_answers);
  keep_tailored(question, result);
  // Why a question failed is the first thing an operator asks; debug level, as a failing
  // upstream can produce one line per client query.
  if (!result.failure.empty()) {
    spdlog::debug("resolver: {} type {}: rcode {} after {} upstream queries: {}",
                  question.qname.to_text(), question.qtype, result.rcode, result.upstream_queries,
                  result.failure);
  }
  done(to_answer(std::move(result)));
}

// A popular entry about to expire is resolved again in the background, so that its next askers
// still hit the cache (Unbound's prefetch). The answer only refreshes the caches.
void ResolverStage::prefetch(const Question& question) {
  Resolver* resolver = pick(question.qname);
  if (resolver == nullptr) return;
  asio::co_spawn(
      context_,
      [](Resolver* r, Question q, WorkerStats& stats) -> asio::awaitable<void> {
        ResolveResult result = co_await r->resolve(std::move(q));
        stats.upstream_queries.fetch_add(result.upstream_queries, std::memory_order_relaxed);
        stats.ecs_queries_sent.fetch_add(result.ecs_queries, std::memory_order_relaxed);
      }(resolver, question, stats_),
      asio::detached);
}

}  // namespace hayate::server::resolver
