#include "bpf/xdp_program.hpp"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "bpf/hayate_xdp.skel.h"

namespace hayate::bpf {
namespace {

std::string errno_text(int error) {
  return std::strerror(error < 0 ? -error : error);
}

// The resolution of CLOCK_MONOTONIC_COARSE (bpf_ktime_get_coarse_ns): one scheduler tick.
std::uint64_t coarse_tick_ns() {
  timespec res{};
  if (::clock_getres(CLOCK_MONOTONIC_COARSE, &res) != 0) return 10'000'000;  // HZ=100, the worst
  return static_cast<std::uint64_t>(res.tv_sec) * 1'000'000'000ull +
         static_cast<std::uint64_t>(res.tv_nsec);
}

std::uint32_t counter_key(unsigned i) {
  return static_cast<std::uint32_t>(i);
}

}  // namespace

const char* mode_name(AttachMode mode) {
  switch (mode) {
    case AttachMode::kNative:
      return "native";
    case AttachMode::kGeneric:
      return "generic";
    case AttachMode::kAuto:
      return "auto";
  }
  return "?";
}

const char* counter_name(unsigned counter) {
  static constexpr const char* kNames[HAYATE_XDP_COUNTERS] = {
      "hit",       "miss",       "pass_not_dns", "pass_other", "pass_too_big",
      "drop_rate", "drop_block", "tc_slip",      "drop_error"};
  return counter < HAYATE_XDP_COUNTERS ? kNames[counter] : "?";
}

std::string pin_directory(const std::string& root, const XdpLimits& limits) {
  return root + "/abi" + std::to_string(HAYATE_XDP_ABI) + "-h" +
         std::to_string(limits.hot_answers) + "-r" + std::to_string(limits.rate_buckets) + "-l" +
         std::to_string(limits.list_entries);
}

zone::Result<std::unique_ptr<XdpProgram>> XdpProgram::load(const XdpLimits& limits) {
  std::unique_ptr<XdpProgram> program(new XdpProgram(limits));
  hayate_xdp_bpf* skel = hayate_xdp_bpf__open();
  if (skel == nullptr) return zone::make_error("open the XDP object: " + errno_text(errno));
  program->skel_ = skel;
  const std::uint32_t hot = std::max<std::uint32_t>(limits.hot_answers, 1);
  bpf_map__set_max_entries(skel->maps.hot_answers, hot);
  bpf_map__set_max_entries(skel->maps.hot_hits, hot);
  bpf_map__set_max_entries(skel->maps.rate_buckets,
                           std::max<std::uint32_t>(limits.rate_buckets, 1));
  bpf_map__set_max_entries(skel->maps.allow_list, std::max<std::uint32_t>(limits.list_entries, 1));
  bpf_map__set_max_entries(skel->maps.block_list, std::max<std::uint32_t>(limits.list_entries, 1));
  if (!limits.pin_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(limits.pin_dir, ec);
    struct statfs fs {};
    if (ec || ::statfs(limits.pin_dir.c_str(), &fs) != 0 || fs.f_type != BPF_FS_MAGIC) {
      return zone::make_error(
          "pin directory " + limits.pin_dir + (ec ? ": " + ec.message() : std::string()) +
          ": not on a bpffs (mount -t bpf bpf /sys/fs/bpf, or pin-path = \"\")");
    }
    // key_scratch is per-packet scratch space: nothing in it outlives a packet.
    for (bpf_map* map :
         {skel->maps.hot_answers, skel->maps.hot_hits, skel->maps.counters, skel->maps.xdp_config,
          skel->maps.rate_buckets, skel->maps.allow_list, skel->maps.block_list}) {
      const std::string path = limits.pin_dir + "/" + bpf_map__name(map);
      if (int err = bpf_map__set_pin_path(map, path.c_str()); err != 0) {
        return zone::make_error("pin path " + path + ": " + errno_text(err));
      }
    }
  }
  if (int err = hayate_xdp_bpf__load(skel); err != 0) {
    return zone::make_error("load the XDP program: " + errno_text(err) +
                            (err == -EPERM ? " (needs CAP_BPF and CAP_NET_ADMIN, or root)" : ""));
  }
  program->cpus_ = std::max(1, libbpf_num_possible_cpus());
  return program;
}

XdpProgram::~XdpProgram() {
  detach_all();
  if (skel_ != nullptr) hayate_xdp_bpf__destroy(skel_);
}

int XdpProgram::program_fd() const {
  return bpf_program__fd(skel_->progs.hayate_xdp);
}

std::string XdpProgram::attach(const std::string& interface, AttachMode mode) {
  const int ifindex = static_cast<int>(::if_nametoindex(interface.c_str()));
  if (ifindex == 0) return "interface " + interface + ": " + errno_text(errno);
  auto try_mode = [&](AttachMode m, int& fd) {
    LIBBPF_OPTS(bpf_link_create_opts, opts);
    opts.flags = m == AttachMode::kGeneric ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
    fd = bpf_link_create(program_fd(), ifindex, BPF_XDP, &opts);
    return fd >= 0 ? 0 : errno;
  };
  int fd = -1;
  AttachMode used = mode == AttachMode::kGeneric ? AttachMode::kGeneric : AttachMode::kNative;
  int error = try_mode(used, fd);
  if (error != 0 && mode == AttachMode::kAuto) {
    used = AttachMode::kGeneric;
    error = try_mode(used, fd);
  }
  if (error != 0) {
    return "attach to " + interface + " (" + mode_name(mode) + "): " + errno_text(error) +
           (error == EBUSY ? " (another XDP program is attached)" : "");
  }
  attachments_.push_back(Attachment{interface, ifindex, used, fd});
  return {};
}

void XdpProgram::detach_all() {
  for (const Attachment& a : attachments_)
    ::close(a.link_fd);  // the link is the attachment: closing its last fd detaches
  attachments_.clear();
}

std::string XdpProgram::configure(const XdpRuntime& runtime) {
  if (runtime.ports.empty() || runtime.ports.size() > HAYATE_XDP_MAX_PORTS) {
    return "between 1 and " + std::to_string(HAYATE_XDP_MAX_PORTS) + " ports";
  }
  hayate_xdp_config config{};
  for (std::size_t i = 0; i < runtime.ports.size(); ++i)
    config.ports[i] = htons(runtime.ports[i]);
  if (runtime.rate != 0) {
    config.interval_ns = 1'000'000'000ull / runtime.rate;
    const std::uint64_t burst = runtime.burst != 0 ? runtime.burst : runtime.rate;
    config.tolerance_ns = config.interval_ns * (burst - 1);  // GCRA's tau for `burst` at once
    // The program reads the coarse clock, which stands still for a tick: within one tick, only
    // tolerance / interval + 1 queries fit, so a tolerance under a tick would cut the rate to
    // burst per tick. At least a tick's worth, then; the long-run rate stays exact.
    config.tolerance_ns = std::max<std::uint64_t>(config.tolerance_ns, coarse_tick_ns());
  }
  config.slip = runtime.slip;
  config.mtu = runtime.mtu;
  config.v4_prefix = runtime.v4_prefix;
  config.v6_prefix = runtime.v6_prefix;
  config.allow_enabled = runtime.allow.empty() ? 0 : 1;
  config.block_enabled = runtime.block.empty() ? 0 : 1;
  config.any_destination = runtime.destinations.empty() ? 1 : 0;
  if (runtime.destinations.size() > HAYATE_XDP_MAX_LOCAL_ADDRESSES) {
    return "at most " + std::to_string(HAYATE_XDP_MAX_LOCAL_ADDRESSES) + " listen addresses";
  }
  {
    const int fd = bpf_map__fd(skel_->maps.local_endpoints);
    hayate_xdp_endpoint key{};
    hayate_xdp_endpoint next{};
    std::vector<hayate_xdp_endpoint> old;
    for (void* at = nullptr; bpf_map_get_next_key(fd, at, &next) == 0; at = &key) {
      old.push_back(next);
      key = next;
    }
    for (const auto& k : old)
      bpf_map_delete_elem(fd, &k);
    for (const auto& endpoint : runtime.destinations) {
      hayate_xdp_endpoint k{};
      std::memcpy(k.addr, endpoint.address.data(), 16);
      k.port = htons(endpoint.port);
      const std::uint8_t one = 1;
      if (bpf_map_update_elem(fd, &k, &one, BPF_ANY) != 0) {
        return "listen address map: " + errno_text(errno);
      }
    }
  }

  // Lists first, then the config that switches their lookups on.
  for (auto [map, prefixes] : {std::pair{skel_->maps.allow_list, &runtime.allow},
                               std::pair{skel_->maps.block_list, &runtime.block}}) {
    const int fd = bpf_map__fd(map);
    hayate_xdp_lpm_key key{};
    hayate_xdp_lpm_key next{};
    std::vector<hayate_xdp_lpm_key> old;
    for (void* at = nullptr; bpf_map_get_next_key(fd, at, &next) == 0; at = &key) {
      old.push_back(next);
      key = next;
    }
    for (const auto& k : old)
      bpf_map_delete_elem(fd, &k);
    for (const LpmPrefix& p : *prefixes) {
      hayate_xdp_lpm_key k{};
      k.prefixlen = p.length;
      std::memcpy(k.addr, p.address.data(), 16);
      const std::uint8_t one = 1;
      if (bpf_map_update_elem(fd, &k, &one, BPF_ANY) != 0) {
        return "list entry: " + errno_text(errno);
      }
    }
  }
  const std::uint32_t zero = 0;
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.xdp_config), &zero, &config, BPF_ANY) != 0) {
    return "config map: " + errno_text(errno);
  }
  return {};
}

std::string XdpProgram::put_answer(const hayate_xdp_key& key, const hayate_xdp_answer& value) {
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.hot_answers), &key, &value, BPF_ANY) != 0) {
    return errno_text(errno);
  }
  return {};
}

bool XdpProgram::erase_answer(const hayate_xdp_key& key) {
  return bpf_map_delete_elem(bpf_map__fd(skel_->maps.hot_answers), &key) == 0;
}

std::optional<hayate_xdp_answer> XdpProgram::find_answer(const hayate_xdp_key& key) const {
  hayate_xdp_answer value{};
  if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.hot_answers), &key, &value) != 0) {
    return std::nullopt;
  }
  return value;
}

std::vector<hayate_xdp_key> XdpProgram::answer_keys() const {
  const int fd = bpf_map__fd(skel_->maps.hot_answers);
  std::vector<hayate_xdp_key> keys;
  hayate_xdp_key key{};
  hayate_xdp_key next{};
  for (void* at = nullptr; bpf_map_get_next_key(fd, at, &next) == 0; at = &key) {
    keys.push_back(next);
    key = next;
  }
  return keys;
}

std::size_t XdpProgram::clear_answers() {
  std::size_t n = 0;
  for (const auto& key : answer_keys())
    n += erase_answer(key) ? 1 : 0;
  return n;
}

std::uint64_t XdpProgram::sum_percpu(int map_fd, std::uint32_t index) const {
  std::vector<std::uint64_t> values(static_cast<std::size_t>(cpus_));
  if (bpf_map_lookup_elem(map_fd, &index, values.data()) != 0) return 0;
  std::uint64_t sum = 0;
  for (std::uint64_t v : values)
    sum += v;
  return sum;
}

Counters XdpProgram::counters() const {
  Counters c{};
  for (unsigned i = 0; i < HAYATE_XDP_COUNTERS; ++i)
    c[i] = sum_percpu(bpf_map__fd(skel_->maps.counters), counter_key(i));
  return c;
}

std::uint64_t XdpProgram::slot_hits(std::uint32_t slot) const {
  return sum_percpu(bpf_map__fd(skel_->maps.hot_hits), slot);
}

void XdpProgram::reset_slot_hits(std::uint32_t slot) {
  std::vector<std::uint64_t> zeros(static_cast<std::size_t>(cpus_));
  bpf_map_update_elem(bpf_map__fd(skel_->maps.hot_hits), &slot, zeros.data(), BPF_ANY);
}

zone::Result<TestRun> XdpProgram::test_run(std::span<const std::uint8_t> packet) const {
  TestRun run;
  run.packet.resize(4096);
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  opts.data_in = packet.data();
  opts.data_size_in = static_cast<std::uint32_t>(packet.size());
  opts.data_out = run.packet.data();
  opts.data_size_out = static_cast<std::uint32_t>(run.packet.size());
  opts.repeat = 1;
  if (int err = bpf_prog_test_run_opts(program_fd(), &opts); err != 0) {
    return zone::make_error("BPF_PROG_TEST_RUN: " + errno_text(err));
  }
  run.action = opts.retval;
  run.packet.resize(opts.data_size_out);
  run.duration_ns = opts.duration;
  return run;
}

}  // namespace hayate::bpf
