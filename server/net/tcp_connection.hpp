// One DNS-over-TCP connection (RFC 7766): 2-octet length framing, pipelined queries, responses
// in the order produced (deferred answers, e.g. from the resolver, when they are ready: RFC 7766
// §6.2.1.1 allows out-of-order responses), an idle timeout.
//
// Three coroutines share the connection on its worker's thread: the reader parses frames and runs
// the handler, the writer sends queued responses (several per write), and the watchdog closes
// the connection once it has been idle for the timeout (never while deferred answers are pending).
// The reader keeps reading while the writer writes (RFC 7766 §6.2.1.1: pipelined queries must be
// read and answered concurrently).
#pragma once

#include <utility>  // before asio's awaitable with g++ 12 and Boost 1.74

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/net/connection_limiter.hpp"
#include "server/query_handler.hpp"

namespace hayate::server::net {

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  TcpConnection(boost::asio::ip::tcp::socket socket, const ClientInfo& client,
                QueryHandler& handler, ConnectionLimiter::Slot slot,
                std::chrono::milliseconds idle_timeout);

  void start();  // spawns the coroutines; they keep the connection alive until it closes

  // From TcpResponseSink, on the connection's thread: a deferred answer is ready, or was given up.
  void deliver_deferred(std::span<const std::uint8_t> message);
  void abandon_deferred();

 private:
  using Clock = std::chrono::steady_clock;
  // A client that sends queries without reading the answers stops being read from beyond this.
  static constexpr std::size_t kMaxQueuedBytes = 1 << 20;
  static constexpr std::size_t kInitialBufferSize = 4096;

  static boost::asio::awaitable<void> read_loop(std::shared_ptr<TcpConnection> self);
  static boost::asio::awaitable<void> write_loop(std::shared_ptr<TcpConnection> self);
  static boost::asio::awaitable<void> watchdog(std::shared_ptr<TcpConnection> self);

  // Answers every complete frame in the buffer; false when the stream is malformed.
  bool handle_frames();
  void handle_message(std::span<const std::uint8_t> query);
  void queue_response(std::span<const std::uint8_t> message);
  std::shared_ptr<ResponseSink> defer_response();
  void settle_deferred();
  // Moves the partial frame to the front and makes room for the rest of it.
  void prepare_buffer();
  boost::asio::awaitable<void> wait_for_drain();
  void touch() { deadline_ = Clock::now() + idle_timeout_; }
  void close();

  boost::asio::ip::tcp::socket socket_;
  ClientInfo client_;
  QueryHandler& handler_;
  ConnectionLimiter::Slot slot_;
  const std::chrono::milliseconds idle_timeout_;
  Clock::time_point deadline_;
  boost::asio::steady_timer idle_timer_;
  boost::asio::steady_timer write_signal_;       // wakes the writer: responses queued
  boost::asio::steady_timer drained_signal_;     // wakes the reader: the queue got shorter
  std::deque<std::vector<std::uint8_t>> queue_;  // framed responses, in the order produced
  std::size_t queued_bytes_ = 0;
  std::vector<std::uint8_t> buffer_;
  std::size_t begin_ = 0;  // unparsed bytes are buffer_[begin_, end_)
  std::size_t end_ = 0;
  std::size_t pending_ = 0;    // deferred answers not yet delivered nor abandoned
  bool reading_done_ = false;  // the client closed its side after whole messages
  bool closed_ = false;
};

}  // namespace hayate::server::net
