#include "server/daemon.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "server/daemon_config.hpp"
#include "server/logging.hpp"
#include "server/privileges.hpp"

#ifndef HAYATE_VERSION
#define HAYATE_VERSION "unknown"
#endif

namespace hayate::server {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kMaxDiagnosticsLogged = 20;  // per zone; a broken zone can have thousands

std::size_t record_count(const ServingState& state, const ZoneReport& report) {
  if (report.view >= state.view_zones.size()) return 0;
  auto zone = state.view_zones[report.view]->get(report.origin);
  return zone ? zone->record_count() : 0;
}

// "example.com." or "example.com. (view europe)".
std::string zone_title(const ServingState& state, const ZoneReport& report) {
  std::string view = view_name(state.policy, report.view);
  return report.origin.to_text() + (view.empty() ? "" : " (view " + view + ")");
}

void log_diagnostics(const ZoneReport& report) {
  std::size_t shown = 0;
  for (const zone::Diagnostic& d : report.diagnostics) {
    if (shown++ == kMaxDiagnosticsLogged) {
      spdlog::warn("zone {}: {} more findings not shown (hayate-checkzone {} lists them)",
                   report.origin.to_text(), report.diagnostics.size() - kMaxDiagnosticsLogged,
                   report.file);
      break;
    }
    if (d.severity == zone::Severity::kError)
      spdlog::error("{}", d.to_string());
    else
      spdlog::warn("{}", d.to_string());
  }
}

void log_zone_reports(const ServingState& state) {
  for (const ZoneReport& z : state.zone_reports) {
    log_diagnostics(z);
    const std::string name = zone_title(state, z);
    if (!z.serving) {
      spdlog::error("zone {}: failed to load from {}; not served", name, z.file);
    } else if (z.kept_old) {
      spdlog::error("zone {}: failed to load from {}; still serving the old version, serial {}",
                    name, z.file, z.serial);
    } else {
      spdlog::info("zone {}: serial {}, {} records, from {}", name, z.serial,
                   record_count(state, z), z.file);
    }
  }
}

unsigned worker_count(const conf::Config& config) {
  if (config.server.workers != 0) return config.server.workers;
  return std::max(1u, std::thread::hardware_concurrency());
}

// A reload "fails" when the config is bad or any zone is not at its new version.
ControlReply zone_failures(const ServingState& state) {
  ControlReply reply;
  for (const ZoneReport& z : state.zone_reports) {
    if (z.serving && !z.kept_old) continue;
    reply.ok = false;
    std::string line = "zone " + z.origin.to_text() + " " + std::string(zone_state(z));
    if (z.kept_old) line += " (still serving serial " + std::to_string(z.serial) + ")";
    reply.lines.push_back(line + ": " + zone_error(z));
  }
  return reply;
}

}  // namespace

Daemon::Daemon(std::string config_path, conf::Config config)
    : config_path_(std::move(config_path)), config_(std::move(config)) {}

Daemon::~Daemon() {
  shutdown();
}

int Daemon::check(const conf::Config& config, std::FILE* out) {
  std::vector<std::string> errors;
  const auto sources = zone_sources(config, errors);
  for (const auto& e : errors)
    std::fprintf(out, "%s\n", e.c_str());
  const auto state = build_serving_state(sources, answer_policy(config), nullptr);
  bool ok = errors.empty();
  for (const ZoneReport& z : state->zone_reports) {
    for (const zone::Diagnostic& d : z.diagnostics)
      std::fprintf(out, "%s\n", d.to_string().c_str());
    if (!z.serving) {
      ok = false;
      std::fprintf(out, "zone %s: does not load\n", z.origin.to_text().c_str());
    } else {
      std::fprintf(out, "zone %s: serial %u, OK\n", z.origin.to_text().c_str(), z.serial);
    }
  }
  std::fprintf(out, ok ? "configuration OK\n" : "configuration has errors\n");
  return ok ? 0 : 1;
}

int Daemon::run() {
  spdlog::info("hayate {} starting (config {})", HAYATE_VERSION, config_path_);
  if (!start()) {
    shutdown();
    return 1;
  }
  main_.run();
  spdlog::info("shutting down");
  shutdown();
  spdlog::info("stopped");
  return 0;
}

bool Daemon::start() {
  std::vector<std::string> errors;
  const auto sources = zone_sources(config_, errors);
  for (const auto& e : errors)
    spdlog::error("{}", e);
  state_ = build_serving_state(sources, answer_policy(config_), nullptr);
  log_zone_reports(*state_);
  try {
    start_workers();
    if (!start_resolver()) return false;
    bind_listeners();
    bind_control();
    start_xdp();  // before dropping privileges: loading and attaching need CAP_BPF/NET_ADMIN
  } catch (const std::exception& e) {
    spdlog::error("cannot start: {}", e.what());
    return false;
  }
  write_pid_file();
  if (const std::string error = drop_privileges(config_.server.user, config_.server.group);
      !error.empty()) {
    spdlog::critical("refusing to run as root: {}", error);
    return false;
  }
  // Signals first: once a worker answers, a test or an init system may already send SIGTERM.
  wait_for_signals();
  for (auto& w : workers_)
    w->start();
  if (control_) control_->start();
  if (metrics_) metrics_->start();
  if (xdp_) xdp_->start();
  spdlog::info("serving with {} workers", workers_.size());
  return true;
}

void Daemon::start_workers() {
  const unsigned n = worker_count(config_);
  query_log_ = config_.log.query_log;
  limiter_ = std::make_unique<net::ConnectionLimiter>(config_.server.tcp_max_clients,
                                                      config_.server.tcp_max_per_client);
  const net::TcpOptions tcp = tcp_options(config_);
  const auto limiter = rate_limiter(config_);
  if (limiter) {
    spdlog::info("response rate limiting: {} answers/s, {} NXDOMAIN/s per prefix{}",
                 config_.rrl.responses_per_second, config_.rrl.nxdomains_per_second,
                 config_.rrl.log_only ? " (log only)" : "");
  }
  // A query's way: query log → rate limit (UDP responses) → pipeline.
  for (unsigned i = 0; i < n; ++i) {
    worker_stats_.push_back(std::make_unique<WorkerStats>());
    processors_.push_back(std::make_unique<QueryProcessor>(state_, *worker_stats_.back()));
    rate_limiters_.push_back(std::make_unique<RrlHandler>(*processors_.back(), rrl_counters_));
    rate_limiters_.back()->set_limiter(limiter);
    query_loggers_.push_back(std::make_unique<QueryLogHandler>(*rate_limiters_.back(), query_log_));
    workers_.push_back(std::make_unique<net::Worker>(*query_loggers_.back(), *limiter_, tcp,
                                                     config_.server.io_uring));
  }
  if (!workers_.empty()) {
    spdlog::info("UDP through {}", workers_.front()->uses_io_uring() ? "io_uring"
                                   : config_.server.io_uring
                                       ? "epoll (this kernel refuses io_uring)"
                                       : "epoll ([server] io-uring = false)");
  }
}

// One ResolverShared (caches, infra cache, ACL, forward table) and one WorkerResolver per worker,
// plugged into the worker's QueryProcessor behind the local zones.
bool Daemon::start_resolver() {
  if (!config_.resolver.enable) return true;
  std::vector<std::string> errors;
  resolver::ResolverSettings settings = resolver_settings(config_, errors);
  for (const auto& e : errors)
    spdlog::error("{}", e);
  if (!errors.empty()) return false;
  resolver::RootHints hints;
  if (settings.iterates()) {
    auto loaded = resolver::load_resolver_hints(settings);
    if (!loaded) {
      spdlog::error("resolver: root-hints {}: {}", settings.root_hints, loaded.error());
      return false;
    }
    hints = std::move(*loaded);
  }
  const bool iterates = settings.iterates();
  resolver_ = std::make_unique<resolver::ResolverShared>(std::move(settings));
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    worker_resolvers_.push_back(std::make_unique<resolver::WorkerResolver>(
        workers_[i]->context(), *resolver_, hints, *worker_stats_[i]));
    processors_[i]->set_recursion(&worker_resolvers_.back()->stage());
  }
  spdlog::info("resolver: {} for {} client prefixes",
               iterates ? "iterating from the root hints" : "forwarding",
               resolver_->settings().allow.prefixes().size());
  return true;
}

// The kernel fast path: each worker counts its cacheable questions for the publisher.
void Daemon::start_xdp() {
  if (!config_.xdp.enable) return;
  std::vector<HotQuestions*> counters;
  for (auto& processor : processors_) {
    hot_questions_.push_back(std::make_unique<HotQuestions>());
    processor->set_hot_questions(hot_questions_.back().get());
    counters.push_back(hot_questions_.back().get());
  }
  xdp_ = std::make_unique<XdpFastPath>(main_, config_, state_, std::move(counters));
}

void Daemon::bind_listeners() {
  if (config_.server.listen.empty()) spdlog::warn("no listen addresses: serving nothing");
  for (const conf::Endpoint& e : config_.server.listen) {
    const asio::ip::address address = to_asio(e.address);
    unsigned short port = e.port;
    for (auto& w : workers_) {
      try {
        port = w->listen(address, port);  // port 0: the first worker's pick, for all
      } catch (const boost::system::system_error& error) {
        throw std::runtime_error("listen on " + e.to_string() + ": " + error.code().message());
      }
    }
    spdlog::info("listening on {} port {} (UDP and TCP)", address.to_string(), port);
  }
}

void Daemon::bind_control() {
  if (!config_.control.socket.empty()) {
    control_ = std::make_unique<ControlServer>(main_, config_.control.socket, *this);
    spdlog::info("control socket {}", config_.control.socket);
  }
  if (const auto& m = config_.control.metrics_listen) {
    const asio::ip::tcp::endpoint endpoint(to_asio(m->address), m->port);
    if (!endpoint.address().is_loopback()) {
      spdlog::warn("metrics on {}: not a loopback address, anyone who can reach it can read them",
                   m->to_string());
    }
    try {
      metrics_ = std::make_unique<MetricsServer>(main_, endpoint, [this] {
        return metrics_text(status(), stats()) + (xdp_ ? xdp_->metrics_text() : "");
      });
    } catch (const boost::system::system_error& error) {
      throw std::runtime_error("metrics-listen " + m->to_string() + ": " + error.code().message());
    }
    spdlog::info("metrics on http://{}/metrics", m->to_string());
  }
}

void Daemon::wait_for_signals() {
  signals_.add(SIGHUP);
  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) return;
    if (signal == SIGHUP) {
      spdlog::info("SIGHUP: reloading");
      const ControlReply reply = reload();  // logs its own findings
      spdlog::info("reload {}", reply.ok ? "done" : "failed (see above)");
      wait_for_signals();
      return;
    }
    spdlog::info("signal {}: stopping", signal);
    main_.stop();
  });
}

void Daemon::shutdown() {
  if (xdp_) xdp_->stop();           // queries go back to the sockets while they are still open
  if (control_) control_->close();  // removes the socket file
  if (metrics_) metrics_->close();
  for (auto& w : workers_)
    w->stop();
  if (!config_.server.pid_file.empty()) ::unlink(config_.server.pid_file.c_str());
}

ControlReply Daemon::reload() {
  auto loaded = conf::load_config(config_path_);
  if (!loaded) {
    ControlReply reply{false, {}};
    for (const conf::ConfigError& e : loaded.errors()) {
      spdlog::error("reload: {}", e.to_string());
      reply.lines.push_back(e.to_string());
    }
    reply.lines.push_back("configuration not reloaded; still serving the previous one");
    return reply;
  }
  for (const std::string& name : restart_only_changes(config_, *loaded)) {
    spdlog::warn("reload: {} changed; that takes a restart", name);
  }
  set_log_level(loaded->log.level);
  query_log_ = loaded->log.query_log;
  std::vector<std::string> errors;
  const auto sources = zone_sources(*loaded, errors);
  auto state = build_serving_state(sources, answer_policy(*loaded), state_.get());
  log_zone_reports(*state);
  // New rates start from fresh budgets; an unchanged [rrl] keeps the budgets it has.
  if (loaded->rrl != config_.rrl) install_rate_limiter(*loaded);
  config_ = std::move(*loaded);
  if (xdp_) {
    if (std::string error = xdp_->reconfigure(config_); !error.empty()) {
      spdlog::error("reload: xdp: {}", error);
    }
  }
  install_state(state);
  ControlReply reply = zone_failures(*state);
  for (auto& e : errors)
    reply.lines.push_back(std::move(e));
  reply.ok = reply.ok && errors.empty();
  reply.lines.push_back(std::string(reply.ok ? "reloaded" : "reloaded with errors") + ": " +
                        std::to_string(state->zone_reports.size()) + " zones");
  return reply;
}

void Daemon::install_state(std::shared_ptr<const ServingState> state) {
  state_ = state;
  // The kernel's hot answers come from the old zones: gone before the workers switch.
  if (xdp_) xdp_->set_state(state);
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    // set_state runs on the worker's own thread, between two queries.
    asio::post(workers_[i]->context(),
               [processor = processors_[i].get(), state] { processor->set_state(state); });
  }
}

void Daemon::install_rate_limiter(const conf::Config& config) {
  const auto limiter = rate_limiter(config);
  spdlog::info("reload: response rate limiting {}",
               limiter ? "with the new [rrl] settings" : "off");
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    asio::post(workers_[i]->context(),
               [handler = rate_limiters_[i].get(), limiter] { handler->set_limiter(limiter); });
  }
}

DaemonStatus Daemon::status() const {
  DaemonStatus s;
  s.version = HAYATE_VERSION;
  s.uptime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
  s.workers = static_cast<unsigned>(workers_.size());
  for (const auto& worker : workers_) {
    if (worker->uses_io_uring() && !worker->fell_back_to_epoll()) ++s.io_uring_workers;
  }
  if (state_) s.zones = state_->zone_reports;
  return s;
}

StatsSnapshot Daemon::stats() const {
  std::vector<const WorkerStats*> all;
  for (const auto& s : worker_stats_)
    all.push_back(s.get());
  StatsSnapshot total = sum_stats(all);
  total.rrl_dropped = rrl_counters_->dropped.load(std::memory_order_relaxed);
  total.rrl_slipped = rrl_counters_->slipped.load(std::memory_order_relaxed);
  total.rrl_log_only = rrl_counters_->log_only.load(std::memory_order_relaxed);
  return total;
}

ControlReply Daemon::execute(std::string_view command) {
  if (command == "reload") {
    spdlog::info("control: reloading");
    return reload();
  }
  if (command == "status") return ControlReply{true, status_lines(status())};
  if (command == "stats") return ControlReply{true, stats_lines(stats())};
  if (command == "cache" || command.starts_with("cache ")) {
    return cache_command(command.substr(std::min<std::size_t>(command.size(), 6)));
  }
  if (command == "xdp" || command.starts_with("xdp ")) {
    return xdp_command(command.substr(std::min<std::size_t>(command.size(), 4)));
  }
  if (command == "help") {
    return ControlReply{
        true,
        {"commands: reload status stats cache flush [NAME] cache dump xdp status xdp flush help"}};
  }
  return ControlReply{false, {"unknown command '" + std::string(command) + "' (try help)"}};
}

// "flush", "flush NAME" (NAME and below, like unbound-control flush_zone), "dump".
ControlReply Daemon::cache_command(std::string_view args) {
  if (!resolver_) return ControlReply{false, {"the resolver is not enabled ([resolver] enable)"}};
  if (args == "dump") return ControlReply{true, resolver_->dump()};
  if (args == "flush") {
    const std::size_t n = resolver_->flush(nullptr);
    return ControlReply{true, {"flushed " + std::to_string(n) + " entries"}};
  }
  if (args.starts_with("flush ")) {
    std::string text(args.substr(6));
    if (!text.ends_with('.')) text += '.';  // names on the command line are absolute
    auto name = zone::Name::from_text(text);
    if (!name) return ControlReply{false, {"bad name: " + name.error()}};
    const std::size_t n = resolver_->flush(&*name);
    return ControlReply{
        true, {"flushed " + std::to_string(n) + " entries at and below " + name->to_text()}};
  }
  return ControlReply{false, {"usage: cache flush [NAME] | cache dump"}};
}

ControlReply Daemon::xdp_command(std::string_view args) {
  if (!xdp_) return ControlReply{false, {"the XDP fast path is not enabled ([xdp] enable)"}};
  if (args == "status") return ControlReply{true, xdp_->status_lines()};
  if (args == "flush") {
    const std::size_t n = xdp_->flush();
    return ControlReply{true, {"flushed " + std::to_string(n) + " hot answers"}};
  }
  return ControlReply{false, {"usage: xdp status | xdp flush"}};
}

void Daemon::write_pid_file() const {
  if (config_.server.pid_file.empty()) return;
  std::ofstream out(config_.server.pid_file, std::ios::trunc);
  out << ::getpid() << "\n";
  if (!out) spdlog::warn("cannot write pid file {}", config_.server.pid_file);
}

}  // namespace hayate::server
