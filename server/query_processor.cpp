#include "server/query_processor.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include "server/authoritative_answer.hpp"
#include "server/client_subnet.hpp"
#include "server/client_view.hpp"
#include "server/dns64_stage.hpp"
#include "server/pipeline_source.hpp"
#include "server/zone_transfer.hpp"
#include "zone/message_parser.hpp"
#include "zone/message_renderer.hpp"
#include "zone/message_ttls.hpp"
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

// The answer cache's index slot for the question; its entry is found (and likely missed in the
// CPU cache) only once handle() has read the whole message.
void QueryProcessor::prefetch(std::span<const std::uint8_t> query) {
  zone::WireName name;
  std::uint16_t qtype = 0;
  if (zone::peek_question(query, name, qtype)) cache_.prefetch(name.wire(), qtype);
}

void QueryProcessor::handle(std::span<const std::uint8_t> packet, const ClientInfo& client,
                            EmitResponse emit, DeferResponse defer) {
  expired_uses_ = 0;
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
  const ClientView view = choose_client_view(query, packet, client, state_->policy);
  if (view.formerr) {
    answer_error(query, packet, rcode::FORMERR, limit, emit);  // RFC 7871 §7.1.1
    return;
  }
  if (view.echo) stats_.bump(stats_.ecs_queries);
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

  std::uint8_t policy_index = 0;
  if (const Dns64Policy* policy = state_->policy.dns64.select(client, policy_index)) {
    if (query.qtype != rr_type::IXFR &&
        dns64_applies(*policy, zone::Name::from_valid_wire(query.qname_wire()), query.qtype,
                      query.qclass)) {
      answer_through_policy(query, packet, client, view, *policy, policy_index, limit, emit, defer);
      return;
    }
  }

  // Answers with an ECS option echo the client's subnet: they are not shared through the cache.
  // Without one, the view (chosen by source address) is part of the key.
  AnswerKey key{query.qname_lower_wire(), query.qtype, query.qclass, cache_shape(query, client)};
  key.view = static_cast<std::uint16_t>(view.choice.view);
  if (!view.echo) {
    const CacheHit hit = emit_cached(key, query, packet, client, limit, emit);
    if (hit == CacheHit::kZones) count_hot(key, query, client);
    if (hit != CacheHit::kMiss) return;
  }

  // RFC 7871 §7.2.1: SCOPE is the number of bits the answer depends on, 0 for names no view
  // has its own version of; an ECS answer from a tailored zone stops at the first CNAME so that
  // each name of a chain is cached with its own scope.
  zone::ClientSubnet echo = view.ecs;
  const bool tailored = !state_->tailored_origins.empty() &&
                        is_tailored(*state_, zone::Name::from_valid_wire(query.qname_wire()));
  echo.scope_prefix = tailored ? view.choice.scope : 0;
  const zone::ClientSubnet* echoed = view.echo ? &echo : nullptr;
  if (echoed != nullptr && tailored) stats_.bump(stats_.ecs_tailored_answers);

  MessageRenderer renderer(buffer, limit);
  start_response(renderer, query, packet, echoed);
  std::size_t size = 0;
  const zone::ZoneSet& zones = *state_->view_zones[view.choice.view];
  if (query.qtype == rr_type::IXFR) {
    size = answer_ixfr_over_udp(renderer, query, zones, echoed);
  } else {
    AuthoritativeQuestion question{query.qname_wire(), query.qtype, client.transport};
    if (echoed != nullptr && tailored) question.max_chain = 1;
    auto outcome = answer_authoritatively(zones, question, renderer);
    if (outcome == AuthoritativeOutcome::kNoZone && recursion_ != nullptr) {
      answer_recursively(query, packet, client, limit, view.echo ? nullptr : &key, emit, defer);
      return;
    }
    if (outcome == AuthoritativeOutcome::kNoZone) renderer.set_rcode(rcode::REFUSED);
    size = end_response(renderer, query, echoed);
    if (outcome == AuthoritativeOutcome::kAnswered && !renderer.truncated() && !view.echo) {
      cache_.insert(key, buffer.first(size));
      count_hot(key, query, client);
    }
  }
  finish_response(buffer.first(size), emit);
}

// The XDP publisher puts in the kernel only what this counts: answers over UDP that depend on
// nothing but the question (issue 7). The kernel cannot tell clients apart, so nothing is counted
// while [[dns64]] policies exist (they rewrite answers per client), nor names that [[view]]s
// answer differently; ECS queries (view.echo) never reach here, and XDP passes them on anyway.
void QueryProcessor::count_hot(const AnswerKey& key, const zone::ParsedQuery& query,
                               const ClientInfo& client) {
  if (hot_ == nullptr || client.transport != Transport::kUdp) return;
  if (!state_->policy.dns64.empty()) return;
  if (!state_->tailored_origins.empty() &&
      is_tailored(*state_, zone::Name::from_valid_wire(query.qname_wire()))) {
    return;
  }
  hot_->count(key);
}

QueryProcessor::CacheHit QueryProcessor::emit_cached(const AnswerKey& key, const ParsedQuery& query,
                                                     std::span<const std::uint8_t> packet,
                                                     const ClientInfo& client, std::size_t limit,
                                                     EmitResponse emit) {
  const CachedAnswer cached = cache_.lookup(key);
  if (cached.response.empty() || cached.response.size() > limit) return CacheHit::kMiss;
  std::uint32_t age = 0;
  if (cached.aging != nullptr) {
    // A resolver answer: only for clients the resolver serves, until its first record would
    // expire, and not across a `cache flush`. Not for a query with an ECS option (trusted or
    // not): the resolver echoes the option (RFC 7871 §7.2.2), which a kept answer lacks.
    if (recursion_ == nullptr || query.has_client_subnet || !recursion_->allows(client))
      return CacheHit::kMiss;
    const CacheEpoch now = recursion_->cache_epoch();
    AnswerAging& aging = *cached.aging;
    if (now.generation != aging.generation || now.seconds < aging.stored_at) return CacheHit::kMiss;
    if (now.seconds >= aging.expires_at) {
      expired_uses_ = aging.uses;  // for the resolver's prefetch, which did not see them
      return CacheHit::kMiss;
    }
    if (aging.uses < UINT32_MAX) ++aging.uses;
    age = now.seconds - aging.stored_at;
  }
  std::span<std::uint8_t> buffer(buffer_.data(), cached.response.size());
  std::memcpy(buffer.data(), cached.response.data(), cached.response.size());
  patch_cached(query, packet, buffer);
  if (age != 0) zone::lower_ttls(buffer, cached.ttl_offsets, age);
  stats_.bump(stats_.answers_from_cache);
  if (cached.aging != nullptr) stats_.bump(stats_.resolver_cache_answers);
  finish_response(buffer, emit);
  return cached.aging != nullptr ? CacheHit::kResolver : CacheHit::kZones;
}

void QueryProcessor::keep_aged(const AnswerKey& key, std::span<const std::uint8_t> response,
                               CacheEpoch epoch, std::uint32_t reuse_seconds) {
  ttl_offsets_.clear();
  if (!zone::find_ttl_offsets(response, ttl_offsets_)) return;  // ours: cannot happen
  const std::uint32_t expires_at =
      epoch.seconds > UINT32_MAX - reuse_seconds ? UINT32_MAX : epoch.seconds + reuse_seconds;
  const AnswerAging aging{epoch.seconds, expires_at, epoch.generation};
  cache_.insert(key, response, &aging, ttl_offsets_);
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
                                    std::span<const std::uint8_t> packet,
                                    const zone::ClientSubnet* ecs) {
  renderer.begin_response(query.header);
  if (query.has_question) renderer.echo_question(query.question(packet));
  const std::size_t options = ecs != nullptr ? zone::kOptionHeaderSize + ecs->data_length() : 0;
  if (query.has_edns) renderer.reserve(zone::opt_rr_size(options));
}

std::size_t QueryProcessor::end_response(MessageRenderer& renderer, const ParsedQuery& query,
                                         const zone::ClientSubnet* ecs) {
  if (query.has_edns) {
    zone::OptParams opt;
    opt.udp_payload_size = state_->policy.udp_payload_size;
    opt.dnssec_ok = query.dnssec_ok;  // RFC 3225 §3: DO is copied into the response
    // RFC 7871 §7.2.1: FAMILY, SOURCE PREFIX-LENGTH and ADDRESS as received, our SCOPE.
    std::array<std::uint8_t, zone::kOptionHeaderSize + 20> option{};
    std::size_t option_size = 0;
    if (ecs != nullptr) {
      std::array<std::uint8_t, 20> data{};
      const std::size_t data_size = zone::encode_client_subnet(*ecs, data);
      option_size = zone::write_option(option, zone::edns_option::CLIENT_SUBNET,
                                       std::span<const std::uint8_t>(data.data(), data_size));
    }
    renderer.add_opt(opt, std::span<const std::uint8_t>(option.data(), option_size));
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
                                                 const ParsedQuery& query,
                                                 const zone::ZoneSet& zones,
                                                 const zone::ClientSubnet* ecs) {
  const zone::Zone* zone = zones.find(zone::NameView{query.qname_lower_wire()});
  if (zone == nullptr || !(zone->origin() == zone::Name::from_valid_wire(query.qname_wire()))) {
    renderer.set_rcode(zone == nullptr ? rcode::REFUSED : rcode::NOTAUTH);
  } else {
    renderer.header().set(zone::flag::AA);
    if (const zone::RRset* soa = zone->soa()) {
      renderer.add_rrset(zone::Section::kAnswer, zone->origin(), *soa, rr_class::IN);
    }
  }
  return end_response(renderer, query, ecs);
}

// A name in none of our zones, with a resolver configured. RD=0 asks us not to recurse: answered
// from the cache only, as Unbound does for allowed clients; a miss is REFUSED (no cache snooping
// into work we would have to do). Otherwise the cache answers at once, or the question is
// resolved and the answer sent later through a deferred sink.
void QueryProcessor::answer_recursively(const ParsedQuery& query,
                                        std::span<const std::uint8_t> packet,
                                        const ClientInfo& client, std::size_t limit,
                                        const AnswerKey* key, EmitResponse emit,
                                        DeferResponse defer) {
  if (!recursion_->allows(client)) {
    stats_.bump(stats_.resolver_refused);
    answer_error(query, packet, rcode::REFUSED, limit, emit);
    return;
  }
  RecursiveQuestion question{zone::Name::from_valid_wire(query.qname_wire()),
                             query.qtype,
                             query.qclass,
                             client.address,
                             client_subnet_of(query, packet),
                             expired_uses_};
  // Read before the caches: an answer read across a flush is kept with the old generation.
  const CacheEpoch epoch = recursion_->cache_epoch();
  if (auto cached = recursion_->from_cache(question)) {
    stats_.bump(stats_.resolver_cache_answers);
    if (cached->stale) stats_.bump(stats_.stale_answers);
    // An answer echoing the client's ECS option is that client's alone.
    if (key != nullptr && cached->reuse_seconds > 0 && !query.has_client_subnet) {
      const KeepAnswer keep{*key, epoch};
      send_recursive(query, packet, limit, *cached, emit, &keep);
    } else {
      send_recursive(query, packet, limit, *cached, emit);
    }
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
    if (answer.dropped) {
      stats_.bump(stats_.dropped);  // the sink goes unused: no answer
      return;
    }
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
                                    EmitResponse emit, const KeepAnswer* keep) {
  MessageRenderer renderer(std::span<std::uint8_t>(buffer_.data(), buffer_.size()), limit);
  // RFC 7871 §7.2: ECS back only to a client that sent it, with the answer's scope.
  std::optional<zone::ClientSubnet> echo = client_subnet_of(query, packet);
  if (echo) echo->scope_prefix = answer.ecs_scope;
  const zone::ClientSubnet* echoed = echo ? &*echo : nullptr;
  start_response(renderer, query, packet, echoed);
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
  std::size_t size = end_response(renderer, query, echoed);
  const std::span<const std::uint8_t> response(buffer_.data(), size);
  if (keep != nullptr && !renderer.truncated())
    keep_aged(keep->key, response, keep->epoch, answer.reuse_seconds);
  finish_response(response, emit);
}

// A question the client's DNS64 / AAAA filter policy rewrites (issue 5). The answer cache keys it
// by the policy and the CD bit, so no other policy's client sees it; answers built from the zones
// alone are stored there, answers that needed the resolver are not (the resolver caches the A
// and AAAA sub-answers, and TTLs run down). As for a client's own question, the answer is sent
// at once when every source answered at once, else later through a deferred sink.
void QueryProcessor::answer_through_policy(const ParsedQuery& query,
                                           std::span<const std::uint8_t> packet,
                                           const ClientInfo& client, const ClientView& view,
                                           const Dns64Policy& policy, std::uint8_t policy_index,
                                           std::size_t limit, EmitResponse emit,
                                           DeferResponse defer) {
  std::uint8_t shape = cache_shape(query, client);
  if (query.header.has(zone::flag::CD)) shape |= AnswerKey::kCheckingDisabled;
  AnswerKey key{query.qname_lower_wire(), query.qtype, query.qclass, shape, policy_index};
  key.view = static_cast<std::uint16_t>(view.choice.view);
  if (!view.echo && emit_cached(key, query, packet, client, limit, emit) != CacheHit::kMiss) return;
  const CacheEpoch epoch = recursion_ != nullptr ? recursion_->cache_epoch() : CacheEpoch{};

  struct Job {
    Job(PipelineSource s, std::span<const std::uint8_t> p, std::size_t l)
        : source(std::move(s)), packet(p.begin(), p.end()), limit(l) {}
    PipelineSource source;
    std::vector<std::uint8_t> packet;
    std::size_t limit;
    std::optional<zone::ClientSubnet> ecs;  // the ECS option to echo (RFC 7871 §7.2.1)
    bool in_handle = true;
    std::optional<StagedAnswer> early;  // the answer when it came before handle() returned
    std::shared_ptr<ResponseSink> sink;
  };
  auto job = std::make_shared<Job>(
      PipelineSource(state_, view.choice.view, recursion_, client, query.header.has(zone::flag::RD),
                     stats_, std::span<std::uint8_t>(scratch_.data(), scratch_.size())),
      packet, limit);
  if (view.echo) {
    // SCOPE as for any answer of the view (main path); the chain is not cut at a tailored CNAME
    // here (DNS64 needs the whole chain to find the A records).
    job->ecs = view.ecs;
    const bool tailored = !state_->tailored_origins.empty() &&
                          is_tailored(*state_, zone::Name::from_valid_wire(query.qname_wire()));
    job->ecs->scope_prefix = tailored ? view.choice.scope : 0;
  }
  Dns64Question question{zone::Name::from_valid_wire(query.qname_wire()), query.qtype, query.qclass,
                         query.header.has(zone::flag::CD), query.dnssec_ok};
  // `policy` lives in the snapshot the job's source holds, as long as the job.
  answer_with_dns64(policy, question, job->source, [this, job](StagedAnswer answer) {
    if (job->in_handle) {
      job->early = std::move(answer);
      return;
    }
    if (!job->sink) return;  // answered SERVFAIL already: the transport could not wait
    ParsedQuery again;
    zone::parse_query(job->packet, again);  // parsed fine the first time
    std::size_t size =
        render_staged(again, job->packet, job->limit, answer, job->ecs ? &*job->ecs : nullptr);
    finish_response(std::span<const std::uint8_t>(buffer_.data(), size),
                    [&job](std::span<const std::uint8_t> message) { job->sink->send(message); });
  });
  job->in_handle = false;
  if (job->early) {
    std::size_t size =
        render_staged(query, packet, limit, *job->early, job->ecs ? &*job->ecs : nullptr);
    std::span<const std::uint8_t> response(buffer_.data(), size);
    zone::Header header;
    zone::Header::parse(response, header);
    if (!header.has(zone::flag::TC) && !view.echo) {
      if (job->early->from_zones) {
        cache_.insert(key, response);
      } else if (job->early->reuse_seconds > 0 && recursion_ != nullptr) {
        keep_aged(key, response, epoch, job->early->reuse_seconds);
      }
    }
    finish_response(response, emit);
    return;
  }
  job->sink = defer();
  if (!job->sink) answer_error(query, packet, rcode::SERVFAIL, limit, emit);
}

// A StagedAnswer rendered into buffer_: its AA and RA bits (never AD, RFC 6147 §5.5), its rcode,
// whole RRsets with TC when the answer or authority section does not fit (the additional
// section is optional data, RFC 2181 §9).
std::size_t QueryProcessor::render_staged(const ParsedQuery& query,
                                          std::span<const std::uint8_t> packet, std::size_t limit,
                                          const StagedAnswer& answer,
                                          const zone::ClientSubnet* ecs) {
  if (answer.rewrite == StagedAnswer::Rewrite::kSynthesized) stats_.bump(stats_.dns64_synthesized);
  if (answer.rewrite == StagedAnswer::Rewrite::kFiltered) stats_.bump(stats_.aaaa_filtered);
  MessageRenderer renderer(std::span<std::uint8_t>(buffer_.data(), buffer_.size()), limit);
  start_response(renderer, query, packet, ecs);
  if (answer.authoritative) renderer.header().set(zone::flag::AA);
  if (answer.recursion_available) renderer.header().set(zone::flag::RA);
  renderer.set_rcode(answer.rcode);
  if (answer.truncated) renderer.mark_truncated();
  bool complete = true;
  for (zone::Section section :
       {zone::Section::kAnswer, zone::Section::kAuthority, zone::Section::kAdditional}) {
    for (const zone::ResponseRRset& rrset : answer.section(section)) {
      if (!complete) break;
      bool added = renderer.add_rrset(section, rrset.owner.wire(), rrset.type, rrset.rclass,
                                      rrset.ttl, rrset.rdatas);
      complete = added || section == zone::Section::kAdditional;
    }
  }
  return end_response(renderer, query, ecs);
}

// AXFR (and IXFR, answered as AXFR) over TCP to clients the zone's ACL allows (RFC 5936 §5).
void QueryProcessor::answer_transfer(const ParsedQuery& query, std::span<const std::uint8_t> packet,
                                     const ClientInfo& client, EmitResponse emit) {
  std::span<std::uint8_t> buffer(buffer_.data(), buffer_.size());
  auto qname = zone::Name::from_valid_wire(query.qname_wire());
  // A secondary gets the version of its view, chosen by its address (not by an ECS option).
  const std::size_t view = state_->policy.views.choose(source_address(client)).view;
  const zone::ZoneSet& zones = *state_->view_zones[view];
  std::shared_ptr<const zone::Zone> zone = zones.get(qname);
  auto acl = state_->transfer_acls.find(qname);
  std::uint16_t refusal = rcode::NOERROR;
  if (zone == nullptr) {
    // Not a zone apex we serve: NOTAUTH when we serve the name inside a zone, else REFUSED.
    refusal = zones.find(qname) != nullptr ? rcode::NOTAUTH : rcode::REFUSED;
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
