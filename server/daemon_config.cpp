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

}  // namespace

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
  return changed;
}

}  // namespace hayate::server
