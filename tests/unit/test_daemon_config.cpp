// From the configuration to the daemon's parts: what a reload can change and what takes a restart.
#include "server/daemon_config.hpp"

#include <gtest/gtest.h>

#include "server/xdp_fast_path.hpp"

namespace hayate::server {
namespace {

conf::Config parse(const std::string& text) {
  auto config = conf::parse_config(text, "/etc/hayate/hayate.toml");
  EXPECT_TRUE(config.ok());
  return config.ok() ? *config : conf::Config{};
}

TEST(DaemonConfig, XdpRatesListsAndPortsFollowAReloadTheRestTakesARestart) {
  const conf::Config old = parse("[xdp]\nenable = true\ninterfaces = [\"eth0\"]\n");
  const conf::Config rates = parse(
      "[xdp]\nenable = true\ninterfaces = [\"eth0\"]\nrate-limit = 10\nslip = 3\n"
      "ipv4-prefix = 28\nallow = [\"192.0.2.0/24\"]\nblock = [\"::1\"]\nports = [53, 5300]\n");
  EXPECT_TRUE(restart_only_changes(old, rates).empty());
  const conf::Config other = parse("[xdp]\nenable = true\ninterfaces = [\"eth1\"]\n");
  EXPECT_EQ(restart_only_changes(old, other),
            (std::vector<std::string>{"[xdp] (other than ports, rates, prefixes and lists)"}));
}

// The workers pick their UDP path when they start.
TEST(DaemonConfig, IoUringDefaultsOnAndTakesARestart) {
  EXPECT_TRUE(parse("").server.io_uring);
  const conf::Config off = parse("[server]\nio-uring = false\n");
  EXPECT_FALSE(off.server.io_uring);
  EXPECT_EQ(restart_only_changes(parse(""), off), (std::vector<std::string>{"server.io-uring"}));
}

// The answer cache's size comes from [server] answer-cache-entries (applied on reload too: the
// serving state carries it and QueryProcessor::set_state resizes the cache).
TEST(DaemonConfig, AnswerCacheEntriesReachTheAnswerPolicy) {
  EXPECT_EQ(answer_policy(parse("")).answer_cache_entries, 131072u);
  EXPECT_EQ(answer_policy(parse("[server]\nanswer-cache-entries = 0\n")).answer_cache_entries, 0u);
  EXPECT_EQ(answer_policy(parse("[server]\nanswer-cache-entries = 300000\n")).answer_cache_entries,
            300000u);
}

TEST(DaemonConfig, XdpRuntimeFromTheConfig) {
  const conf::Config c = parse(
      "[server]\nlisten = [\"192.0.2.1:53\", \"[2001:db8::1]:5300\"]\n"
      "[xdp]\nports = [53, 5300]\nrate-limit = 100\nrate-burst = 10\nslip = 0\n"
      "allow = [\"198.51.100.0/24\"]\n");
  const bpf::XdpRuntime r = xdp_runtime(c, 1400);
  EXPECT_EQ(r.ports, (std::vector<std::uint16_t>{53, 5300}));
  EXPECT_EQ(r.rate, 100u);
  EXPECT_EQ(r.burst, 10u);
  EXPECT_EQ(r.slip, 0u);
  EXPECT_EQ(r.mtu, 1400);
  ASSERT_EQ(r.allow.size(), 1u);
  EXPECT_EQ(r.allow[0].length, 96 + 24);  // IPv4 as ::ffff:198.51.100.0/120
  EXPECT_EQ(r.allow[0].address[10], 0xff);
  EXPECT_EQ(r.allow[0].address[12], 198);
  ASSERT_EQ(r.destinations.size(), 2u);
  EXPECT_EQ(r.destinations[0].port, 53);
  EXPECT_EQ(r.destinations[0].address[15], 1);
  EXPECT_EQ(r.destinations[1].port, 5300);
  EXPECT_EQ(r.destinations[1].address[0], 0x20);
  // Wildcards of both families on ports the program serves: no endpoint lookups at all.
  const conf::Config any =
      parse("[server]\nlisten = [\"0.0.0.0:53\", \"[::]:53\"]\n[xdp]\nports = [53]\n");
  EXPECT_TRUE(xdp_runtime(any, 1500).destinations.empty());
  const conf::Config v4_only = parse("[server]\nlisten = [\"0.0.0.0:53\"]\n[xdp]\nports = [53]\n");
  EXPECT_EQ(xdp_runtime(v4_only, 1500).destinations.size(), 1u);
}

}  // namespace
}  // namespace hayate::server
