// The resolver's view of upstream servers: send one question to one server, get one result.
//
// The iterator and the forwarder talk to upstreams only through UpstreamTransport, so their tests
// can script the servers (ScriptedUpstream) and the daemon can use the real sockets
// (UdpTcpUpstream). The transport, not the caller, builds the query message: it owns the random
// ID (RFC 5452 §4), the EDNS shape it falls back to (RFC 6891 §7) and the TCP retry after TC=1
// (RFC 7766 §5), so one send() may put several messages on the wire and still completes once.
//
// Threading: a transport belongs to one worker's io_context and is used from that thread only (no
// locks). Completion contract, kept by every implementation: `done` is never called from inside
// send(); it runs later on the transport's io_context, exactly once.
#pragma once

#include <utility>  // before asio's awaitable with g++ 12 and Boost 1.74

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

#include "server/resolver/upstream_address.hpp"
#include "zone/name.hpp"

namespace hayate::server::resolver {

enum class UpstreamProtocol : std::uint8_t { kUdp, kTcp };

// What the caller allows. kUdpThenTcp is the normal case (UDP, TCP when truncated); kTcpOnly is
// for callers that already know the answer will not fit (AXFR-like sizes) or that UDP is blocked.
enum class TransportPreference : std::uint8_t { kUdpThenTcp, kTcpOnly };

struct UpstreamQuery {
  zone::Name qname;  // sent with the case given (a caller doing 0x20 randomises it before)
  std::uint16_t qtype = 1;
  std::uint16_t qclass = 1;
  bool recursion_desired = false;  // RD: off when iterating, on when forwarding
  bool checking_disabled = false;  // CD (RFC 4035 §3.2.2)

  // EDNS (RFC 6891). The transport still leaves OPT out when the infra cache knows the server
  // does not do EDNS, and retries without it on FORMERR/NOTIMP (§7).
  bool edns = true;
  bool dnssec_ok = false;                  // DO (RFC 3225)
  std::uint16_t udp_payload_size = 1232;   // DNS flag day 2020
  std::vector<std::uint8_t> edns_options;  // encoded options area (e.g. ECS, RFC 7871 §6)

  UpstreamAddress server;
  TransportPreference transport = TransportPreference::kUdpThenTcp;
  // Time allowed for the first UDP exchange; zero lets the transport choose from the server's
  // measured RTT (the infra cache's RTO). The TCP retry has its own budget.
  std::chrono::milliseconds timeout{0};
};

enum class UpstreamStatus : std::uint8_t {
  kOk,            // a response matching ID, question and source (any rcode)
  kTimeout,       // nothing acceptable before the deadline (mismatched answers were dropped)
  kNetworkError,  // send failed, ICMP unreachable, TCP refused/reset/closed before an answer
  kTruncated,     // TC=1 over UDP and the TCP retry failed: `response` is the truncated answer
};

constexpr const char* upstream_status_name(UpstreamStatus status) {
  switch (status) {
    case UpstreamStatus::kOk:
      return "ok";
    case UpstreamStatus::kTimeout:
      return "timeout";
    case UpstreamStatus::kNetworkError:
      return "network error";
    case UpstreamStatus::kTruncated:
      return "truncated";
  }
  return "?";
}

struct UpstreamResult {
  UpstreamStatus status = UpstreamStatus::kTimeout;
  std::vector<std::uint8_t> response;                  // the accepted message (kOk, kTruncated)
  std::chrono::microseconds rtt{0};                    // of the exchange that produced the result
  UpstreamProtocol protocol = UpstreamProtocol::kUdp;  // that carried the final exchange
  bool edns_used = false;      // whether the final query carried an OPT record
  std::uint16_t id = 0;        // message ID of the final query
  std::uint16_t messages = 0;  // queries put on the wire for this send()
  std::uint16_t dropped = 0;   // responses ignored: wrong ID, question or source (RFC 5452)
};

class UpstreamTransport {
 public:
  using Callback = std::function<void(UpstreamResult)>;

  virtual ~UpstreamTransport() = default;

  // Sends `query` and calls `done` once with the outcome (see the completion contract above).
  virtual void send(const UpstreamQuery& query, Callback done) = 0;
};

// Asio-style initiating function, so a coroutine can write
//   UpstreamResult r = co_await async_query(transport, query, asio::use_awaitable);
// The handler runs on its associated executor (the coroutine's), never inside this call.
template <typename CompletionToken>
auto async_query(UpstreamTransport& transport, const UpstreamQuery& query,
                 CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(UpstreamResult)>(
      [&transport](auto handler, const UpstreamQuery& q) {
        // std::function needs a copyable target; asio handlers are move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        transport.send(q, [shared](UpstreamResult result) {
          auto executor = boost::asio::get_associated_executor(*shared);
          boost::asio::post(executor,
                            [shared, r = std::move(result)]() mutable { (*shared)(std::move(r)); });
        });
      },
      token, query);
}

}  // namespace hayate::server::resolver
