// A worker's thread loop on io_uring: UDP queries arrive through one multishot recvmsg per
// listening socket into a ring of provided buffers, answers go out as sendmsg requests, and the
// thread sleeps in io_uring_enter, which also submits the answers of the last wake-up. One system
// call a wake-up instead of three (epoll_wait, recvmmsg, sendmmsg): on this VM class (PTI, no
// PCID) a system call costs ~1.5 µs, more than answering a query from memory (issue 8).
//
// Everything else the worker does (TCP, the resolver's upstream sockets and timers, handlers
// posted by other threads) stays on its asio io_context, run as a guest (asio_guest.hpp) whenever
// asio's epoll descriptor, watched by a poll request in the ring, becomes readable.
//
// supported() probes the kernel once (a real multishot receive over loopback); where io_uring is
// missing, disabled (kernel.io_uring_disabled, seccomp) or too old (< 6.0), the worker uses
// UdpServer on asio instead.
#pragma once

#include <liburing.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "server/net/asio_guest.hpp"
#include "server/net/udp_listen_socket.hpp"
#include "server/query_handler.hpp"

namespace hayate::server::net {

class UringUdpLoop {
 public:
  static bool supported();

  // Sets up the ring: call on the thread that will call run() (the ring is single-issuer).
  // Throws std::system_error when the kernel refuses.
  UringUdpLoop(boost::asio::io_context& context, QueryHandler& handler,
               std::vector<std::shared_ptr<UdpListenSocket>> sockets);
  ~UringUdpLoop();
  UringUdpLoop(const UringUdpLoop&) = delete;
  UringUdpLoop& operator=(const UringUdpLoop&) = delete;

  // Serves until the io_context is stopped. Throws std::system_error if the ring fails.
  void run();

  // Faults for tests (WorkerTest), off in the daemon: the ring's set-up fails, or every receive
  // is armed on a descriptor the kernel refuses (a receive error that never goes away); or the
  // answers go as sendmsg, as on a kernel that takes no address with IORING_OP_SEND.
  struct Faults {
    std::atomic<bool> fail_setup{false};
    std::atomic<bool> refuse_receives{false};
    std::atomic<bool> sendmsg_only{false};  // answers as sendmsg even where sendto works
  };
  static Faults& faults();

  // Receive errors in a row (no datagram between them) after which run() gives up and throws:
  // an error that repeats would otherwise re-arm the receive in a busy loop; the worker then
  // serves the same sockets through epoll, which takes errors one datagram at a time.
  static constexpr unsigned kMaxReceiveErrors = 64;

  // Largest datagram received (larger ones are dropped, as UdpBatch::kQuerySize) and sent.
  static constexpr std::size_t kQuerySize = 4096;
  static constexpr std::size_t kResponseSize = 4096;

 private:
  struct Listener;
  struct SendSlot;

  io_uring_sqe* next_sqe();
  void arm_receive(std::size_t listener);
  void arm_asio_poll();
  void on_datagram(std::size_t listener, const io_uring_cqe& cqe);
  void hint(const io_uring_cqe& cqe);  // the next datagram, before it is handled
  // The datagram a receive completion put in its buffer; `out` is null when it is to be dropped.
  struct Received {
    io_uring_recvmsg_out* out = nullptr;
    std::span<const std::uint8_t> payload;
  };
  static Received received(Listener& listener, const io_uring_cqe& cqe);
  void send(std::size_t listener, const sockaddr_storage& peer, socklen_t peer_length,
            std::span<const std::uint8_t> message);
  void complete(const io_uring_cqe& cqe);

  io_uring ring_{};
  bool ring_ready_ = false;
  AsioGuest asio_;
  QueryHandler& handler_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<SendSlot> send_slots_;
  std::vector<std::uint8_t> response_bytes_;  // the send slots' messages
  std::vector<std::uint32_t> free_send_slots_;
  unsigned unreaped_sends_ = 0;  // sends submitted or queued whose completion is not yet seen
  bool fixed_files_ = false;     // listener i is registered file i
  bool send_to_ = false;         // answers as IORING_OP_SEND with an address, not SENDMSG
  bool asio_ready_ = true;       // run what asio has before the first wait
};

}  // namespace hayate::server::net
