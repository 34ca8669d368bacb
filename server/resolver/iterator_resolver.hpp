// The iterator (iterator.hpp) as a Resolver: iterative mode, when [resolver] forward is empty.
#pragma once

#include "server/resolver/iterator.hpp"
#include "server/resolver/resolver.hpp"

namespace hayate::server::resolver {

class IteratorResolver final : public Resolver {
 public:
  IteratorResolver(IteratorServices services, RootHints hints, ResolverLimits limits)
      : iterator_(services, std::move(hints), limits) {}

  boost::asio::awaitable<ResolveResult> resolve(Question question) override {
    // A named value, no `co_return co_await`: g++ 12 mishandles temporaries there.
    ResolveResult result = co_await iterator_.resolve(std::move(question));
    co_return result;
  }

 private:
  Iterator iterator_;
};

}  // namespace hayate::server::resolver
