// A deferred TCP answer: queued on the connection the query came in on, whenever it is ready
// (RFC 7766 §6.2.1.1: answers to pipelined queries may go out of order). The connection counts
// its pending sinks and stays open for them; if it closed meanwhile, the answer is dropped.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include <boost/asio/any_io_executor.hpp>

#include "server/query_handler.hpp"

namespace hayate::server::net {

class TcpConnection;

class TcpResponseSink final : public ResponseSink {
 public:
  // Call on the connection's thread: it has already counted this answer as pending.
  TcpResponseSink(std::weak_ptr<TcpConnection> connection, boost::asio::any_io_executor executor)
      : connection_(std::move(connection)), executor_(std::move(executor)) {}
  ~TcpResponseSink() override;
  TcpResponseSink(const TcpResponseSink&) = delete;
  TcpResponseSink& operator=(const TcpResponseSink&) = delete;

  void send(std::span<const std::uint8_t> message) override;

 private:
  std::weak_ptr<TcpConnection> connection_;
  boost::asio::any_io_executor executor_;
  bool done_ = false;  // sent (or sending); the pending count is settled by that
};

}  // namespace hayate::server::net
