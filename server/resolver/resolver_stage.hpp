// The resolver as a pipeline stage (RecursionStage): the client ACL, answers from the shared
// caches, and resolution through the forwarder or the iterator as a coroutine on the worker's
// io_context. One per worker.
//
// Which resolver: a name under a [[resolver.forward-zone]], or any name when [resolver] forward
// is set, goes to the forwarder; the rest to the iterator.
//
// EDNS Client Subnet (RFC 7871 §7.3): the client's subnet (ecs_for_client) goes with the
// question; an answer that comes back tailored (scope > 0) is kept in the subnet cache for that
// subnet cut to its scope, and a later client is answered from it only when the subnet holds it
// (longest-prefix match), before the RRset cache (whose answers are for everyone) is tried.
#pragma once

#include <utility>  // before asio's awaitable with g++ 12 and Boost 1.74

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "server/recursion_stage.hpp"
#include "server/resolver/resolver.hpp"
#include "server/resolver/resolver_shared.hpp"
#include "server/stats.hpp"

namespace hayate::server::resolver {

class ResolverStage final : public RecursionStage {
 public:
  // `forwarder` or `iterator` may be null when the configuration needs none.
  ResolverStage(boost::asio::io_context& context, ResolverShared& shared, Resolver* forwarder,
                Resolver* iterator, WorkerStats& stats);

  bool allows(const ClientInfo& client) const override;
  std::optional<RecursiveAnswer> from_cache(const RecursiveQuestion& question) override;
  void resolve(const RecursiveQuestion& question, Done done) override;
  CacheEpoch cache_epoch() const override;

 private:
  Resolver* pick(const zone::Name& name) const;
  Question to_question(const RecursiveQuestion& question) const;
  std::optional<RecursiveAnswer> from_subnet_cache(const Question& question);
  void keep_tailored(const Question& question, const ResolveResult& result);
  // `slot` is the question's place among the pending ones, given back when it is answered.
  boost::asio::awaitable<void> run(Question question, Done done, net::ConnectionLimiter::Slot slot);
  void prefetch(const Question& question);

  boost::asio::io_context& context_;
  ResolverShared& shared_;
  Resolver* forwarder_;
  Resolver* iterator_;
  WorkerStats& stats_;
};

}  // namespace hayate::server::resolver
