#include "server/resolver/udp_tcp_upstream.hpp"

#include <fstream>
#include <span>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "server/resolver/secure_random.hpp"
#include "server/resolver/upstream_wire.hpp"
#include "zone/message.hpp"

namespace hayate::server::resolver {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

struct PortRange {
  std::uint16_t low = 1024;
  std::uint16_t high = 65535;
};

// The kernel's ephemeral range: ports outside it are the ones admins hand to services.
PortRange local_port_range() {
  PortRange range;
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned low = 0;
  unsigned high = 0;
  if (in >> low >> high && low >= 1024 && low < high && high <= 65535) {
    range.low = static_cast<std::uint16_t>(low);
    range.high = static_cast<std::uint16_t>(high);
  }
  return range;
}

std::chrono::microseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

// A socket and the timer that ends its wait. Shared with the timer's handler, which may run after
// the exchange has finished; `generation` tells it whether it still means anything.
template <typename Socket>
struct Guarded {
  explicit Guarded(asio::io_context& context) : socket(context), timer(context) {}

  void arm(Clock::time_point deadline, const std::shared_ptr<Guarded>& self) {
    const unsigned armed = ++generation;
    timer.expires_at(deadline);
    timer.async_wait([self, armed](const error_code& error) {
      if (error || armed != self->generation) return;
      self->timed_out = true;
      error_code ignored;
      self->socket.close(ignored);  // fails the pending operation with operation_aborted
    });
  }
  void finish() {
    ++generation;
    timer.cancel();
    error_code ignored;
    socket.close(ignored);
  }

  Socket socket;
  asio::steady_timer timer;
  unsigned generation = 0;
  bool timed_out = false;
};

}  // namespace

struct UdpTcpUpstream::Core {
  Core(asio::io_context& c, InfraCache& i, UdpTcpUpstreamOptions o)
      : context(c), infra(i), options(o), ports(local_port_range()) {}

  asio::awaitable<UpstreamResult> resolve(const UpstreamQuery& query);
  asio::awaitable<UpstreamResult> udp_exchange(const UpstreamQuery& query, bool edns);
  asio::awaitable<UpstreamResult> tcp_exchange(const UpstreamQuery& query, bool edns);
  void learn_edns(const UpstreamQuery& query, const UpstreamResult& result, bool plain_probe);
  error_code open_udp(udp::socket& socket, const udp::endpoint& server);
  bool accept(const UpstreamQuery& query, const UpstreamResult& result,
              std::span<const std::uint8_t> message);
  void count_status(UpstreamStatus status);

  asio::io_context& context;
  InfraCache& infra;
  const UdpTcpUpstreamOptions options;
  const PortRange ports;
  SecureRandom random;
  UpstreamStats stats;
};

namespace {

asio::awaitable<void> run_exchange(std::shared_ptr<UdpTcpUpstream::Core> core, UpstreamQuery query,
                                   UpstreamTransport::Callback done) {
  UpstreamResult result = co_await core->resolve(query);
  done(std::move(result));
}

bool edns_refused(const ResponseFacts& facts) {
  // RFC 6891 §7: a server that does not know EDNS answers FORMERR (or NOTIMP) without an OPT
  // record. With an OPT the server understood EDNS and the error is about something else.
  return !facts.has_opt &&
         (facts.rcode == zone::rcode::FORMERR || facts.rcode == zone::rcode::NOTIMP);
}

}  // namespace

UdpTcpUpstream::UdpTcpUpstream(asio::io_context& context, InfraCache& infra,
                               UdpTcpUpstreamOptions options)
    : core_(std::make_shared<Core>(context, infra, options)) {}

UdpTcpUpstream::~UdpTcpUpstream() = default;

const UpstreamStats& UdpTcpUpstream::stats() const {
  return core_->stats;
}

void UdpTcpUpstream::send(const UpstreamQuery& query, Callback done) {
  // co_spawn starts the coroutine through a post: `done` never runs inside send().
  asio::co_spawn(core_->context, run_exchange(core_, query, std::move(done)), asio::detached);
}

asio::awaitable<UpstreamResult> UdpTcpUpstream::Core::resolve(const UpstreamQuery& query) {
  const bool edns = query.edns && infra.use_edns(query.server);
  // The query wanted EDNS but the server's EDNS queries went unanswered: this is the probe.
  const bool plain_probe = query.edns && !edns;
  if (query.transport == TransportPreference::kTcpOnly) {
    UpstreamResult result = co_await tcp_exchange(query, edns);
    learn_edns(query, result, plain_probe);
    count_status(result.status);
    co_return result;
  }

  UpstreamResult result = co_await udp_exchange(query, edns);
  std::uint16_t messages = result.messages;
  std::uint16_t dropped = result.dropped;
  // A query with EDNS options (ECS) may be refused for an option rather than for EDNS: the
  // caller retries without the options first (RFC 7871), and only a plain EDNS query's FORMERR
  // says the server does not do EDNS.
  if (result.status == UpstreamStatus::kOk && edns && query.edns_options.empty() &&
      edns_refused(response_facts(result.response))) {
    infra.record_edns(query.server, EdnsSupport::kNo);
    ++stats.edns_fallbacks;
    result = co_await udp_exchange(query, false);
    messages += result.messages;
    dropped += result.dropped;
  } else {
    learn_edns(query, result, plain_probe);
  }
  if (result.status == UpstreamStatus::kOk && response_facts(result.response).truncated) {
    ++stats.tcp_retries;
    UpstreamResult over_tcp = co_await tcp_exchange(query, result.edns_used);
    messages += over_tcp.messages;
    dropped += over_tcp.dropped;
    if (over_tcp.status == UpstreamStatus::kOk) {
      result = std::move(over_tcp);
    } else {
      result.status = UpstreamStatus::kTruncated;  // keep the UDP answer: better than nothing
    }
  }
  result.messages = messages;
  result.dropped = dropped;
  count_status(result.status);
  co_return result;
}

void UdpTcpUpstream::Core::learn_edns(const UpstreamQuery& query, const UpstreamResult& result,
                                      bool plain_probe) {
  if (result.status != UpstreamStatus::kOk) return;
  if (result.edns_used && response_facts(result.response).has_opt) {
    infra.record_edns(query.server, EdnsSupport::kYes);
  } else if (plain_probe) {
    // EDNS queries got nothing, the plain one an answer: a middlebox or server eats EDNS.
    infra.record_edns(query.server, EdnsSupport::kNo);
  }
}

void UdpTcpUpstream::Core::count_status(UpstreamStatus status) {
  switch (status) {
    case UpstreamStatus::kOk:
    case UpstreamStatus::kTruncated:
      ++stats.responses;
      break;
    case UpstreamStatus::kTimeout:
      ++stats.timeouts;
      break;
    case UpstreamStatus::kNetworkError:
      ++stats.network_errors;
      break;
  }
}

error_code UdpTcpUpstream::Core::open_udp(udp::socket& socket, const udp::endpoint& server) {
  error_code error;
  socket.open(server.protocol(), error);
  if (error) return error;
  const bool v6 = server.address().is_v6();
  if (v6) socket.set_option(asio::ip::v6_only(true), error);
  const asio::ip::address any =
      v6 ? asio::ip::address(asio::ip::address_v6::any()) : asio::ip::address_v4::any();
  // RFC 5452 §9.2: the source port from the CSPRNG, not from a predictable kernel sequence.
  const std::uint32_t span = ports.high - ports.low + 1u;
  for (unsigned i = 0; i < options.port_bind_attempts; ++i) {
    const auto port = static_cast<std::uint16_t>(ports.low + random.uniform(span));
    socket.bind(udp::endpoint(any, port), error);
    if (!error) return error;
    if (error != asio::error::address_in_use && error != asio::error::access_denied) return error;
  }
  ++stats.random_port_fallbacks;  // a crowded range: Linux randomises port 0 binds as well
  socket.bind(udp::endpoint(any, 0), error);
  return error;
}

bool UdpTcpUpstream::Core::accept(const UpstreamQuery& query, const UpstreamResult& result,
                                  std::span<const std::uint8_t> message) {
  switch (match_response(message, result.id, query)) {
    case ResponseMatch::kAccept:
      return true;
    case ResponseMatch::kNotResponse:
      ++stats.dropped_not_response;
      break;
    case ResponseMatch::kWrongId:
      ++stats.dropped_wrong_id;
      break;
    case ResponseMatch::kWrongQuestion:
      ++stats.dropped_wrong_question;
      break;
  }
  return false;
}

asio::awaitable<UpstreamResult> UdpTcpUpstream::Core::udp_exchange(const UpstreamQuery& query,
                                                                   bool edns) {
  UpstreamResult result;
  result.protocol = UpstreamProtocol::kUdp;
  result.edns_used = edns;
  result.id = random.next_u16();
  result.messages = 1;
  const std::vector<std::uint8_t> wire = build_upstream_query(query, result.id, edns);
  const udp::endpoint server(query.server.address, query.server.port);
  const auto timeout = query.timeout.count() > 0 ? query.timeout : infra.timeout_for(query.server);

  auto attempt = std::make_shared<Guarded<udp::socket>>(context);
  error_code error = open_udp(attempt->socket, server);
  if (!error) attempt->socket.connect(server, error);
  const Clock::time_point start = Clock::now();
  if (!error) {
    co_await attempt->socket.async_send(asio::buffer(wire),
                                        asio::redirect_error(asio::use_awaitable, error));
    ++stats.udp_queries;
  }
  if (error) {
    attempt->finish();
    result.status = UpstreamStatus::kNetworkError;
    co_return result;
  }

  attempt->arm(start + timeout, attempt);
  std::vector<std::uint8_t> buffer(options.max_udp_response);
  for (;;) {
    udp::endpoint from;
    const std::size_t n = co_await attempt->socket.async_receive_from(
        asio::buffer(buffer), from, asio::redirect_error(asio::use_awaitable, error));
    if (error) {
      // Closed by the timer: timeout. Otherwise e.g. ECONNREFUSED from an ICMP unreachable.
      result.status = attempt->timed_out ? UpstreamStatus::kTimeout : UpstreamStatus::kNetworkError;
      break;
    }
    const std::span<const std::uint8_t> message(buffer.data(), n);
    if (from != server) {
      ++stats.dropped_wrong_source;  // RFC 5452 §9.1 (connect() already filters; belt and braces)
      ++result.dropped;
      continue;
    }
    if (!accept(query, result, message)) {
      ++result.dropped;
      continue;
    }
    result.status = UpstreamStatus::kOk;
    result.response.assign(message.begin(), message.end());
    break;
  }
  attempt->finish();
  result.rtt = since(start);
  if (result.status == UpstreamStatus::kOk) infra.record_rtt(query.server, result.rtt);
  if (result.status == UpstreamStatus::kTimeout) infra.record_timeout(query.server, edns);
  co_return result;
}

asio::awaitable<UpstreamResult> UdpTcpUpstream::Core::tcp_exchange(const UpstreamQuery& query,
                                                                   bool edns) {
  UpstreamResult result;
  result.protocol = UpstreamProtocol::kTcp;
  result.edns_used = edns;
  result.id = random.next_u16();
  result.messages = 1;
  const std::vector<std::uint8_t> message = build_upstream_query(query, result.id, edns);
  // RFC 7766 §8: each message is preceded by its length as a 2-octet field.
  std::vector<std::uint8_t> framed(2 + message.size());
  zone::store_u16(framed.data(), static_cast<std::uint16_t>(message.size()));
  std::copy(message.begin(), message.end(), framed.begin() + 2);

  auto attempt = std::make_shared<Guarded<tcp::socket>>(context);
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + options.tcp_timeout;
  attempt->arm(std::min(deadline, start + options.tcp_connect_timeout), attempt);
  error_code error;
  co_await attempt->socket.async_connect(tcp::endpoint(query.server.address, query.server.port),
                                         asio::redirect_error(asio::use_awaitable, error));
  if (!error) {
    attempt->arm(deadline, attempt);
    ++stats.tcp_queries;
    co_await asio::async_write(attempt->socket, asio::buffer(framed),
                               asio::redirect_error(asio::use_awaitable, error));
  }
  std::vector<std::uint8_t> buffer;
  while (!error) {
    std::uint8_t length_octets[2];
    co_await asio::async_read(attempt->socket, asio::buffer(length_octets),
                              asio::redirect_error(asio::use_awaitable, error));
    if (error) break;
    buffer.resize(zone::load_u16(length_octets));
    co_await asio::async_read(attempt->socket, asio::buffer(buffer),
                              asio::redirect_error(asio::use_awaitable, error));
    if (error) break;
    // Only one query is outstanding on this connection; anything else is dropped (RFC 5452).
    if (!accept(query, result, buffer)) {
      ++result.dropped;
      continue;
    }
    result.status = UpstreamStatus::kOk;
    result.response = std::move(buffer);
    break;
  }
  if (error) {
    // EOF or a reset before a whole answer is a network error (the server may close idle
    // connections, RFC 7766 §6.2.3, but not before answering the query it accepted).
    result.status = attempt->timed_out ? UpstreamStatus::kTimeout : UpstreamStatus::kNetworkError;
  }
  attempt->finish();
  result.rtt = since(start);
  co_return result;
}

}  // namespace hayate::server::resolver
