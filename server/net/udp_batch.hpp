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
  // The largest UDP response the processor makes: it limits UDP answers to the client's payload
  // size and to udp-payload-size, whose largest allowed value is 4096 (conf/options.cpp). A larger
  // message from a handler is dropped (UdpServer::answer_batch).
  static constexpr std::size_t kResponseSize = 4096;
  // Slots are a cache line longer than their size: at a 4096-byte stride every slot's first line
  // would fall in the same L1 cache set (issue 8: these buffers used 64 KiB response slots, 2 MiB
  // a worker, of which a batch touches a hundred bytes per slot).
  static constexpr std::size_t kQueryStride = kQuerySize + 64;
  static constexpr std::size_t kResponseStride = kResponseSize + 64;

  UdpBatch();
  UdpBatch(const UdpBatch&) = delete;
  UdpBatch& operator=(const UdpBatch&) = delete;

  std::vector<std::uint8_t> queries;    // kMessages × kQueryStride
  std::vector<std::uint8_t> responses;  // kMessages × kResponseStride
  std::array<sockaddr_storage, kMessages> peers{};
  std::array<iovec, kMessages> query_iov{};
  std::array<mmsghdr, kMessages> query_headers{};
  std::array<iovec, kMessages> response_iov{};
  std::array<mmsghdr, kMessages> response_headers{};

  std::uint8_t* query(std::size_t i) { return queries.data() + i * kQueryStride; }
  std::uint8_t* response(std::size_t i) { return responses.data() + i * kResponseStride; }
  // Re-points the receive headers at their buffers (recvmmsg overwrites the lengths).
  void prepare_receive();
};

}  // namespace hayate::server::net
