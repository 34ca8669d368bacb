// The seam between the network code and the query pipeline.
//
// The network side (server/net/) owns sockets and buffers; the pipeline (server/query_processor)
// owns DNS logic and knows nothing of sockets. Each worker thread has its own QueryHandler, so
// handlers need no locking.
//
// Two ways to answer:
// - at once: call `emit` during handle() (authoritative answers, errors). Nothing is allocated.
// - later: call `defer` during handle() to get a ResponseSink, keep it, and send through it when
//   the answer is known (a resolver waiting for upstream servers). Only then does the network
//   side allocate anything. The sink sends on the worker's thread; over UDP from the socket the
//   query came in on, to the client's address; over TCP on the same connection if it is still
//   open (RFC 7766 §6.2.1.1 allows answers out of order), and the connection is not idle while
//   answers are pending.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "server/function_ref.hpp"

namespace hayate::server {

enum class Transport : std::uint8_t { kUdp, kTcp };

struct ClientInfo {
  sockaddr_storage address{};  // the client's address and port
  socklen_t address_length = 0;
  Transport transport = Transport::kUdp;
  // The listening socket the query came in on: its bound address and port (the wildcard address
  // for a wildcard listener), so that policies can differ per listener. Empty in tests that do
  // not set it.
  sockaddr_storage listener{};
  socklen_t listener_length = 0;
};

// Receives each response message; the bytes are valid only during the call.
using EmitResponse = FunctionRef<void(std::span<const std::uint8_t>)>;

// A response sent after handle() returned. Thread rule: send() may be called from any thread; the
// bytes are copied and the write happens on the worker's thread. Sending twice, or after the
// client's connection closed, drops the message silently. Dropping the sink without sending
// drops the query (a TCP connection then stops waiting for it).
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void send(std::span<const std::uint8_t> message) = 0;
};

// Returns a sink for the query being handled, or nullptr when the transport cannot answer later
// (then the handler must answer at once). Valid only during handle().
using DeferResponse = FunctionRef<std::shared_ptr<ResponseSink>()>;

class QueryHandler {
 public:
  virtual ~QueryHandler() = default;

  // Answers one query message. Calls `emit` once per response message: not at all when the query
  // is to be dropped or answered later through `defer`, once normally, several times for a zone
  // transfer over TCP.
  virtual void handle(std::span<const std::uint8_t> query, const ClientInfo& client,
                      EmitResponse emit, DeferResponse defer) = 0;

  // A hint that `query` will be handled soon, given by a network loop that holds several
  // received datagrams while it handles the one before: the handler may start loading what the
  // answer will need (a memory prefetch), so that the cache miss overlaps the other query's work.
  // Must not change anything that handle() observes. Default: nothing.
  virtual void prefetch(std::span<const std::uint8_t> query) { (void)query; }

  // For callers that cannot wait (tests, fuzzing): answers that would be deferred are not given.
  void handle(std::span<const std::uint8_t> query, const ClientInfo& client, EmitResponse emit) {
    handle(query, client, emit, no_defer());
  }

  // A DeferResponse that never defers.
  static DeferResponse no_defer() {
    static constexpr auto kNone = []() -> std::shared_ptr<ResponseSink> { return nullptr; };
    return DeferResponse(kNone);
  }
};

}  // namespace hayate::server
