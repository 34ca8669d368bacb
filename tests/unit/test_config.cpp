#include "conf/config.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "conf/option_value.hpp"
#include "conf/options.hpp"

namespace hayate::conf {
namespace {

constexpr const char* kFile = "/etc/hayate/hayate.toml";

Config parse_ok(std::string_view text) {
  auto result = parse_config(text, kFile);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error_text());
  return result.ok() ? *result : Config{};
}

// The errors for `text`, each as "FILE:LINE:COLUMN: error: message".
std::vector<std::string> errors_of(std::string_view text) {
  auto result = parse_config(text, kFile);
  EXPECT_FALSE(result.ok()) << "expected errors for:\n" << text;
  std::vector<std::string> lines;
  if (!result.ok()) {
    for (const auto& e : result.errors())
      lines.push_back(e.to_string());
  }
  return lines;
}

std::string single_error(std::string_view text) {
  auto errors = errors_of(text);
  EXPECT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  return errors.empty() ? "" : errors.front();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "" when equal, else the first line that differs in both texts (a full dump is unreadable).
std::string first_difference(const std::string& committed, const std::string& rendered) {
  std::istringstream a(committed), b(rendered);
  std::string line_a, line_b;
  for (int n = 1;; ++n) {
    bool more_a = static_cast<bool>(std::getline(a, line_a));
    bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) return committed == rendered ? "" : "trailing newline differs";
    if (!more_a || !more_b || line_a != line_b) {
      return "line " + std::to_string(n) + ":\n  committed: " + (more_a ? line_a : "<end>") +
             "\n  rendered:  " + (more_b ? line_b : "<end>");
    }
  }
}

Endpoint EP(std::string_view text) {
  auto e = parse_endpoint(text, 53);
  EXPECT_TRUE(e) << text << ": " << e.error;
  return e ? *e.value : Endpoint{};
}

Prefix P(std::string_view text) {
  auto p = parse_prefix(text);
  EXPECT_TRUE(p) << text << ": " << p.error;
  return p ? *p.value : Prefix{};
}

// --- defaults ---------------------------------------------------------------------------------

TEST(Config, EmptyFileGivesDefaults) {
  Config c = parse_ok("");
  ASSERT_EQ(c.server.listen.size(), 1u);
  EXPECT_EQ(c.server.listen[0].to_string(), "127.0.0.1:5300");
  EXPECT_EQ(c.server.workers, 0u);
  EXPECT_EQ(c.server.user, "");
  EXPECT_EQ(c.server.group, "");
  EXPECT_EQ(c.server.pid_file, "");
  EXPECT_EQ(c.server.udp_payload_size, 1232);
  EXPECT_EQ(c.server.answer_cache_entries, 131072u);
  EXPECT_EQ(c.server.tcp_idle_timeout, std::chrono::seconds(10));
  EXPECT_EQ(c.server.tcp_max_clients, 1024u);
  EXPECT_EQ(c.server.tcp_max_per_client, 16u);
  EXPECT_EQ(c.server.identity, "");
  EXPECT_EQ(c.server.version, "");
  EXPECT_EQ(c.log.level, LogLevel::kInfo);
  EXPECT_EQ(c.log.target, (LogTarget{LogTarget::Kind::kStderr, ""}));
  EXPECT_FALSE(c.log.query_log);
  EXPECT_EQ(c.control.socket, "/tmp/hayate.sock");
  EXPECT_FALSE(c.control.metrics_listen.has_value());
  EXPECT_TRUE(c.zones.empty());
}

TEST(Config, DefaultConfigMatchesEmptyFile) {
  Config a = default_config();
  Config b = parse_ok("");
  EXPECT_EQ(a.server.listen, b.server.listen);
  EXPECT_EQ(a.server.udp_payload_size, b.server.udp_payload_size);
  EXPECT_EQ(a.control.socket, b.control.socket);
  EXPECT_EQ(a.log.level, b.log.level);
}

TEST(Config, ZoneDefaultsAllowTransferFromLoopbackOnly) {
  Config c = parse_ok("[[zone]]\nname = \"example.test\"\nfile = \"/var/zones/x\"\n");
  ASSERT_EQ(c.zones.size(), 1u);
  EXPECT_EQ(c.zones[0].name, "example.test.");  // made absolute
  EXPECT_EQ(c.zones[0].file, "/var/zones/x");
  EXPECT_TRUE(c.zones[0].notify.empty());
  EXPECT_EQ(c.zones[0].allow_transfer, (std::vector<Prefix>{P("127.0.0.0/8"), P("::1/128")}));
}

// --- every option set ---------------------------------------------------------------------------

TEST(Config, EveryOptionIsRead) {
  Config c = parse_ok(R"(
[server]
listen = ["192.0.2.1", "[2001:db8::1]:5353", "::1"]
workers = 4
user = "hayate"
group = "hayate"
pid-file = "run/hayate.pid"
udp-payload-size = 4096
answer-cache-entries = 500
tcp-idle-timeout = 30
tcp-max-clients = 100
tcp-max-per-client = 5
identity = "ns1"
version = "hayate"

[log]
level = "debug"
target = "/var/log/hayate.log"
query-log = true

[control]
socket = "/run/hayate/control.sock"
metrics-listen = "127.0.0.1:9153"

[[zone]]
name = "Example.TEST."
file = "zones/example.test.zone"
notify = ["192.0.2.2", "[2001:db8::2]:5300"]
allow-transfer = ["192.0.2.0/24", "2001:db8::/32"]
)");
  EXPECT_EQ(c.server.listen,
            (std::vector<Endpoint>{EP("192.0.2.1:53"), EP("[2001:db8::1]:5353"), EP("[::1]:53")}));
  EXPECT_EQ(c.server.workers, 4u);
  EXPECT_EQ(c.server.user, "hayate");
  EXPECT_EQ(c.server.group, "hayate");
  EXPECT_EQ(c.server.pid_file, "/etc/hayate/run/hayate.pid");
  EXPECT_EQ(c.server.udp_payload_size, 4096);
  EXPECT_EQ(c.server.answer_cache_entries, 500u);
  EXPECT_EQ(c.server.tcp_idle_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.server.tcp_max_clients, 100u);
  EXPECT_EQ(c.server.tcp_max_per_client, 5u);
  EXPECT_EQ(c.server.identity, "ns1");
  EXPECT_EQ(c.server.version, "hayate");
  EXPECT_EQ(c.log.level, LogLevel::kDebug);
  EXPECT_EQ(c.log.target, (LogTarget{LogTarget::Kind::kFile, "/var/log/hayate.log"}));
  EXPECT_TRUE(c.log.query_log);
  EXPECT_EQ(c.control.socket, "/run/hayate/control.sock");
  EXPECT_EQ(c.control.metrics_listen, EP("127.0.0.1:9153"));
  ASSERT_EQ(c.zones.size(), 1u);
  EXPECT_EQ(c.zones[0].name, "Example.TEST.");
  EXPECT_EQ(c.zones[0].notify, (std::vector<Endpoint>{EP("192.0.2.2"), EP("[2001:db8::2]:5300")}));
  EXPECT_EQ(c.zones[0].allow_transfer,
            (std::vector<Prefix>{P("192.0.2.0/24"), P("2001:db8::/32")}));
}

TEST(Config, LogTargetKeywordsAndEveryLevel) {
  EXPECT_EQ(parse_ok("[log]\ntarget = \"syslog\"").log.target.kind, LogTarget::Kind::kSyslog);
  for (auto level : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                     LogLevel::kError, LogLevel::kCritical, LogLevel::kOff}) {
    std::string text = "[log]\nlevel = \"" + std::string(to_string(level)) + "\"";
    EXPECT_EQ(parse_ok(text).log.level, level) << text;
  }
}

TEST(Config, DottedKeysAndInlineTablesAreTheSameAsSections) {
  Config c = parse_ok("server.workers = 3\nlog = { level = \"warn\" }\n");
  EXPECT_EQ(c.server.workers, 3u);
  EXPECT_EQ(c.log.level, LogLevel::kWarn);
}

// --- relative paths -----------------------------------------------------------------------------

TEST(Config, RelativePathsAreResolvedAgainstTheConfigDirectory) {
  Config c = parse_ok(R"(
[server]
pid-file = "../run/hayate.pid"
[log]
target = "./logs/hayate.log"
[control]
socket = "hayate.sock"
[[zone]]
name = "a.test"
file = "zones/a.test.zone"
[[zone]]
name = "b.test"
file = "/srv/zones/b.test.zone"
)");
  EXPECT_EQ(c.server.pid_file, "/etc/run/hayate.pid");
  EXPECT_EQ(c.log.target.path, "/etc/hayate/logs/hayate.log");
  EXPECT_EQ(c.control.socket, "/etc/hayate/hayate.sock");
  ASSERT_EQ(c.zones.size(), 2u);
  EXPECT_EQ(c.zones[0].file, "/etc/hayate/zones/a.test.zone");
  EXPECT_EQ(c.zones[1].file, "/srv/zones/b.test.zone");
}

TEST(Config, RelativeSourceNameIsMadeAbsolute) {
  auto result = parse_config("[[zone]]\nname = \"a.\"\nfile = \"a.zone\"\n", "conf/x.toml");
  ASSERT_TRUE(result.ok()) << result.error_text();
  EXPECT_EQ(result->zones[0].file,
            (std::filesystem::current_path() / "conf/a.zone").lexically_normal().string());
}

// --- errors, each with its exact position -------------------------------------------------------

TEST(ConfigErrors, UnknownOptionPointsAtTheKeyAndSuggests) {
  EXPECT_EQ(single_error("[server]\nworkers = 2\n  workres = 4\n"),
            "/etc/hayate/hayate.toml:3:3: error: unknown option 'workres' in [server]; did you "
            "mean 'workers'?");
  EXPECT_EQ(single_error("[log]\ncolour = true\n"),
            "/etc/hayate/hayate.toml:2:1: error: unknown option 'colour' in [log]");
}

// --- [resolver] --------------------------------------------------------------------------------

TEST(ConfigResolver, DefaultsAreOffWithPrivateAllowList) {
  Config c = parse_ok("");
  EXPECT_FALSE(c.resolver.enable);
  EXPECT_EQ(c.resolver.allow,
            (std::vector<Prefix>{P("127.0.0.0/8"), P("::1/128"), P("10.0.0.0/8"),
                                 P("172.16.0.0/12"), P("192.168.0.0/16"), P("fc00::/7"),
                                 P("169.254.0.0/16"), P("fe80::/10")}));
  EXPECT_TRUE(c.resolver.forward.empty());
  EXPECT_TRUE(c.resolver.forward_zones.empty());
  EXPECT_EQ(c.resolver.root_hints, "");
  EXPECT_EQ(c.resolver.cache_size, 67108864u);
  EXPECT_EQ(c.resolver.cache_min_ttl, 0u);
  EXPECT_EQ(c.resolver.cache_max_ttl, 86400u);
  EXPECT_EQ(c.resolver.cache_max_negative_ttl, 3600u);
  EXPECT_TRUE(c.resolver.serve_stale);
  EXPECT_FALSE(c.resolver.prefetch);
  EXPECT_TRUE(c.resolver.qname_minimisation);
  EXPECT_EQ(c.resolver.query_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c.resolver.max_pending, 10000u);
  EXPECT_EQ(c.resolver.max_pending_per_client, 100u);
}

TEST(ConfigResolver, EveryKeyIsRead) {
  Config c = parse_ok(R"([resolver]
enable = true
allow = ["192.0.2.0/24", "2001:db8::/32"]
forward = ["192.0.2.53", "[2001:db8::53]:5353"]
root-hints = "hints/named.root"
cache-size = 2097152
cache-min-ttl = 60
cache-max-ttl = 3600
cache-max-negative-ttl = 300
serve-stale = false
prefetch = true
qname-minimisation = false
query-timeout = 3
max-pending = 500
max-pending-per-client = 7

[[resolver.forward-zone]]
name = "corp.example"
forward = ["10.0.0.53"]

[[resolver.forward-zone]]
name = "lab.corp.example."
forward = ["10.0.1.53:5300", "10.0.1.54"]
)");
  const ResolverConfig& r = c.resolver;
  EXPECT_TRUE(r.enable);
  EXPECT_EQ(r.allow, (std::vector<Prefix>{P("192.0.2.0/24"), P("2001:db8::/32")}));
  EXPECT_EQ(r.forward, (std::vector<Endpoint>{EP("192.0.2.53:53"), EP("[2001:db8::53]:5353")}));
  EXPECT_EQ(r.root_hints, "/etc/hayate/hints/named.root");
  EXPECT_EQ(r.cache_size, 2097152u);
  EXPECT_EQ(r.cache_min_ttl, 60u);
  EXPECT_EQ(r.cache_max_ttl, 3600u);
  EXPECT_EQ(r.cache_max_negative_ttl, 300u);
  EXPECT_FALSE(r.serve_stale);
  EXPECT_TRUE(r.prefetch);
  EXPECT_FALSE(r.qname_minimisation);
  EXPECT_EQ(r.query_timeout, std::chrono::seconds(3));
  EXPECT_EQ(r.max_pending, 500u);
  EXPECT_EQ(r.max_pending_per_client, 7u);
  ASSERT_EQ(r.forward_zones.size(), 2u);
  EXPECT_EQ(r.forward_zones[0].name, "corp.example.");
  EXPECT_EQ(r.forward_zones[0].forward, (std::vector<Endpoint>{EP("10.0.0.53:53")}));
  EXPECT_EQ(r.forward_zones[1].name, "lab.corp.example.");
  EXPECT_EQ(r.forward_zones[1].forward,
            (std::vector<Endpoint>{EP("10.0.1.53:5300"), EP("10.0.1.54:53")}));
}

TEST(ConfigResolver, Errors) {
  EXPECT_EQ(single_error("[resolver]\nforward = [\"not-an-address\"]\n").find("resolver.forward"),
            std::string("/etc/hayate/hayate.toml:2:12: error: ").size());
  EXPECT_NE(single_error("[resolver]\ncache-size = 1000\n").find("out of range"),
            std::string::npos);
  EXPECT_NE(single_error("[resolver]\nquery-timeout = 0\n").find("out of range"),
            std::string::npos);
  EXPECT_NE(single_error("[resolver]\nallow = [\"300.0.0.0/8\"]\n").find("resolver.allow"),
            std::string::npos);
  EXPECT_NE(single_error("[resolver]\nforwrd = []\n").find("did you mean 'forward'?"),
            std::string::npos);
  EXPECT_NE(single_error("[[resolver.forward-zone]]\nname = \"corp.example\"\n")
                .find("missing required option 'forward'"),
            std::string::npos);
  EXPECT_NE(single_error("[[resolver.forward-zone]]\nname = \"corp.example\"\nforward = []\n")
                .find("resolver.forward-zone.forward"),
            std::string::npos);
  EXPECT_NE(single_error("[resolver]\nforward-zone = 1\n").find("[[resolver.forward-zone]]"),
            std::string::npos);
  EXPECT_NE(single_error("[[resolver.forward-zone]]\nname = \"a\"\nforward = [\"192.0.2.1\"]\n"
                         "port = 5\n")
                .find("unknown option 'port' in [resolver.forward-zone]"),
            std::string::npos);
}

// EDNS Client Subnet (RFC 7871): off by default; the lists, prefixes and public addresses.
TEST(ConfigResolver, EcsOptions) {
  Config defaults = parse_ok("");
  EXPECT_FALSE(defaults.resolver.ecs_send);
  EXPECT_TRUE(defaults.resolver.ecs_zones.empty());
  EXPECT_EQ(defaults.resolver.ecs_max_source_v4, 24);
  EXPECT_EQ(defaults.resolver.ecs_max_source_v6, 56);
  EXPECT_FALSE(defaults.resolver.ecs_public_v4);
  EXPECT_EQ(defaults.resolver.ecs_max_subnets, 64u);

  Config c = parse_ok(
      "[resolver]\necs-send = true\necs-zones = [\"cdn.example\", \"geo.test.\"]\n"
      "ecs-upstreams = [\"192.0.2.0/24\"]\necs-max-source-v4 = 20\necs-max-source-v6 = 48\n"
      "ecs-public-v4 = \"203.0.113.1\"\necs-public-v6 = \"2001:db8::1\"\necs-max-subnets = 8\n");
  EXPECT_TRUE(c.resolver.ecs_send);
  EXPECT_EQ(c.resolver.ecs_zones, (std::vector<std::string>{"cdn.example.", "geo.test."}));
  ASSERT_EQ(c.resolver.ecs_upstreams.size(), 1u);
  EXPECT_EQ(c.resolver.ecs_upstreams[0].to_string(), "192.0.2.0/24");
  EXPECT_EQ(c.resolver.ecs_max_source_v4, 20);
  EXPECT_EQ(c.resolver.ecs_max_source_v6, 48);
  EXPECT_EQ(c.resolver.ecs_public_v4->to_string(), "203.0.113.1");
  EXPECT_EQ(c.resolver.ecs_public_v6->to_string(), "2001:db8::1");
  EXPECT_EQ(c.resolver.ecs_max_subnets, 8u);

  EXPECT_NE(single_error("[resolver]\necs-zones = [\"a.\", \"A.\"]\n").find("duplicate name"),
            std::string::npos);
  EXPECT_NE(single_error("[resolver]\necs-zones = [\"a..b\"]\n").find("resolver.ecs-zones"),
            std::string::npos);
  EXPECT_NE(
      single_error("[resolver]\necs-public-v4 = \"192.0.2.1/24\"\n").find("resolver.ecs-public-v4"),
      std::string::npos);
  EXPECT_NE(single_error("[resolver]\necs-max-source-v4 = 33\n").find("out of range"),
            std::string::npos);
}

TEST(ConfigErrors, UnknownSectionIsAnError) {
  EXPECT_EQ(single_error("[server]\n\n[turbo]\nenable = true\n"),
            "/etc/hayate/hayate.toml:3:2: error: unknown section 'turbo'; known sections: " +
                known_sections_text());
  EXPECT_EQ(single_error("[[turbo]]\nprefix = \"64:ff9b::/96\"\n"),
            "/etc/hayate/hayate.toml:1:3: error: unknown section 'turbo'; known sections: " +
                known_sections_text());
  EXPECT_NE(known_sections_text().find("[server], [log], [control], [[zone]]"), std::string::npos);
  EXPECT_NE(known_sections_text().find("[[dns64]]"), std::string::npos);
  EXPECT_EQ(single_error("[[dns64]]\nprefix = \"64:ff9b::/96\"\n"),
            "/etc/hayate/hayate.toml:2:1: error: unknown option 'prefix' in [dns64]; did you mean "
            "'prefixes'?");
}

// --- [[dns64]] ---------------------------------------------------------------------------------

TEST(ConfigDns64, NoBlocksByDefaultAndBlockDefaults) {
  EXPECT_TRUE(default_config().dns64.empty());
  Config c = parse_ok("[[dns64]]\n");
  ASSERT_EQ(c.dns64.size(), 1u);
  const Dns64Config& d = c.dns64[0];
  EXPECT_EQ(d.mode, Dns64Mode::kDns64);
  EXPECT_EQ(d.prefixes, (std::vector<Prefix>{P("64:ff9b::/96")}));
  EXPECT_EQ(d.clients, (std::vector<Prefix>{P("0.0.0.0/0"), P("::/0")}));
  EXPECT_TRUE(d.mapped.empty());
  EXPECT_EQ(d.exclude, (std::vector<Prefix>{P("::ffff:0:0/96")}));
  EXPECT_TRUE(d.listeners.empty());
  EXPECT_FALSE(d.break_dnssec);
}

TEST(ConfigDns64, EveryKeyIsReadAndBlocksKeepTheirOrder) {
  Config c = parse_ok(R"([[dns64]]
mode = "filter-aaaa"
clients = ["192.0.2.0/24"]
break-dnssec = true

[[dns64]]
mode = "synthesize-always"
prefixes = ["2001:db8:64::/96", "2001:db8:100::/40"]
clients = ["2001:db8::/32"]
mapped = ["198.51.100.0/24"]
exclude = ["2001:db8:dead::/48"]

[[dns64]]
mode = "dns64"
)");
  ASSERT_EQ(c.dns64.size(), 3u);
  EXPECT_EQ(c.dns64[0].mode, Dns64Mode::kFilterAaaa);
  EXPECT_EQ(c.dns64[0].clients, (std::vector<Prefix>{P("192.0.2.0/24")}));
  EXPECT_TRUE(c.dns64[0].break_dnssec);
  EXPECT_EQ(c.dns64[1].mode, Dns64Mode::kSynthesizeAlways);
  EXPECT_EQ(c.dns64[1].prefixes,
            (std::vector<Prefix>{P("2001:db8:64::/96"), P("2001:db8:100::/40")}));
  EXPECT_EQ(c.dns64[1].mapped, (std::vector<Prefix>{P("198.51.100.0/24")}));
  EXPECT_EQ(c.dns64[1].exclude, (std::vector<Prefix>{P("2001:db8:dead::/48")}));
  EXPECT_EQ(c.dns64[2].mode, Dns64Mode::kDns64);
}

TEST(ConfigDns64, ErrorsPointAtTheValue) {
  EXPECT_EQ(single_error("[[dns64]]\nprefixes = [\"2001:db8::/44\"]\n"),
            "/etc/hayate/hayate.toml:2:13: error: dns64.prefixes: 2001:db8::/44: the prefix "
            "length must be 32, 40, 48, 56, 64 or 96 (RFC 6052 §2.2)");
  EXPECT_NE(single_error("[[dns64]]\nprefixes = [\"192.0.2.0/24\"]\n")
                .find("a DNS64 prefix is an IPv6 prefix"),
            std::string::npos);
  EXPECT_NE(
      single_error("[[dns64]]\nprefixes = [\"2001:db8:0:0:ff00::/96\"]\n").find("the u octet"),
      std::string::npos);
  EXPECT_NE(single_error("[[dns64]]\nprefixes = []\n").find("needs at least 1 entry"),
            std::string::npos);
  EXPECT_NE(single_error("[[dns64]]\nmapped = [\"2001:db8::/32\"]\n")
                .find("mapped ranges are IPv4 prefixes"),
            std::string::npos);
  EXPECT_NE(single_error("[[dns64]]\nexclude = [\"10.0.0.0/8\"]\n")
                .find("excluded ranges are IPv6 prefixes"),
            std::string::npos);
  EXPECT_NE(single_error("[[dns64]]\nmode = \"nat64\"\n").find("dns64.mode"), std::string::npos);
  EXPECT_NE(single_error("[dns64]\nmode = \"dns64\"\n").find("[[dns64]]"), std::string::npos);
}

TEST(ConfigDns64, ListenersMustBeServerListenAddresses) {
  Config c = parse_ok(R"([server]
listen = ["127.0.0.1:5300", "[::1]:53"]
[[dns64]]
listeners = ["::1"]
)");
  ASSERT_EQ(c.dns64.size(), 1u);
  EXPECT_EQ(c.dns64[0].listeners, (std::vector<Endpoint>{EP("[::1]:53")}));
  EXPECT_EQ(single_error("[server]\nlisten = [\"127.0.0.1:5300\"]\n[[dns64]]\n"
                         "listeners = [\"127.0.0.1:5300\", \"127.0.0.1:5301\"]\n"),
            "/etc/hayate/hayate.toml:4:32: error: dns64.listeners: 127.0.0.1:5301 is not one of "
            "server.listen");
}

TEST(ConfigDns64, AtMost255Blocks) {
  std::string text;
  for (int i = 0; i < 256; ++i)
    text += "[[dns64]]\n";
  EXPECT_NE(single_error(text).find("at most 255 [[dns64]] blocks"), std::string::npos);
}

TEST(ConfigXdp, DefaultsAreOffWithPort53AndRrlPrefixes) {
  Config c = parse_ok("");
  const XdpConfig& x = c.xdp;
  EXPECT_FALSE(x.enable);
  EXPECT_TRUE(x.interfaces.empty());
  EXPECT_EQ(x.mode, XdpMode::kAuto);
  EXPECT_EQ(x.ports, (std::vector<std::int64_t>{53}));
  EXPECT_EQ(x.rate_limit, 0u);
  EXPECT_EQ(x.rate_burst, 0u);
  EXPECT_EQ(x.slip, 2u);
  EXPECT_EQ(x.ipv4_prefix, 24);
  EXPECT_EQ(x.ipv6_prefix, 56);
  EXPECT_TRUE(x.allow.empty());
  EXPECT_TRUE(x.block.empty());
  EXPECT_EQ(x.hot_answers, 1024u);
  EXPECT_EQ(x.rate_entries, 65536u);
  EXPECT_EQ(x.list_entries, 1024u);
  EXPECT_EQ(x.publish_interval, std::chrono::seconds(1));
  EXPECT_EQ(x.max_age, std::chrono::seconds(30));
  EXPECT_EQ(x.pin_path, "/sys/fs/bpf/hayate");
}

TEST(ConfigXdp, EveryKeyIsRead) {
  Config c = parse_ok(R"([xdp]
enable = true
interfaces = ["eth0", "veth-dns"]
mode = "generic"
ports = [53, 5300]
rate-limit = 100
rate-burst = 300
slip = 3
ipv4-prefix = 28
ipv6-prefix = 64
allow = ["192.0.2.0/24"]
block = ["2001:db8:bad::/48"]
hot-answers = 5000
rate-entries = 1000
list-entries = 64
publish-interval = 2
max-age = 10
pin-path = ""
)");
  const XdpConfig& x = c.xdp;
  EXPECT_TRUE(x.enable);
  EXPECT_EQ(x.interfaces, (std::vector<std::string>{"eth0", "veth-dns"}));
  EXPECT_EQ(x.mode, XdpMode::kGeneric);
  EXPECT_EQ(x.ports, (std::vector<std::int64_t>{53, 5300}));
  EXPECT_EQ(x.rate_limit, 100u);
  EXPECT_EQ(x.rate_burst, 300u);
  EXPECT_EQ(x.slip, 3u);
  EXPECT_EQ(x.ipv4_prefix, 28);
  EXPECT_EQ(x.ipv6_prefix, 64);
  EXPECT_EQ(x.allow, (std::vector<Prefix>{P("192.0.2.0/24")}));
  EXPECT_EQ(x.block, (std::vector<Prefix>{P("2001:db8:bad::/48")}));
  EXPECT_EQ(x.hot_answers, 5000u);
  EXPECT_EQ(x.rate_entries, 1000u);
  EXPECT_EQ(x.list_entries, 64u);
  EXPECT_EQ(x.publish_interval, std::chrono::seconds(2));
  EXPECT_EQ(x.max_age, std::chrono::seconds(10));
  EXPECT_EQ(x.pin_path, "");
}

TEST(ConfigRrl, DefaultsAreOffWithBindLikeRates) {
  const RrlConfig r = parse_ok("").rrl;
  EXPECT_FALSE(r.enable);
  EXPECT_EQ(r.responses_per_second, 20u);
  EXPECT_EQ(r.nxdomains_per_second, 10u);
  EXPECT_EQ(r.referrals_per_second, 20u);
  EXPECT_EQ(r.errors_per_second, 10u);
  EXPECT_EQ(r.window, 15u);
  EXPECT_EQ(r.slip, 2u);
  EXPECT_EQ(r.ipv4_prefix, 24);
  EXPECT_EQ(r.ipv6_prefix, 56);
  EXPECT_EQ(r.max_entries, 100000u);
  EXPECT_TRUE(r.exempt.empty());
  EXPECT_FALSE(r.log_only);
}

TEST(ConfigRrl, EveryKeyIsRead) {
  const RrlConfig r = parse_ok(R"([rrl]
enable = true
responses-per-second = 5
nxdomains-per-second = 3
referrals-per-second = 4
errors-per-second = 2
window = 5
slip = 1
ipv4-prefix = 32
ipv6-prefix = 64
max-entries = 1000
exempt = ["192.0.2.0/24"]
log-only = true
)")
                          .rrl;
  EXPECT_TRUE(r.enable);
  EXPECT_EQ(r.responses_per_second, 5u);
  EXPECT_EQ(r.nxdomains_per_second, 3u);
  EXPECT_EQ(r.referrals_per_second, 4u);
  EXPECT_EQ(r.errors_per_second, 2u);
  EXPECT_EQ(r.window, 5u);
  EXPECT_EQ(r.slip, 1u);
  EXPECT_EQ(r.ipv4_prefix, 32);
  EXPECT_EQ(r.ipv6_prefix, 64);
  EXPECT_EQ(r.max_entries, 1000u);
  EXPECT_EQ(r.exempt, (std::vector<Prefix>{P("192.0.2.0/24")}));
  EXPECT_TRUE(r.log_only);
}

TEST(ConfigRrl, OutOfRangeValuesAreErrors) {
  EXPECT_NE(single_error("[rrl]\nwindow = 0\n").find("rrl.window: 0 is out of range 1..3600"),
            std::string::npos);
  EXPECT_NE(single_error("[rrl]\nslip = 11\n").find("rrl.slip: 11 is out of range 0..10"),
            std::string::npos);
  EXPECT_NE(single_error("[rrl]\nipv4-prefix = 33\n").find("out of range 8..32"),
            std::string::npos);
}

TEST(ConfigXdp, Errors) {
  EXPECT_NE(single_error("[xdp]\ninterfaces = [\"a-very-long-interface-name\"]\n")
                .find("xdp.interfaces: 'a-very-long-interface-name' must be 1 to 15 bytes"),
            std::string::npos);
  EXPECT_NE(single_error("[xdp]\ninterfaces = [\"eth0\", \"eth0\"]\n").find("listed twice"),
            std::string::npos);
  EXPECT_NE(single_error("[xdp]\nports = [0]\n").find("xdp.ports: 0 is out of range 1..65535"),
            std::string::npos);
  EXPECT_NE(single_error("[xdp]\nports = []\n").find("needs at least 1 entry"), std::string::npos);
  EXPECT_NE(single_error("[xdp]\nports = [\"53\"]\n").find("expected an integer"),
            std::string::npos);
  EXPECT_NE(single_error("[xdp]\nmode = \"fast\"\n").find("not one of native, generic, auto"),
            std::string::npos);
  EXPECT_NE(single_error("[xdp]\nipv6-prefix = 8\n").find("out of range 16..128"),
            std::string::npos);
}

TEST(ConfigErrors, OptionOutsideAnySection) {
  EXPECT_EQ(single_error("workers = 4\n"),
            "/etc/hayate/hayate.toml:1:1: error: option 'workers' is outside any section; known "
            "sections: " +
                known_sections_text());
}

TEST(ConfigErrors, WrongTypePointsAtTheValue) {
  EXPECT_EQ(single_error("[server]\nworkers = \"4\"\n"),
            "/etc/hayate/hayate.toml:2:11: error: server.workers: expected an integer, got a "
            "string");
  EXPECT_EQ(single_error("[log]\nquery-log = 1\n"),
            "/etc/hayate/hayate.toml:2:13: error: log.query-log: expected a boolean, got an "
            "integer");
  EXPECT_EQ(single_error("[server]\ntcp-idle-timeout = 2.5\n"),
            "/etc/hayate/hayate.toml:2:20: error: server.tcp-idle-timeout: expected an integer, "
            "got a floating-point number");
  EXPECT_EQ(single_error("[server]\nlisten = \"127.0.0.1\"\n"),
            "/etc/hayate/hayate.toml:2:10: error: server.listen: expected an array, got a string");
  EXPECT_EQ(single_error("[server]\nlisten = [\"127.0.0.1\", 53]\n"),
            "/etc/hayate/hayate.toml:2:24: error: server.listen: expected a string, got an "
            "integer");
}

TEST(ConfigErrors, SectionOfTheWrongShape) {
  EXPECT_EQ(single_error("[zone]\nname = \"a.\"\nfile = \"a\"\n"),
            "/etc/hayate/hayate.toml:1:1: error: 'zone' must be written [[zone]] (one table per "
            "element)");
  EXPECT_EQ(single_error("[[server]]\nworkers = 1\n"),
            "/etc/hayate/hayate.toml:1:1: error: 'server' must be a table ([server]), got an "
            "array");
}

TEST(ConfigErrors, OutOfRange) {
  EXPECT_EQ(single_error("[server]\nudp-payload-size = 511\n"),
            "/etc/hayate/hayate.toml:2:20: error: server.udp-payload-size: 511 is out of range "
            "512..4096");
  EXPECT_EQ(single_error("[server]\nworkers = -1\n"),
            "/etc/hayate/hayate.toml:2:11: error: server.workers: -1 is out of range 0..1024");
}

TEST(ConfigErrors, BadEnumAndBadLogTarget) {
  EXPECT_EQ(single_error("[log]\nlevel = \"verbose\"\n"),
            "/etc/hayate/hayate.toml:2:9: error: log.level: 'verbose' is not one of trace, "
            "debug, info, warn, error, critical, off");
  EXPECT_EQ(single_error("[log]\ntarget = \"sterr\"\n"),
            "/etc/hayate/hayate.toml:2:10: error: log.target: 'sterr' is not \"stderr\", "
            "\"syslog\" or a path containing '/'");
}

TEST(ConfigErrors, BadAddressesPointAtTheElement) {
  auto errors = errors_of("[server]\nlisten = [\"127.0.0.1:99999\", \"localhost\", \"[::1\"]\n");
  EXPECT_EQ(errors, (std::vector<std::string>{
                        "/etc/hayate/hayate.toml:2:11: error: server.listen: invalid port "
                        "'99999' (expected 1..65535)",
                        "/etc/hayate/hayate.toml:2:30: error: server.listen: 'localhost' is not "
                        "an IPv4 or IPv6 address",
                        "/etc/hayate/hayate.toml:2:43: error: server.listen: '[::1' is not "
                        "\"addr\", \"addr:port\" or \"[v6addr]:port\""}));
  EXPECT_EQ(single_error("[control]\nmetrics-listen = \"127.0.0.1\"\n"),
            "/etc/hayate/hayate.toml:2:18: error: control.metrics-listen: '127.0.0.1' needs a "
            "port (\"addr:port\")");
  EXPECT_EQ(single_error("[server]\nlisten = []\n"),
            "/etc/hayate/hayate.toml:2:10: error: server.listen: needs at least 1 entry");
}

TEST(ConfigErrors, DuplicateListenAddress) {
  EXPECT_EQ(single_error("[server]\nlisten = [\"127.0.0.1\",\n  \"127.0.0.1:53\"]\n"),
            "/etc/hayate/hayate.toml:3:3: error: server.listen: duplicate address 127.0.0.1:53 "
            "(first at 2:11)");
}

TEST(ConfigErrors, BadPrefix) {
  auto errors = errors_of(
      "[[zone]]\nname = \"a.\"\nfile = \"a\"\nallow-transfer = [\"10.0.0.0/33\", \"10.0.0.0/\", "
      "\"2001:db8::/129\", \"10.0.0.0/8x\", \"nonsense/8\"]\n");
  EXPECT_EQ(errors,
            (std::vector<std::string>{
                "/etc/hayate/hayate.toml:4:19: error: zone.allow-transfer: invalid prefix length "
                "in '10.0.0.0/33' (expected 0..32)",
                "/etc/hayate/hayate.toml:4:34: error: zone.allow-transfer: invalid prefix length "
                "in '10.0.0.0/' (expected 0..32)",
                "/etc/hayate/hayate.toml:4:47: error: zone.allow-transfer: invalid prefix length "
                "in '2001:db8::/129' (expected 0..128)",
                "/etc/hayate/hayate.toml:4:65: error: zone.allow-transfer: invalid prefix length "
                "in '10.0.0.0/8x' (expected 0..32)",
                "/etc/hayate/hayate.toml:4:80: error: zone.allow-transfer: 'nonsense' is not an "
                "IPv4 or IPv6 address"}));
}

TEST(ConfigErrors, BadZoneName) {
  EXPECT_EQ(single_error("[[zone]]\nname = \"a..b\"\nfile = \"a\"\n"),
            "/etc/hayate/hayate.toml:2:8: error: zone.name: 'a..b': empty label");
  std::string long_label(64, 'x');
  EXPECT_EQ(single_error("[[zone]]\nname = \"" + long_label + ".test\"\nfile = \"a\"\n"),
            "/etc/hayate/hayate.toml:2:8: error: zone.name: '" + long_label +
                ".test': label longer than 63 octets");
}

TEST(ConfigErrors, DuplicateZoneIgnoresCase) {
  EXPECT_EQ(single_error("[[zone]]\nname = \"example.test\"\nfile = \"a\"\n\n"
                         "[[zone]]\nname = \"EXAMPLE.test.\"\nfile = \"b\"\n"),
            "/etc/hayate/hayate.toml:6:8: error: duplicate zone 'EXAMPLE.test.' (first defined at "
            "2:8)");
}

TEST(ConfigViews, ZonesPerViewAndTheEcsTrustList) {
  auto result = parse_config(R"([[view]]
name = "europe"
match-clients = ["192.0.2.0/24", "2001:db8:1::/48"]

[[view]]
name = "asia"
match-clients = ["198.51.100.0/24"]

[[zone]]
name = "example.test."
file = "default.zone"

[[zone]]
name = "example.test."
file = "europe.zone"
view = "europe"

[ecs]
trusted = ["10.0.0.0/8"]
)",
                             "/etc/hayate/hayate.toml");
  ASSERT_TRUE(result.ok()) << result.error_text();
  ASSERT_EQ(result->views.size(), 2u);
  EXPECT_EQ(result->views[0].name, "europe");
  EXPECT_EQ(result->views[0].match_clients.size(), 2u);
  EXPECT_EQ(result->views[1].name, "asia");
  ASSERT_EQ(result->zones.size(), 2u);
  EXPECT_EQ(result->zones[0].view, "");
  EXPECT_EQ(result->zones[1].view, "europe");
  ASSERT_EQ(result->ecs.trusted.size(), 1u);
  EXPECT_EQ(default_config().ecs.trusted.size(), 2u);  // 0.0.0.0/0 and ::/0
}

TEST(ConfigErrors, ZoneInAViewThatDoesNotExist) {
  EXPECT_EQ(single_error("[[zone]]\nname = \"a.test\"\nfile = \"a\"\nview = \"mars\"\n"),
            "/etc/hayate/hayate.toml:4:8: error: zone.view: no [[view]] named 'mars'");
}

TEST(ConfigErrors, DuplicateViewAndDuplicateZoneInOneView) {
  EXPECT_EQ(single_error("[[view]]\nname = \"eu\"\nmatch-clients = [\"192.0.2.0/24\"]\n"
                         "[[view]]\nname = \"eu\"\nmatch-clients = [\"192.0.3.0/24\"]\n"),
            "/etc/hayate/hayate.toml:5:8: error: duplicate view 'eu' (first defined at 2:8)");
  EXPECT_EQ(single_error("[[view]]\nname = \"eu\"\nmatch-clients = [\"192.0.2.0/24\"]\n"
                         "[[zone]]\nname = \"a.test\"\nfile = \"a\"\nview = \"eu\"\n"
                         "[[zone]]\nname = \"A.test.\"\nfile = \"b\"\nview = \"eu\"\n"),
            "/etc/hayate/hayate.toml:9:8: error: duplicate zone 'A.test.' in view 'eu' (first "
            "defined at 5:8)");
  EXPECT_EQ(single_error("[[view]]\nname = \"eu\"\nmatch-clients = []\n"),
            "/etc/hayate/hayate.toml:3:17: error: view.match-clients: needs at least 1 entry");
}

TEST(ConfigErrors, MissingRequiredZoneOptionPointsAtTheHeader) {
  EXPECT_EQ(single_error("[server]\n\n[[zone]]\nname = \"a.test\"\n"),
            "/etc/hayate/hayate.toml:3:1: error: [[zone]]: missing required option 'file'");
}

TEST(ConfigErrors, TomlSyntaxErrorHasAPositionToo) {
  // toml++ stops at the first syntax error, so there is only ever one.
  EXPECT_EQ(single_error("[server]\nworkers = 4\nlisten = [\"127.0.0.1\"\n"),
            "/etc/hayate/hayate.toml:3:23: error: Error while parsing array: encountered "
            "end-of-file");
  EXPECT_EQ(single_error("[server]\nworkers = 4\nworkers = 5\n"),
            "/etc/hayate/hayate.toml:3:11: error: Error while parsing key-value pair: cannot "
            "redefine existing integer 'workers'");
}

TEST(ConfigErrors, AllErrorsAreCollectedInSourceOrder) {
  auto errors = errors_of(R"([server]
workers = "many"
udp-payload-size = 65536
listen = ["127.0.0.1:0"]

[log]
level = "loud"

[[zone]]
name = "a.test"
file = "a"
[[zone]]
name = "a.test."

[turbo]
)");
  EXPECT_EQ(errors,
            (std::vector<std::string>{
                "/etc/hayate/hayate.toml:2:11: error: server.workers: expected an integer, got a "
                "string",
                "/etc/hayate/hayate.toml:3:20: error: server.udp-payload-size: 65536 is out of "
                "range 512..4096",
                "/etc/hayate/hayate.toml:4:11: error: server.listen: invalid port '0' (expected "
                "1..65535)",
                "/etc/hayate/hayate.toml:7:9: error: log.level: 'loud' is not one of trace, debug, "
                "info, warn, error, critical, off",
                "/etc/hayate/hayate.toml:12:1: error: [[zone]]: missing required option 'file'",
                "/etc/hayate/hayate.toml:13:8: error: duplicate zone 'a.test.' (first defined at "
                "10:8)",
                "/etc/hayate/hayate.toml:15:2: error: unknown section 'turbo'; known sections: " +
                    known_sections_text()}));
}

TEST(ConfigErrors, UnreadableFileHasNoPosition) {
  auto result = load_config("/nonexistent/hayate.toml");
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors().size(), 1u);
  EXPECT_EQ(result.errors()[0].to_string(),
            "/nonexistent/hayate.toml: error: cannot open: No such file or directory");
}

// --- addresses and prefixes ---------------------------------------------------------------------

TEST(ConfigAddress, EndpointForms) {
  EXPECT_EQ(EP("192.0.2.1").to_string(), "192.0.2.1:53");
  EXPECT_EQ(EP("192.0.2.1:5300").to_string(), "192.0.2.1:5300");
  EXPECT_EQ(EP("[2001:DB8::1]:853").to_string(), "[2001:db8::1]:853");
  EXPECT_EQ(EP("[::1]").to_string(), "[::1]:53");
  EXPECT_EQ(EP("::").to_string(), "[::]:53");
  EXPECT_EQ(EP("::ffff:192.0.2.1").address.family, Family::kIPv6);
  for (auto bad : {"", ":53", "192.0.2.1:", "192.0.2.1:+53", "192.0.2.1: 53", "[::1]53",
                   "[::1]:", "1.2.3", "fe80::1%eth0", "[192.0.2.1]x"}) {
    EXPECT_FALSE(parse_endpoint(bad, 53)) << bad;
  }
  EXPECT_FALSE(parse_endpoint("192.0.2.1", 0));  // port required
  EXPECT_NE(parse_endpoint("fe80::1%eth0", 53).error.find("zone ids"), std::string::npos);
}

TEST(ConfigAddress, PrefixHostBitsAreCleared) {
  EXPECT_EQ(P("192.0.2.77/24").to_string(), "192.0.2.0/24");
  EXPECT_EQ(P("192.0.2.77").to_string(), "192.0.2.77/32");
  EXPECT_EQ(P("2001:db8:ffff::1/33").to_string(), "2001:db8:8000::/33");
  EXPECT_EQ(P("::1").to_string(), "::1/128");
  EXPECT_EQ(P("10.1.2.3/0").to_string(), "0.0.0.0/0");
}

TEST(ConfigAddress, PrefixContains) {
  Prefix p = P("192.0.2.0/25");
  EXPECT_TRUE(p.contains(EP("192.0.2.127").address));
  EXPECT_FALSE(p.contains(EP("192.0.2.128").address));
  EXPECT_FALSE(p.contains(EP("::ffff:192.0.2.1").address));  // other family
  EXPECT_TRUE(P("::/0").contains(EP("2001:db8::1").address));
}

TEST(ConfigDomainName, Normalisation) {
  EXPECT_EQ(normalise_domain_name("example.test").value, "example.test.");
  EXPECT_EQ(normalise_domain_name("example.test.").value, "example.test.");
  EXPECT_EQ(normalise_domain_name(".").value, ".");
  EXPECT_EQ(normalise_domain_name("a\\.b.test").value, "a\\.b.test.");
  EXPECT_EQ(normalise_domain_name("a\\.").value, "a\\..");  // the dot is part of the label
  EXPECT_EQ(normalise_domain_name("\\065\\066.test").value, "\\065\\066.test.");
  for (auto bad : {"", "a..b", ".a", "a b.test", "\\256.test", "\\06.test", "a\\"}) {
    EXPECT_FALSE(normalise_domain_name(bad)) << bad;
  }
  std::string label63(63, 'a');
  std::string name255 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'a');
  EXPECT_TRUE(normalise_domain_name(name255));         // 255 octets in wire form
  EXPECT_FALSE(normalise_domain_name(name255 + "a"));  // 256
}

// --- the option table, its example files and the shipped configuration ------------------------

TEST(ConfigOptions, EveryRowIsComplete) {
  for (const Option& o : options()) {
    std::string name = std::string(o.section) + "." + std::string(o.key);
    ASSERT_NE(find_section(o.section), nullptr) << name;
    EXPECT_FALSE(o.doc.empty()) << name;
    EXPECT_NE(o.apply, nullptr) << name;
    EXPECT_TRUE(std::all_of(o.key.begin(), o.key.end(),
                            [](char c) { return std::islower(c) || std::isdigit(c) || c == '-'; }))
        << name << " is not kebab-case";
    if (o.required()) {
      EXPECT_TRUE(find_section(o.section)->is_array) << name << ": required outside [[array]]";
      EXPECT_FALSE(o.example.empty()) << name << ": required options need an example";
    }
    if (o.kind == ValueKind::kEnum) {
      EXPECT_FALSE(o.choices.empty()) << name;
    }
    EXPECT_EQ(find_option(o.section, o.key), &o) << name << " is listed twice";
  }
}

TEST(ConfigExamples, CommittedFilesMatchTheOptionTable) {
  for (const ExampleFile& file : example_files()) {
    std::string path =
        std::string(HAYATE_SOURCE_DIR) + "/conf/examples/" + std::string(file.name) + ".toml";
    EXPECT_EQ(first_difference(read_file(path), render_example_file(file)), "")
        << path << " is out of date with conf/options.cpp. Regenerate it with:\n"
        << "  ninja -C <build dir> update-config-examples\n"
        << "(or run hayate-gen-config-examples conf/examples) and commit the result.";
  }
}

TEST(ConfigExamples, RenderedExamplesParse) {
  for (const ExampleFile& file : example_files()) {
    auto result = parse_config(render_example_file(file), "/etc/hayate/example.toml");
    ASSERT_TRUE(result.ok()) << file.name << ":\n" << result.error_text();
    if (file.settings.empty()) {  // every setting commented out: the defaults
      EXPECT_EQ(result->server.listen, default_config().server.listen) << file.name;
      EXPECT_TRUE(result->zones.empty()) << file.name;
    }
  }
}

// A misspelt key in an example's settings would be dropped silently by the renderer.
TEST(ConfigExamples, EveryExampleSettingIsAnOption) {
  for (const ExampleFile& file : example_files()) {
    std::istringstream lines{std::string(file.settings)};
    for (std::string line; std::getline(lines, line);) {
      std::string path = line.substr(0, line.find(" ="));
      auto dot = path.rfind('.');
      ASSERT_NE(dot, std::string::npos) << file.name << ": " << line;
      EXPECT_NE(find_option(path.substr(0, dot), path.substr(dot + 1)), nullptr)
          << file.name << ": no option " << path;
      std::string rendered = render_example_file(file);
      EXPECT_NE(rendered.find("\n" + path.substr(dot + 1) + " = "), std::string::npos)
          << file.name << ": " << path << " is not written active";
    }
  }
}

TEST(ConfigExamples, HomeRouterForwardsAndServesTheLan) {
  auto result = load_config(std::string(HAYATE_SOURCE_DIR) + "/conf/examples/home-router.toml");
  ASSERT_TRUE(result.ok()) << result.error_text();
  EXPECT_EQ(result->server.listen.front(), EP("192.168.1.1:53"));
  ASSERT_EQ(result->zones.size(), 1u);
  EXPECT_EQ(result->zones[0].name, "lan.");
  EXPECT_EQ(result->zones[0].file,
            std::string(HAYATE_SOURCE_DIR) + "/conf/examples/zones/lan.zone");
  EXPECT_TRUE(result->resolver.enable);
  EXPECT_EQ(result->resolver.forward.size(), 2u);
  EXPECT_TRUE(result->resolver.prefetch);
}

TEST(ConfigExamples, DataCenterResolverIterates) {
  auto result = load_config(std::string(HAYATE_SOURCE_DIR) + "/conf/examples/resolver.toml");
  ASSERT_TRUE(result.ok()) << result.error_text();
  EXPECT_TRUE(result->resolver.enable);
  EXPECT_TRUE(result->resolver.forward.empty());  // iterates from the root hints
  EXPECT_EQ(result->resolver.cache_size, std::uint64_t{1} << 30);
}

TEST(ConfigExamples, Dns64ResolverSynthesizesForTheIpv6OnlyLan) {
  auto result = load_config(std::string(HAYATE_SOURCE_DIR) + "/conf/examples/dns64.toml");
  ASSERT_TRUE(result.ok()) << result.error_text();
  EXPECT_TRUE(result->resolver.enable);
  ASSERT_EQ(result->dns64.size(), 1u);
  EXPECT_EQ(result->dns64[0].mode, Dns64Mode::kDns64);
  EXPECT_EQ(result->dns64[0].prefixes, (std::vector<Prefix>{P("64:ff9b::/96")}));
  EXPECT_EQ(result->dns64[0].clients, (std::vector<Prefix>{P("2001:db8:1::/48"), P("::1/128")}));
  // The home router's example has the block ready, commented out.
  auto home = load_config(std::string(HAYATE_SOURCE_DIR) + "/conf/examples/home-router.toml");
  ASSERT_TRUE(home.ok()) << home.error_text();
  EXPECT_TRUE(home->dns64.empty());
}

// The [[zone]] block is commented out in the examples; uncommented, its example values must
// be valid too.
TEST(ConfigExamples, UncommentedExampleParses) {
  std::string text = render_example_config("");
  std::string uncommented;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# ")) line = line.substr(2);
    uncommented += line + "\n";
  }
  auto result = parse_config(uncommented, "/etc/hayate/example.toml");
  ASSERT_TRUE(result.ok()) << result.error_text() << uncommented;
  ASSERT_EQ(result->zones.size(), 1u);
  EXPECT_EQ(result->zones[0].name, "example.test.");
}

TEST(ConfigExamples, SectionFilterSelectsSections) {
  std::string text = render_example_config("log");
  EXPECT_NE(text.find("[log]"), std::string::npos);
  EXPECT_EQ(text.find("[server]"), std::string::npos);
  EXPECT_EQ(text.find("[[zone]]"), std::string::npos);
}

TEST(ConfigShipped, QuickStartConfigLoads) {
  std::string path = std::string(HAYATE_SOURCE_DIR) + "/conf/hayate.toml";
  auto result = load_config(path);
  ASSERT_TRUE(result.ok()) << result.error_text();
  EXPECT_EQ(result->server.listen, (std::vector<Endpoint>{EP("127.0.0.1:5300")}));
  EXPECT_EQ(result->log.level, LogLevel::kInfo);
  EXPECT_EQ(result->log.target.kind, LogTarget::Kind::kStderr);
  EXPECT_EQ(result->control.socket, "/tmp/hayate.sock");
  ASSERT_EQ(result->zones.size(), 1u);
  EXPECT_EQ(result->zones[0].name, "example.test.");
  EXPECT_EQ(result->zones[0].file,
            std::string(HAYATE_SOURCE_DIR) + "/conf/zones/example.test.zone");
  EXPECT_TRUE(std::filesystem::exists(result->zones[0].file));
  // The quick start is also a resolver, for this machine only, iterating (no forwarders).
  EXPECT_TRUE(result->resolver.enable);
  EXPECT_TRUE(result->resolver.forward.empty());
  EXPECT_EQ(result->resolver.allow.size(), 2u);
}

}  // namespace
}  // namespace hayate::conf
