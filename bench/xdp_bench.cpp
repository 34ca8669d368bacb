// Per-packet cost of the XDP program through BPF_PROG_TEST_RUN: a hit (answered in place), a
// miss (passed on), a drop (over its prefix's budget). Not a test: prints nanoseconds per packet
// as the kernel measured them.
//
// A hit rewrites the packet into its reply, so with repeat > 1 the program would see its own
// reply (a response: passed) from the second round on: hits and misses run with repeat = 1 in a
// loop and the kernel's per-run durations are averaged. A drop leaves the packet as it is, so it
// also runs with a large repeat.
//
// Usage: hayate-xdp-bench [ROUNDS]   (root or CAP_BPF)
#include <linux/bpf.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <bpf/bpf.h>

#include "bpf/answer_encoding.hpp"
#include "bpf/xdp_program.hpp"
#include "server/hot_answer_renderer.hpp"
#include "tests/bpf/xdp_packets.hpp"

using namespace hayate;
using namespace hayate::bpf::testing;

namespace {

double average_ns(const bpf::XdpProgram& program, const Bytes& packet, std::uint32_t expect,
                  int rounds) {
  std::uint64_t total = 0;
  for (int i = 0; i < rounds; ++i) {
    auto r = program.test_run(packet);
    if (!r) std::exit(1);
    // A budget of one query a second lets one through each second: a miss, not an error.
    if (r->action != expect && !(expect == XDP_DROP && r->action == XDP_PASS)) {
      std::fprintf(stderr, "unexpected result (action %u)\n", r->action);
      std::exit(1);
    }
    total += r->duration_ns;
  }
  return static_cast<double>(total) / rounds;
}

// One BPF_PROG_TEST_RUN with `repeat` rounds: the kernel's own average. (Live frames do not
// help for hits: recycled pages keep the program's reply, so later rounds see a response.)
double repeated_ns(const bpf::XdpProgram& program, const Bytes& packet, std::uint32_t repeat) {
  Bytes out(4096);
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  opts.data_in = packet.data();
  opts.data_size_in = static_cast<std::uint32_t>(packet.size());
  opts.data_out = out.data();
  opts.data_size_out = static_cast<std::uint32_t>(out.size());
  opts.repeat = repeat;
  if (int err = bpf_prog_test_run_opts(program.program_fd(), &opts); err != 0) {
    std::fprintf(stderr, "BPF_PROG_TEST_RUN: %d\n", err);
    return -1;
  }
  return opts.duration;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 200000;
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
  bpf::XdpRuntime runtime;
  runtime.rate = 1;  // for the drop case: a budget of one query
  runtime.burst = 1;
  runtime.slip = 0;
  program.configure(runtime);

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

  const Frame hit_frame{.src = "198.51.100.1"};
  const Frame miss_frame{.src = "198.51.100.2"};  // the same /24: within budget? see below
  const Bytes hit = frame(hit_frame, dns_query(Query{.qname = "WWW.example.com.", .edns = true}));
  const Bytes miss = frame(miss_frame, dns_query(Query{.qname = "mail.example.com."}));
  const Bytes drop = frame(Frame{.src = "203.0.113.9"}, dns_query(Query{}));

  // Hits and misses with the rate limit off; drops with a budget of one query.
  bpf::XdpRuntime open = runtime;
  open.rate = 0;
  program.configure(open);
  const double hit_ns = average_ns(program, hit, XDP_TX, rounds);
  Bytes arp = hit;
  arp[12] = 0x08;
  arp[13] = 0x06;
  const double floor_ns = average_ns(program, arp, XDP_PASS, rounds);
  const double floor_repeat_ns = repeated_ns(program, arp, static_cast<std::uint32_t>(rounds));
  const double miss_ns = average_ns(program, miss, XDP_PASS, rounds);
  program.configure(runtime);
  program.test_run(drop);  // spends the budget
  const double drop_ns = average_ns(program, drop, XDP_DROP, rounds);
  const double drop_repeat_ns = repeated_ns(program, drop, static_cast<std::uint32_t>(rounds));
  std::printf("packet   ns/packet (BPF_PROG_TEST_RUN, %d runs, one CPU)\n", rounds);
  std::printf("hit      %.1f   (%zu-octet query -> %zu-octet reply, XDP_TX)\n", hit_ns, hit.size(),
              program.test_run(hit)->packet.size());
  std::printf("miss     %.1f   (XDP_PASS)\n", miss_ns);
  std::printf("not DNS  %.1f   (ARP, XDP_PASS: the cost of a run itself; %.1f with repeat=%d)\n",
              floor_ns, floor_repeat_ns, rounds);
  std::printf("drop     %.1f   (over budget, XDP_DROP; %.1f with repeat=%d)\n", drop_ns,
              drop_repeat_ns, rounds);
  // repeat = 1 pays for the run itself each time; the ARP floor shows how much.
  std::printf("program cost estimate: hit %.1f ns, miss %.1f ns (run minus the floor of %.1f)\n",
              hit_ns - floor_ns + floor_repeat_ns, miss_ns - floor_ns + floor_repeat_ns,
              floor_ns - floor_repeat_ns);
  return 0;
}
