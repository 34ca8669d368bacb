// Counts open TCP connections, in all and per client address, across every worker.
//
// RFC 7766 §6.2.2 asks servers to limit both the total number of connections and the number per
// client so that one client cannot take every slot. Each worker has its own acceptor
// (SO_REUSEPORT), so the counts are shared; accepting is not the per-query path, so a mutex is
// fine.
//
// The resolver counts its questions in flight with the same class ([resolver] max-pending and
// max-pending-per-client); its internal questions (DNS64's A look-ups) have no client address
// (family AF_UNSPEC) and count only against the total.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

namespace hayate::server::net {

class ConnectionLimiter {
 public:
  // 0 means "no limit" for either.
  ConnectionLimiter(std::size_t max_total, std::size_t max_per_client)
      : max_total_(max_total), max_per_client_(max_per_client) {}

  // Holds one connection's place; releases it when destroyed.
  class Slot {
   public:
    Slot(ConnectionLimiter* owner, const std::array<std::uint8_t, 17>& key)
        : owner_(owner), key_(key) {}
    Slot(Slot&& other) noexcept : owner_(other.owner_), key_(other.key_) { other.owner_ = nullptr; }
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    ~Slot() {
      if (owner_ != nullptr) owner_->release(key_);
    }

   private:
    ConnectionLimiter* owner_;
    std::array<std::uint8_t, 17> key_;
  };

  // A slot for a new connection from `client`, or nullopt when a limit is reached.
  std::optional<Slot> try_acquire(const sockaddr_storage& client);

  std::size_t open_connections() const;

 private:
  // The client's address without the port: family byte + up to 16 address octets.
  using Key = std::array<std::uint8_t, 17>;
  static Key key_of(const sockaddr_storage& client);
  void release(const Key& key);

  const std::size_t max_total_;
  const std::size_t max_per_client_;
  mutable std::mutex mutex_;
  std::size_t total_ = 0;
  std::map<Key, std::size_t> per_client_;
};

}  // namespace hayate::server::net
