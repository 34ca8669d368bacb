// The XDP fast path in the daemon: loads and attaches the program ([xdp]), runs the publisher
// on a timer of the main io_context, answers hayatectl's `xdp status` / `xdp flush` and adds the
// program's counters to the metrics page. Detaches on destruction.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bpf/xdp_program.hpp"
#include "conf/config.hpp"
#include "server/hot_questions.hpp"
#include "server/serving_state.hpp"
#include "server/xdp_publisher.hpp"

namespace hayate::server {

// [xdp] as the loader takes it (map sizes and the pin directory; the runtime settings).
bpf::XdpLimits xdp_limits(const conf::XdpConfig& config);
bpf::XdpRuntime xdp_runtime(const conf::Config& config, std::uint16_t mtu);
bpf::LpmPrefix lpm_prefix(const conf::Prefix& prefix);

class XdpFastPath {
 public:
  // Loads, fills the map from the pinned one (re-rendered), attaches. Throws std::runtime_error
  // with the reason when any of that fails. `workers` are the workers' question counters.
  XdpFastPath(boost::asio::io_context& main, const conf::Config& config,
              std::shared_ptr<const ServingState> state, std::vector<HotQuestions*> workers);
  ~XdpFastPath();

  void start();  // the publish timer
  void stop();   // detaches; the pinned maps stay
  void set_state(std::shared_ptr<const ServingState> state);
  std::string reconfigure(const conf::Config& config);  // rates and lists, on reload

  std::vector<std::string> status_lines() const;
  std::size_t flush();
  std::string metrics_text() const;

 private:
  class MapAdapter;
  void schedule();
  void publish_now();

  std::unique_ptr<bpf::XdpProgram> program_;
  std::unique_ptr<MapAdapter> map_;
  std::unique_ptr<XdpPublisher> publisher_;
  std::vector<HotQuestions*> workers_;
  std::chrono::seconds interval_;
  std::uint16_t mtu_ = 1500;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

}  // namespace hayate::server
