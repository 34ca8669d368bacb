// The XDP program's user side: load it (libbpf skeleton), pin its maps, attach it to interfaces
// (native, generic, or native with generic fallback), fill its maps, read its counters.
//
// One XdpProgram per daemon. Attachments are BPF links owned by this process: they go away when
// it is destroyed or the process dies, so a crashed daemon leaves no program answering for it.
// Not thread-safe: the daemon calls it from its main thread only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bpf/xdp_shared.h"
#include "zone/result.hpp"

struct hayate_xdp_bpf;  // the generated skeleton (hayate_xdp.skel.h)

namespace hayate::bpf {

enum class AttachMode { kNative, kGeneric, kAuto };
const char* mode_name(AttachMode mode);

// Map sizes: fixed once the program is loaded.
struct XdpLimits {
  std::uint32_t hot_answers = 1024;
  std::uint32_t rate_buckets = 65536;
  std::uint32_t list_entries = 1024;  // allow list and block list each
  // Where maps are pinned (a directory under a bpffs mount); empty: nothing pinned. The
  // directory name should come from pin_directory() so that other layouts never collide.
  std::string pin_dir;
};

// /sys/fs/bpf/hayate/abi<N>-h<hot>-r<rate>-l<lists>: a new ABI or other map sizes get a
// directory of their own, so an upgraded daemon never trips over maps of another shape.
std::string pin_directory(const std::string& root, const XdpLimits& limits);

// A prefix for the allow and block lists, IPv4 written as ::ffff:a.b.c.d with length 96 + n.
struct LpmPrefix {
  std::array<std::uint8_t, 16> address{};
  std::uint8_t length = 0;
};

// What can change without reloading the program.
struct XdpRuntime {
  std::vector<std::uint16_t> ports{53};  // at most HAYATE_XDP_MAX_PORTS
  std::uint32_t rate = 0;                // queries/s per source prefix and CPU; 0: no limit
  std::uint32_t burst = 0;               // 0: the same as rate (one second's worth)
  std::uint32_t slip = 2;                // every Nth over-budget query gets TC=1; 0: none
  std::uint8_t v4_prefix = 24;
  std::uint8_t v6_prefix = 56;
  std::uint16_t mtu = 1500;
  std::vector<LpmPrefix> allow;
  std::vector<LpmPrefix> block;
  // The endpoints queries must be sent to (IPv4 as ::ffff:a.b.c.d; a wildcard address as all
  // zero, ::ffff:0.0.0.0 for IPv4); empty: any local address, any port in `ports`.
  struct Endpoint {
    std::array<std::uint8_t, 16> address{};
    std::uint16_t port = 0;
  };
  std::vector<Endpoint> destinations;
};

struct Attachment {
  std::string interface;
  int ifindex = 0;
  AttachMode mode = AttachMode::kNative;  // the mode that took
  int link_fd = -1;
};

using Counters = std::array<std::uint64_t, HAYATE_XDP_COUNTERS>;
const char* counter_name(unsigned counter);  // "hit", "miss", "pass_not_dns", ...

struct TestRun {
  std::uint32_t action = 0;  // XDP_PASS, XDP_TX, ...
  std::vector<std::uint8_t> packet;
  std::uint32_t duration_ns = 0;  // per run, as the kernel measured it
};

class XdpProgram {
 public:
  // Loads the program (needs CAP_BPF, or root). Pinned maps of the same layout are reused.
  static zone::Result<std::unique_ptr<XdpProgram>> load(const XdpLimits& limits);
  ~XdpProgram();
  XdpProgram(const XdpProgram&) = delete;
  XdpProgram& operator=(const XdpProgram&) = delete;

  // Empty on success, else why not. kAuto tries native, then generic (SKB) mode.
  std::string attach(const std::string& interface, AttachMode mode);
  void detach_all();
  const std::vector<Attachment>& attachments() const { return attachments_; }

  std::string configure(const XdpRuntime& runtime);

  std::string put_answer(const hayate_xdp_key& key, const hayate_xdp_answer& value);
  bool erase_answer(const hayate_xdp_key& key);
  std::optional<hayate_xdp_answer> find_answer(const hayate_xdp_key& key) const;
  std::vector<hayate_xdp_key> answer_keys() const;
  std::size_t clear_answers();
  std::uint32_t hot_capacity() const { return limits_.hot_answers; }

  // Summed over CPUs.
  Counters counters() const;
  std::uint64_t slot_hits(std::uint32_t slot) const;
  void reset_slot_hits(std::uint32_t slot);

  // BPF_PROG_TEST_RUN: the program on `packet` without any interface.
  zone::Result<TestRun> test_run(std::span<const std::uint8_t> packet) const;
  int program_fd() const;
  const XdpLimits& limits() const { return limits_; }

 private:
  explicit XdpProgram(XdpLimits limits) : limits_(std::move(limits)) {}
  std::uint64_t sum_percpu(int map_fd, std::uint32_t index) const;

  XdpLimits limits_;
  hayate_xdp_bpf* skel_ = nullptr;
  std::vector<Attachment> attachments_;
  int cpus_ = 1;
};

}  // namespace hayate::bpf
