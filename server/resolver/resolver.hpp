// One worker's way of getting answers from upstream: the forwarder, or the iterator. The
// resolver stage (resolver_stage.hpp) talks to either through this interface, so the mode is a
// matter of configuration ([resolver] forward) and tests can plug in their own.
#pragma once

#include <utility>  // before asio's awaitable with g++ 12 and Boost 1.74

#include <boost/asio/awaitable.hpp>

#include "server/resolver/iterator.hpp"

namespace hayate::server::resolver {

class Resolver {
 public:
  virtual ~Resolver() = default;

  // Resolves `question` on the worker's io_context; caches what it learns. Never throws for DNS
  // failures: they come back as SERVFAIL with `failure` saying why.
  virtual boost::asio::awaitable<ResolveResult> resolve(Question question) = 0;
};

}  // namespace hayate::server::resolver
