// The text of hayatectl's `status` and `stats` answers and of the Prometheus metrics page.
//
// Kept apart from the sockets so that tests can check the exact lines, and so that the control
// socket and the metrics page always report the same numbers under the same names.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/serving_state.hpp"
#include "server/stats.hpp"

namespace hayate::server {

struct DaemonStatus {
  std::string version;
  std::chrono::seconds uptime{0};
  unsigned workers = 0;
  // Workers whose UDP goes through io_uring now; the others use epoll: by configuration, because
  // the kernel refused io_uring at start, or because their ring failed later (logged).
  unsigned io_uring_workers = 0;
  std::vector<ZoneReport> zones;  // the current snapshot's reports
};

// "NOERROR", "NXDOMAIN" … ; "RCODE12" for unassigned values.
std::string rcode_name(std::uint16_t rcode);

// "serving", "kept-old" (the last load failed, the previous version is served) or "failed".
std::string_view zone_state(const ZoneReport& zone);

// The first error of the last load, "" when there is none.
std::string zone_error(const ZoneReport& zone);

// Lines of `key=value`, e.g. "uptime=12" or "udp-io-uring-workers=2", and one line per zone:
// "zone example.test. serial=2024010101 state=serving" (+ ` error="…"` when the load failed).
std::vector<std::string> status_lines(const DaemonStatus& status);

// Lines of `key=value`: queries.udp, queries.tcp, responses.NOERROR …, queries.type.A …,
// answers-from-cache, dropped, truncated. Zero counters for rcodes and qtypes are left out,
// apart from the common rcodes.
std::vector<std::string> stats_lines(const StatsSnapshot& stats);

// Prometheus text exposition format (version 0.0.4).
std::string metrics_text(const DaemonStatus& status, const StatsSnapshot& stats);

}  // namespace hayate::server
