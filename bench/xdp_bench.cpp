// Per-packet cost of the XDP program through BPF_PROG_TEST_RUN: a hit (answered in place), a
// miss (passed on), a drop (over its prefix's budget), and a frame that is not DNS. Not a test:
// prints nanoseconds per packet as the kernel measured them.
//
// What a run of BPF_PROG_TEST_RUN costs besides the program (two clock reads, the loop) is about
// 100 ns on this VM, more than the program itself, so each figure is shown next to the same
// measurement of an empty program (XDP_PASS and nothing else, loaded here) on the same packet:
// "program" is the difference. Four ways, each the median of 5 batches run in turn:
// - run: repeat = 1 in a loop, the kernel's per-run duration averaged. Each run comes right
//   after a system call, and on this VM (page-table isolation without PCID) every system call
//   flushes the TLB: this is the cost of a packet that finds nothing in the TLB.
// - warm: one BPF_PROG_TEST_RUN with repeat = ROUNDS of bpf/xdp_warm_run.bpf.c, which copies
//   the frame back into the packet and then runs the same program code; minus the copy alone.
//   A hit rewrites its packet into the reply, so a plain repeat would see its own reply from
//   the second round on (a response: passed). This is the cost of a packet in a stream, as a
//   NIC's NAPI poll runs the program on a batch of frames.
// - repeat: one BPF_PROG_TEST_RUN with repeat = ROUNDS of the program itself (for packets that
//   it leaves as they were: misses, drops, not DNS), against the empty program the same way.
// - stats: BPF_ENABLE_STATS (what `bpftool prog show` reports as run_time_ns / run_cnt), over
//   the repeat = 1 loop; the empty program's figure is what the accounting itself costs.
//
// Usage: hayate-xdp-bench [ROUNDS [CASE...]]   (root or CAP_BPF; CASE: hit miss drop notdns)
#include <linux/bpf.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/answer_encoding.hpp"
#include "bpf/xdp_program.hpp"
#include "bpf/xdp_warm_run.skel.h"
#include "server/hot_answer_renderer.hpp"
#include "tests/bpf/xdp_packets.hpp"

using namespace hayate;
using namespace hayate::bpf::testing;

namespace {

constexpr int kBatches = 5;

// XDP_PASS and nothing else: r0 = XDP_PASS; exit.
int load_empty_program() {
  bpf_insn insns[2] = {};
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  insns[0].dst_reg = BPF_REG_0;
  insns[0].imm = XDP_PASS;
  insns[1].code = BPF_JMP | BPF_EXIT;
  return bpf_prog_load(BPF_PROG_TYPE_XDP, "empty_pass", "GPL", insns, 2, nullptr);
}

// hayate's maps by name, from the loaded program.
std::map<std::string, int> maps_of(int prog_fd) {
  std::uint32_t ids[64];
  bpf_prog_info info{};
  info.nr_map_ids = 64;
  info.map_ids = reinterpret_cast<std::uint64_t>(ids);
  std::uint32_t len = sizeof(info);
  std::map<std::string, int> out;
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0) return out;
  for (std::uint32_t i = 0; i < std::min<std::uint32_t>(info.nr_map_ids, 64); ++i) {
    const int fd = bpf_map_get_fd_by_id(ids[i]);
    bpf_map_info map{};
    std::uint32_t map_len = sizeof(map);
    if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &map, &map_len) == 0) out[map.name] = fd;
  }
  return out;
}

// The warm-run driver, loaded on hayate's own maps (so it sees the same answers and config).
xdp_warm_run_bpf* load_warm_driver(int prog_fd) {
  xdp_warm_run_bpf* skel = xdp_warm_run_bpf__open();
  if (skel == nullptr) return nullptr;
  const auto maps = maps_of(prog_fd);
  bool reused = true;
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, skel->obj) {
    auto it = maps.find(bpf_map__name(map));
    if (it != maps.end()) reused = reused && bpf_map__reuse_fd(map, it->second) == 0;
  }
  if (!reused || xdp_warm_run_bpf__load(skel) != 0) {
    xdp_warm_run_bpf__destroy(skel);
    return nullptr;
  }
  return skel;
}

struct Case {
  const char* name;
  Bytes packet;
  std::uint32_t expect;
  bool repeatable;  // the program leaves the packet as it was
  bool rate_limited;
};

struct RunResult {
  std::uint32_t action = 0;
  std::uint32_t duration = 0;
};

RunResult test_run(int fd, const Bytes& packet, std::uint32_t repeat) {
  static Bytes out(4096);
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  opts.data_in = packet.data();
  opts.data_size_in = static_cast<std::uint32_t>(packet.size());
  opts.data_out = out.data();
  opts.data_size_out = static_cast<std::uint32_t>(out.size());
  opts.repeat = repeat;
  if (int err = bpf_prog_test_run_opts(fd, &opts); err != 0) {
    std::fprintf(stderr, "BPF_PROG_TEST_RUN: %d\n", err);
    std::exit(1);
  }
  return {opts.retval, opts.duration};
}

// The mean per-run duration of `rounds` runs with repeat = 1. `expect` 0: any action.
double run_ns(int fd, const Case& c, std::uint32_t expect, int rounds) {
  std::uint64_t total = 0;
  for (int i = 0; i < rounds; ++i) {
    RunResult r = test_run(fd, c.packet, 1);
    // A budget of one query a second lets one through each second: a miss, not an error.
    if (expect != 0 && r.action != expect && !(c.rate_limited && r.action == XDP_PASS)) {
      std::fprintf(stderr, "%s: unexpected action %u\n", c.name, r.action);
      std::exit(1);
    }
    total += r.duration;
  }
  return static_cast<double>(total) / rounds;
}

struct ProgStats {
  std::uint64_t time = 0, count = 0;
};

ProgStats stats_of(int fd) {
  bpf_prog_info info{};
  std::uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return {};
  return {info.run_time_ns, info.run_cnt};
}

// run_time_ns / run_cnt over `rounds` runs with repeat = 1 (stats must be on).
double stats_ns(int fd, const Case& c, int rounds) {
  ProgStats before = stats_of(fd);
  for (int i = 0; i < rounds; ++i)
    test_run(fd, c.packet, 1);
  ProgStats after = stats_of(fd);
  if (after.count == before.count) return NAN;
  return static_cast<double>(after.time - before.time) /
         static_cast<double>(after.count - before.count);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? NAN : v[v.size() / 2];
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// Per batch: hayate's figure, the empty program's, and their difference.
struct Series {
  std::vector<double> mine, empty, program;
  void add(double m, double e) {
    mine.push_back(m);
    empty.push_back(e);
    program.push_back(m - e);
  }
};

void print_row(const char* name, const char* how, const Series& s) {
  if (s.mine.empty()) return;
  std::printf("%-8s %-7s %8.1f %8.1f %9.1f   (program: %.1f .. %.1f)\n", name, how, median(s.mine),
              median(s.empty), median(s.program),
              *std::min_element(s.program.begin(), s.program.end()),
              *std::max_element(s.program.begin(), s.program.end()));
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 200000;
  std::vector<std::string> wanted(argv + std::min(argc, 2), argv + argc);
  if (rounds < kBatches) {
    std::fprintf(stderr, "usage: hayate-xdp-bench [ROUNDS [hit|miss|drop|notdns...]]\n");
    return 2;
  }
  const int per_batch = rounds / kBatches;
  cpu_set_t one;  // one CPU: the rate buckets are per CPU
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  sched_setaffinity(0, sizeof(one), &one);

  auto loaded = bpf::XdpProgram::load(bpf::XdpLimits{});
  if (!loaded) {
    std::fprintf(stderr, "%s\n", loaded.error().c_str());
    return 1;
  }
  auto& program = **loaded;
  const int mine = program.program_fd();
  const int empty = load_empty_program();
  if (empty < 0) {
    std::fprintf(stderr, "load the empty program: %d\n", empty);
    return 1;
  }
  xdp_warm_run_bpf* warm = load_warm_driver(mine);
  if (warm == nullptr) {
    std::fprintf(stderr, "load bpf/xdp_warm_run.bpf.c on hayate's maps failed\n");
    return 1;
  }
  const int warm_program = bpf_program__fd(warm->progs.warm_program);
  const int warm_copy = bpf_program__fd(warm->progs.warm_copy);
  const int warm_frame = bpf_map__fd(warm->maps.warm_frame);

  bpf::XdpRuntime limited;
  limited.rate = 1;  // for the drop case: a budget of one query a second
  limited.burst = 1;
  limited.slip = 0;
  bpf::XdpRuntime open = limited;
  open.rate = 0;

  const std::string zones = std::string(HAYATE_SOURCE_DIR) + "/tests/zones/server/";
  auto state = server::build_serving_state(
      {{*zone::Name::from_text("example.com."), zones + "example.com.zone", server::Acl()}},
      server::AnswerPolicy{}, nullptr);
  server::HotAnswerRenderer renderer(state);
  Bytes name = wire_name("www.example.com.");
  const std::uint8_t shape = server::AnswerKey::kEdns;
  auto response = renderer.render(server::encode_question(server::AnswerKey{name, 1, 1, shape}));
  auto value = bpf::encode_answer(*response, name, ~0ull, 0);
  program.put_answer(bpf::make_key(name, 1, 1, shape), *value);

  Bytes hit = frame(Frame{.src = "198.51.100.1"},
                    dns_query(Query{.qname = "WWW.example.com.", .edns = true}));
  Bytes arp = hit;
  arp[12] = 0x08;
  arp[13] = 0x06;
  std::vector<Case> cases = {
      {"hit", hit, XDP_TX, false, false},
      {"miss", frame(Frame{.src = "198.51.100.2"}, dns_query(Query{.qname = "mail.example.com."})),
       XDP_PASS, true, false},
      {"drop", frame(Frame{.src = "203.0.113.9"}, dns_query(Query{})), XDP_DROP, true, true},
      {"notdns", arp, XDP_PASS, true, false},
  };
  if (!wanted.empty()) {
    std::erase_if(cases, [&](const Case& c) {
      return std::find(wanted.begin(), wanted.end(), c.name) == wanted.end();
    });
  }

  const std::string load_before = load_average();
  std::vector<Series> run(cases.size()), warm_runs(cases.size()), repeat(cases.size()),
      stats(cases.size());
  for (int b = 0; b < kBatches; ++b) {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      program.configure(c.rate_limited ? limited : open);
      if (c.rate_limited) test_run(mine, c.packet, 1);  // spends the budget
      const double m = run_ns(mine, c, c.expect, per_batch);
      run[i].add(m, run_ns(empty, c, 0, per_batch));
      struct {
        std::uint32_t len;
        std::uint8_t data[512];
      } stored{static_cast<std::uint32_t>(c.packet.size()), {}};
      std::copy(c.packet.begin(), c.packet.end(), stored.data);
      const std::uint32_t zero = 0;
      bpf_map_update_elem(warm_frame, &zero, &stored, BPF_ANY);
      const auto rounds_u = static_cast<std::uint32_t>(per_batch);
      const RunResult w = test_run(warm_program, c.packet, rounds_u);
      if (w.action != c.expect && !(c.rate_limited && w.action == XDP_PASS)) {
        std::fprintf(stderr, "%s (warm): unexpected action %u\n", c.name, w.action);
        return 1;
      }
      warm_runs[i].add(w.duration, test_run(warm_copy, c.packet, rounds_u).duration);
      if (c.repeatable) {
        const double r = test_run(mine, c.packet, static_cast<std::uint32_t>(per_batch)).duration;
        repeat[i].add(r, test_run(empty, c.packet, static_cast<std::uint32_t>(per_batch)).duration);
      }
      // Accounting on only for this part: it costs every run two clock reads.
      const int stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
      if (stats_fd >= 0) {
        const double s = stats_ns(mine, c, per_batch);
        stats[i].add(s, stats_ns(empty, c, per_batch));
        ::close(stats_fd);
      }
    }
  }

  std::printf("ns per packet, BPF_PROG_TEST_RUN on one CPU, median of %d batches of %d runs\n",
              kBatches, per_batch);
  std::printf("load average before %s, after %s\n", load_before.c_str(), load_average().c_str());
  std::printf(
      "hit: %zu-octet IPv4 query with EDNS -> %zu-octet reply (XDP_TX); miss: XDP_PASS; "
      "drop: over its /24's budget (XDP_DROP); notdns: ARP (XDP_PASS)\n",
      hit.size(), program.test_run(hit)->packet.size());
  std::printf("\n%-8s %-7s %8s %8s %9s\n", "packet", "how", "hayate", "empty", "program");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    print_row(cases[i].name, "run", run[i]);
    print_row(cases[i].name, "warm", warm_runs[i]);
    print_row(cases[i].name, "repeat", repeat[i]);
    print_row(cases[i].name, "stats", stats[i]);
  }
  xdp_warm_run_bpf__destroy(warm);
  ::close(empty);
  return 0;
}
