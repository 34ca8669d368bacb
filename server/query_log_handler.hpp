// Query logging ([log] query-log): wraps a worker's handler and logs each query with its answer;
// a deferred answer (resolver) is logged when it is sent, through a wrapping sink.
//
// Off by default and costly when on (a parse and a formatted log line per query); the switch is
// an atomic flag so that a reload can turn it on or off without touching the workers.
#pragma once

#include <atomic>

#include "server/query_handler.hpp"

namespace hayate::server {

class QueryLogHandler final : public QueryHandler {
 public:
  // `inner` and `enabled` must outlive the handler.
  QueryLogHandler(QueryHandler& inner, const std::atomic<bool>& enabled)
      : inner_(inner), enabled_(enabled) {}

  using QueryHandler::handle;
  void prefetch(std::span<const std::uint8_t> query) override { inner_.prefetch(query); }
  void handle(std::span<const std::uint8_t> query, const ClientInfo& client, EmitResponse emit,
              DeferResponse defer) override;

  // One log line for a query and what was sent back (responses == 0: dropped).
  static void log(std::span<const std::uint8_t> query, const ClientInfo& client, int rcode,
                  std::size_t responses, std::size_t bytes);

 private:
  QueryHandler& inner_;
  const std::atomic<bool>& enabled_;
};

}  // namespace hayate::server
