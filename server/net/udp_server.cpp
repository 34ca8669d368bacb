#include "server/net/udp_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <span>

#include <boost/asio/ip/v6_only.hpp>

#include "server/net/socket_options.hpp"
#include "server/net/udp_response_sink.hpp"

namespace hayate::server::net {

namespace asio = boost::asio;
using asio::ip::udp;

UdpServer::UdpServer(asio::io_context& context, const udp::endpoint& endpoint,
                     QueryHandler& handler, UdpBatch& batch)
    : socket_(std::make_shared<ReadinessSocket>(context)),
      context_(context),
      executor_(context.get_executor()),
      handler_(handler),
      batch_(batch) {
  socket_->open(endpoint.protocol());
  socket_->set_option(ReusePort(true));
  if (endpoint.address().is_v6()) socket_->set_option(asio::ip::v6_only(true));
  never_fragment(socket_->native_handle(), endpoint.address().is_v6());
  socket_->bind(endpoint);
  copy_endpoint(socket_->local_endpoint(), listener_, listener_length_);
  socket_->non_blocking(true);
  // Room for bursts while the worker is busy; the kernel caps this at net.core.rmem_max.
  boost::system::error_code ignored;
  socket_->set_option(udp::socket::receive_buffer_size(kReceiveBufferBytes), ignored);
}

UdpServer::UdpServer(asio::io_context& context, const UdpListenSocket& bound, QueryHandler& handler,
                     UdpBatch& batch)
    : socket_(std::make_shared<ReadinessSocket>(context)),
      context_(context),
      listener_(bound.local_address()),
      listener_length_(bound.local_address_length()),
      executor_(context.get_executor()),
      handler_(handler),
      batch_(batch) {
  const int fd = ::fcntl(bound.native_handle(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {
    throw boost::system::system_error(errno, boost::system::system_category(), "dup");
  }
  socket_->assign(listener_.ss_family == AF_INET6 ? udp::v6() : udp::v4(), fd);
  socket_->non_blocking(true);
}

void UdpServer::start() {
  wait_readable();
}

void UdpServer::close() {
  boost::system::error_code ignored;
  socket_->close(ignored);
}

void UdpServer::wait_readable() {
  socket_->async_wait(udp::socket::wait_read, [this](const boost::system::error_code& error) {
    if (error) return;  // closed (shutdown): `this` may already be gone
    on_readable();
  });
}

void UdpServer::wait_drained() {
  socket_->wait_readable(context_, [this](bool cancelled) {
    if (cancelled) return;  // closed (shutdown): `this` may already be gone
    on_readable();
  });
}

void UdpServer::on_readable() {
  for (int i = 0; i < kBatchesPerWakeup; ++i) {
    const std::size_t received = receive_batch();
    if (received > 0) send_batch(answer_batch(received));
    if (received < UdpBatch::kMessages) break;
  }
  if (!socket_->is_open()) return;
  // Drained: the next datagram's edge wakes us (one system call a wake-up). Otherwise (datagrams
  // left after kBatchesPerWakeup batches, or an error), re-arming makes epoll check the socket.
  if (drained_) {
    wait_drained();
  } else {
    wait_readable();
  }
}

std::size_t UdpServer::receive_batch() {
  batch_.prepare_receive();
  int n;
  do {
    n = recvmmsg(socket_->native_handle(), batch_.query_headers.data(), UdpBatch::kMessages,
                 MSG_DONTWAIT, nullptr);
  } while (n < 0 && errno == EINTR);
  drained_ = (n >= 0 && static_cast<std::size_t>(n) < UdpBatch::kMessages) ||
             (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
  // EAGAIN: nothing waiting. Other errors (e.g. ICMP-reported ECONNREFUSED from an earlier send)
  // concern one datagram, not the socket; the next wake-up carries on.
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

std::size_t UdpServer::answer_batch(std::size_t received) {
  std::size_t out = 0;
  for (std::size_t i = 0; i < received; ++i) {
    const mmsghdr& in = batch_.query_headers[i];
    if ((in.msg_hdr.msg_flags & MSG_TRUNC) != 0) continue;  // larger than any sane query
    ClientInfo client;
    client.address = batch_.peers[i];
    client.address_length = in.msg_hdr.msg_namelen;
    client.transport = Transport::kUdp;
    client.listener = listener_;
    client.listener_length = listener_length_;
    std::size_t length = 0;
    std::uint8_t* response = batch_.response(out);
    // Over UDP only one response message makes sense; a handler emitting more is a bug, and the
    // first is kept. A deferred answer leaves the batch empty here and goes out on its own.
    handler_.handle(
        std::span<const std::uint8_t>(batch_.query(i), in.msg_len), client,
        [&](std::span<const std::uint8_t> message) {
          if (length != 0 || message.size() > UdpBatch::kResponseSize) return;
          std::memcpy(response, message.data(), message.size());
          length = message.size();
        },
        [&]() -> std::shared_ptr<ResponseSink> {
          return std::make_shared<UdpResponseSink>(socket_, executor_, client.address,
                                                   client.address_length);
        });
    if (length == 0) continue;  // dropped
    batch_.response_iov[out] = {response, length};
    msghdr& h = batch_.response_headers[out].msg_hdr;
    h = {};
    h.msg_name = &batch_.peers[i];
    h.msg_namelen = in.msg_hdr.msg_namelen;
    h.msg_iov = &batch_.response_iov[out];
    h.msg_iovlen = 1;
    ++out;
  }
  return out;
}

void UdpServer::send_batch(std::size_t responses) {
  std::size_t sent = 0;
  while (sent < responses) {
    const int n = sendmmsg(socket_->native_handle(), &batch_.response_headers[sent],
                           static_cast<unsigned>(responses - sent), MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EMSGSIZE) {
      // Larger than the interface MTU (never_fragment): the client gets TC=1 and asks over TCP.
      const msghdr& h = batch_.response_headers[sent].msg_hdr;
      send_truncated(socket_->native_handle(),
                     {static_cast<const std::uint8_t*>(h.msg_iov->iov_base), h.msg_iov->iov_len},
                     *static_cast<const sockaddr_storage*>(h.msg_name), h.msg_namelen);
      ++sent;
    } else {
      // The first remaining datagram failed (a full send buffer, an unreachable client). UDP gives
      // no delivery promise: skip it rather than stall the worker, as other servers do.
      ++sent;
    }
  }
}

}  // namespace hayate::server::net
