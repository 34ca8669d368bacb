// hayate: the DNS server daemon.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "conf/config.hpp"
#include "server/daemon.hpp"
#include "server/logging.hpp"

#ifndef HAYATE_VERSION
#define HAYATE_VERSION "unknown"
#endif

namespace {

constexpr const char* kUsage =
    "usage: hayate --config FILE [--check-config] [--foreground]\n"
    "       hayate --help | --version\n"
    "\n"
    "  -c, --config FILE   the configuration (TOML); see conf/examples/authoritative.toml\n"
    "      --check-config  check the configuration and load every zone, print the problems,\n"
    "                      exit 0 when all is well and 1 otherwise\n"
    "  -f, --foreground    stay in the foreground (the default: run it under systemd or the like)\n"
    "  -h, --help          this text\n"
    "  -V, --version       the version\n"
    "\n"
    "Signals: SIGHUP reloads the configuration and the zones; SIGTERM and SIGINT stop.\n"
    "hayatectl talks to the running daemon over its control socket.\n";

struct Options {
  std::string config;
  bool check = false;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "hayate: %s\n%s", message.c_str(), kUsage);
  return 2;
}

// Returns -1 when the program should go on, else the exit code.
int parse_args(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "-V" || arg == "--version") {
      std::printf("hayate %s\n", HAYATE_VERSION);
      return 0;
    }
    if (arg == "--check-config") {
      options.check = true;
    } else if (arg == "-f" || arg == "--foreground") {
      // Always in the foreground; accepted for scripts that say so explicitly.
    } else if (arg == "-c" || arg == "--config") {
      if (++i == argc) return usage_error(std::string(arg) + " needs a file");
      options.config = argv[i];
    } else if (arg.starts_with("--config=")) {
      options.config = std::string(arg.substr(std::strlen("--config=")));
    } else {
      return usage_error("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (options.config.empty()) return usage_error("--config FILE is required");
  // Reloads read the file again: keep working if the current directory changes meanwhile.
  std::error_code ignored;
  if (auto absolute = std::filesystem::absolute(options.config, ignored); !ignored) {
    options.config = absolute.lexically_normal().string();
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (const int code = parse_args(argc, argv, options); code >= 0) return code;

  auto config = hayate::conf::load_config(options.config);
  if (!config) {
    std::fputs(config.error_text().c_str(), stderr);
    return 1;
  }
  if (options.check) return hayate::server::Daemon::check(*config, stdout);

  // Writes to a client that has gone away must fail with EPIPE, not kill the daemon.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    hayate::server::setup_logging(config->log);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hayate: cannot set up logging: %s\n", e.what());
    return 1;
  }
  try {
    hayate::server::Daemon daemon(options.config, std::move(*config));
    return daemon.run();
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}
