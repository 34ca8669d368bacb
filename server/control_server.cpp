#include "server/control_server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace hayate::server {

namespace asio = boost::asio;
using asio::local::stream_protocol;
using boost::system::error_code;

namespace {

// True when a daemon is accepting on the socket at `path`.
bool someone_listens(asio::io_context& context, const std::string& path) {
  stream_protocol::socket probe(context);
  error_code error;
  probe.connect(stream_protocol::endpoint(path), error);
  return !error;
}

std::string render(const ControlReply& reply) {
  std::string out;
  for (const std::string& line : reply.lines)
    out += line + "\n";
  out += reply.ok ? "end ok\n" : "end error\n";
  return out;
}

}  // namespace

ControlServer::ControlServer(asio::io_context& context, std::string path, ControlCommands& commands)
    : acceptor_(context), path_(std::move(path)), commands_(commands) {
  bind();
}

ControlServer::~ControlServer() {
  close();
}

void ControlServer::bind() {
  if (path_.size() >= sizeof(sockaddr_un::sun_path)) {
    throw std::runtime_error("control socket path too long: " + path_);
  }
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(path_ + " exists and is not a socket");
    auto& context = static_cast<asio::io_context&>(acceptor_.get_executor().context());
    if (someone_listens(context, path_)) {
      throw std::runtime_error("another daemon answers on the control socket " + path_);
    }
    ::unlink(path_.c_str());  // left behind by a daemon that did not shut down cleanly
  }
  // Create the file with mode 0600 from the start: no window in which others could connect.
  const mode_t old_mask = ::umask(0177);
  error_code error;
  acceptor_.open(stream_protocol(), error);
  if (!error) acceptor_.bind(stream_protocol::endpoint(path_), error);
  ::umask(old_mask);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) throw std::runtime_error("control socket " + path_ + ": " + error.message());
  bound_ = true;
}

void ControlServer::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

void ControlServer::close() {
  error_code ignored;
  acceptor_.close(ignored);
  if (bound_) ::unlink(path_.c_str());
  bound_ = false;
}

asio::awaitable<void> ControlServer::accept_loop() {
  while (true) {
    error_code error;
    Socket socket =
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, error));
    if (error == asio::error::operation_aborted || error == asio::error::bad_descriptor) co_return;
    if (error) continue;
    asio::co_spawn(socket.get_executor(), serve(std::move(socket), commands_), asio::detached);
  }
}

asio::awaitable<void> ControlServer::serve(Socket socket, ControlCommands& commands) {
  asio::streambuf input(kMaxLine);
  while (true) {
    error_code error;
    const std::size_t n = co_await asio::async_read_until(
        socket, input, '\n', asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return;  // closed, or a line longer than kMaxLine
    std::string line(asio::buffers_begin(input.data()), asio::buffers_begin(input.data()) + n);
    input.consume(n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
      line.pop_back();
    if (line.empty()) continue;
    const std::string reply = render(commands.execute(line));
    co_await asio::async_write(socket, asio::buffer(reply),
                               asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return;
  }
}

}  // namespace hayate::server
