// One UDP listening socket of one worker: batched receive (recvmmsg), answer, batched send
// (sendmmsg).
//
// Every worker binds its own socket to each listen address with SO_REUSEPORT, so the kernel
// spreads clients over the workers and no socket is shared between threads. Readiness comes from
// asio (async_wait on the native socket); the I/O itself is done with the batch system calls,
// which asio does not offer.
#pragma once

#include <cstddef>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "server/net/udp_batch.hpp"
#include "server/net/udp_listen_socket.hpp"
#include "server/net/udp_readiness.hpp"
#include "server/query_handler.hpp"

namespace hayate::server::net {

class UdpServer {
 public:
  // Opens and binds the socket (IPV6_V6ONLY on IPv6 so that a v4 and a v6 wildcard can both be
  // bound). Throws boost::system::system_error when that fails.
  UdpServer(boost::asio::io_context& context, const boost::asio::ip::udp::endpoint& endpoint,
            QueryHandler& handler, UdpBatch& batch);
  // Serves a socket already bound for the io_uring path (a copy of its descriptor), when that
  // path cannot start after all.
  UdpServer(boost::asio::io_context& context, const UdpListenSocket& bound, QueryHandler& handler,
            UdpBatch& batch);
  UdpServer(const UdpServer&) = delete;
  UdpServer& operator=(const UdpServer&) = delete;

  void start();  // starts receiving; runs on the io_context's thread from then on
  void close();
  boost::asio::ip::udp::endpoint local_endpoint() const { return socket_->local_endpoint(); }

 private:
  // Batches handled per wake-up before yielding to the worker's other sockets.
  static constexpr int kBatchesPerWakeup = 4;
  static constexpr int kReceiveBufferBytes = 4 << 20;

  // Waits with asio's async_wait, which re-checks the socket (epoll_ctl): after a start, an error,
  // or a full batch that may have left datagrams behind.
  void wait_readable();
  // Waits without that re-check (udp_readiness.hpp): only once recvmmsg has drained the socket.
  void wait_drained();
  void on_readable();
  // Returns the number of datagrams received (0 when none are waiting); sets drained_.
  std::size_t receive_batch();
  // Runs the handler on each datagram; returns the number of responses to send.
  std::size_t answer_batch(std::size_t received);
  void send_batch(std::size_t responses);

  // Shared with deferred answers (UdpResponseSink), which hold it weakly: an answer arriving
  // after shutdown finds it gone and is dropped.
  std::shared_ptr<ReadinessSocket> socket_;
  boost::asio::io_context& context_;
  bool drained_ = false;  // the last recvmmsg found the socket empty (fewer than asked, EAGAIN)
  sockaddr_storage listener_{};  // the bound address, for ClientInfo::listener
  socklen_t listener_length_ = 0;
  boost::asio::io_context::executor_type executor_;
  QueryHandler& handler_;
  UdpBatch& batch_;
};

}  // namespace hayate::server::net
