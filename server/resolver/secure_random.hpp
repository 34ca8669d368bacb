// Unpredictable numbers for message IDs, source ports and server choice (RFC 5452 §4, §9.2).
//
// getrandom(2) is the kernel's CSPRNG; one system call per query would cost more than the query,
// so bytes are fetched in blocks and handed out from a buffer. One instance per worker: no locks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace hayate::server::resolver {

class SecureRandom {
 public:
  std::uint16_t next_u16();
  std::uint32_t next_u32();
  // Uniform in [0, bound) without modulo bias; 0 when bound is 0.
  std::uint32_t uniform(std::uint32_t bound);

 private:
  static constexpr std::size_t kBufferSize = 256;

  void take(void* out, std::size_t length);
  void refill();

  std::array<std::uint8_t, kBufferSize> buffer_{};
  std::size_t used_ = kBufferSize;  // empty until first use
};

}  // namespace hayate::server::resolver
