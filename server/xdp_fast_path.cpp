#include "server/xdp_fast_path.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace hayate::server {
namespace {

std::uint64_t monotonic_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

// The interface's MTU (SIOCGIFMTU), 1500 when it cannot be read.
std::uint16_t interface_mtu(const std::string& name) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 1500;
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  const int ok = ::ioctl(fd, SIOCGIFMTU, &request);
  ::close(fd);
  return ok == 0 && request.ifr_mtu > 0 ? static_cast<std::uint16_t>(request.ifr_mtu) : 1500;
}

bpf::AttachMode attach_mode(conf::XdpMode mode) {
  switch (mode) {
    case conf::XdpMode::kNative:
      return bpf::AttachMode::kNative;
    case conf::XdpMode::kGeneric:
      return bpf::AttachMode::kGeneric;
    case conf::XdpMode::kAuto:
      return bpf::AttachMode::kAuto;
  }
  return bpf::AttachMode::kAuto;
}

}  // namespace

bpf::XdpLimits xdp_limits(const conf::XdpConfig& config) {
  bpf::XdpLimits limits;
  limits.hot_answers = std::max<std::uint32_t>(config.hot_answers, 1);
  limits.rate_buckets = config.rate_entries;
  limits.list_entries = config.list_entries;
  if (!config.pin_path.empty()) limits.pin_dir = bpf::pin_directory(config.pin_path, limits);
  return limits;
}

bpf::LpmPrefix lpm_prefix(const conf::Prefix& prefix) {
  bpf::LpmPrefix p;
  if (prefix.address.family == conf::Family::kIPv4) {
    p.address[10] = p.address[11] = 0xff;  // ::ffff:a.b.c.d, as the program looks them up
    std::memcpy(&p.address[12], prefix.address.bytes.data(), 4);
    p.length = static_cast<std::uint8_t>(96 + prefix.length);
  } else {
    std::memcpy(p.address.data(), prefix.address.bytes.data(), 16);
    p.length = prefix.length;
  }
  return p;
}

bpf::XdpRuntime xdp_runtime(const conf::Config& config, std::uint16_t mtu) {
  const conf::XdpConfig& x = config.xdp;
  bpf::XdpRuntime r;
  r.ports.clear();
  for (std::int64_t port : x.ports)
    r.ports.push_back(static_cast<std::uint16_t>(port));
  r.rate = x.rate_limit;
  r.burst = x.rate_burst;
  r.slip = x.slip;
  r.v4_prefix = x.ipv4_prefix;
  r.v6_prefix = x.ipv6_prefix;
  r.mtu = mtu;
  for (const conf::Prefix& p : x.allow)
    r.allow.push_back(lpm_prefix(p));
  for (const conf::Prefix& p : x.block)
    r.block.push_back(lpm_prefix(p));
  // Only the endpoints we listen on; when they are wildcard addresses of both families on
  // ports all in `ports`, the program can skip the lookup.
  bool all_wildcards = true;
  bool v4 = false;
  bool v6 = false;
  for (const conf::Endpoint& e : config.server.listen) {
    const bpf::LpmPrefix host =
        lpm_prefix(conf::Prefix{e.address, static_cast<std::uint8_t>(e.address.size() * 8)});
    const bool wildcard =
        std::all_of(e.address.bytes.begin(), e.address.bytes.end(), [](auto b) { return b == 0; });
    all_wildcards = all_wildcards && wildcard &&
                    std::find(r.ports.begin(), r.ports.end(), e.port) != r.ports.end();
    (e.address.family == conf::Family::kIPv4 ? v4 : v6) = true;
    r.destinations.push_back({host.address, e.port});
  }
  if (all_wildcards && v4 && v6) r.destinations.clear();
  return r;
}

class XdpFastPath::MapAdapter final : public HotAnswerMap {
 public:
  explicit MapAdapter(bpf::XdpProgram& program) : program_(program) {}
  bool put(const hayate_xdp_key& key, const hayate_xdp_answer& value) override {
    const std::string error = program_.put_answer(key, value);
    if (!error.empty()) spdlog::warn("xdp: hot-answer map: {}", error);
    return error.empty();
  }
  void erase(const hayate_xdp_key& key) override { program_.erase_answer(key); }
  std::vector<std::pair<hayate_xdp_key, std::string>> entries() const override {
    std::vector<std::pair<hayate_xdp_key, std::string>> out;
    for (const hayate_xdp_key& key : program_.answer_keys()) {
      if (auto value = program_.find_answer(key)) out.emplace_back(key, question_of(key, *value));
    }
    return out;
  }
  std::uint64_t hits(std::uint32_t slot) const override { return program_.slot_hits(slot); }
  std::uint32_t capacity() const override { return program_.hot_capacity(); }

 private:
  bpf::XdpProgram& program_;
};

XdpFastPath::XdpFastPath(boost::asio::io_context& main, const conf::Config& config,
                         std::shared_ptr<const ServingState> state,
                         std::vector<HotQuestions*> workers)
    : workers_(std::move(workers)), interval_(config.xdp.publish_interval), timer_(main) {
  const conf::XdpConfig& x = config.xdp;
  if (x.interfaces.empty()) throw std::runtime_error("xdp: no interfaces configured");
  auto loaded = bpf::XdpProgram::load(xdp_limits(x));
  if (!loaded) throw std::runtime_error("xdp: " + loaded.error());
  program_ = std::move(*loaded);
  mtu_ = 65535;
  for (const std::string& name : x.interfaces)
    mtu_ = std::min(mtu_, interface_mtu(name));
  if (std::string error = program_->configure(xdp_runtime(config, mtu_)); !error.empty()) {
    throw std::runtime_error("xdp: " + error);
  }
  map_ = std::make_unique<MapAdapter>(*program_);
  PublisherSettings settings;
  settings.hot_answers = x.hot_answers;
  settings.max_age = x.max_age;
  publisher_ = std::make_unique<XdpPublisher>(*map_, settings, std::move(state));
  // Pinned entries from the last run are re-rendered from the zones loaded now before the
  // program is attached: nothing stale is ever answered.
  if (const std::size_t adopted = publisher_->adopt_map(); adopted > 0) {
    const PublishReport report = publisher_->publish({}, monotonic_ns());
    spdlog::info("xdp: {} hot answers from the pinned map, {} published again", adopted,
                 report.published);
  }
  for (const std::string& name : x.interfaces) {
    if (std::string error = program_->attach(name, attach_mode(x.mode)); !error.empty()) {
      program_->detach_all();
      throw std::runtime_error("xdp: " + error);
    }
    const bpf::Attachment& a = program_->attachments().back();
    spdlog::info("xdp: attached to {} ({} mode)", a.interface, bpf::mode_name(a.mode));
  }
}

XdpFastPath::~XdpFastPath() {
  stop();
}

void XdpFastPath::start() {
  schedule();
}

void XdpFastPath::stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  if (program_) {
    for (const bpf::Attachment& a : program_->attachments())
      spdlog::info("xdp: detached from {}", a.interface);
    program_->detach_all();
  }
}

void XdpFastPath::schedule() {
  if (stopped_) return;
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || stopped_) return;
    publish_now();
    schedule();
  });
}

void XdpFastPath::publish_now() {
  std::vector<HotQuestions::Counts> counts;
  counts.reserve(workers_.size());
  for (HotQuestions* w : workers_)
    counts.push_back(w->take());
  const PublishReport r = publisher_->publish(counts, monotonic_ns());
  if (r.written != 0 || r.removed != 0) {
    spdlog::debug("xdp: {} hot answers ({} written, {} removed, {} not publishable)", r.published,
                  r.written, r.removed, r.refused);
  }
}

void XdpFastPath::set_state(std::shared_ptr<const ServingState> state) {
  publisher_->set_state(std::move(state));
}

std::string XdpFastPath::reconfigure(const conf::Config& config) {
  return program_->configure(xdp_runtime(config, mtu_));
}

std::vector<std::string> XdpFastPath::status_lines() const {
  std::vector<std::string> lines;
  for (const bpf::Attachment& a : program_->attachments())
    lines.push_back("interface " + a.interface + " mode=" + bpf::mode_name(a.mode));
  lines.push_back("hot-answers=" + std::to_string(publisher_->published()));
  lines.push_back("hot-answers.capacity=" + std::to_string(program_->hot_capacity()));
  lines.push_back("pin-dir=" + program_->limits().pin_dir);
  const bpf::Counters c = program_->counters();
  for (unsigned i = 0; i < c.size(); ++i)
    lines.push_back(std::string(bpf::counter_name(i)) + "=" + std::to_string(c[i]));
  return lines;
}

std::size_t XdpFastPath::flush() {
  return publisher_->flush();
}

std::string XdpFastPath::metrics_text() const {
  std::string out =
      "# HELP hayate_xdp_packets_total Packets seen by the XDP program, by what it did.\n"
      "# TYPE hayate_xdp_packets_total counter\n";
  const bpf::Counters c = program_->counters();
  for (unsigned i = 0; i < c.size(); ++i) {
    out += "hayate_xdp_packets_total{action=\"" + std::string(bpf::counter_name(i)) + "\"} " +
           std::to_string(c[i]) + "\n";
  }
  out +=
      "# HELP hayate_xdp_hot_answers Answers in the kernel's hot-answer map.\n"
      "# TYPE hayate_xdp_hot_answers gauge\n"
      "hayate_xdp_hot_answers " +
      std::to_string(publisher_->published()) + "\n";
  return out;
}

}  // namespace hayate::server
