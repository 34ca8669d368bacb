#include "server/net/tcp_connection.hpp"

#include <cstring>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "server/net/tcp_response_sink.hpp"

namespace hayate::server::net {

namespace asio = boost::asio;
using boost::system::error_code;

TcpConnection::TcpConnection(asio::ip::tcp::socket socket, const ClientInfo& client,
                             QueryHandler& handler, ConnectionLimiter::Slot slot,
                             std::chrono::milliseconds idle_timeout)
    : socket_(std::move(socket)),
      client_(client),
      handler_(handler),
      slot_(std::move(slot)),
      idle_timeout_(idle_timeout),
      idle_timer_(socket_.get_executor()),
      write_signal_(socket_.get_executor()),
      drained_signal_(socket_.get_executor()),
      buffer_(kInitialBufferSize) {}

void TcpConnection::start() {
  touch();
  auto executor = socket_.get_executor();
  asio::co_spawn(executor, read_loop(shared_from_this()), asio::detached);
  asio::co_spawn(executor, write_loop(shared_from_this()), asio::detached);
  asio::co_spawn(executor, watchdog(shared_from_this()), asio::detached);
}

asio::awaitable<void> TcpConnection::read_loop(std::shared_ptr<TcpConnection> self) {
  while (!self->closed_) {
    if (!self->handle_frames()) {
      self->close();  // RFC 7766 §8: a zero length cannot be a DNS message
      break;
    }
    co_await self->wait_for_drain();
    if (self->closed_) break;
    self->prepare_buffer();
    error_code error;
    const std::size_t n = co_await self->socket_.async_read_some(
        asio::buffer(self->buffer_.data() + self->end_, self->buffer_.size() - self->end_),
        asio::redirect_error(asio::use_awaitable, error));
    if (error) {
      // EOF between messages: answer what was asked, then close (the writer does). EOF inside a
      // message, or a reset: nothing sensible can be answered.
      if (error == asio::error::eof && self->begin_ == self->end_) {
        self->reading_done_ = true;
        self->write_signal_.cancel();
      } else {
        self->close();
      }
      break;
    }
    self->end_ += n;
  }
}

bool TcpConnection::handle_frames() {
  while (!closed_ && end_ - begin_ >= 2) {
    const std::size_t length = (std::size_t{buffer_[begin_]} << 8) | buffer_[begin_ + 1];
    if (length == 0) return false;
    if (end_ - begin_ < 2 + length) break;
    handle_message(std::span<const std::uint8_t>(buffer_.data() + begin_ + 2, length));
    begin_ += 2 + length;
  }
  if (begin_ == end_) begin_ = end_ = 0;
  return true;
}

void TcpConnection::handle_message(std::span<const std::uint8_t> query) {
  touch();
  const bool was_empty = queue_.empty();
  handler_.handle(
      query, client_, [this](std::span<const std::uint8_t> message) { queue_response(message); },
      [this] { return defer_response(); });
  if (was_empty && !queue_.empty()) write_signal_.cancel();
}

std::shared_ptr<ResponseSink> TcpConnection::defer_response() {
  ++pending_;
  return std::make_shared<TcpResponseSink>(weak_from_this(), socket_.get_executor());
}

void TcpConnection::deliver_deferred(std::span<const std::uint8_t> message) {
  if (closed_) return;  // the client went away: the answer has nowhere to go
  const bool was_empty = queue_.empty();
  queue_response(message);
  settle_deferred();
  if (was_empty && !queue_.empty()) write_signal_.cancel();
}

void TcpConnection::abandon_deferred() {
  if (!closed_) settle_deferred();
}

void TcpConnection::settle_deferred() {
  --pending_;
  touch();  // the idle period starts when the last awaited answer is settled
  // After the client's half-close the writer closes once nothing is queued or pending.
  if (pending_ == 0 && reading_done_) write_signal_.cancel();
}

void TcpConnection::queue_response(std::span<const std::uint8_t> message) {
  if (message.empty() || message.size() > 65535) return;  // cannot be framed
  std::vector<std::uint8_t> framed(2 + message.size());
  framed[0] = static_cast<std::uint8_t>(message.size() >> 8);
  framed[1] = static_cast<std::uint8_t>(message.size());
  std::memcpy(framed.data() + 2, message.data(), message.size());
  queued_bytes_ += framed.size();
  queue_.push_back(std::move(framed));
}

void TcpConnection::prepare_buffer() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  std::size_t needed = kInitialBufferSize;
  if (end_ >= 2) needed = std::max(needed, 2 + ((std::size_t{buffer_[0]} << 8) | buffer_[1]));
  if (buffer_.size() < needed) buffer_.resize(needed);
}

asio::awaitable<void> TcpConnection::wait_for_drain() {
  while (!closed_ && queued_bytes_ > kMaxQueuedBytes) {
    drained_signal_.expires_at(Clock::time_point::max());
    error_code ignored;
    co_await drained_signal_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<void> TcpConnection::write_loop(std::shared_ptr<TcpConnection> self) {
  std::vector<std::vector<std::uint8_t>> in_flight;
  std::vector<asio::const_buffer> buffers;
  while (!self->closed_) {
    if (self->queue_.empty()) {
      if (self->reading_done_ && self->pending_ == 0) {
        self->close();
        break;
      }
      self->write_signal_.expires_at(Clock::time_point::max());
      error_code ignored;
      co_await self->write_signal_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      continue;
    }
    // Everything queued goes out in one gathered write, in the order it was produced.
    in_flight.assign(std::make_move_iterator(self->queue_.begin()),
                     std::make_move_iterator(self->queue_.end()));
    self->queue_.clear();
    buffers.clear();
    std::size_t bytes = 0;
    for (const auto& m : in_flight) {
      buffers.push_back(asio::buffer(m));
      bytes += m.size();
    }
    error_code error;
    co_await asio::async_write(self->socket_, buffers,
                               asio::redirect_error(asio::use_awaitable, error));
    self->queued_bytes_ -= bytes;
    self->drained_signal_.cancel();
    if (error) {
      self->close();
      break;
    }
    self->touch();
  }
}

// RFC 7766 §6.2.3: servers close connections that have been idle for a while so that idle clients
// do not hold resources. Activity (a whole query read, a write finished) pushes the deadline out;
// the timer is only re-armed when it fires, so activity costs no timer operations. A connection
// waiting for deferred answers is not idle: the client is waiting for us (§6.2.1.1).
asio::awaitable<void> TcpConnection::watchdog(std::shared_ptr<TcpConnection> self) {
  while (!self->closed_) {
    if (self->deadline_ <= Clock::now() && self->pending_ > 0) self->touch();
    if (self->deadline_ <= Clock::now()) {
      self->close();
      break;
    }
    self->idle_timer_.expires_at(self->deadline_);
    error_code ignored;
    co_await self->idle_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

void TcpConnection::close() {
  if (closed_) return;
  closed_ = true;
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  idle_timer_.cancel();
  write_signal_.cancel();
  drained_signal_.cancel();
}

}  // namespace hayate::server::net
