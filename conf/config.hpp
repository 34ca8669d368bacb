// The daemon's configuration as typed values.
//
// Every field is filled from the option table in conf/options.cpp: the defaults written there
// (as TOML text) are the defaults here, so the example files, the docs and the code agree. To
// add an option: add a field here and a row there. To add a section: add a struct and a member
// here, and a section row plus its option rows there.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conf/address.hpp"
#include "conf/config_error.hpp"

namespace hayate::conf {

struct ServerConfig {
  std::vector<Endpoint> listen;          // UDP and TCP on each
  unsigned workers = 0;                  // 0 = one per CPU core
  std::string user;                      // empty: keep the user we were started as
  std::string group;                     // empty: keep the group
  std::string pid_file;                  // absolute; empty: write none
  std::uint16_t udp_payload_size = 0;    // EDNS buffer size we advertise
  std::size_t answer_cache_entries = 0;  // rendered answers kept per worker
  bool io_uring = true;                  // UDP through io_uring where the kernel has it
  std::chrono::seconds tcp_idle_timeout{0};
  unsigned tcp_max_clients = 0;     // open TCP connections in all
  unsigned tcp_max_per_client = 0;  // open TCP connections per source address
  std::string identity;             // CH TXT id.server / hostname.bind; empty: REFUSED
  std::string version;              // CH TXT version.bind / version.server; empty: REFUSED
};

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };

struct LogTarget {
  enum class Kind { kStderr, kSyslog, kFile };
  Kind kind = Kind::kStderr;
  std::string path;  // absolute, for kFile only
  friend bool operator==(const LogTarget&, const LogTarget&) = default;
};

struct LogConfig {
  LogLevel level = LogLevel::kInfo;
  LogTarget target;
  bool query_log = false;
};

struct ControlConfig {
  std::string socket;                      // absolute path of hayatectl's unix socket
  std::optional<Endpoint> metrics_listen;  // Prometheus HTTP; nullopt: off
};

struct ZoneConfig {
  std::string name;  // absolute (trailing dot), case as written
  std::string file;  // absolute: relative paths are resolved against the config file's directory
  std::string view;  // the [[view]] this version of the zone belongs to; "" = the default view
  std::vector<Endpoint> notify;        // secondaries to send NOTIFY to
  std::vector<Prefix> allow_transfer;  // who may AXFR
};

// [[view]]: clients (by EDNS Client Subnet, else source address) in `match_clients` see the
// zones of this view; the first view that matches wins (BIND's match-clients).
struct ViewConfig {
  std::string name;
  std::vector<Prefix> match_clients;
};

// [ecs]: EDNS Client Subnet (RFC 7871) on the authoritative side.
struct EcsConfig {
  std::vector<Prefix> trusted;  // whose ECS option is believed; others are judged by source
};

// [[resolver.forward-zone]]: queries for `name` and below go to these upstreams (longest match
// wins, like Unbound's forward-zone).
struct ForwardZoneConfig {
  std::string name;  // absolute (trailing dot), case as written
  std::vector<Endpoint> forward;
  friend bool operator==(const ForwardZoneConfig&, const ForwardZoneConfig&) = default;
};

struct ResolverConfig {
  bool enable = false;
  std::vector<Prefix> allow;      // clients the resolver answers; others get REFUSED
  std::vector<Endpoint> forward;  // empty: iterate from the root hints
  std::vector<ForwardZoneConfig> forward_zones;
  std::string root_hints;        // absolute; empty: the built-in IANA hints
  std::uint64_t cache_size = 0;  // bytes, RRset and negative caches together
  std::uint32_t cache_min_ttl = 0;
  std::uint32_t cache_max_ttl = 0;
  std::uint32_t cache_max_negative_ttl = 0;
  bool serve_stale = false;  // RFC 8767
  bool prefetch = false;
  bool qname_minimisation = true;              // RFC 9156
  std::chrono::milliseconds query_timeout{0};  // per client question
  std::uint32_t max_pending = 0;               // client questions being resolved at once
  std::uint32_t max_pending_per_client = 0;
  // EDNS Client Subnet towards upstreams (RFC 7871)
  bool ecs_send = false;
  std::vector<std::string> ecs_zones;  // absolute names
  std::vector<Prefix> ecs_upstreams;
  std::uint8_t ecs_max_source_v4 = 24;
  std::uint8_t ecs_max_source_v6 = 56;
  std::optional<Address> ecs_public_v4;
  std::optional<Address> ecs_public_v6;
  std::uint32_t ecs_max_subnets = 0;  // per question in the cache
  friend bool operator==(const ResolverConfig&, const ResolverConfig&) = default;
};

// [[dns64]]: how AAAA answers are rewritten for the clients in `clients` (the first block whose
// ACL matches a client applies to it, as BIND's dns64 clauses).
enum class Dns64Mode {
  kDns64,             // RFC 6147: synthesize AAAA from A when there is no usable AAAA
  kFilterAaaa,        // BIND's filter-aaaa: drop AAAA (and ipv6hint) when the name has A
  kSynthesizeAlways,  // ignore real AAAA, always synthesize (exclude ::/0)
};

struct Dns64Config {
  Dns64Mode mode = Dns64Mode::kDns64;
  std::vector<Prefix> prefixes;     // IPv6, lengths 32/40/48/56/64/96 (RFC 6052 §2.2)
  std::vector<Prefix> clients;      // who gets this policy
  std::vector<Endpoint> listeners;  // on which of [server] listen; empty: all
  std::vector<Prefix> mapped;       // IPv4 ranges synthesized for; empty: all (see RFC 6052 §3.1)
  std::vector<Prefix> exclude;      // AAAA in these ranges count as no AAAA (RFC 6147 §5.1.4)
  bool break_dnssec = false;        // rewrite answers to DO=1 queries even when signed
  friend bool operator==(const Dns64Config&, const Dns64Config&) = default;
};

enum class XdpMode { kNative, kGeneric, kAuto };

// [xdp]: the kernel fast path (bpf/). Everything but the rates and lists takes a restart.
struct XdpConfig {
  bool enable = false;
  std::vector<std::string> interfaces;
  XdpMode mode = XdpMode::kAuto;
  std::vector<std::int64_t> ports;
  std::uint32_t rate_limit = 0;  // queries/s per source prefix and CPU; 0: no limit
  std::uint32_t rate_burst = 0;  // 0: rate_limit
  std::uint32_t slip = 0;        // every Nth over-budget query gets TC=1; 0: none
  std::uint8_t ipv4_prefix = 0;
  std::uint8_t ipv6_prefix = 0;
  std::vector<Prefix> allow;
  std::vector<Prefix> block;
  std::uint32_t hot_answers = 0;   // entries in the hot-answer map
  std::uint32_t rate_entries = 0;  // source prefixes tracked (LRU)
  std::uint32_t list_entries = 0;  // allow and block list capacity, each
  std::chrono::seconds publish_interval{0};
  std::chrono::seconds max_age{0};  // a published answer expires after at most this long
  std::string pin_path;             // bpffs directory; empty: no pinning
  friend bool operator==(const XdpConfig&, const XdpConfig&) = default;
};

// [rrl]: response rate limiting for UDP answers (BIND's rate-limit, Knot's rrl, NSD's rrl-*).
struct RrlConfig {
  bool enable = false;
  std::uint32_t responses_per_second = 0;
  std::uint32_t nxdomains_per_second = 0;
  std::uint32_t referrals_per_second = 0;
  std::uint32_t errors_per_second = 0;
  std::uint32_t window = 0;  // seconds
  std::uint32_t slip = 0;
  std::uint8_t ipv4_prefix = 0;
  std::uint8_t ipv6_prefix = 0;
  std::uint32_t max_entries = 0;
  std::vector<Prefix> exempt;
  bool log_only = false;
  friend bool operator==(const RrlConfig&, const RrlConfig&) = default;
};

struct Config {
  ServerConfig server;
  LogConfig log;
  ControlConfig control;
  std::vector<ZoneConfig> zones;
  std::vector<ViewConfig> views;
  EcsConfig ecs;
  ResolverConfig resolver;
  std::vector<Dns64Config> dns64;
  XdpConfig xdp;
  RrlConfig rrl;
};

// Config with every default from the option table (no zones).
Config default_config();

// Reads and parses the file at `path`. Relative paths inside are resolved against its directory.
Result<Config> load_config(const std::string& path);

// Parses `text`; `source_name` names it in errors and its directory (made absolute) is the base
// for relative paths in it.
Result<Config> parse_config(std::string_view text, std::string_view source_name);

std::string_view to_string(LogLevel level);

}  // namespace hayate::conf
