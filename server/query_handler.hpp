// The seam between the network code and the query pipeline.
//
// The network side (server/net/) owns sockets and buffers; the pipeline (server/query_processor)
// owns DNS logic and knows nothing of sockets. Each worker thread has its own QueryHandler, so
// handlers need no locking.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "server/function_ref.hpp"

namespace hayate::server {

enum class Transport : std::uint8_t { kUdp, kTcp };

struct ClientInfo {
  sockaddr_storage address{};  // the client's address and port
  socklen_t address_length = 0;
  Transport transport = Transport::kUdp;
};

// Receives each response message; the bytes are valid only during the call.
using EmitResponse = FunctionRef<void(std::span<const std::uint8_t>)>;

class QueryHandler {
 public:
  virtual ~QueryHandler() = default;

  // Answers one query message. Calls `emit` once per response message: not at all when the query
  // is to be dropped, once normally, several times for a zone transfer over TCP.
  virtual void handle(std::span<const std::uint8_t> query, const ClientInfo& client,
                      EmitResponse emit) = 0;
};

}  // namespace hayate::server
