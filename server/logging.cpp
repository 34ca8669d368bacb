#include "server/logging.hpp"

#include <syslog.h>

#include <memory>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>

namespace hayate::server {
namespace {

spdlog::level::level_enum to_spdlog(conf::LogLevel level) {
  switch (level) {
    case conf::LogLevel::kTrace:
      return spdlog::level::trace;
    case conf::LogLevel::kDebug:
      return spdlog::level::debug;
    case conf::LogLevel::kInfo:
      return spdlog::level::info;
    case conf::LogLevel::kWarn:
      return spdlog::level::warn;
    case conf::LogLevel::kError:
      return spdlog::level::err;
    case conf::LogLevel::kCritical:
      return spdlog::level::critical;
    case conf::LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

spdlog::sink_ptr make_sink(const conf::LogTarget& target) {
  switch (target.kind) {
    case conf::LogTarget::Kind::kSyslog:
      return std::make_shared<spdlog::sinks::syslog_sink_mt>("hayate", LOG_PID, LOG_DAEMON, true);
    case conf::LogTarget::Kind::kFile:
      return std::make_shared<spdlog::sinks::basic_file_sink_mt>(target.path);
    case conf::LogTarget::Kind::kStderr:
      break;
  }
  return std::make_shared<spdlog::sinks::stderr_sink_mt>();
}

}  // namespace

void setup_logging(const conf::LogConfig& config) {
  auto logger = std::make_shared<spdlog::logger>("hayate", make_sink(config.target));
  // syslog adds its own time stamp and level.
  if (config.target.kind == conf::LogTarget::Kind::kSyslog)
    logger->set_pattern("%v");
  else
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] %v");
  logger->set_level(to_spdlog(config.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

void set_log_level(conf::LogLevel level) {
  spdlog::default_logger()->set_level(to_spdlog(level));
}

}  // namespace hayate::server
