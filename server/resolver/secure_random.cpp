#include "server/resolver/secure_random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace hayate::server::resolver {

std::uint16_t SecureRandom::next_u16() {
  std::uint16_t value;
  take(&value, sizeof value);
  return value;
}

std::uint32_t SecureRandom::next_u32() {
  std::uint32_t value;
  take(&value, sizeof value);
  return value;
}

std::uint32_t SecureRandom::uniform(std::uint32_t bound) {
  if (bound == 0) return 0;
  // Rejection sampling: drop the values of the last, partial copy of [0, bound).
  const std::uint32_t limit = static_cast<std::uint32_t>(-bound) % bound;
  std::uint32_t value;
  do {
    value = next_u32();
  } while (value < limit);
  return value % bound;
}

void SecureRandom::take(void* out, std::size_t length) {
  if (kBufferSize - used_ < length) refill();
  std::memcpy(out, buffer_.data() + used_, length);
  // Wipe what was handed out, so a later memory disclosure cannot show past IDs or ports.
  std::memset(buffer_.data() + used_, 0, length);
  used_ += length;
}

void SecureRandom::refill() {
  std::size_t filled = 0;
  while (filled < kBufferSize) {
    const ssize_t n = getrandom(buffer_.data() + filled, kBufferSize - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      // No fallback to a weaker generator: predictable IDs and ports are what RFC 5452 forbids.
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    filled += static_cast<std::size_t>(n);
  }
  used_ = 0;
}

}  // namespace hayate::server::resolver
