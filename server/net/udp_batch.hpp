// The preallocated buffers one worker uses for batched UDP receive and send.
//
// The worker's UDP sockets all run on its one thread and each batch is handled to completion
// before the next, so they can share one set.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hayate::server::net {

struct UdpBatch {
  static constexpr std::size_t kMessages = 32;  // datagrams per recvmmsg / sendmmsg
  // Queries are small (a question and an OPT record); a datagram that does not fit is reported
  // as truncated by the kernel (MSG_TRUNC) and dropped.
  static constexpr std::size_t kQuerySize = 4096;
  // The processor limits UDP responses to the client's payload size; the buffer takes anything.
  static constexpr std::size_t kResponseSize = 65535;

  UdpBatch();
  UdpBatch(const UdpBatch&) = delete;
  UdpBatch& operator=(const UdpBatch&) = delete;

  std::vector<std::uint8_t> queries;    // kMessages × kQuerySize
  std::vector<std::uint8_t> responses;  // kMessages × kResponseSize
  std::array<sockaddr_storage, kMessages> peers{};
  std::array<iovec, kMessages> query_iov{};
  std::array<mmsghdr, kMessages> query_headers{};
  std::array<iovec, kMessages> response_iov{};
  std::array<mmsghdr, kMessages> response_headers{};

  std::uint8_t* query(std::size_t i) { return queries.data() + i * kQuerySize; }
  std::uint8_t* response(std::size_t i) { return responses.data() + i * kResponseSize; }
  // Re-points the receive headers at their buffers (recvmmsg overwrites the lengths).
  void prepare_receive();
};

}  // namespace hayate::server::net
