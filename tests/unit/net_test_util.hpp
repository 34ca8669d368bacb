// Helpers for the network tests: query handlers that need no zones, an io_context on its own
// thread, and blocking loopback client sockets with receive timeouts (so a test waits for an
// event with a deadline instead of sleeping and hoping).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "server/query_handler.hpp"

namespace hayate::test {

// Answers each query with its own bytes and QR set, `copies` times; drops queries whose first
// octet is 0xff (so tests can check that a dropped query gets nothing).
class EchoHandler final : public server::QueryHandler {
 public:
  explicit EchoHandler(int copies = 1) : copies_(copies) {}
  using server::QueryHandler::handle;
  void handle(std::span<const std::uint8_t> query, const server::ClientInfo& client,
              server::EmitResponse emit, server::DeferResponse) override {
    ++handled;
    last_transport = client.transport;
    const auto& listener = reinterpret_cast<const sockaddr_in&>(client.listener);
    last_listener_port = client.listener_length == 0 ? 0 : ntohs(listener.sin_port);
    if (query.empty() || query[0] == 0xff) return;
    std::vector<std::uint8_t> response(query.begin(), query.end());
    if (response.size() > 2) response[2] |= 0x80;
    for (int i = 0; i < copies_; ++i)
      emit(response);
  }
  std::atomic<int> handled{0};
  std::atomic<server::Transport> last_transport{server::Transport::kUdp};
  std::atomic<std::uint16_t> last_listener_port{0};  // ClientInfo::listener's port

 private:
  int copies_;
};

// Answers nothing at once: keeps a ResponseSink per query (by ID) so that the test answers later,
// from its own thread and in any order, as a resolver does when its upstream answers arrive.
class DeferringHandler final : public server::QueryHandler {
 public:
  using server::QueryHandler::handle;
  void handle(std::span<const std::uint8_t> query, const server::ClientInfo&, server::EmitResponse,
              server::DeferResponse defer) override {
    auto sink = defer();
    std::lock_guard lock(mutex_);
    queries_[message_id(query)] = {std::vector<std::uint8_t>(query.begin(), query.end()), sink};
  }
  std::size_t waiting() {
    std::lock_guard lock(mutex_);
    return queries_.size();
  }
  // Waits until `n` queries are held (or 5 s pass).
  bool wait_for(std::size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (waiting() < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }
  // Sends the echo answer to query `id` (QR set) through its sink.
  void answer(std::uint16_t id) {
    auto entry = take(id);
    entry.query[2] |= 0x80;
    entry.sink->send(entry.query);
  }
  // Drops the sink without answering.
  void abandon(std::uint16_t id) { take(id); }

 private:
  struct Held {
    std::vector<std::uint8_t> query;
    std::shared_ptr<server::ResponseSink> sink;
  };
  static std::uint16_t message_id(std::span<const std::uint8_t> m) {
    return static_cast<std::uint16_t>((m[0] << 8) | m[1]);
  }
  Held take(std::uint16_t id) {
    std::lock_guard lock(mutex_);
    Held held = std::move(queries_.at(id));
    queries_.erase(id);
    return held;
  }
  std::mutex mutex_;
  std::map<std::uint16_t, Held> queries_;
};

// Emits a response of the size the query's second byte asks for, in units of 256 bytes plus
// the third byte: a stand-in for a processor's large answers.
class SizedHandler final : public server::QueryHandler {
 public:
  using server::QueryHandler::handle;
  void handle(std::span<const std::uint8_t> query, const server::ClientInfo&,
              server::EmitResponse emit, server::DeferResponse) override {
    std::vector<std::uint8_t> response(query[1] * 256 + query[2], 0x5a);
    response[0] = query[0];
    response[1] = query[1];
    response[2] = 0x80;
    emit(response);
  }
};

// Runs an io_context on a thread for the lifetime of the object.
class IoThread {
 public:
  IoThread() : work_(boost::asio::make_work_guard(context)) {}
  void start() {
    thread_ = std::thread([this] { context.run(); });
  }
  // Stops and joins; call before destroying anything the io_context's handlers use.
  void stop() {
    context.stop();
    if (thread_.joinable()) thread_.join();
  }
  ~IoThread() { stop(); }
  boost::asio::io_context context;

 private:
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

// A 12-octet DNS-like message with the given ID and `extra` padding bytes.
inline std::vector<std::uint8_t> make_query(std::uint16_t id, std::size_t extra = 0) {
  std::vector<std::uint8_t> q(12 + extra, 0);
  q[0] = static_cast<std::uint8_t>(id >> 8);
  q[1] = static_cast<std::uint8_t>(id);
  q[5] = 1;  // QDCOUNT, for looks
  return q;
}

inline std::uint16_t message_id(std::span<const std::uint8_t> m) {
  return static_cast<std::uint16_t>((m[0] << 8) | m[1]);
}

// A blocking socket with a receive timeout, closed on destruction.
class ClientSocket {
 public:
  ClientSocket(int family, int type, std::chrono::milliseconds timeout) {
    fd_ = ::socket(family, type, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    timeval tv{};
    tv.tv_sec = timeout.count() / 1000;
    tv.tv_usec = (timeout.count() % 1000) * 1000;
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~ClientSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  ClientSocket(const ClientSocket&) = delete;
  ClientSocket& operator=(const ClientSocket&) = delete;
  ClientSocket(ClientSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

  int fd() const { return fd_; }

  bool connect_v4(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  bool send_all(std::span<const std::uint8_t> data) {
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  // Exactly `n` bytes, or nullopt on EOF, error or timeout.
  std::optional<std::vector<std::uint8_t>> read_exact(std::size_t n) {
    std::vector<std::uint8_t> out(n);
    std::size_t done = 0;
    while (done < n) {
      const ssize_t r = ::recv(fd_, out.data() + done, n - done, 0);
      if (r <= 0) return std::nullopt;
      done += static_cast<std::size_t>(r);
    }
    return out;
  }
  // One length-framed message (RFC 7766 §8).
  std::optional<std::vector<std::uint8_t>> read_frame() {
    auto prefix = read_exact(2);
    if (!prefix) return std::nullopt;
    return read_exact(static_cast<std::size_t>(((*prefix)[0] << 8) | (*prefix)[1]));
  }
  // What the next read sees: 0 for EOF (or reset), 1 for data, -1 for the timeout.
  int wait_eof_or_data() {
    std::uint8_t byte;
    const ssize_t r = ::recv(fd_, &byte, 1, 0);
    if (r > 0) return 1;
    if (r == 0) return 0;
    return (errno == EAGAIN || errno == EWOULDBLOCK) ? -1 : 0;
  }

 private:
  int fd_ = -1;
};

inline std::vector<std::uint8_t> framed(std::span<const std::uint8_t> message) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(message.size() >> 8),
                                static_cast<std::uint8_t>(message.size())};
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

}  // namespace hayate::test
