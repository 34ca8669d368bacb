// One worker's resolver parts: its upstream transport (UDP/TCP sockets on the worker's
// io_context), the forwarder and/or the iterator the configuration asks for, and the stage the
// worker's QueryProcessor calls. Built before the worker thread starts; destroyed after it stopped
// and before its io_context goes.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "server/resolver/forwarder.hpp"
#include "server/resolver/iterator_resolver.hpp"
#include "server/resolver/resolver_shared.hpp"
#include "server/resolver/resolver_stage.hpp"
#include "server/resolver/root_hints.hpp"
#include "server/resolver/udp_tcp_upstream.hpp"
#include "server/stats.hpp"

namespace hayate::server::resolver {

class WorkerResolver {
 public:
  // `hints` is used when the settings iterate (load it once, with load_resolver_hints()).
  WorkerResolver(boost::asio::io_context& context, ResolverShared& shared, const RootHints& hints,
                 WorkerStats& stats);
  WorkerResolver(const WorkerResolver&) = delete;
  WorkerResolver& operator=(const WorkerResolver&) = delete;

  ResolverStage& stage() { return *stage_; }

 private:
  UdpTcpUpstream transport_;
  std::unique_ptr<Forwarder> forwarder_;
  std::unique_ptr<IteratorResolver> iterator_;
  std::unique_ptr<ResolverStage> stage_;
};

// The root hints for iterative mode: the file from the settings, or the built-in ones. An error
// text (and no hints) when the file does not load.
zone::Result<RootHints> load_resolver_hints(const ResolverSettings& settings);

}  // namespace hayate::server::resolver
