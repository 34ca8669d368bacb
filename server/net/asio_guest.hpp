// Lets a loop that blocks somewhere else (io_uring_enter, uring_udp_loop.hpp) run an io_context
// as a guest: it learns when the io_context has work through asio's epoll descriptor, and runs
// that work with poll().
//
// The catch: asio only interrupts its reactor for a handler posted from another thread (or from
// this one outside a handler) while a thread is blocked in that reactor; after poll() it assumes
// nobody is and leaves new handlers queued until the next run. rearm() puts the scheduler back in
// the "a thread is blocked in the reactor" state, so that the next post makes the epoll
// descriptor ready (asio's interrupter), exactly as it would wake a thread inside run().
//
// This reaches into asio's detail scheduler and epoll reactor (Boost 1.74, the version Debian 12
// ships, like udp_readiness.hpp). AsioGuestTest checks the contract: posts from other threads and
// from outside a handler, timers and sockets all make the descriptor ready.
#pragma once

#include <utility>  // before asio (see the README's build notes)

#include <boost/asio/io_context.hpp>

namespace hayate::server::net {

class AsioGuest {
 public:
  // Creates the io_context's reactor if it has none yet.
  explicit AsioGuest(boost::asio::io_context& context);

  // Readable (POLLIN) whenever the io_context has something to do.
  int descriptor() const { return epoll_fd_; }

  // Runs what is ready (poll()) and re-arms the interrupt; returns false once the io_context is
  // stopped. Call it once before the first wait, and whenever descriptor() is readable.
  bool run_ready();

 private:
  // False when handlers are queued that no interrupt announced: poll() again first.
  bool rearm();

  boost::asio::io_context& context_;
  int epoll_fd_ = -1;
};

}  // namespace hayate::server::net
