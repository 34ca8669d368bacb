// From the typed configuration (conf/) to what the server's parts take.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "conf/config.hpp"
#include "server/net/tcp_server.hpp"
#include "server/resolver/resolver_shared.hpp"
#include "server/rrl.hpp"
#include "server/serving_state.hpp"

namespace hayate::server {

boost::asio::ip::address to_asio(const conf::Address& address);

// One ZoneSource per [[zone]]. Names the zone library rejects are skipped and described in
// `errors` (conf/ checks names already, so this does not happen with a validated config).
std::vector<ZoneSource> zone_sources(const conf::Config& config, std::vector<std::string>& errors);

AnswerPolicy answer_policy(const conf::Config& config);

net::TcpOptions tcp_options(const conf::Config& config);

// [rrl] as the rate limiter takes it; null when [rrl] enable is off.
std::shared_ptr<ResponseRateLimiter> rate_limiter(const conf::Config& config);

// [resolver] as the resolver takes it. cache-size is split: 3/4 for RRsets, 1/4 for negative
// answers (these are small and many). Names the zone library rejects go to `errors`.
resolver::ResolverSettings resolver_settings(const conf::Config& config,
                                             std::vector<std::string>& errors);

// The settings that differ between `old` and `now` and only take effect on a restart
// (sockets, threads, user, log target).
std::vector<std::string> restart_only_changes(const conf::Config& old, const conf::Config& now);

}  // namespace hayate::server
