// hayatectl: asks a running hayate over its control socket to reload, or for status and stats.
//
// Exit status: 0 the command succeeded, 1 the daemon reported a failure (e.g. a reload with a bad
// configuration), 2 usage, 3 no daemon to talk to.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "conf/config.hpp"

#ifndef HAYATE_VERSION
#define HAYATE_VERSION "unknown"
#endif

namespace {

constexpr const char* kUsage =
    "usage: hayatectl [-s SOCKET | -c CONFIG] COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  reload   re-read the configuration and the zones (a zone that fails keeps its old version)\n"
    "  status   version, uptime, workers, and each zone with its serial, state and last error\n"
    "  stats    query and response counters\n"
    "  cache flush [NAME]   drop the resolver's cached data (for NAME and below, or all)\n"
    "  cache dump           print the resolver's cache\n"
    "  xdp status           the XDP fast path: interfaces, hot answers, per-action counters\n"
    "  xdp flush            empty the kernel's hot-answer map (refilled from the hottest)\n"
    "\n"
    "  -s SOCKET   the daemon's control socket\n"
    "  -c CONFIG   take the socket from the daemon's configuration ([control] socket)\n"
    "              (default: the built-in default socket path)\n"
    "\n"
    "exit status: 0 success, 1 the daemon reported a failure, 2 usage, 3 cannot connect\n";

constexpr int kFailure = 1;
constexpr int kUsageError = 2;
constexpr int kCannotConnect = 3;

int usage_error(const std::string& message) {
  std::fprintf(stderr, "hayatectl: %s\n%s", message.c_str(), kUsage);
  return kUsageError;
}

int connect_to(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return -1;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads the answer up to its "end ok" / "end error" line and prints it: to stdout on success, to
// stderr on failure. Returns the exit status.
int print_reply(int fd) {
  std::string pending;
  std::string text;
  char buffer[4096];
  while (true) {
    std::size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (line == "end ok" || line == "end error") {
        std::fputs(text.c_str(), line == "end ok" ? stdout : stderr);
        return line == "end ok" ? 0 : kFailure;
      }
      text += line + "\n";
    }
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::fprintf(stderr, "hayatectl: the daemon closed the connection before answering\n");
      return kFailure;
    }
    pending.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path;
  std::string config_path;
  std::string command;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "-V" || arg == "--version") {
      std::printf("hayatectl %s\n", HAYATE_VERSION);
      return 0;
    }
    if (arg == "-s" || arg == "-c") {
      if (++i == argc) return usage_error(std::string(arg) + " needs an argument");
      (arg == "-s" ? socket_path : config_path) = argv[i];
    } else if (!arg.empty() && arg[0] == '-') {
      return usage_error("unknown option '" + std::string(arg) + "'");
    } else if (command.empty()) {
      command = arg;
    } else if (command.starts_with("cache") || command.starts_with("xdp")) {
      command += " " + std::string(arg);  // cache flush [NAME], cache dump, xdp status|flush
    } else {
      return usage_error("one command at a time");
    }
  }
  if (command != "reload" && command != "status" && command != "stats" &&
      !command.starts_with("cache") && !command.starts_with("xdp")) {
    return usage_error(command.empty() ? "no command" : "unknown command '" + command + "'");
  }
  if (!socket_path.empty() && !config_path.empty()) return usage_error("-s or -c, not both");
  if (socket_path.empty() && !config_path.empty()) {
    auto config = hayate::conf::load_config(config_path);
    if (!config) {
      std::fputs(config.error_text().c_str(), stderr);
      return kUsageError;
    }
    socket_path = config->control.socket;
  }
  if (socket_path.empty()) socket_path = hayate::conf::default_config().control.socket;

  const int fd = connect_to(socket_path);
  if (fd < 0) {
    std::fprintf(stderr, "hayatectl: cannot connect to %s: %s\n", socket_path.c_str(),
                 std::strerror(errno));
    return kCannotConnect;
  }
  int status = kFailure;
  if (send_all(fd, command + "\n")) {
    status = print_reply(fd);
  } else {
    std::fprintf(stderr, "hayatectl: cannot send to %s\n", socket_path.c_str());
  }
  ::close(fd);
  return status;
}
