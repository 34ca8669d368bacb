#include "server/net/connection_limiter.hpp"

#include <netinet/in.h>

#include <cstring>

namespace hayate::server::net {

ConnectionLimiter::Key ConnectionLimiter::key_of(const sockaddr_storage& client) {
  Key key{};
  key[0] = static_cast<std::uint8_t>(client.ss_family);
  if (client.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(client);
    std::memcpy(&key[1], &v4.sin_addr, 4);
  } else if (client.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(client);
    std::memcpy(&key[1], &v6.sin6_addr, 16);
  }
  return key;
}

std::optional<ConnectionLimiter::Slot> ConnectionLimiter::try_acquire(
    const sockaddr_storage& client) {
  const Key key = key_of(client);
  std::lock_guard lock(mutex_);
  if (max_total_ != 0 && total_ >= max_total_) return std::nullopt;
  const bool has_address = client.ss_family == AF_INET || client.ss_family == AF_INET6;
  std::size_t& mine = per_client_[key];
  if (has_address && max_per_client_ != 0 && mine >= max_per_client_) {
    if (mine == 0) per_client_.erase(key);
    return std::nullopt;
  }
  ++mine;
  ++total_;
  return Slot(this, key);
}

void ConnectionLimiter::release(const Key& key) {
  std::lock_guard lock(mutex_);
  --total_;
  auto it = per_client_.find(key);
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
}

std::size_t ConnectionLimiter::open_connections() const {
  std::lock_guard lock(mutex_);
  return total_;
}

}  // namespace hayate::server::net
