#include "server/net/tcp_response_sink.hpp"

#include <vector>

#include <boost/asio/post.hpp>

#include "server/net/tcp_connection.hpp"

namespace hayate::server::net {

// Always posted, even from the connection's own thread: the connection's state is touched only
// by its own handlers, never from inside another call into it (e.g. from within handle()).
void TcpResponseSink::send(std::span<const std::uint8_t> message) {
  if (done_) return;
  done_ = true;
  boost::asio::post(executor_, [connection = connection_,
                                bytes = std::vector<std::uint8_t>(message.begin(), message.end())] {
    if (auto c = connection.lock()) c->deliver_deferred(bytes);
  });
}

TcpResponseSink::~TcpResponseSink() {
  if (done_) return;
  // Never answered (the handler gave up): the connection need not wait for it any more.
  boost::asio::post(executor_, [connection = connection_] {
    if (auto c = connection.lock()) c->abandon_deferred();
  });
}

}  // namespace hayate::server::net
