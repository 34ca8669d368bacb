// hayatectl's side door: a unix stream socket speaking a line protocol.
//
// The client sends one command per line ("reload", "status", "stats"); the server answers with
// zero or more lines and then a last line that is exactly "end ok" or "end error", so a client
// knows where the answer stops without closing the connection. Several commands may follow each
// other on one connection. The socket file is created with mode 0600: only its owner (the user
// the daemon was started as, normally root) and root may connect.
#pragma once

#include <utility>  // before asio's awaitable with g++ 12 and Boost 1.74

#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "server/control_commands.hpp"

namespace hayate::server {

class ControlServer {
 public:
  static constexpr std::size_t kMaxLine = 4096;

  // Binds the socket at `path`, replacing a stale socket file left by a daemon that died; throws
  // std::runtime_error when another daemon still answers there or the bind fails.
  ControlServer(boost::asio::io_context& context, std::string path, ControlCommands& commands);
  ~ControlServer();  // closes and removes the socket file
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  void start();
  void close();  // stops accepting and removes the socket file
  const std::string& path() const { return path_; }

 private:
  using Socket = boost::asio::local::stream_protocol::socket;

  void bind();
  boost::asio::awaitable<void> accept_loop();
  static boost::asio::awaitable<void> serve(Socket socket, ControlCommands& commands);

  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::string path_;
  ControlCommands& commands_;
  bool bound_ = false;
};

}  // namespace hayate::server
