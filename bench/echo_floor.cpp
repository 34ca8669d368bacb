// The floor of the CPU-per-query measure (issue 8): a UDP responder with no DNS in it, only the
// socket work every server on this machine pays per query. It blocks in recvmmsg until at least
// one datagram is there (MSG_WAITFORONE, up to kBatch), sets QR on each and sends them all back
// with one sendmmsg: the "bare recvmmsg/sendmmsg echo loop" the issue calibrates its goals with.
// compare.py runs it beside the servers of each group at the same fixed rate, so that every
// result says what the kernel alone costs per query there (a goal below it cannot be met by
// answering each query as it comes, however little the DNS work costs).
//
//   hayate-echo-floor ADDRESS PORT    binds ADDRESS:PORT (PORT 0: any), prints the port, echoes
//                                     until killed
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr unsigned kBatch = 32;
constexpr std::size_t kDatagram = 2048;  // queries are a few dozen octets; longer ones are cut
constexpr std::uint8_t kQrBit = 0x80;    // RFC 1035 §4.1.1: the high bit of the third octet

int bind_udp(const char* address, unsigned port) {
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, address, &local.sin_addr) != 1) {
    std::fprintf(stderr, "hayate-echo-floor: not an IPv4 address: %s\n", address);
    return -1;
  }
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
    std::fprintf(stderr, "hayate-echo-floor: %s:%u: %s\n", address, port, std::strerror(errno));
    return -1;
  }
  socklen_t length = sizeof local;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
  std::printf("%u\n", ntohs(local.sin_port));
  std::fflush(stdout);
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: hayate-echo-floor ADDRESS PORT\n");
    return 2;
  }
  const int fd = bind_udp(argv[1], static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)));
  if (fd < 0) return 1;
  static std::array<std::array<std::uint8_t, kDatagram>, kBatch> buffers;
  std::array<mmsghdr, kBatch> messages{};
  std::array<iovec, kBatch> vectors{};
  std::array<sockaddr_storage, kBatch> peers{};
  for (;;) {
    for (unsigned i = 0; i < kBatch; ++i) {
      vectors[i] = {buffers[i].data(), kDatagram};
      messages[i].msg_hdr = {};
      messages[i].msg_hdr.msg_iov = &vectors[i];
      messages[i].msg_hdr.msg_iovlen = 1;
      messages[i].msg_hdr.msg_name = &peers[i];
      messages[i].msg_hdr.msg_namelen = sizeof peers[i];
    }
    const int received = ::recvmmsg(fd, messages.data(), kBatch, MSG_WAITFORONE, nullptr);
    if (received < 0) {
      if (errno == EINTR) continue;
      std::perror("hayate-echo-floor: recvmmsg");
      return 1;
    }
    for (int i = 0; i < received; ++i) {
      vectors[i].iov_len = messages[i].msg_len;
      if (messages[i].msg_len > 2) buffers[i][2] |= kQrBit;
    }
    (void)::sendmmsg(fd, messages.data(), static_cast<unsigned>(received), 0);
  }
}
