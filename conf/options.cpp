#include "conf/options.hpp"

#include <sys/un.h>

#include <algorithm>
#include <array>

namespace hayate::conf {
namespace {

std::int64_t as_int(const Value& v) {
  return std::get<std::int64_t>(v);
}
std::string as_string(Value&& v) {
  return std::get<std::string>(std::move(v));
}
std::vector<Endpoint> as_endpoints(Value&& v) {
  return std::get<std::vector<Endpoint>>(std::move(v));
}
std::vector<Prefix> as_prefixes(Value&& v) {
  return std::get<std::vector<Prefix>>(std::move(v));
}
std::vector<std::string> as_names(Value&& v) {
  return std::get<std::vector<std::string>>(std::move(v));
}
std::optional<Address> as_address(Value&& v) {
  return std::get<std::optional<Address>>(std::move(v));
}

// The last array element: an [[array]] option applies to the element being read.
ZoneConfig& zone(Config& c) {
  return c.zones.back();
}

// Order matches enum LogLevel.
constexpr std::array<std::string_view, 7> kLogLevels = {"trace", "debug",    "info", "warn",
                                                        "error", "critical", "off"};

// sun_path holds the socket path with its terminating NUL.
constexpr std::int64_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;
constexpr std::int64_t kMaxPath = 4095;
constexpr std::int64_t kMaxTxtString = 255;  // one TXT character-string (RFC 1035 §3.3)

ViewConfig& view(Config& c) {
  return c.views.back();
}

ForwardZoneConfig& forward_zone(Config& c) {
  return c.resolver.forward_zones.back();
}

constexpr std::uint32_t as_u32(const Value& v) {
  return static_cast<std::uint32_t>(std::get<std::int64_t>(v));
}

constexpr std::int64_t kOneWeek = 7 * 86400;

Dns64Config& dns64(Config& c) {
  return c.dns64.back();
}

// Order matches enum Dns64Mode.
constexpr std::array<std::string_view, 3> kDns64Modes = {"dns64", "filter-aaaa",
                                                         "synthesize-always"};

const char* nat64_prefix_rule(const Prefix& p) {
  if (p.address.family != Family::kIPv6) return "a DNS64 prefix is an IPv6 prefix";
  // RFC 6052 §2.2 defines the embedding for these lengths only.
  if (p.length != 32 && p.length != 40 && p.length != 48 && p.length != 56 && p.length != 64 &&
      p.length != 96) {
    return "the prefix length must be 32, 40, 48, 56, 64 or 96 (RFC 6052 §2.2)";
  }
  // Bits 64–71 must be zero (the "u" octet); a /96 prefix holds them itself.
  if (p.length == 96 && p.address.bytes[8] != 0) {
    return "bits 64-71 (the u octet) must be zero (RFC 6052 §2.2)";
  }
  return nullptr;
}

const char* ipv4_prefix_rule(const Prefix& p) {
  return p.address.family == Family::kIPv4 ? nullptr : "mapped ranges are IPv4 prefixes";
}

const char* ipv6_prefix_rule(const Prefix& p) {
  return p.address.family == Family::kIPv6 ? nullptr : "excluded ranges are IPv6 prefixes";
}
constexpr std::array<std::string_view, 3> kXdpModes = {"native", "generic", "auto"};
constexpr std::int64_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1

constexpr std::array kSections = {
    Section{"server", false, "Sockets, threads and process settings."},
    Section{"log", false, "Where messages go and how many."},
    Section{"control", false, "hayatectl's control socket and the metrics endpoint."},
    Section{"zone", true, "One [[zone]] table per zone served authoritatively.",
            [](Config& c) { c.zones.emplace_back(); }},
    Section{"view", true,
            "One [[view]] per group of clients that sees its own version of some zones "
            "(GeoDNS): a [[zone]] with `view = NAME` is served to the view's clients instead of "
            "the default [[zone]] of the same name; zones a view lacks come from the default "
            "view. Clients are matched by EDNS Client Subnet (RFC 7871) when the query has a "
            "valid one from a trusted resolver, else by source address; the first view that "
            "matches wins.",
            [](Config& c) { c.views.emplace_back(); }},
    Section{"ecs", false, "EDNS Client Subnet (RFC 7871) in authoritative answers."},
    Section{"resolver", false,
            "Recursive resolver and forwarder with a cache, for the clients in `allow`. Names "
            "in the [[zone]]s above are answered from the zones first."},
    Section{"resolver.forward-zone", true,
            "One [[resolver.forward-zone]] per domain forwarded to its own upstreams (the "
            "longest matching name wins; the rest follows `forward` or iterates).",
            [](Config& c) { c.resolver.forward_zones.emplace_back(); }},
    Section{"dns64", true,
            "DNS64 (RFC 6147), AAAA filter or synthesize-always for the clients in `clients`; the "
            "first [[dns64]] whose `clients` match a client applies to it. Applies to answers "
            "from the zones and from the resolver.",
            [](Config& c) { c.dns64.emplace_back(); }},
    Section{"xdp", false,
            "XDP fast path (Linux, needs CAP_BPF and CAP_NET_ADMIN): the kernel answers the "
            "hottest questions itself and drops floods before they reach the sockets."},
    Section{"rrl", false,
            "Response rate limiting of UDP answers (as BIND's rate-limit): caps how many "
            "responses of one kind a client prefix gets per second, so that spoofed queries "
            "cannot turn hayate into an amplifier. Answers count per name and type, NXDOMAIN and "
            "NODATA per zone, referrals per delegation, errors per prefix; TCP is never limited. "
            "Answers the XDP fast path sends are limited by [xdp] rate-limit instead."},
};

const std::array kOptions = {
    // [server]
    Option{.section = "server",
           .key = "listen",
           .kind = ValueKind::kEndpointList,
           .default_text = R"(["127.0.0.1:5300"])",
           .doc = "Addresses to serve DNS on, UDP and TCP: \"addr\", \"addr:port\" or "
                  "\"[v6addr]:port\" (port 53 if omitted).",
           .min = 1,
           .default_port = 53,
           .apply = [](Config& c, Value&& v) { c.server.listen = as_endpoints(std::move(v)); }},
    Option{.section = "server",
           .key = "workers",
           .kind = ValueKind::kInteger,
           .default_text = "0",
           .doc = "Worker threads, one io_context each; 0 = one per CPU core.",
           .min = 0,
           .max = 1024,
           .apply = [](Config& c, Value&& v) { c.server.workers = as_int(v); }},
    Option{.section = "server",
           .key = "user",
           .kind = ValueKind::kString,
           .default_text = R"("")",
           .doc = "User to switch to after binding the sockets; \"\" = stay as started.",
           .max = 255,
           .empty_is_off = true,
           .apply = [](Config& c, Value&& v) { c.server.user = as_string(std::move(v)); }},
    Option{.section = "server",
           .key = "group",
           .kind = ValueKind::kString,
           .default_text = R"("")",
           .doc = "Group to switch to after binding the sockets; \"\" = the user's group, or "
                  "stay as started.",
           .max = 255,
           .empty_is_off = true,
           .apply = [](Config& c, Value&& v) { c.server.group = as_string(std::move(v)); }},
    Option{.section = "server",
           .key = "pid-file",
           .kind = ValueKind::kPath,
           .default_text = R"("")",
           .doc = "File to write the daemon's process id to; \"\" = none.",
           .max = kMaxPath,
           .empty_is_off = true,
           .apply = [](Config& c, Value&& v) { c.server.pid_file = as_string(std::move(v)); }},
    Option{.section = "server",
           .key = "udp-payload-size",
           .kind = ValueKind::kInteger,
           .default_text = "1232",
           .doc = "EDNS UDP payload size we advertise and answer up to; 1232 avoids IP "
                  "fragmentation (DNS Flag Day 2020).",
           .min = 512,
           .max = 4096,
           .unit = "bytes",
           .apply = [](Config& c, Value&& v) { c.server.udp_payload_size = as_int(v); }},
    Option{.section = "server",
           .key = "answer-cache-entries",
           .kind = ValueKind::kInteger,
           .default_text = "131072",
           .doc = "Rendered answers each worker keeps for repeated questions: from the zones, and "
                  "from the resolver's cache with their TTLs running down; memory grows with "
                  "use, about 200 bytes an answer. 0 = none.",
           .min = 0,
           .max = 16777216,
           .apply = [](Config& c, Value&& v) { c.server.answer_cache_entries = as_int(v); }},
    Option{.section = "server",
           .key = "io-uring",
           .kind = ValueKind::kBool,
           .default_text = "true",
           .doc = "Receive and answer UDP through io_uring (Linux 6.0+): one system call a "
                  "wake-up instead of three. Where the kernel refuses it, UDP goes through epoll "
                  "as with false.",
           .apply = [](Config& c, Value&& v) { c.server.io_uring = std::get<bool>(v); }},
    Option{.section = "server",
           .key = "tcp-idle-timeout",
           .kind = ValueKind::kInteger,
           .default_text = "10",
           .doc = "Close a TCP connection after this long without a query (RFC 7766 §6.2.3).",
           .min = 1,
           .max = 3600,
           .unit = "seconds",
           .apply = [](Config& c,
                       Value&& v) { c.server.tcp_idle_timeout = std::chrono::seconds(as_int(v)); }},
    Option{.section = "server",
           .key = "tcp-max-clients",
           .kind = ValueKind::kInteger,
           .default_text = "1024",
           .doc = "Open TCP connections in all; new ones are refused beyond this.",
           .min = 1,
           .max = 1000000,
           .apply = [](Config& c, Value&& v) { c.server.tcp_max_clients = as_int(v); }},
    Option{.section = "server",
           .key = "tcp-max-per-client",
           .kind = ValueKind::kInteger,
           .default_text = "16",
           .doc = "Open TCP connections per client address.",
           .min = 1,
           .max = 1000000,
           .apply = [](Config& c, Value&& v) { c.server.tcp_max_per_client = as_int(v); }},
    Option{.section = "server",
           .key = "identity",
           .kind = ValueKind::kString,
           .default_text = R"("")",
           .doc = "Answer to CH TXT id.server and hostname.bind; \"\" = REFUSED.",
           .max = kMaxTxtString,
           .empty_is_off = true,
           .apply = [](Config& c, Value&& v) { c.server.identity = as_string(std::move(v)); }},
    Option{.section = "server",
           .key = "version",
           .kind = ValueKind::kString,
           .default_text = R"("")",
           .doc = "Answer to CH TXT version.bind and version.server; \"\" = REFUSED.",
           .max = kMaxTxtString,
           .empty_is_off = true,
           .apply = [](Config& c, Value&& v) { c.server.version = as_string(std::move(v)); }},

    // [log]
    Option{.section = "log",
           .key = "level",
           .kind = ValueKind::kEnum,
           .default_text = R"("info")",
           .doc = "Least severe message level that is written.",
           .choices = kLogLevels,
           .apply = [](Config& c, Value&& v) { c.log.level = static_cast<LogLevel>(as_int(v)); }},
    Option{.section = "log",
           .key = "target",
           .kind = ValueKind::kLogTarget,
           .default_text = R"("stderr")",
           .doc = "\"stderr\", \"syslog\", or a file path containing a '/' (e.g. "
                  "\"/var/log/hayate.log\").",
           .max = kMaxPath,
           .apply = [](Config& c, Value&& v) { c.log.target = std::get<LogTarget>(std::move(v)); }},
    Option{.section = "log",
           .key = "query-log",
           .kind = ValueKind::kBool,
           .default_text = "false",
           .doc = "Log every query at info level (costly under load).",
           .apply = [](Config& c, Value&& v) { c.log.query_log = std::get<bool>(v); }},

    // [control]
    Option{.section = "control",
           .key = "socket",
           .kind = ValueKind::kPath,
           .default_text = R"("/tmp/hayate.sock")",
           .doc = "Unix socket hayatectl talks to; use a directory only the daemon's user can "
                  "write (e.g. /run/hayate/) in production.",
           .max = kMaxSocketPath,
           .apply = [](Config& c, Value&& v) { c.control.socket = as_string(std::move(v)); }},
    Option{.section = "control",
           .key = "metrics-listen",
           .kind = ValueKind::kEndpoint,
           .default_text = R"("")",
           .doc = "Prometheus HTTP endpoint, \"addr:port\" (e.g. \"127.0.0.1:9153\"); \"\" = off.",
           .empty_is_off = true,
           .apply =
               [](Config& c, Value&& v) {
                 c.control.metrics_listen = std::get<std::optional<Endpoint>>(std::move(v));
               }},

    // [[zone]]
    Option{.section = "zone",
           .key = "name",
           .kind = ValueKind::kDomainName,
           .doc = "The zone's apex.",
           .example = R"("example.test.")",
           .apply = [](Config& c, Value&& v) { zone(c).name = as_string(std::move(v)); }},
    Option{.section = "zone",
           .key = "file",
           .kind = ValueKind::kPath,
           .doc = "Zone file in RFC 1035 master format; relative to this file's directory.",
           .max = kMaxPath,
           .example = R"("zones/example.test.zone")",
           .apply = [](Config& c, Value&& v) { zone(c).file = as_string(std::move(v)); }},
    Option{.section = "zone",
           .key = "notify",
           .kind = ValueKind::kEndpointList,
           .default_text = "[]",
           .doc = "Secondaries to send NOTIFY to when the zone changes: \"addr[:port]\".",
           .default_port = 53,
           .apply = [](Config& c, Value&& v) { zone(c).notify = as_endpoints(std::move(v)); }},
    Option{
        .section = "zone",
        .key = "allow-transfer",
        .kind = ValueKind::kPrefixList,
        .default_text = R"(["127.0.0.0/8", "::1/128"])",
        .doc = "Prefixes that may transfer the zone (AXFR); a bare address is one host.",
        .apply = [](Config& c, Value&& v) { zone(c).allow_transfer = as_prefixes(std::move(v)); }},

    Option{.section = "zone",
           .key = "view",
           .kind = ValueKind::kString,
           .default_text = R"("")",
           .doc = "The [[view]] this version of the zone is for; \"\" = the default view, seen "
                  "by clients no view matches and by views without their own version.",
           .max = 63,
           .empty_is_off = true,
           .apply = [](Config& c, Value&& v) { zone(c).view = as_string(std::move(v)); }},

    // [[view]]
    Option{.section = "view",
           .key = "name",
           .kind = ValueKind::kString,
           .doc = "The view's name, used by [[zone]] view = NAME.",
           .max = 63,
           .example = R"("europe")",
           .apply = [](Config& c, Value&& v) { view(c).name = as_string(std::move(v)); }},
    Option{
        .section = "view",
        .key = "match-clients",
        .kind = ValueKind::kPrefixList,
        .doc = "Client subnets of this view.",
        .min = 1,
        .example = R"(["192.0.2.0/24", "2001:db8:1::/48"])",
        .apply = [](Config& c, Value&& v) { view(c).match_clients = as_prefixes(std::move(v)); }},

    // [ecs]
    Option{.section = "ecs",
           .key = "trusted",
           .kind = ValueKind::kPrefixList,
           .default_text = R"(["0.0.0.0/0", "::/0"])",
           .doc = "Resolvers whose EDNS Client Subnet option chooses the view; queries from "
                  "others are matched by their source address and get no ECS back.",
           .apply = [](Config& c, Value&& v) { c.ecs.trusted = as_prefixes(std::move(v)); }},

    // [resolver]
    Option{.section = "resolver",
           .key = "enable",
           .kind = ValueKind::kBool,
           .default_text = "false",
           .doc = "Answer names outside our zones by resolving them (else REFUSED).",
           .apply = [](Config& c, Value&& v) { c.resolver.enable = std::get<bool>(v); }},
    Option{.section = "resolver",
           .key = "allow",
           .kind = ValueKind::kPrefixList,
           .default_text = R"(["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", )"
                           R"("192.168.0.0/16", "fc00::/7", "169.254.0.0/16", "fe80::/10"])",
           .doc = "Clients that may use the resolver (loopback, RFC 1918, RFC 4193, link-local "
                  "by default); others get REFUSED. An open resolver is an amplifier.",
           .apply = [](Config& c, Value&& v) { c.resolver.allow = as_prefixes(std::move(v)); }},
    Option{.section = "resolver",
           .key = "forward",
           .kind = ValueKind::kEndpointList,
           .default_text = "[]",
           .doc = "Upstream resolvers to forward every question to (RD=1), tried in turn on "
                  "failure: \"addr[:port]\"; [] = iterate from the root hints.",
           .default_port = 53,
           .apply = [](Config& c, Value&& v) { c.resolver.forward = as_endpoints(std::move(v)); }},
    Option{.section = "resolver",
           .key = "root-hints",
           .kind = ValueKind::kPath,
           .default_text = R"("")",
           .doc = "Root hints file (named.root format); \"\" = the built-in IANA hints.",
           .max = kMaxPath,
           .empty_is_off = true,
           .apply = [](Config& c, Value&& v) { c.resolver.root_hints = as_string(std::move(v)); }},
    Option{.section = "resolver",
           .key = "cache-size",
           .kind = ValueKind::kInteger,
           .default_text = "67108864",
           .doc = "Memory for cached RRsets and negative answers together (LRU beyond it).",
           .min = 1 << 20,
           .max = std::int64_t{1} << 40,
           .unit = "bytes",
           .apply = [](Config& c, Value&& v) { c.resolver.cache_size = as_int(v); }},
    Option{.section = "resolver",
           .key = "cache-min-ttl",
           .kind = ValueKind::kInteger,
           .default_text = "0",
           .doc = "Positive answers are cached at least this long (raising TTLs bends RFC 1035).",
           .min = 0,
           .max = 3600,
           .unit = "seconds",
           .apply = [](Config& c, Value&& v) { c.resolver.cache_min_ttl = as_u32(v); }},
    Option{.section = "resolver",
           .key = "cache-max-ttl",
           .kind = ValueKind::kInteger,
           .default_text = "86400",
           .doc = "Positive answers are cached at most this long.",
           .min = 1,
           .max = kOneWeek,
           .unit = "seconds",
           .apply = [](Config& c, Value&& v) { c.resolver.cache_max_ttl = as_u32(v); }},
    Option{.section = "resolver",
           .key = "cache-max-negative-ttl",
           .kind = ValueKind::kInteger,
           .default_text = "3600",
           .doc = "NXDOMAIN/NODATA are cached for min(SOA TTL, SOA MINIMUM) (RFC 2308 §5), at "
                  "most this long.",
           .min = 0,
           .max = 86400,
           .unit = "seconds",
           .apply = [](Config& c, Value&& v) { c.resolver.cache_max_negative_ttl = as_u32(v); }},
    Option{.section = "resolver",
           .key = "serve-stale",
           .kind = ValueKind::kBool,
           .default_text = "true",
           .doc = "When every upstream fails, answer from expired cache data with TTL 30 "
                  "(RFC 8767).",
           .apply = [](Config& c, Value&& v) { c.resolver.serve_stale = std::get<bool>(v); }},
    Option{.section = "resolver",
           .key = "prefetch",
           .kind = ValueKind::kBool,
           .default_text = "false",
           .doc = "Refresh popular cache entries shortly before they expire.",
           .apply = [](Config& c, Value&& v) { c.resolver.prefetch = std::get<bool>(v); }},
    Option{
        .section = "resolver",
        .key = "qname-minimisation",
        .kind = ValueKind::kBool,
        .default_text = "true",
        .doc = "When iterating, show each server only the labels it needs (RFC 9156, relaxed).",
        .apply = [](Config& c, Value&& v) { c.resolver.qname_minimisation = std::get<bool>(v); }},
    Option{.section = "resolver",
           .key = "query-timeout",
           .kind = ValueKind::kInteger,
           .default_text = "5",
           .doc = "Give up on a client's question after this long (SERVFAIL, or stale data).",
           .min = 1,
           .max = 60,
           .unit = "seconds",
           .apply = [](Config& c,
                       Value&& v) { c.resolver.query_timeout = std::chrono::seconds(as_int(v)); }},
    Option{.section = "resolver",
           .key = "max-pending",
           .kind = ValueKind::kInteger,
           .default_text = "10000",
           .doc = "Client questions being resolved at once, in all; beyond this new ones are "
                  "dropped unanswered (as Unbound when its request list is full; clients retry).",
           .min = 1,
           .max = 10000000,
           .apply = [](Config& c, Value&& v) { c.resolver.max_pending = as_u32(v); }},
    Option{.section = "resolver",
           .key = "max-pending-per-client",
           .kind = ValueKind::kInteger,
           .default_text = "100",
           .doc = "Client questions from one address being resolved at once, so that one client "
                  "cannot take every place; beyond this its new ones are dropped unanswered.",
           .min = 1,
           .max = 10000000,
           .apply = [](Config& c, Value&& v) { c.resolver.max_pending_per_client = as_u32(v); }},
    // EDNS Client Subnet (RFC 7871) towards upstream servers
    Option{.section = "resolver",
           .key = "ecs-send",
           .kind = ValueKind::kBool,
           .default_text = "false",
           .doc = "Send clients' subnets (EDNS Client Subnet, RFC 7871) to the servers allowed "
                  "by ecs-zones / ecs-upstreams, and cache answers per subnet. Off: privacy.",
           .apply = [](Config& c, Value&& v) { c.resolver.ecs_send = std::get<bool>(v); }},
    Option{.section = "resolver",
           .key = "ecs-zones",
           .kind = ValueKind::kDomainNameList,
           .default_text = "[]",
           .doc = "Servers of zones at or below these names get ECS (never root or TLD servers).",
           .apply = [](Config& c, Value&& v) { c.resolver.ecs_zones = as_names(std::move(v)); }},
    Option{.section = "resolver",
           .key = "ecs-upstreams",
           .kind = ValueKind::kPrefixList,
           .default_text = "[]",
           .doc = "Servers at these addresses get ECS; forwarders get it only when listed here.",
           .apply = [](Config& c,
                       Value&& v) { c.resolver.ecs_upstreams = as_prefixes(std::move(v)); }},
    Option{.section = "resolver",
           .key = "ecs-max-source-v4",
           .kind = ValueKind::kInteger,
           .default_text = "24",
           .doc = "Longest IPv4 prefix sent (RFC 7871 §11.1); a client's shorter one is kept.",
           .min = 0,
           .max = 32,
           .unit = "bits",
           .apply =
               [](Config& c, Value&& v) {
                 c.resolver.ecs_max_source_v4 = static_cast<std::uint8_t>(as_int(v));
               }},
    Option{.section = "resolver",
           .key = "ecs-max-source-v6",
           .kind = ValueKind::kInteger,
           .default_text = "56",
           .doc = "Longest IPv6 prefix sent (RFC 7871 §11.1); a client's shorter one is kept.",
           .min = 0,
           .max = 128,
           .unit = "bits",
           .apply =
               [](Config& c, Value&& v) {
                 c.resolver.ecs_max_source_v6 = static_cast<std::uint8_t>(as_int(v));
               }},
    Option{
        .section = "resolver",
        .key = "ecs-public-v4",
        .kind = ValueKind::kAddress,
        .default_text = R"("")",
        .doc = "Sent instead of private/unroutable IPv4 client addresses (RFC 7871 §11.3); "
               "\"\" = send no ECS for them.",
        .empty_is_off = true,
        .apply = [](Config& c, Value&& v) { c.resolver.ecs_public_v4 = as_address(std::move(v)); }},
    Option{
        .section = "resolver",
        .key = "ecs-public-v6",
        .kind = ValueKind::kAddress,
        .default_text = R"("")",
        .doc = "Sent instead of private/unroutable IPv6 client addresses (RFC 7871 §11.3); "
               "\"\" = send no ECS for them.",
        .empty_is_off = true,
        .apply = [](Config& c, Value&& v) { c.resolver.ecs_public_v6 = as_address(std::move(v)); }},
    Option{.section = "resolver",
           .key = "ecs-max-subnets",
           .kind = ValueKind::kInteger,
           .default_text = "64",
           .doc = "Tailored answers cached per question (one per subnet); the oldest goes first.",
           .min = 1,
           .max = 65536,
           .apply = [](Config& c, Value&& v) { c.resolver.ecs_max_subnets = as_u32(v); }},

    // [xdp]
    Option{.section = "xdp",
           .key = "enable",
           .kind = ValueKind::kBool,
           .default_text = "false",
           .doc = "Load the XDP program and attach it to `interfaces`.",
           .apply = [](Config& c, Value&& v) { c.xdp.enable = std::get<bool>(v); }},
    Option{.section = "xdp",
           .key = "interfaces",
           .kind = ValueKind::kStringList,
           .default_text = "[]",
           .doc = "Network interfaces to attach to (the ones DNS queries arrive on).",
           .max = kMaxInterfaceName,
           .apply = [](Config& c,
                       Value&& v) { c.xdp.interfaces = std::get<std::vector<std::string>>(v); }},
    Option{.section = "xdp",
           .key = "mode",
           .kind = ValueKind::kEnum,
           .default_text = R"("auto")",
           .doc = "native (in the driver), generic (after the kernel made an skb: any interface, "
                  "slower) or auto (native, else generic).",
           .choices = kXdpModes,
           .apply = [](Config& c, Value&& v) { c.xdp.mode = static_cast<XdpMode>(as_int(v)); }},
    Option{.section = "xdp",
           .key = "ports",
           .kind = ValueKind::kIntegerList,
           .default_text = "[53]",
           .doc = "UDP destination ports the program answers and rate-limits (up to 4).",
           .min = 1,
           .max = 65535,
           .apply = [](Config& c,
                       Value&& v) { c.xdp.ports = std::get<std::vector<std::int64_t>>(v); }},
    Option{.section = "xdp",
           .key = "rate-limit",
           .kind = ValueKind::kInteger,
           .default_text = "0",
           .doc = "Queries per second allowed from one source prefix, per CPU; 0 = no limit. "
                  "Over it, queries are dropped in the kernel (but see `slip`).",
           .min = 0,
           .max = 100000000,
           .apply = [](Config& c, Value&& v) { c.xdp.rate_limit = as_u32(v); }},
    Option{.section = "xdp",
           .key = "rate-burst",
           .kind = ValueKind::kInteger,
           .default_text = "0",
           .doc = "Queries a prefix may send at once before the rate applies; 0 = one second's "
                  "worth.",
           .min = 0,
           .max = 100000000,
           .apply = [](Config& c, Value&& v) { c.xdp.rate_burst = as_u32(v); }},
    Option{.section = "xdp",
           .key = "slip",
           .kind = ValueKind::kInteger,
           .default_text = "2",
           .doc = "Every Nth query over the rate gets an empty TC=1 answer so that a real client "
                  "retries over TCP (BIND's RRL slip); 0 = drop them all.",
           .min = 0,
           .max = 100,
           .apply = [](Config& c, Value&& v) { c.xdp.slip = as_u32(v); }},
    Option{.section = "xdp",
           .key = "ipv4-prefix",
           .kind = ValueKind::kInteger,
           .default_text = "24",
           .doc = "IPv4 sources sharing this many leading bits share one budget.",
           .min = 8,
           .max = 32,
           .unit = "bits",
           .apply = [](Config& c, Value&& v) { c.xdp.ipv4_prefix = as_int(v); }},
    Option{.section = "xdp",
           .key = "ipv6-prefix",
           .kind = ValueKind::kInteger,
           .default_text = "56",
           .doc = "IPv6 sources sharing this many leading bits share one budget.",
           .min = 16,
           .max = 128,
           .unit = "bits",
           .apply = [](Config& c, Value&& v) { c.xdp.ipv6_prefix = as_int(v); }},
    Option{.section = "xdp",
           .key = "allow",
           .kind = ValueKind::kPrefixList,
           .default_text = "[]",
           .doc = "Sources never rate-limited (monitoring, secondaries, big resolvers).",
           .apply = [](Config& c, Value&& v) { c.xdp.allow = as_prefixes(std::move(v)); }},
    Option{.section = "xdp",
           .key = "block",
           .kind = ValueKind::kPrefixList,
           .default_text = "[]",
           .doc = "Sources whose DNS queries are always dropped in the kernel.",
           .apply = [](Config& c, Value&& v) { c.xdp.block = as_prefixes(std::move(v)); }},
    Option{.section = "xdp",
           .key = "hot-answers",
           .kind = ValueKind::kInteger,
           .default_text = "1024",
           .doc = "How many of the most asked questions the kernel answers (about 1.5 KiB "
                  "each); 0 = none, only flood drop.",
           .min = 0,
           .max = 1000000,
           .apply = [](Config& c, Value&& v) { c.xdp.hot_answers = as_u32(v); }},
    Option{.section = "xdp",
           .key = "rate-entries",
           .kind = ValueKind::kInteger,
           .default_text = "65536",
           .doc = "Source prefixes whose budgets are tracked (least recently seen go first).",
           .min = 1,
           .max = 16777216,
           .apply = [](Config& c, Value&& v) { c.xdp.rate_entries = as_u32(v); }},
    Option{.section = "xdp",
           .key = "list-entries",
           .kind = ValueKind::kInteger,
           .default_text = "1024",
           .doc = "Room in the allow list and in the block list, each.",
           .min = 1,
           .max = 1048576,
           .apply = [](Config& c, Value&& v) { c.xdp.list_entries = as_u32(v); }},
    Option{.section = "xdp",
           .key = "publish-interval",
           .kind = ValueKind::kInteger,
           .default_text = "1",
           .doc = "How often the hot answers are chosen again from the query counters.",
           .min = 1,
           .max = 60,
           .unit = "seconds",
           .apply = [](Config& c,
                       Value&& v) { c.xdp.publish_interval = std::chrono::seconds(as_int(v)); }},
    Option{.section = "xdp",
           .key = "max-age",
           .kind = ValueKind::kInteger,
           .default_text = "30",
           .doc = "A published answer is answered by the kernel for at most this long after it "
                  "was last refreshed (and never past its smallest TTL).",
           .min = 2,
           .max = 3600,
           .unit = "seconds",
           .apply = [](Config& c, Value&& v) { c.xdp.max_age = std::chrono::seconds(as_int(v)); }},
    Option{.section = "xdp",
           .key = "pin-path",
           .kind = ValueKind::kPath,
           .default_text = R"("/sys/fs/bpf/hayate")",
           .doc = "bpffs directory for the maps (kept across restarts, readable with bpftool "
                  "while the daemon is down); \"\" = do not pin.",
           .max = kMaxPath,
           .empty_is_off = true,
           .apply = [](Config& c, Value&& v) { c.xdp.pin_path = as_string(std::move(v)); }},

    // [rrl]
    Option{.section = "rrl",
           .key = "enable",
           .kind = ValueKind::kBool,
           .default_text = "false",
           .doc = "Limit UDP responses per client prefix with the rates below.",
           .apply = [](Config& c, Value&& v) { c.rrl.enable = std::get<bool>(v); }},
    Option{.section = "rrl",
           .key = "responses-per-second",
           .kind = ValueKind::kInteger,
           .default_text = "20",
           .doc = "Identical answers (same name and type), and NODATA answers from one zone, a "
                  "prefix gets per second; 0 = no limit.",
           .min = 0,
           .max = 1000000,
           .apply = [](Config& c, Value&& v) { c.rrl.responses_per_second = as_u32(v); }},
    Option{.section = "rrl",
           .key = "nxdomains-per-second",
           .kind = ValueKind::kInteger,
           .default_text = "10",
           .doc = "NXDOMAIN answers from one zone a prefix gets per second (a random-subdomain "
                  "flood shares one budget); 0 = no limit.",
           .min = 0,
           .max = 1000000,
           .apply = [](Config& c, Value&& v) { c.rrl.nxdomains_per_second = as_u32(v); }},
    Option{.section = "rrl",
           .key = "referrals-per-second",
           .kind = ValueKind::kInteger,
           .default_text = "20",
           .doc = "Referrals to one delegation a prefix gets per second; 0 = no limit.",
           .min = 0,
           .max = 1000000,
           .apply = [](Config& c, Value&& v) { c.rrl.referrals_per_second = as_u32(v); }},
    Option{.section = "rrl",
           .key = "errors-per-second",
           .kind = ValueKind::kInteger,
           .default_text = "10",
           .doc = "Error answers (REFUSED, SERVFAIL, FORMERR, ...) a prefix gets per second; 0 = "
                  "no limit.",
           .min = 0,
           .max = 1000000,
           .apply = [](Config& c, Value&& v) { c.rrl.errors_per_second = as_u32(v); }},
    Option{.section = "rrl",
           .key = "window",
           .kind = ValueKind::kInteger,
           .default_text = "15",
           .doc = "A limited prefix stays limited until its rate over this many seconds falls "
                  "below the limit (BIND's window).",
           .min = 1,
           .max = 3600,
           .unit = "seconds",
           .apply = [](Config& c, Value&& v) { c.rrl.window = as_u32(v); }},
    Option{.section = "rrl",
           .key = "slip",
           .kind = ValueKind::kInteger,
           .default_text = "2",
           .doc = "Every Nth limited response goes out as an empty TC=1 reply so that real "
                  "clients retry over TCP; 0 = drop them all, 1 = slip them all.",
           .min = 0,
           .max = 10,
           .apply = [](Config& c, Value&& v) { c.rrl.slip = as_u32(v); }},
    Option{.section = "rrl",
           .key = "ipv4-prefix",
           .kind = ValueKind::kInteger,
           .default_text = "24",
           .doc = "IPv4 clients sharing this many leading bits share one budget.",
           .min = 8,
           .max = 32,
           .unit = "bits",
           .apply = [](Config& c, Value&& v) { c.rrl.ipv4_prefix = as_int(v); }},
    Option{.section = "rrl",
           .key = "ipv6-prefix",
           .kind = ValueKind::kInteger,
           .default_text = "56",
           .doc = "IPv6 clients sharing this many leading bits share one budget.",
           .min = 16,
           .max = 128,
           .unit = "bits",
           .apply = [](Config& c, Value&& v) { c.rrl.ipv6_prefix = as_int(v); }},
    Option{.section = "rrl",
           .key = "max-entries",
           .kind = ValueKind::kInteger,
           .default_text = "100000",
           .doc = "Budgets tracked at most (about 150 bytes each); the least recently used go "
                  "first.",
           .min = 16,
           .max = 100000000,
           .apply = [](Config& c, Value&& v) { c.rrl.max_entries = as_u32(v); }},
    Option{.section = "rrl",
           .key = "exempt",
           .kind = ValueKind::kPrefixList,
           .default_text = "[]",
           .doc = "Clients never limited (monitoring, secondaries, known resolvers).",
           .apply = [](Config& c, Value&& v) { c.rrl.exempt = as_prefixes(std::move(v)); }},
    Option{.section = "rrl",
           .key = "log-only",
           .kind = ValueKind::kBool,
           .default_text = "false",
           .doc = "Count what would be limited (stats rrl.log-only) but send everything: to tune "
                  "the rates before enforcing them.",
           .apply = [](Config& c, Value&& v) { c.rrl.log_only = std::get<bool>(v); }},

    // [[resolver.forward-zone]]
    Option{.section = "resolver.forward-zone",
           .key = "name",
           .kind = ValueKind::kDomainName,
           .doc = "The domain forwarded (and every name below it).",
           .example = R"("corp.example.")",
           .apply = [](Config& c, Value&& v) { forward_zone(c).name = as_string(std::move(v)); }},
    Option{.section = "resolver.forward-zone",
           .key = "forward",
           .kind = ValueKind::kEndpointList,
           .doc = "Upstreams for this domain, tried in turn: \"addr[:port]\".",
           .min = 1,
           .default_port = 53,
           .example = R"(["192.0.2.53", "192.0.2.54:5353"])",
           .apply = [](Config& c,
                       Value&& v) { forward_zone(c).forward = as_endpoints(std::move(v)); }},

    // [[dns64]]
    Option{
        .section = "dns64",
        .key = "mode",
        .kind = ValueKind::kEnum,
        .default_text = R"("dns64")",
        .doc = "\"dns64\": synthesize AAAA from A when a name has no AAAA (RFC 6147); "
               "\"filter-aaaa\": remove AAAA and ipv6hint when the name has A (BIND's "
               "filter-aaaa); \"synthesize-always\": ignore real AAAA and always synthesize "
               "(NAT64-only networks, exclude = ::/0).",
        .choices = kDns64Modes,
        .apply = [](Config& c, Value&& v) { dns64(c).mode = static_cast<Dns64Mode>(as_int(v)); }},
    Option{.section = "dns64",
           .key = "prefixes",
           .kind = ValueKind::kPrefixList,
           .default_text = R"(["64:ff9b::/96"])",
           .doc = "NAT64 prefixes (lengths 32, 40, 48, 56, 64, 96; RFC 6052): one synthesized "
                  "AAAA per prefix per A record.",
           .min = 1,
           .prefix_rule = nat64_prefix_rule,
           .apply = [](Config& c, Value&& v) { dns64(c).prefixes = as_prefixes(std::move(v)); }},
    Option{.section = "dns64",
           .key = "clients",
           .kind = ValueKind::kPrefixList,
           .default_text = R"(["0.0.0.0/0", "::/0"])",
           .doc = "Clients this block applies to (e.g. [\"0.0.0.0/0\"] for BIND's "
                  "filter-aaaa-on-v4).",
           .apply = [](Config& c, Value&& v) { dns64(c).clients = as_prefixes(std::move(v)); }},
    Option{.section = "dns64",
           .key = "listeners",
           .kind = ValueKind::kEndpointList,
           .default_text = "[]",
           .doc = "Only queries that came in on these of the [server] listen addresses (e.g. a "
                  "NAT64 network's own listener); [] = all.",
           .default_port = 53,
           .apply = [](Config& c, Value&& v) { dns64(c).listeners = as_endpoints(std::move(v)); }},
    Option{.section = "dns64",
           .key = "mapped",
           .kind = ValueKind::kPrefixList,
           .default_text = "[]",
           .doc = "IPv4 ranges whose A records are synthesized; [] = all. Non-global addresses "
                  "(RFC 1918 and the like) are never put under 64:ff9b::/96 (RFC 6052 §3.1).",
           .prefix_rule = ipv4_prefix_rule,
           .apply = [](Config& c, Value&& v) { dns64(c).mapped = as_prefixes(std::move(v)); }},
    Option{.section = "dns64",
           .key = "exclude",
           .kind = ValueKind::kPrefixList,
           .default_text = R"(["::ffff:0:0/96"])",
           .doc = "AAAA records in these ranges count as no AAAA (RFC 6147 §5.1.4).",
           .prefix_rule = ipv6_prefix_rule,
           .apply = [](Config& c, Value&& v) { dns64(c).exclude = as_prefixes(std::move(v)); }},
    Option{.section = "dns64",
           .key = "break-dnssec",
           .kind = ValueKind::kBool,
           .default_text = "false",
           .doc = "Also rewrite signed answers for clients that set DO (RFC 6147 §5.5; they may "
                  "fail validation).",
           .apply = [](Config& c, Value&& v) { dns64(c).break_dnssec = std::get<bool>(v); }},
};

constexpr std::array kExampleFiles = {
    ExampleFile{"authoritative", "server,log,control,zone,xdp,rrl",
                "hayate: authoritative server, every option"},
    ExampleFile{"home-router", "server,control,zone,resolver,resolver.forward-zone,dns64",
                "hayate on a home router: listen on the LAN side, forward to the ISP's "
                "resolvers, serve the LAN's own names (e.g. router.lan) from a [[zone]]",
                // The LAN is 192.168.1.0/24 with the router at .1; the ISP's resolvers (here
                // documentation addresses) come from DHCP/PPP in real life.
                R"(server.listen = ["192.168.1.1:53", "127.0.0.1:53", "[::1]:53"]
server.workers = 1
control.socket = "/run/hayate/control.sock"
zone.name = "lan."
zone.file = "zones/lan.zone"
zone.allow-transfer = []
resolver.enable = true
resolver.allow = ["127.0.0.0/8", "::1/128", "192.168.1.0/24", "fe80::/10"]
resolver.forward = ["192.0.2.1", "192.0.2.2"]
resolver.cache-size = 8388608
resolver.prefetch = true)"},
    ExampleFile{"resolver", "server,log,control,resolver,resolver.forward-zone",
                "hayate: recursive resolver and forwarder (data center), every option",
                // Iterates from the root; the service addresses are documentation addresses.
                R"(server.listen = ["192.0.2.53:53", "[2001:db8::53]:53", "127.0.0.1:53"]
server.user = "hayate"
control.socket = "/run/hayate/control.sock"
resolver.enable = true
resolver.allow = ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"]
resolver.cache-size = 1073741824
resolver.prefetch = true)"},
    ExampleFile{"dns64", "server,control,resolver,dns64",
                "hayate as the DNS64 resolver of an IPv6-only network behind a NAT64 "
                "(RFC 6147); [[dns64]] blocks work the same in authoritative configurations",
                // The IPv6-only LAN is 2001:db8:1::/48 (documentation addresses); the NAT64
                // gateway uses the well-known prefix.
                R"(server.listen = ["[2001:db8:1::53]:53", "127.0.0.1:53", "[::1]:53"]
control.socket = "/run/hayate/control.sock"
resolver.enable = true
resolver.allow = ["127.0.0.0/8", "::1/128", "2001:db8:1::/48"]
dns64.mode = "dns64"
dns64.prefixes = ["64:ff9b::/96"]
dns64.clients = ["2001:db8:1::/48", "::1/128"])"},
};

}  // namespace

std::span<const Section> sections() {
  return kSections;
}
std::span<const Option> options() {
  return kOptions;
}
std::span<const ExampleFile> example_files() {
  return kExampleFiles;
}

const Section* find_section(std::string_view name) {
  auto it = std::find_if(kSections.begin(), kSections.end(),
                         [&](const Section& s) { return s.name == name; });
  return it == kSections.end() ? nullptr : &*it;
}

const Option* find_option(std::string_view section, std::string_view key) {
  auto it = std::find_if(kOptions.begin(), kOptions.end(),
                         [&](const Option& o) { return o.section == section && o.key == key; });
  return it == kOptions.end() ? nullptr : &*it;
}

}  // namespace hayate::conf
