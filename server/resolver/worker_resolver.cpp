#include "server/resolver/worker_resolver.hpp"

namespace hayate::server::resolver {

WorkerResolver::WorkerResolver(boost::asio::io_context& context, ResolverShared& shared,
                               const RootHints& hints, WorkerStats& stats)
    : transport_(context, shared.infra()) {
  const ResolverSettings& settings = shared.settings();
  if (!shared.forward_table()->empty()) {
    ForwarderOptions options;
    options.timeout = settings.query_timeout;
    options.serve_stale = settings.serve_stale;
    forwarder_ = std::make_unique<Forwarder>(
        ForwarderServices{transport_, shared.rrsets(), shared.negatives(), shared.infra(), &stats,
                          &settings.ecs},
        shared.forward_table(), options);
  }
  if (settings.iterates()) {
    ResolverLimits limits;
    limits.timeout = settings.query_timeout;
    limits.qname_minimisation = settings.qname_minimisation;
    limits.serve_stale = settings.serve_stale;
    iterator_ = std::make_unique<IteratorResolver>(
        IteratorServices{transport_, shared.rrsets(), shared.negatives(), shared.infra(),
                         &settings.ecs},
        hints, limits);
  }
  stage_ =
      std::make_unique<ResolverStage>(context, shared, forwarder_.get(), iterator_.get(), stats);
}

zone::Result<RootHints> load_resolver_hints(const ResolverSettings& settings) {
  if (settings.root_hints.empty()) return builtin_root_hints();
  return load_root_hints(settings.root_hints);
}

}  // namespace hayate::server::resolver
