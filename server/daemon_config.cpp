#include "server/daemon_config.hpp"

namespace hayate::server {

namespace asio = boost::asio;

asio::ip::address to_asio(const conf::Address& address) {
  if (address.family == conf::Family::kIPv4) {
    asio::ip::address_v4::bytes_type bytes;
    std::copy_n(address.bytes.begin(), 4, bytes.begin());
    return asio::ip::address_v4(bytes);
  }
  asio::ip::address_v6::bytes_type bytes;
  std::copy_n(address.bytes.begin(), 16, bytes.begin());
  return asio::ip::address_v6(bytes);
}

namespace {

Acl to_acl(const std::vector<conf::Prefix>& prefixes) {
  std::vector<Prefix> out;
  for (const conf::Prefix& p : prefixes) {
    if (auto parsed = Prefix::parse(p.to_string())) out.push_back(*parsed);
  }
  return Acl(std::move(out));
}

Dns64Policy dns64_policy(const conf::Dns64Config& block) {
  Dns64Policy policy;
  policy.mode = static_cast<Dns64Mode>(block.mode);  // same order (static_asserts below)
  policy.prefixes.clear();
  for (const conf::Prefix& p : block.prefixes) {
    zone::Nat64Prefix prefix;
    std::copy_n(p.address.bytes.begin(), 16, prefix.octets.begin());
    prefix.length = p.length;
    policy.prefixes.push_back(prefix);
  }
  policy.clients = to_acl(block.clients);
  for (const conf::Endpoint& e : block.listeners) {
    ListenerAddress listener;
    listener.family = e.address.family == conf::Family::kIPv4 ? AF_INET : AF_INET6;
    listener.address = e.address.bytes;
    listener.port = e.port;
    policy.listeners.push_back(listener);
  }
  policy.mapped = to_acl(block.mapped).prefixes();
  policy.exclude = to_acl(block.exclude).prefixes();
  policy.break_dnssec = block.break_dnssec;
  return policy;
}
static_assert(static_cast<int>(conf::Dns64Mode::kDns64) == static_cast<int>(Dns64Mode::kDns64));
static_assert(static_cast<int>(conf::Dns64Mode::kFilterAaaa) ==
              static_cast<int>(Dns64Mode::kFilterAaaa));
static_assert(static_cast<int>(conf::Dns64Mode::kSynthesizeAlways) ==
              static_cast<int>(Dns64Mode::kSynthesizeAlways));

std::vector<resolver::UpstreamAddress> upstreams(const std::vector<conf::Endpoint>& endpoints) {
  std::vector<resolver::UpstreamAddress> out;
  for (const conf::Endpoint& e : endpoints)
    out.push_back(resolver::UpstreamAddress{to_asio(e.address), e.port});
  return out;
}

resolver::CacheConfig cache_config(const conf::ResolverConfig& r, std::size_t bytes) {
  resolver::CacheConfig c;
  c.max_bytes = bytes;
  c.min_ttl = r.cache_min_ttl;
  c.max_ttl = r.cache_max_ttl;
  c.max_negative_ttl = r.cache_max_negative_ttl;
  if (!r.serve_stale) c.stale_max_age = 0;  // nothing kept past expiry
  if (!r.prefetch) c.prefetch_min_hits = 0;
  return c;
}

zone::ClientSubnet subnet_of(const conf::Address& address, std::uint8_t length) {
  zone::ClientSubnet s;
  s.family =
      address.family == conf::Family::kIPv4 ? zone::ecs_family::IPV4 : zone::ecs_family::IPV6;
  s.source_prefix = length;
  std::copy_n(address.bytes.begin(), address.size(), s.address.begin());
  return resolver::truncate_subnet(s, length);
}

std::optional<zone::ClientSubnet> public_subnet(const std::optional<conf::Address>& address,
                                                conf::Family family, const char* key,
                                                std::vector<std::string>& errors) {
  if (!address) return std::nullopt;
  if (address->family != family) {
    errors.push_back(std::string("resolver.") + key + ": " + address->to_string() + " is not an " +
                     (family == conf::Family::kIPv4 ? "IPv4" : "IPv6") + " address");
    return std::nullopt;
  }
  auto subnet = subnet_of(*address, family == conf::Family::kIPv4 ? 32 : 128);
  if (resolver::subnet_is_unroutable(subnet)) {
    errors.push_back(std::string("resolver.") + key + ": " + address->to_string() +
                     " is itself private or unroutable (RFC 7871 §11.3)");
    return std::nullopt;
  }
  return subnet;
}

resolver::EcsSettings ecs_settings(const conf::ResolverConfig& r,
                                   std::vector<std::string>& errors) {
  resolver::EcsSettings e;
  e.send = r.ecs_send;
  for (const std::string& text : r.ecs_zones) {
    auto name = zone::Name::from_text(text);
    if (!name) {
      errors.push_back("resolver.ecs-zones " + text + ": " + name.error());
      continue;
    }
    e.zones.push_back(std::move(*name));
  }
  for (const conf::Prefix& p : r.ecs_upstreams)
    e.upstreams.push_back(subnet_of(p.address, p.length));
  e.max_source_v4 = r.ecs_max_source_v4;
  e.max_source_v6 = r.ecs_max_source_v6;
  e.public_v4 = public_subnet(r.ecs_public_v4, conf::Family::kIPv4, "ecs-public-v4", errors);
  e.public_v6 = public_subnet(r.ecs_public_v6, conf::Family::kIPv6, "ecs-public-v6", errors);
  e.max_subnets_per_name = r.ecs_max_subnets;
  // Switched on with nowhere to send it: surely a mistake, and silently sending nothing would
  // look like a broken feature.
  if (e.send && e.zones.empty() && e.upstreams.empty())
    errors.push_back("resolver.ecs-send is true but ecs-zones and ecs-upstreams are both empty");
  return e;
}

}  // namespace

resolver::ResolverSettings resolver_settings(const conf::Config& config,
                                             std::vector<std::string>& errors) {
  const conf::ResolverConfig& r = config.resolver;
  resolver::ResolverSettings s;
  s.allow = to_acl(r.allow);
  s.forward = upstreams(r.forward);
  for (const conf::ForwardZoneConfig& z : r.forward_zones) {
    auto name = zone::Name::from_text(z.name);
    if (!name) {
      errors.push_back("resolver.forward-zone " + z.name + ": " + name.error());
      continue;
    }
    s.forward_zones.push_back(resolver::ForwardZone{std::move(*name), upstreams(z.forward)});
  }
  s.root_hints = r.root_hints;
  s.rrset_cache = cache_config(r, r.cache_size / 4 * 3);
  s.negative_cache = cache_config(r, r.cache_size / 4);
  s.serve_stale = r.serve_stale;
  s.prefetch = r.prefetch;
  s.qname_minimisation = r.qname_minimisation;
  s.query_timeout = r.query_timeout;
  s.max_pending = r.max_pending;
  s.max_pending_per_client = r.max_pending_per_client;
  s.ecs = ecs_settings(r, errors);
  return s;
}

std::vector<ZoneSource> zone_sources(const conf::Config& config, std::vector<std::string>& errors) {
  std::vector<ZoneSource> sources;
  for (const conf::ZoneConfig& z : config.zones) {
    auto origin = zone::Name::from_text(z.name);
    if (!origin) {
      errors.push_back("zone " + z.name + ": " + origin.error());
      continue;
    }
    std::size_t view = 0;
    for (std::size_t i = 0; i < config.views.size(); ++i)
      if (config.views[i].name == z.view) view = i + 1;
    if (!z.view.empty() && view == 0) {  // the config parser rejects this already
      errors.push_back("zone " + z.name + ": no view named '" + z.view + "'");
      continue;
    }
    sources.push_back(ZoneSource{std::move(*origin), z.file, to_acl(z.allow_transfer), view});
  }
  return sources;
}

AnswerPolicy answer_policy(const conf::Config& config) {
  AnswerPolicy policy;
  policy.udp_payload_size = config.server.udp_payload_size;
  policy.answer_cache_entries = config.server.answer_cache_entries;
  policy.identity = config.server.identity;
  policy.version = config.server.version;
  std::vector<Dns64Policy> dns64;
  for (const conf::Dns64Config& block : config.dns64)
    dns64.push_back(dns64_policy(block));
  policy.dns64 = Dns64Policies(std::move(dns64));
  std::vector<ViewTable::Entry> entries;
  for (std::size_t i = 0; i < config.views.size(); ++i) {
    policy.view_names.push_back(config.views[i].name);
    const Acl subnets = to_acl(config.views[i].match_clients);  // outlives the loop
    for (const Prefix& subnet : subnets.prefixes())
      entries.push_back(ViewTable::Entry{subnet, i + 1});
  }
  policy.views = ViewTable(std::move(entries));
  policy.ecs_trusted = to_acl(config.ecs.trusted);
  return policy;
}

net::TcpOptions tcp_options(const conf::Config& config) {
  net::TcpOptions options;
  options.idle_timeout = config.server.tcp_idle_timeout;
  return options;
}

std::shared_ptr<ResponseRateLimiter> rate_limiter(const conf::Config& config) {
  const conf::RrlConfig& rrl = config.rrl;
  if (!rrl.enable) return nullptr;
  RrlSettings settings;
  settings.responses_per_second = rrl.responses_per_second;
  settings.nxdomains_per_second = rrl.nxdomains_per_second;
  settings.referrals_per_second = rrl.referrals_per_second;
  settings.errors_per_second = rrl.errors_per_second;
  settings.window = rrl.window;
  settings.slip = rrl.slip;
  settings.ipv4_prefix = rrl.ipv4_prefix;
  settings.ipv6_prefix = rrl.ipv6_prefix;
  settings.max_entries = rrl.max_entries;
  settings.log_only = rrl.log_only;
  settings.exempt = to_acl(rrl.exempt);
  return std::make_shared<ResponseRateLimiter>(std::move(settings));
}

std::vector<std::string> restart_only_changes(const conf::Config& old, const conf::Config& now) {
  std::vector<std::string> changed;
  auto check = [&changed](bool differs, const char* name) {
    if (differs) changed.emplace_back(name);
  };
  check(old.server.listen != now.server.listen, "server.listen");
  check(old.server.workers != now.server.workers, "server.workers");
  check(old.server.io_uring != now.server.io_uring, "server.io-uring");
  check(old.server.user != now.server.user, "server.user");
  check(old.server.group != now.server.group, "server.group");
  check(old.server.pid_file != now.server.pid_file, "server.pid-file");
  check(old.server.tcp_idle_timeout != now.server.tcp_idle_timeout, "server.tcp-idle-timeout");
  check(old.server.tcp_max_clients != now.server.tcp_max_clients, "server.tcp-max-clients");
  check(old.server.tcp_max_per_client != now.server.tcp_max_per_client,
        "server.tcp-max-per-client");
  check(!(old.log.target == now.log.target), "log.target");
  check(old.control.socket != now.control.socket, "control.socket");
  check(old.control.metrics_listen != now.control.metrics_listen, "control.metrics-listen");
  // The resolver's caches, upstreams and ACL are built once, with the workers.
  check(!(old.resolver == now.resolver), "[resolver]");
  // The program, its maps and attachments are set up once; rates and lists follow a reload.
  conf::XdpConfig old_xdp = old.xdp;
  conf::XdpConfig now_xdp = now.xdp;
  for (conf::XdpConfig* x : {&old_xdp, &now_xdp}) {
    x->rate_limit = x->rate_burst = x->slip = 0;
    x->ipv4_prefix = x->ipv6_prefix = 0;
    x->allow.clear();
    x->block.clear();
    x->ports.clear();
  }
  check(!(old_xdp == now_xdp), "[xdp] (other than ports, rates, prefixes and lists)");
  return changed;
}

}  // namespace hayate::server
