// spdlog set-up from the [log] section: level and target (stderr, syslog or a file).
#pragma once

#include "conf/config.hpp"

namespace hayate::server {

// Installs the default logger. Throws spdlog::spdlog_ex when the target cannot be opened.
void setup_logging(const conf::LogConfig& config);

// Applies a new level on reload (the target needs a restart).
void set_log_level(conf::LogLevel level);

}  // namespace hayate::server
