#include "server/net/uring_udp_loop.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <span>
#include <system_error>
#include <thread>

#include <spdlog/spdlog.h>

#include "server/net/udp_response_sink.hpp"

namespace hayate::server::net {

namespace {

// user_data of each request: what it is (top byte) and which listener or send slot.
enum Kind : std::uint64_t { kReceive = 1, kSend = 2, kAsio = 3 };
constexpr std::uint64_t tag(Kind kind, std::uint64_t index) {
  return (static_cast<std::uint64_t>(kind) << 56) | index;
}
constexpr Kind kind_of(std::uint64_t user_data) {
  return static_cast<Kind>(user_data >> 56);
}
constexpr std::uint64_t index_of(std::uint64_t user_data) {
  return user_data & ((std::uint64_t{1} << 56) - 1);
}

constexpr unsigned kRingEntries = 512;
// A power of two (buffer ring). The kernel takes the ring's buffers in turn, so each datagram is
// written to the page after the last one's: with 256 (1.1 MB) every one was a cold page, and on
// a machine where a system call flushes the TLB (PTI without PCID) a TLB miss too. 32 keep the
// receive copy (_copy_to_iter) at 2.5% of a worker's profile instead of 4.4% (issue 8: -1.7%
// CPU per answer, 14 paired rounds). A burst larger than this ends the multishot receive with
// ENOBUFS; the datagrams wait in the socket until run() gives the buffers back and re-arms.
constexpr unsigned kBuffersPerListener = 32;
constexpr std::size_t kSendSlots = 256;
constexpr std::size_t kRingSendLimit = 1232;
// A received buffer: io_uring_recvmsg_out, the peer's address, then the datagram; a cache line
// over a multiple of 4096 so that the buffers' first lines do not share one L1 set.
constexpr std::size_t kNameSpace = sizeof(sockaddr_storage);
constexpr std::size_t kBufferSize =
    sizeof(io_uring_recvmsg_out) + kNameSpace + UringUdpLoop::kQuerySize;
constexpr std::size_t kBufferStride = (kBufferSize + 63) / 64 * 64 + 64;
constexpr std::size_t kResponseStride = UringUdpLoop::kResponseSize + 64;

// SINGLE_ISSUER + DEFER_TASKRUN (6.1): completions are worked off only inside io_uring_enter, on
// this thread, with no interrupts in between; older kernels take the plain ring.
int setup_ring(io_uring& ring, unsigned entries) {
  io_uring_params params{};
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
  params.cq_entries = entries * 4;
  int result = io_uring_queue_init_params(entries, &ring, &params);
  if (result == -EINVAL) {
    params = {};
    params.flags = IORING_SETUP_CQSIZE;
    params.cq_entries = entries * 4;
    result = io_uring_queue_init_params(entries, &ring, &params);
  }
  return result;
}

[[noreturn]] void fail(int negative_errno, const char* what) {
  throw std::system_error(-negative_errno, std::system_category(), what);
}

// A ring of provided buffers for one listener (kernel 5.19): mmap'd, page-aligned.
struct BufferRing {
  io_uring_buf_ring* ring = nullptr;
  std::size_t bytes = 0;
  unsigned entries = 0;

  int setup(io_uring& uring, unsigned count, std::uint16_t group) {
    entries = count;
    bytes = count * sizeof(io_uring_buf);
    void* memory =
        ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (memory == MAP_FAILED) return -errno;
    ring = static_cast<io_uring_buf_ring*>(memory);
    io_uring_buf_ring_init(ring);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uint64_t>(ring);
    reg.ring_entries = count;
    reg.bgid = group;
    return io_uring_register_buf_ring(&uring, &reg, 0);
  }
  void add(std::uint8_t* buffer, std::size_t length, unsigned id, unsigned offset) {
    io_uring_buf_ring_add(ring, buffer, static_cast<unsigned>(length),
                          static_cast<unsigned short>(id), io_uring_buf_ring_mask(entries),
                          static_cast<int>(offset));
  }
  ~BufferRing() {
    if (ring != nullptr) ::munmap(ring, bytes);
  }
};

void prepare_multishot(io_uring_sqe* sqe, int fd, msghdr* header, std::uint16_t group,
                       unsigned char flags = 0) {
  io_uring_prep_recvmsg_multishot(sqe, fd, header, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT | flags;
  sqe->buf_group = group;
}

// What the kernel can do, found once by trying it over loopback.
struct ProbeResult {
  bool receive = false;  // a multishot receive, end to end: what run() relies on
  // IORING_OP_SEND with a destination address (sendto): no msghdr and iovec for the kernel to
  // copy in and check per answer, as IORING_OP_SENDMSG has (-2.5% of a worker's profile). Not
  // every kernel with multishot receives takes the address; there answers go as sendmsg.
  bool send_to = false;
};

// The probe's second datagram, sent to itself through the ring as sendto; true if it went.
bool probe_send_to(io_uring& ring, int fd, const sockaddr_in& self,
                   std::span<const char> datagram) {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring);
  io_uring_prep_send(sqe, fd, datagram.data(), datagram.size(), MSG_DONTWAIT);
  io_uring_prep_send_set_addr(sqe, reinterpret_cast<const sockaddr*>(&self), sizeof self);
  io_uring_sqe_set_data64(sqe, 2);
  if (io_uring_submit(&ring) != 1) return false;
  __kernel_timespec timeout{.tv_sec = 1, .tv_nsec = 0};
  io_uring_cqe* cqe = nullptr;
  while (io_uring_wait_cqe_timeout(&ring, &cqe, &timeout) == 0) {
    const bool mine = cqe->user_data == 2;
    const bool sent = cqe->res == static_cast<int>(datagram.size());
    io_uring_cqe_seen(&ring, cqe);
    if (mine) return sent;
  }
  return false;
}

ProbeResult probe() {
  io_uring ring{};
  ProbeResult result;
  if (setup_ring(ring, 8) < 0) return result;
  bool ok = false;
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  {
    BufferRing buffers;
    std::vector<std::uint8_t> storage(2 * 512);
    sockaddr_in self{};
    self.sin_family = AF_INET;
    self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t self_length = sizeof self;
    msghdr header{};
    header.msg_namelen = sizeof(sockaddr_storage);
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&self), sizeof self) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&self), &self_length) == 0 &&
        buffers.setup(ring, 2, 0) == 0) {
      for (unsigned i = 0; i < 2; ++i)
        buffers.add(storage.data() + i * 512, 512, i, i);
      io_uring_buf_ring_advance(buffers.ring, 2);
      io_uring_sqe* receive = io_uring_get_sqe(&ring);
      prepare_multishot(receive, fd, &header, 0);
      io_uring_sqe_set_data64(receive, 1);
      static constexpr char kProbe[] = "hayate";
      io_uring_cqe* cqe = nullptr;
      __kernel_timespec timeout{.tv_sec = 1, .tv_nsec = 0};
      if (io_uring_submit(&ring) == 1 &&
          ::sendto(fd, kProbe, sizeof kProbe, 0, reinterpret_cast<sockaddr*>(&self), sizeof self) ==
              static_cast<ssize_t>(sizeof kProbe) &&
          io_uring_wait_cqe_timeout(&ring, &cqe, &timeout) == 0 && cqe->res > 0 &&
          (cqe->flags & IORING_CQE_F_BUFFER) != 0) {
        void* buffer = storage.data() + (cqe->flags >> IORING_CQE_BUFFER_SHIFT) * 512;
        auto* out = io_uring_recvmsg_validate(buffer, cqe->res, &header);
        ok = out != nullptr &&
             io_uring_recvmsg_payload_length(out, cqe->res, &header) == sizeof kProbe &&
             std::memcmp(io_uring_recvmsg_payload(out, &header), kProbe, sizeof kProbe) == 0;
        io_uring_cqe_seen(&ring, cqe);
        result.receive = ok;
        result.send_to = ok && probe_send_to(ring, fd, self, kProbe);
      }
    }
    io_uring_queue_exit(&ring);  // before the buffers go
  }
  if (fd >= 0) ::close(fd);
  return result;
}

// Probed once, on a thread of its own: tearing the ring down can leave io_uring task work for the
// thread that set it up, which would interrupt that thread's next blocking call (EINTR).
const ProbeResult& probed() {
  static const ProbeResult result = [] {
    ProbeResult r;
    std::thread([&r] { r = probe(); }).join();
    return r;
  }();
  return result;
}

}  // namespace

struct UringUdpLoop::Listener {
  std::shared_ptr<UdpListenSocket> socket;
  std::uint16_t group = 0;
  BufferRing buffers;
  std::vector<std::uint8_t> storage;  // kBuffersPerListener × kBufferStride
  msghdr header{};                    // what each multishot receive fills in: the peer's address
  unsigned returned = 0;              // buffers given back since the last advance
  unsigned errors_in_a_row = 0;       // failed receives since the last datagram
  bool armed = false;

  std::uint8_t* buffer(unsigned id) { return storage.data() + id * kBufferStride; }
  void give_back(unsigned id) { buffers.add(buffer(id), kBufferSize, id, returned++); }
  void publish() {
    if (returned == 0) return;
    io_uring_buf_ring_advance(buffers.ring, static_cast<int>(returned));
    returned = 0;
  }
};

struct UringUdpLoop::SendSlot {
  std::size_t listener = 0;
  msghdr header{};  // for sendmsg; with sendto only msg_namelen is used
  iovec iov{};
  sockaddr_storage peer{};
  std::uint8_t* bytes = nullptr;
};

bool UringUdpLoop::supported() {
  return probed().receive;
}

UringUdpLoop::Faults& UringUdpLoop::faults() {
  static Faults instance;
  return instance;
}

UringUdpLoop::UringUdpLoop(boost::asio::io_context& context, QueryHandler& handler,
                           std::vector<std::shared_ptr<UdpListenSocket>> sockets)
    : asio_(context), handler_(handler) {
  if (faults().fail_setup.load()) fail(-ENOMEM, "io_uring_queue_init (test fault)");
  if (const int r = setup_ring(ring_, kRingEntries); r < 0) fail(r, "io_uring_queue_init");
  ring_ready_ = true;
  send_to_ = probed().send_to && !faults().sendmsg_only.load();
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    auto listener = std::make_unique<Listener>();
    listener->socket = std::move(sockets[i]);
    listener->group = static_cast<std::uint16_t>(i);
    listener->storage.resize(kBuffersPerListener * kBufferStride);
    listener->header.msg_namelen = kNameSpace;
    if (const int r = listener->buffers.setup(ring_, kBuffersPerListener, listener->group); r < 0) {
      fail(r, "io_uring_register_buf_ring");
    }
    for (unsigned id = 0; id < kBuffersPerListener; ++id)
      listener->give_back(id);
    listener->publish();
    listeners_.push_back(std::move(listener));
  }
  // Registered descriptors: each request then names its socket by index, and the kernel skips
  // looking the descriptor up and counting a reference on it, per receive and per send. Where
  // the kernel refuses (RLIMIT_NOFILE), the plain descriptors do the same job.
  std::vector<int> descriptors;
  for (const auto& listener : listeners_)
    descriptors.push_back(listener->socket->native_handle());
  fixed_files_ = !descriptors.empty() &&
                 io_uring_register_files(&ring_, descriptors.data(),
                                         static_cast<unsigned>(descriptors.size())) == 0;
  send_slots_.resize(kSendSlots);
  response_bytes_.resize(kSendSlots * kResponseStride);
  free_send_slots_.reserve(kSendSlots);
  for (std::size_t i = 0; i < kSendSlots; ++i) {
    SendSlot& slot = send_slots_[i];
    slot.bytes = response_bytes_.data() + i * kResponseStride;
    slot.iov.iov_base = slot.bytes;
    slot.header.msg_iov = &slot.iov;
    slot.header.msg_iovlen = 1;
    slot.header.msg_name = &slot.peer;
    free_send_slots_.push_back(static_cast<std::uint32_t>(kSendSlots - 1 - i));
  }
}

UringUdpLoop::~UringUdpLoop() {
  // Cancels the receives and waits for the kernel to let go of the buffers, before they go.
  if (ring_ready_) io_uring_queue_exit(&ring_);
}

io_uring_sqe* UringUdpLoop::next_sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    // Full: hand what is queued to the kernel now (sends go out, nothing waits).
    if (const int r = io_uring_submit(&ring_); r < 0) fail(r, "io_uring_submit");
    sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) fail(-EBUSY, "io_uring_get_sqe");
  }
  return sqe;
}

void UringUdpLoop::arm_receive(std::size_t index) {
  Listener& listener = *listeners_[index];
  listener.publish();  // the kernel needs buffers before it can receive
  io_uring_sqe* sqe = next_sqe();
  if (faults().refuse_receives.load(std::memory_order_relaxed)) {
    prepare_multishot(sqe, -1, &listener.header, listener.group);  // -EBADF
  } else if (fixed_files_) {
    prepare_multishot(sqe, static_cast<int>(index), &listener.header, listener.group,
                      IOSQE_FIXED_FILE);
  } else {
    prepare_multishot(sqe, listener.socket->native_handle(), &listener.header, listener.group);
  }
  io_uring_sqe_set_data64(sqe, tag(kReceive, index));
  listener.armed = true;
}

void UringUdpLoop::arm_asio_poll() {
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_poll_add(sqe, asio_.descriptor(), POLLIN);
  io_uring_sqe_set_data64(sqe, tag(kAsio, 0));
}

void UringUdpLoop::run() {
  while (true) {
    if (asio_ready_) {
      asio_ready_ = false;
      if (!asio_.run_ready()) return;  // stopped
      arm_asio_poll();
    }
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
      listeners_[i]->publish();
      if (!listeners_[i]->armed && listeners_[i]->socket->is_open()) arm_receive(i);
    }
    // Submits this round's answers and re-arms, then sleeps until there is something to do.
    // A UDP send completes inside the submission (MSG_DONTWAIT: it is sent or it fails) and
    // posts its completion at once; waiting for one event would then return before anything
    // new arrived, and the next wait would be a second system call for the same wake-up. So
    // wait for one event more than the sends not yet reaped.
    const int r = io_uring_submit_and_wait(&ring_, unreaped_sends_ + 1);
    if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY && r != -ETIME) {
      fail(r, "io_uring_submit_and_wait");
    }
    std::array<io_uring_cqe*, 64> cqes{};
    unsigned n;
    while ((n = io_uring_peek_batch_cqe(&ring_, cqes.data(), cqes.size())) > 0) {
      for (unsigned i = 0; i < n; ++i) {
        if (i + 1 < n) hint(*cqes[i + 1]);
        complete(*cqes[i]);
      }
      io_uring_cq_advance(&ring_, n);
    }
  }
}

void UringUdpLoop::complete(const io_uring_cqe& cqe) {
  const std::uint64_t index = index_of(cqe.user_data);
  switch (kind_of(cqe.user_data)) {
    case kReceive: {
      Listener& listener = *listeners_[index];
      if ((cqe.flags & IORING_CQE_F_MORE) == 0) listener.armed = false;  // re-armed by run()
      if (cqe.res >= 0 && (cqe.flags & IORING_CQE_F_BUFFER) != 0) {
        listener.errors_in_a_row = 0;
        on_datagram(index, cqe);
      } else if (cqe.res < 0 && cqe.res != -ENOBUFS &&
                 ++listener.errors_in_a_row >= kMaxReceiveErrors) {
        fail(cqe.res, "io_uring receive keeps failing");
      }
      // Errors end the multishot receive: -ENOBUFS (every buffer in use) ends it until run()
      // gives buffers back and re-arms; others mostly concern one datagram, as in UdpServer.
      return;
    }
    case kSend: {
      --unreaped_sends_;
      const SendSlot& slot = send_slots_[index];
      const UdpListenSocket& socket = *listeners_[slot.listener]->socket;
      // Larger than the interface MTU (never_fragment): the client gets TC=1 and asks over TCP.
      // Only on links whose MTU is below 1,260 (see send()), and late: this completion is read
      // at the next wake-up. Other errors are drops, as UDP allows.
      if (cqe.res == -EMSGSIZE && socket.is_open()) {
        send_truncated(socket.native_handle(), {slot.bytes, slot.iov.iov_len}, slot.peer,
                       slot.header.msg_namelen);
      }
      free_send_slots_.push_back(static_cast<std::uint32_t>(index));
      return;
    }
    case kAsio:
      asio_ready_ = true;
      return;
  }
}

// The next datagram of the batch, announced to the handler while the current one is answered
// (QueryHandler::prefetch): its cache lookup then finds its memory loaded.
void UringUdpLoop::hint(const io_uring_cqe& cqe) {
  if (kind_of(cqe.user_data) != kReceive || cqe.res < 0 || (cqe.flags & IORING_CQE_F_BUFFER) == 0)
    return;
  const Received datagram = received(*listeners_[index_of(cqe.user_data)], cqe);
  if (datagram.out != nullptr) handler_.prefetch(datagram.payload);
}

UringUdpLoop::Received UringUdpLoop::received(Listener& listener, const io_uring_cqe& cqe) {
  const unsigned id = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
  auto* out = io_uring_recvmsg_validate(listener.buffer(id), cqe.res, &listener.header);
  // Larger than any sane query (MSG_TRUNC), or an address that did not fit: dropped.
  if (out == nullptr || (out->flags & MSG_TRUNC) != 0 || out->namelen > kNameSpace) return {};
  const auto* payload =
      static_cast<const std::uint8_t*>(io_uring_recvmsg_payload(out, &listener.header));
  return {out, std::span<const std::uint8_t>(
                   payload, io_uring_recvmsg_payload_length(out, cqe.res, &listener.header))};
}

void UringUdpLoop::on_datagram(std::size_t index, const io_uring_cqe& cqe) {
  Listener& listener = *listeners_[index];
  const unsigned id = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
  const Received datagram = received(listener, cqe);
  if (io_uring_recvmsg_out* out = datagram.out) {
    ClientInfo client;
    std::memcpy(&client.address, io_uring_recvmsg_name(out), out->namelen);
    client.address_length = out->namelen;
    client.transport = Transport::kUdp;
    client.listener = listener.socket->local_address();
    client.listener_length = listener.socket->local_address_length();
    bool answered = false;
    try {
      // Over UDP only one response message makes sense; the first is kept (as UdpServer).
      handler_.handle(
          datagram.payload, client,
          [&](std::span<const std::uint8_t> message) {
            if (answered || message.size() > kResponseSize) return;
            answered = true;
            send(index, client.address, client.address_length, message);
          },
          [&]() -> std::shared_ptr<ResponseSink> {
            return std::make_shared<DirectUdpResponseSink>(listener.socket, client.address,
                                                           client.address_length);
          });
    } catch (const std::exception& e) {
      spdlog::error("worker: unexpected exception while answering: {}", e.what());
    }
  }
  listener.give_back(id);
}

void UringUdpLoop::send(std::size_t index, const sockaddr_storage& peer, socklen_t peer_length,
                        std::span<const std::uint8_t> message) {
  const int fd = listeners_[index]->socket->native_handle();
  // Sent directly: when every slot is in flight (a burst the kernel has not sent yet), and an
  // answer larger than 1,232 octets (the default EDNS size, RFC 9715 §3), which may exceed the
  // interface MTU: its failure (EMSGSIZE, answered with TC=1) is then seen at once, whereas a
  // ring send's completion waits for the next wake-up (run()).
  if (free_send_slots_.empty() || message.size() > kRingSendLimit) {
    send_datagram(fd, message, peer, peer_length);
    return;
  }
  const std::uint32_t i = free_send_slots_.back();
  free_send_slots_.pop_back();
  SendSlot& slot = send_slots_[i];
  std::memcpy(slot.bytes, message.data(), message.size());
  slot.iov.iov_len = message.size();
  slot.listener = index;
  std::memcpy(&slot.peer, &peer, peer_length);
  slot.header.msg_namelen = peer_length;
  io_uring_sqe* sqe = next_sqe();
  const int file = fixed_files_ ? static_cast<int>(index) : fd;
  if (send_to_) {
    io_uring_prep_send(sqe, file, slot.bytes, message.size(), MSG_DONTWAIT);
    io_uring_prep_send_set_addr(sqe, reinterpret_cast<const sockaddr*>(&slot.peer),
                                static_cast<std::uint16_t>(peer_length));
  } else {
    io_uring_prep_sendmsg(sqe, file, &slot.header, MSG_DONTWAIT);
  }
  if (fixed_files_) sqe->flags |= IOSQE_FIXED_FILE;
  io_uring_sqe_set_data64(sqe, tag(kSend, i));
  ++unreaped_sends_;
}

}  // namespace hayate::server::net
