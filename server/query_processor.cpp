#include "server/query_processor.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include "server/authoritative_answer.hpp"
#include "server/zone_transfer.hpp"
#include "zone/message_parser.hpp"
#include "zone/message_renderer.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server {
namespace {

using zone::MessageRenderer;
using zone::ParsedQuery;
namespace rr_type = zone::rr_type;
namespace rr_class = zone::rr_class;
namespace rcode = zone::rcode;

constexpr std::size_t kMaxTcpMessage = 65535;

// RFC 6891 §6.2.5: a requestor's size below 512 is treated as 512; we never send more than our own
// configured payload size either (DNS flag day 2020: 1232 avoids fragmentation).
std::size_t response_limit(const ParsedQuery& q, Transport transport, const AnswerPolicy& policy) {
  if (transport == Transport::kTcp) return kMaxTcpMessage;
  if (!q.has_edns) return zone::kMaxUdpNoEdns;
  std::size_t asked = std::max<std::size_t>(q.udp_payload_size, zone::kMaxUdpNoEdns);
  return std::min<std::size_t>(asked, std::max<std::size_t>(policy.udp_payload_size, 512));
}

bool is_transfer(std::uint16_t qtype) {
  return qtype == rr_type::AXFR || qtype == rr_type::IXFR;
}

// Lowercase ASCII comparison of a wire name against a dotted name like "version.bind".
bool name_is(std::span<const std::uint8_t> wire, std::string_view dotted) {
  std::size_t pos = 0;
  std::size_t i = 0;
  while (pos < wire.size() && wire[pos] != 0) {
    std::size_t length = wire[pos];
    if (i != 0) {
      if (i >= dotted.size() || dotted[i] != '.') return false;
      ++i;
    }
    if (i + length > dotted.size()) return false;
    for (std::size_t k = 0; k < length; ++k) {
      if (zone::ascii_lower(wire[pos + 1 + k]) != static_cast<std::uint8_t>(dotted[i + k])) {
        return false;
      }
    }
    i += length;
    pos += 1 + length;
  }
  return i == dotted.size();
}

}  // namespace

QueryProcessor::QueryProcessor(std::shared_ptr<const ServingState> state, WorkerStats& stats)
    : state_(std::move(state)), stats_(stats), cache_(state_->policy.answer_cache_entries) {}

void QueryProcessor::set_state(std::shared_ptr<const ServingState> state) {
  state_ = std::move(state);
  cache_.clear();
  cache_.set_capacity(state_->policy.answer_cache_entries);
}

void QueryProcessor::handle(std::span<const std::uint8_t> packet, const ClientInfo& client,
                            EmitResponse emit, DeferResponse defer) {
  ParsedQuery query;
  zone::ParseError error = zone::parse_query(packet, query);
  if (error != zone::ParseError::kOk) {
    answer_malformed(query, error, emit);
    return;
  }
  stats_.count_query(client.transport, query.qtype);
  std::size_t limit = response_limit(query, client.transport, state_->policy);
  std::span<std::uint8_t> buffer(buffer_.data(), buffer_.size());

  if (query.header.opcode() != zone::opcode::QUERY) {
    // RFC 1035 §4.1.1 / RFC 6895 §2.2: opcodes we do not implement (NOTIFY, UPDATE, ...).
    answer_error(query, packet, rcode::NOTIMP, limit, emit);
    return;
  }
  if (query.has_edns && query.edns_version > 0) {
    answer_error(query, packet, rcode::BADVERS, limit, emit);  // RFC 6891 §6.1.3
    return;
  }
  if (query.qclass == rr_class::CH) {
    answer_chaos(query, packet, limit, emit);
    return;
  }
  if (query.qclass != rr_class::IN && query.qclass != rr_class::ANY) {
    answer_error(query, packet, rcode::REFUSED, limit, emit);
    return;
  }
  if (query.qtype == rr_type::OPT || query.qtype == rr_type::TSIG || query.qtype == rr_type::TKEY) {
    answer_error(query, packet, rcode::FORMERR, limit, emit);  // meta types are not questions
    return;
  }
  if (query.qtype == rr_type::MAILA || query.qtype == rr_type::MAILB) {
    answer_error(query, packet, rcode::NOTIMP, limit, emit);
    return;
  }
  if (is_transfer(query.qtype) && client.transport == Transport::kTcp) {
    answer_transfer(query, packet, client, emit);
    return;
  }
  if (query.qtype == rr_type::AXFR) {
    answer_error(query, packet, rcode::NOTIMP, limit, emit);  // RFC 5936 §4.2: TCP only
    return;
  }

  AnswerKey key{query.qname_lower_wire(), query.qtype, query.qclass, cache_shape(query, client)};
  if (const auto* cached = cache_.find(key); cached != nullptr && cached->size() <= limit) {
    std::memcpy(buffer.data(), cached->data(), cached->size());
    patch_cached(query, packet, buffer.first(cached->size()));
    stats_.bump(stats_.answers_from_cache);
    if (hot_ != nullptr && client.transport == Transport::kUdp) hot_->count(key);
    finish_response(buffer.first(cached->size()), emit);
    return;
  }

  MessageRenderer renderer(buffer, limit);
  start_response(renderer, query, packet);
  std::size_t size = 0;
  if (query.qtype == rr_type::IXFR) {
    size = answer_ixfr_over_udp(renderer, query);
  } else {
    AuthoritativeQuestion question{query.qname_wire(), query.qtype, client.transport};
    auto outcome = answer_authoritatively(*state_->zones, question, renderer);
    if (outcome == AuthoritativeOutcome::kNoZone && recursion_ != nullptr) {
      answer_recursively(query, packet, client, limit, emit, defer);
      return;
    }
    if (outcome == AuthoritativeOutcome::kNoZone) renderer.set_rcode(rcode::REFUSED);
    size = end_response(renderer, query);
    if (outcome == AuthoritativeOutcome::kAnswered && !renderer.truncated()) {
      cache_.insert(key, buffer.first(size));
      if (hot_ != nullptr && client.transport == Transport::kUdp) hot_->count(key);
    }
  }
  finish_response(buffer.first(size), emit);
}

std::uint8_t QueryProcessor::cache_shape(const ParsedQuery& query, const ClientInfo& client) {
  std::uint8_t shape = 0;
  if (query.has_edns) shape |= AnswerKey::kEdns;
  if (query.dnssec_ok) shape |= AnswerKey::kDnssecOk;
  // Only ANY answers differ by transport (RFC 8482: one RRset over UDP, all over TCP).
  if (client.transport == Transport::kTcp && query.qtype == rr_type::ANY) shape |= AnswerKey::kTcp;
  return shape;
}

// A cached response differs from the one this query needs only in the ID, the RD and CD bits
// (copied from the query, RFC 1035 §4.1.1, RFC 6840 §5.9) and the case of the question name.
void QueryProcessor::patch_cached(const ParsedQuery& query, std::span<const std::uint8_t> packet,
                                  std::span<std::uint8_t> response) {
  zone::store_u16(response.data(), query.header.id);
  std::uint16_t flags = zone::load_u16(response.data() + 2);
  constexpr std::uint16_t kCopied = zone::flag::RD | zone::flag::CD;
  flags = static_cast<std::uint16_t>((flags & ~kCopied) | (query.header.flags & kCopied));
  zone::store_u16(response.data() + 2, flags);
  auto question = query.question(packet);
  std::memcpy(response.data() + zone::kHeaderSize, question.data(), question.size());
}

void QueryProcessor::start_response(MessageRenderer& renderer, const ParsedQuery& query,
                                    std::span<const std::uint8_t> packet) {
  renderer.begin_response(query.header);
  if (query.has_question) renderer.echo_question(query.question(packet));
  if (query.has_edns) renderer.reserve(zone::opt_rr_size(0));
}

std::size_t QueryProcessor::end_response(MessageRenderer& renderer, const ParsedQuery& query) {
  if (query.has_edns) {
    zone::OptParams opt;
    opt.udp_payload_size = state_->policy.udp_payload_size;
    opt.dnssec_ok = query.dnssec_ok;  // RFC 3225 §3: DO is copied into the response
    renderer.add_opt(opt);
  }
  return renderer.finish();
}

void QueryProcessor::finish_response(std::span<const std::uint8_t> response, EmitResponse emit) {
  zone::Header header;
  zone::Header::parse(response, header);
  std::uint16_t full_rcode = header.rcode();
  stats_.count_response(full_rcode);
  if (header.has(zone::flag::TC)) stats_.bump(stats_.truncated);
  emit(response);
}

// RFC 1035 §4.1.1 FORMERR, or silence for what cannot be answered safely (a response, a runt).
void QueryProcessor::answer_malformed(const ParsedQuery& query, zone::ParseError error,
                                      EmitResponse emit) {
  if (zone::parse_error_action(error) != zone::ParseAction::kFormErr) {
    stats_.bump(stats_.dropped);
    return;
  }
  MessageRenderer renderer(std::span<std::uint8_t>(buffer_.data(), buffer_.size()),
                           zone::kMaxUdpNoEdns);
  renderer.begin_response(query.header);
  renderer.set_rcode(rcode::FORMERR);
  std::size_t size = renderer.finish();
  finish_response(std::span<const std::uint8_t>(buffer_.data(), size), emit);
}

void QueryProcessor::answer_error(const ParsedQuery& query, std::span<const std::uint8_t> packet,
                                  std::uint16_t full_rcode, std::size_t limit, EmitResponse emit) {
  MessageRenderer renderer(std::span<std::uint8_t>(buffer_.data(), buffer_.size()), limit);
  start_response(renderer, query, packet);
  renderer.set_rcode(full_rcode);
  std::size_t size = end_response(renderer, query);
  finish_response(std::span<const std::uint8_t>(buffer_.data(), size), emit);
}

// CH TXT version.bind / id.server, as BIND, NSD and Knot answer them; hidden unless configured.
void QueryProcessor::answer_chaos(const ParsedQuery& query, std::span<const std::uint8_t> packet,
                                  std::size_t limit, EmitResponse emit) {
  const auto& policy = state_->policy;
  auto qname = query.qname_wire();
  const std::string* text = nullptr;
  if (name_is(qname, "version.bind") || name_is(qname, "version.server")) {
    text = &policy.version;
  } else if (name_is(qname, "id.server") || name_is(qname, "hostname.bind")) {
    text = &policy.identity;
  }
  if (text == nullptr || text->empty()) {
    answer_error(query, packet, rcode::REFUSED, limit, emit);
    return;
  }
  MessageRenderer renderer(std::span<std::uint8_t>(buffer_.data(), buffer_.size()), limit);
  start_response(renderer, query, packet);
  renderer.header().set(zone::flag::AA);
  if (query.qtype == rr_type::TXT || query.qtype == rr_type::ANY) {
    std::size_t length = std::min<std::size_t>(text->size(), 255);  // one <character-string>
    zone::Rdata txt(1 + length);
    txt[0] = static_cast<std::uint8_t>(length);
    std::memcpy(txt.data() + 1, text->data(), length);
    renderer.add_rrset(zone::Section::kAnswer, qname, rr_type::TXT, rr_class::CH, 0, {&txt, 1});
  }
  std::size_t size = end_response(renderer, query);
  finish_response(std::span<const std::uint8_t>(buffer_.data(), size), emit);
}

// RFC 1995 §4: over UDP, an IXFR answered with only the current SOA tells the client to retry
// over TCP (or that it is up to date); we keep no journal, so over TCP it gets a full AXFR.
std::size_t QueryProcessor::answer_ixfr_over_udp(MessageRenderer& renderer,
                                                 const ParsedQuery& query) {
  const zone::Zone* zone = state_->zones->find(zone::NameView{query.qname_lower_wire()});
  if (zone == nullptr || !(zone->origin() == zone::Name::from_valid_wire(query.qname_wire()))) {
    renderer.set_rcode(zone == nullptr ? rcode::REFUSED : rcode::NOTAUTH);
  } else {
    renderer.header().set(zone::flag::AA);
    if (const zone::RRset* soa = zone->soa()) {
      renderer.add_rrset(zone::Section::kAnswer, zone->origin(), *soa, rr_class::IN);
    }
  }
  return end_response(renderer, query);
}

// A name in none of our zones, with a resolver configured. RD=0 asks us not to recurse: answered
// from the cache only, as Unbound does for allowed clients; a miss is REFUSED (no cache snooping
// into work we would have to do). Otherwise the cache answers at once, or the question is
// resolved and the answer sent later through a deferred sink.
void QueryProcessor::answer_recursively(const ParsedQuery& query,
                                        std::span<const std::uint8_t> packet,
                                        const ClientInfo& client, std::size_t limit,
                                        EmitResponse emit, DeferResponse defer) {
  if (!recursion_->allows(client)) {
    stats_.bump(stats_.resolver_refused);
    answer_error(query, packet, rcode::REFUSED, limit, emit);
    return;
  }
  RecursiveQuestion question{zone::Name::from_valid_wire(query.qname_wire()), query.qtype,
                             query.qclass};
  if (auto cached = recursion_->from_cache(question)) {
    stats_.bump(stats_.resolver_cache_answers);
    if (cached->stale) stats_.bump(stats_.stale_answers);
    send_recursive(query, packet, limit, *cached, emit);
    return;
  }
  if (!query.header.has(zone::flag::RD)) {
    answer_error(query, packet, rcode::REFUSED, limit, emit);
    return;
  }
  std::shared_ptr<ResponseSink> sink = defer();
  if (!sink) {  // a caller that cannot wait (tests without a network): nothing better to say
    answer_error(query, packet, rcode::SERVFAIL, limit, emit);
    return;
  }
  // The packet's buffer is reused once handle() returns: keep a copy for the answer.
  auto kept = std::make_shared<std::vector<std::uint8_t>>(packet.begin(), packet.end());
  recursion_->resolve(question, [this, kept, limit, sink](RecursiveAnswer answer) {
    ParsedQuery again;
    zone::parse_query(*kept, again);  // parsed fine the first time
    send_recursive(again, *kept, limit, answer,
                   [&sink](std::span<const std::uint8_t> message) { sink->send(message); });
  });
}

// RA=1 (RFC 1035 §4.1.1: recursion is available), AA=0 (the data is not ours), the client's RD
// and CD copied by begin_response; TC by whole RRsets when the UDP limit is reached.
void QueryProcessor::send_recursive(const ParsedQuery& query, std::span<const std::uint8_t> packet,
                                    std::size_t limit, const RecursiveAnswer& answer,
                                    EmitResponse emit) {
  MessageRenderer renderer(std::span<std::uint8_t>(buffer_.data(), buffer_.size()), limit);
  start_response(renderer, query, packet);
  renderer.header().set(zone::flag::RA);
  renderer.set_rcode(answer.rcode);
  bool complete = true;
  for (const zone::ResponseRRset& rrset : answer.answer) {
    complete = complete && renderer.add_rrset(zone::Section::kAnswer, rrset.owner.wire(),
                                              rrset.type, rrset.rclass, rrset.ttl, rrset.rdatas);
  }
  if (complete && answer.soa) {
    const zone::ResponseRRset& soa = *answer.soa;
    renderer.add_rrset(zone::Section::kAuthority, soa.owner.wire(), soa.type, soa.rclass, soa.ttl,
                       soa.rdatas);
  }
  std::size_t size = end_response(renderer, query);
  finish_response(std::span<const std::uint8_t>(buffer_.data(), size), emit);
}

// AXFR (and IXFR, answered as AXFR) over TCP to clients the zone's ACL allows (RFC 5936 §5).
void QueryProcessor::answer_transfer(const ParsedQuery& query, std::span<const std::uint8_t> packet,
                                     const ClientInfo& client, EmitResponse emit) {
  std::span<std::uint8_t> buffer(buffer_.data(), buffer_.size());
  auto qname = zone::Name::from_valid_wire(query.qname_wire());
  std::shared_ptr<const zone::Zone> zone = state_->zones->get(qname);
  auto acl = state_->transfer_acls.find(qname);
  std::uint16_t refusal = rcode::NOERROR;
  if (zone == nullptr) {
    // Not a zone apex we serve: NOTAUTH when we serve the name inside a zone, else REFUSED.
    refusal = state_->zones->find(qname) != nullptr ? rcode::NOTAUTH : rcode::REFUSED;
  } else if (acl == state_->transfer_acls.end() || !acl->second.allows(client.address)) {
    refusal = rcode::REFUSED;
  }
  if (refusal != rcode::NOERROR) {
    answer_error(query, packet, refusal, kMaxTcpMessage, emit);
    return;
  }
  stream_zone_transfer(*zone, query, packet, buffer, [&](std::span<const std::uint8_t> message) {
    finish_response(message, emit);
  });
}

}  // namespace hayate::server
