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
    sources.push_back(ZoneSource{std::move(*origin), z.file, to_acl(z.allow_transfer)});
  }
  return sources;
}

AnswerPolicy answer_policy(const conf::Config& config) {
  AnswerPolicy policy;
  policy.udp_payload_size = config.server.udp_payload_size;
  policy.identity = config.server.identity;
  policy.version = config.server.version;
  return policy;
}

net::TcpOptions tcp_options(const conf::Config& config) {
  net::TcpOptions options;
  options.idle_timeout = config.server.tcp_idle_timeout;
  return options;
}

std::vector<std::string> restart_only_changes(const conf::Config& old, const conf::Config& now) {
  std::vector<std::string> changed;
  auto check = [&changed](bool differs, const char* name) {
    if (differs) changed.emplace_back(name);
  };
  check(old.server.listen != now.server.listen, "server.listen");
  check(old.server.workers != now.server.workers, "server.workers");
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
