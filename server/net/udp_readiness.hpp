// Waiting for a UDP socket to become readable with one system call per wake-up (epoll_wait),
// where asio's async_wait costs two (issue 8).
//
// Why: on these machines a system call costs about 2 µs (a VM with PTI and no PCID), and at the
// query rates where CPU per query is measured nearly every wake-up carries one datagram. asio
// (Boost 1.74) registers sockets edge-triggered and re-arms the registration with epoll_ctl on
// every async_wait, so each query cost epoll_wait + epoll_ctl + recvmmsg + sendmmsg: four calls,
// where a level-triggered loop (NSD, Knot) needs three.
//
// How: a reactor operation that claims readiness without reading (the receiving is recvmmsg in
// UdpServer) and reports itself "done and exhausted". asio then clears its try-speculative flag
// for the socket, so the next wait is queued without any system call; the edge-triggered
// registration reports the next datagram. A datagram that arrives between the drain and the new
// wait is not lost: its edge sets the flag again, and asio completes the new wait at once. This
// is only correct when the caller has drained the socket (recvmmsg returned fewer than it asked
// for) before waiting again; UdpServer keeps to that and reposts itself otherwise.
//
// This uses asio's reactor directly (detail namespace, Boost 1.74's epoll_reactor): the socket
// class below reaches the protected implementation of basic_socket for its reactor registration.
// tests/unit/test_udp_server.cpp covers the behaviour (one query per wake-up, bursts of more than
// a wake-up's batches, shutdown with a wait pending). The count was checked with strace -c -f
// on the daemon at 3,000 q/s: epoll_wait, recvmmsg and sendmmsg once per query, no epoll_ctl.
#pragma once

#include <utility>  // before asio's headers (Boost 1.74 with g++ 12)

#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

namespace hayate::server::net {

// A UDP socket whose readability can be awaited with wait_readable().
class ReadinessSocket : public boost::asio::ip::udp::socket {
 public:
  using boost::asio::ip::udp::socket::socket;

  // Runs `on_ready(error)` on the io_context's thread once the socket may have data (error
  // false), or when the wait is cancelled by close() (error true; the object may be gone then).
  // Only one wait at a time; see the header comment for the drain rule.
  template <typename OnReady>
  void wait_readable(boost::asio::io_context& context, OnReady on_ready) {
    auto* op = new ReadyOp<OnReady>(std::move(on_ready));
    auto& impl = impl_.get_implementation();
    boost::asio::use_service<boost::asio::detail::reactor>(context).start_op(
        boost::asio::detail::reactor::read_op, impl.socket_, impl.reactor_data_, op,
        /*is_continuation=*/true, /*allow_speculative=*/true);
  }

 private:
  template <typename OnReady>
  class ReadyOp final : public boost::asio::detail::reactor_op {
   public:
    explicit ReadyOp(OnReady on_ready)
        : reactor_op(boost::system::error_code(), &ReadyOp::perform_ready,
                     &ReadyOp::complete_ready),
          on_ready_(std::move(on_ready)) {}

   private:
    static status perform_ready(reactor_op*) { return done_and_exhausted; }

    // `owner` is null when asio destroys a pending operation (the io_context going away).
    static void complete_ready(void* owner, boost::asio::detail::operation* base,
                               const boost::system::error_code&, std::size_t) {
      auto* op = static_cast<ReadyOp*>(base);
      OnReady on_ready(std::move(op->on_ready_));
      const bool failed = static_cast<bool>(op->ec_);
      delete op;
      if (owner != nullptr) on_ready(failed);
    }

    OnReady on_ready_;
  };
};

}  // namespace hayate::server::net
