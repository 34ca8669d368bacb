// The hayate daemon: workers, control socket, metrics, signals, reload, shutdown.
//
// Threads: the main thread runs `main_` (signals, the control socket, metrics, reloads); each
// worker runs its own io_context. A reload builds the next ServingState on the main thread and
// posts it to every worker, which installs it between two queries; queries already being answered
// finish on the old snapshot (it lives as long as a shared_ptr to it does).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "conf/config.hpp"
#include "server/control_commands.hpp"
#include "server/control_server.hpp"
#include "server/metrics_server.hpp"
#include "server/net/connection_limiter.hpp"
#include "server/net/worker.hpp"
#include "server/query_log_handler.hpp"
#include "server/query_processor.hpp"
#include "server/resolver/resolver_shared.hpp"
#include "server/resolver/worker_resolver.hpp"
#include "server/rrl_handler.hpp"
#include "server/serving_state.hpp"
#include "server/stats.hpp"
#include "server/status_report.hpp"
#include "server/xdp_fast_path.hpp"

namespace hayate::server {

class Daemon final : public ControlCommands {
 public:
  Daemon(std::string config_path, conf::Config config);
  ~Daemon() override;

  // Loads the zones, binds, drops privileges, serves until SIGTERM/SIGINT. Returns the exit code.
  int run();

  // `--check-config`: loads every zone of an already parsed config and prints what is wrong to
  // `out`. Returns the exit code (0: everything loads).
  static int check(const conf::Config& config, std::FILE* out);

  ControlReply execute(std::string_view command) override;

 private:
  bool start();
  void start_workers();
  bool start_resolver();
  ControlReply cache_command(std::string_view args);
  ControlReply xdp_command(std::string_view args);
  void start_xdp();
  void bind_listeners();
  void bind_control();
  void wait_for_signals();
  void shutdown();
  ControlReply reload();
  void install_state(std::shared_ptr<const ServingState> state);
  void install_rate_limiter(const conf::Config& config);
  DaemonStatus status() const;
  StatsSnapshot stats() const;
  void write_pid_file() const;

  std::string config_path_;
  conf::Config config_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::shared_ptr<const ServingState> state_;
  // Declaration order is destruction order reversed: workers go before what they use.
  std::unique_ptr<net::ConnectionLimiter> limiter_;
  std::vector<std::unique_ptr<WorkerStats>> worker_stats_;
  std::vector<std::unique_ptr<QueryProcessor>> processors_;
  std::shared_ptr<RrlCounters> rrl_counters_ = std::make_shared<RrlCounters>();
  std::vector<std::unique_ptr<RrlHandler>> rate_limiters_;    // one per worker, [rrl] or not
  std::vector<std::unique_ptr<HotQuestions>> hot_questions_;  // one per worker, with [xdp] on
  std::atomic<bool> query_log_{false};                        // [log] query-log; reloads switch it
  std::vector<std::unique_ptr<QueryLogHandler>> query_loggers_;  // one per worker
  boost::asio::io_context main_{1};
  boost::asio::signal_set signals_{main_};
  std::unique_ptr<resolver::ResolverShared> resolver_;  // [resolver] enable; else null
  std::vector<std::unique_ptr<net::Worker>> workers_;
  // After the workers: destroyed first, once the worker threads have stopped, while their
  // io_contexts (inside the workers) still exist for the sockets and timers to close on.
  std::vector<std::unique_ptr<resolver::WorkerResolver>> worker_resolvers_;
  std::unique_ptr<XdpFastPath> xdp_;  // [xdp] enable; detached before the workers stop
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<MetricsServer> metrics_;
};

}  // namespace hayate::server
