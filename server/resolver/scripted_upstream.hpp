// A test double for UpstreamTransport: scripted servers for iterator and forwarder tests, in the
// spirit of Unbound's replay tests. No sockets; nothing waits for real time.
//
// Rules are matched in the order added (server, QNAME case-insensitively, QTYPE; an unset field
// matches anything); the first live rule decides. A behaviour stands for what a real server and
// network would do, reported the way UdpTcpUpstream reports it, so the caller sees the same
// results it would see in production: e.g. a reply with the wrong ID is dropped by the real
// transport, so kWrongId yields kTimeout with dropped = 1.
//
// Completion: every result is posted to the io_context given at construction, never delivered
// inside send() (the UpstreamTransport contract). Tests drive it with context.run()/poll(): the
// callbacks run in the order the queries were sent, so runs are deterministic.
//
// Every message the double "puts on the wire" is logged (a TC retry logs a UDP and a TCP entry),
// so tests can assert QNAME minimisation, server choice and bailiwick behaviour.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "server/resolver/infra_cache.hpp"
#include "server/resolver/upstream.hpp"

namespace hayate::server::resolver {

enum class ScriptedBehaviour : std::uint8_t {
  kAnswer,             // the response, over UDP (over TCP for kTcpOnly queries)
  kTimeout,            // silence
  kNetworkError,       // ICMP port unreachable / connection refused
  kWrongId,            // only a reply with another ID arrives (dropped: kTimeout, dropped = 1)
  kWrongQuestion,      // only a reply for another question arrives (dropped likewise)
  kOtherSource,        // only a reply from another address or port arrives (dropped likewise)
  kTruncatedThenTcp,   // TC=1 over UDP, then the full response over TCP
  kTruncatedTcpFails,  // TC=1 over UDP, TCP refused: kTruncated with the TC=1 response
  kFormErrToEdns,      // FORMERR to an EDNS query, the response to the plain retry (RFC 6891 §7)
};

struct ScriptedRule {
  std::optional<UpstreamAddress> server;
  std::optional<zone::Name> qname;
  std::optional<std::uint16_t> qtype;
  ScriptedBehaviour behaviour = ScriptedBehaviour::kAnswer;
  // The response; its ID is set to the query's. `respond`, when set, computes it instead.
  std::vector<std::uint8_t> response;
  std::function<std::vector<std::uint8_t>(const UpstreamQuery&)> respond;
  std::chrono::microseconds rtt{std::chrono::milliseconds(10)};  // reported, not waited for
  std::optional<unsigned> times;  // matches this many queries, then never again; unset: always
};

// One message the double sent on behalf of a send().
struct ScriptedMessage {
  UpstreamQuery query;
  UpstreamProtocol protocol = UpstreamProtocol::kUdp;
  bool edns = false;  // whether this message carried OPT
};

class ScriptedUpstream final : public UpstreamTransport {
 public:
  // With `infra`, exchanges are reported to it as the real transport reports them (RTT samples,
  // timeouts, EDNS support), so server selection can be tested against scripted servers.
  explicit ScriptedUpstream(boost::asio::io_context& context, InfraCache* infra = nullptr);

  void add(ScriptedRule rule);
  // Shorthand for the common rule: this server answers this question with `response`.
  void answer(const UpstreamAddress& server, const zone::Name& qname, std::uint16_t qtype,
              std::vector<std::uint8_t> response);
  // What happens to queries no rule matches (default: kTimeout, like an unreachable address).
  void set_unmatched(ScriptedBehaviour behaviour) { unmatched_ = behaviour; }

  void send(const UpstreamQuery& query, Callback done) override;

  const std::vector<ScriptedMessage>& log() const { return log_; }
  std::vector<ScriptedMessage> log_for(const UpstreamAddress& server) const;
  void clear_log() { log_.clear(); }

 private:
  const ScriptedRule* match(const UpstreamQuery& query);
  UpstreamResult perform(const UpstreamQuery& query, const ScriptedRule* rule);
  UpstreamResult silence(const UpstreamQuery& query, bool edns, std::uint16_t dropped);
  UpstreamResult reply(const UpstreamQuery& query, const ScriptedRule& rule,
                       UpstreamProtocol protocol, bool edns);
  void log_message(const UpstreamQuery& query, UpstreamProtocol protocol, bool edns);

  boost::asio::io_context& context_;
  InfraCache* infra_;
  std::vector<ScriptedRule> rules_;
  std::vector<unsigned> uses_;  // per rule
  ScriptedBehaviour unmatched_ = ScriptedBehaviour::kTimeout;
  std::vector<ScriptedMessage> log_;
  std::uint16_t next_id_ = 1;  // deterministic IDs: the double is not a security boundary
};

}  // namespace hayate::server::resolver
