#include "server/resolver/scripted_upstream.hpp"

#include <boost/asio/post.hpp>

#include "server/resolver/upstream_wire.hpp"
#include "zone/message.hpp"

namespace hayate::server::resolver {

namespace {

std::chrono::microseconds timeout_of(const UpstreamQuery& query, InfraCache* infra) {
  if (query.timeout.count() > 0) return query.timeout;
  if (infra != nullptr) return infra->timeout_for(query.server);
  return std::chrono::milliseconds(800);
}

void set_tc(std::vector<std::uint8_t>& message) {
  if (message.size() >= zone::kHeaderSize) message[2] |= zone::flag::TC >> 8;
}

}  // namespace

ScriptedUpstream::ScriptedUpstream(boost::asio::io_context& context, InfraCache* infra)
    : context_(context), infra_(infra) {}

void ScriptedUpstream::add(ScriptedRule rule) {
  rules_.push_back(std::move(rule));
  uses_.push_back(0);
}

void ScriptedUpstream::answer(const UpstreamAddress& server, const zone::Name& qname,
                              std::uint16_t qtype, std::vector<std::uint8_t> response) {
  // Filled in place: a local ScriptedRule trips a g++ 12 -Wmaybe-uninitialized false positive
  // (optional<Name>) in the sanitizer build.
  ScriptedRule& rule = rules_.emplace_back();
  uses_.push_back(0);
  rule.server = server;
  rule.qname = qname;
  rule.qtype = qtype;
  rule.response = std::move(response);
}

std::vector<ScriptedMessage> ScriptedUpstream::log_for(const UpstreamAddress& server) const {
  std::vector<ScriptedMessage> out;
  for (const ScriptedMessage& m : log_) {
    if (m.query.server == server) out.push_back(m);
  }
  return out;
}

void ScriptedUpstream::send(const UpstreamQuery& query, Callback done) {
  UpstreamResult result = perform(query, match(query));
  boost::asio::post(context_, [done = std::move(done), result = std::move(result)]() mutable {
    done(std::move(result));
  });
}

const ScriptedRule* ScriptedUpstream::match(const UpstreamQuery& query) {
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const ScriptedRule& r = rules_[i];
    if (r.times && uses_[i] >= *r.times) continue;
    if (r.server && !(*r.server == query.server)) continue;
    if (r.qname && !(*r.qname == query.qname)) continue;  // Name equality ignores case
    if (r.qtype && *r.qtype != query.qtype) continue;
    ++uses_[i];
    return &r;
  }
  return nullptr;
}

UpstreamResult ScriptedUpstream::perform(const UpstreamQuery& query, const ScriptedRule* rule) {
  const bool edns = query.edns && (infra_ == nullptr || infra_->use_edns(query.server));
  ScriptedBehaviour behaviour = rule ? rule->behaviour : unmatched_;
  // Without a rule there is no response to give: behaviours that need one become silence.
  if (rule == nullptr && behaviour != ScriptedBehaviour::kNetworkError) {
    behaviour = ScriptedBehaviour::kTimeout;
  }
  const bool tcp_only = query.transport == TransportPreference::kTcpOnly;
  const UpstreamProtocol first = tcp_only ? UpstreamProtocol::kTcp : UpstreamProtocol::kUdp;
  log_message(query, first, edns);
  switch (behaviour) {
    case ScriptedBehaviour::kAnswer:
      break;
    case ScriptedBehaviour::kTimeout:
      return silence(query, edns, 0);
    case ScriptedBehaviour::kWrongId:
    case ScriptedBehaviour::kWrongQuestion:
    case ScriptedBehaviour::kOtherSource:
      return silence(query, edns, 1);
    case ScriptedBehaviour::kNetworkError: {
      UpstreamResult result;
      result.status = UpstreamStatus::kNetworkError;
      result.protocol = first;
      result.edns_used = edns;
      result.messages = 1;
      return result;
    }
    case ScriptedBehaviour::kTruncatedThenTcp:
    case ScriptedBehaviour::kTruncatedTcpFails: {
      if (tcp_only) break;
      log_message(query, UpstreamProtocol::kTcp, edns);
      if (behaviour == ScriptedBehaviour::kTruncatedThenTcp) {
        UpstreamResult result = reply(query, *rule, UpstreamProtocol::kTcp, edns);
        result.messages = 2;
        return result;
      }
      UpstreamResult result = reply(query, *rule, UpstreamProtocol::kUdp, edns);
      set_tc(result.response);
      result.status = UpstreamStatus::kTruncated;
      result.messages = 2;
      return result;
    }
    case ScriptedBehaviour::kFormErrToEdns: {
      if (!edns) break;
      if (infra_ != nullptr) infra_->record_edns(query.server, EdnsSupport::kNo);
      log_message(query, first, false);
      UpstreamResult result = reply(query, *rule, first, false);
      result.messages = 2;
      return result;
    }
  }
  return reply(query, *rule, first, edns);
}

UpstreamResult ScriptedUpstream::silence(const UpstreamQuery& query, bool edns,
                                         std::uint16_t dropped) {
  UpstreamResult result;
  result.status = UpstreamStatus::kTimeout;
  result.rtt = timeout_of(query, infra_);
  result.edns_used = edns;
  result.id = next_id_++;
  result.messages = 1;
  result.dropped = dropped;
  if (infra_ != nullptr) infra_->record_timeout(query.server, edns);
  return result;
}

UpstreamResult ScriptedUpstream::reply(const UpstreamQuery& query, const ScriptedRule& rule,
                                       UpstreamProtocol protocol, bool edns) {
  UpstreamResult result;
  result.status = UpstreamStatus::kOk;
  result.response = rule.respond ? rule.respond(query) : rule.response;
  result.rtt = rule.rtt;
  result.protocol = protocol;
  result.edns_used = edns;
  result.id = next_id_++;
  result.messages = 1;
  if (result.response.size() >= 2) zone::store_u16(result.response.data(), result.id);
  if (infra_ != nullptr) {
    infra_->record_rtt(query.server, rule.rtt);
    if (edns && response_facts(result.response).has_opt) {
      infra_->record_edns(query.server, EdnsSupport::kYes);
    }
  }
  return result;
}

void ScriptedUpstream::log_message(const UpstreamQuery& query, UpstreamProtocol protocol,
                                   bool edns) {
  log_.push_back({query, protocol, edns});
}

}  // namespace hayate::server::resolver
