// The real upstream transport: UDP with the RFC 5452 defences, TCP after truncation (RFC 7766),
// and the EDNS fallback (RFC 6891 §7), on one worker's io_context.
//
// Per send():
// 1. A new UDP socket bound to a port drawn from the CSPRNG (RFC 5452 §9.2) and connected to the
//    server, and a random 16-bit ID (§9.1, §4.3). A socket per query rather than a shared pool:
//    a pooled port is reused by many queries, so an attacker who learns it (by watching one
//    query leave) can aim at all of them; a fresh port gives every query the full 16+~15 bits.
//    connect() makes the kernel drop datagrams from other sources and report ICMP unreachable
//    as an error (so a closed port fails fast, as Unbound's udp-connect does).
// 2. Only a datagram from the server's address and port whose ID and question (QNAME
//    case-insensitively, QTYPE, QCLASS) match is accepted; anything else is dropped, counted,
//    and the wait goes on until the deadline (§9.1). The deadline is the query's timeout or the
//    infra cache's RTO for the server.
// 3. FORMERR/NOTIMP without an OPT record to an EDNS query: the server does not do EDNS; the
//    infra cache remembers and the query goes again without OPT (RFC 6891 §7).
// 4. TC=1: the same question over TCP, 2-octet length framing (RFC 7766 §8, §5), with a connect
//    timeout and an overall budget. If TCP fails the truncated answer is returned (kTruncated).
// 5. RTT samples and timeouts go to the infra cache (RFC 6298 arithmetic there).
//
// One send() is one try at one server: retrying and choosing another server is the caller's job.
// Single-threaded: construct, send and destroy on the io_context's thread. In-flight exchanges
// keep the shared state alive; the InfraCache must outlive them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "server/resolver/infra_cache.hpp"
#include "server/resolver/upstream.hpp"

namespace hayate::server::resolver {

struct UdpTcpUpstreamOptions {
  std::chrono::milliseconds tcp_connect_timeout{1500};
  std::chrono::milliseconds tcp_timeout{4000};  // the whole TCP exchange, connect included
  unsigned port_bind_attempts = 10;  // random ports tried before leaving the choice to the kernel
  std::size_t max_udp_response = 65535;
};

struct UpstreamStats {
  std::uint64_t udp_queries = 0;
  std::uint64_t tcp_queries = 0;
  std::uint64_t responses = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t network_errors = 0;
  std::uint64_t dropped_wrong_source = 0;
  std::uint64_t dropped_wrong_id = 0;
  std::uint64_t dropped_wrong_question = 0;
  std::uint64_t dropped_not_response = 0;
  std::uint64_t tcp_retries = 0;            // after TC=1
  std::uint64_t edns_fallbacks = 0;         // retried without OPT after FORMERR/NOTIMP
  std::uint64_t random_port_fallbacks = 0;  // no random port could be bound: kernel's choice
};

class UdpTcpUpstream final : public UpstreamTransport {
 public:
  UdpTcpUpstream(boost::asio::io_context& context, InfraCache& infra,
                 UdpTcpUpstreamOptions options = {});
  ~UdpTcpUpstream() override;

  void send(const UpstreamQuery& query, Callback done) override;

  const UpstreamStats& stats() const;

  struct Core;  // shared with the in-flight exchanges (udp_tcp_upstream.cpp)

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace hayate::server::resolver
