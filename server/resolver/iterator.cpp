#include "server/resolver/iterator.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/resolver/cache_answer.hpp"
#include "zone/message.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server::resolver {

namespace asio = boost::asio;
namespace rr_type = zone::rr_type;
namespace rcode = zone::rcode;

// Callers waiting for an in-flight resolution of the same question.
struct Iterator::Pending {
  std::vector<std::function<void(ResolveResult)>> waiters;
};

// The budget of one client question, shared by its CNAME restarts and glueless sub-queries.
struct Iterator::Resolution {
  SteadyTime deadline;
  unsigned queries = 0;
  unsigned depth = 0;  // nesting of glueless look-ups
  unsigned minimise_left = 0;
  std::vector<std::pair<zone::Name, std::uint16_t>> in_progress;  // look-ups on the stack
  std::string failure;
  std::optional<zone::ClientSubnet> ecs;  // the client question's subnet (Question::ecs)
  std::uint8_t ecs_scope = 0;             // the longest scope of the tailored links so far
  unsigned ecs_queries = 0;
};

// One question as put to the servers of one zone.
struct Iterator::Attempt {
  zone::Name name;
  std::uint16_t qtype = rr_type::A;
  std::uint16_t qclass = 1;
  bool minimised = false;  // `name` is an ancestor of the real name (RFC 9156)
};

// A usable response: scrubbed, classified, from `server`.
struct Iterator::Reply {
  ScrubbedResponse scrubbed;
  ResponseKind kind = ResponseKind::kError;
  UpstreamAddress server;
  std::uint8_t ecs_scope = 0;  // > 0: the answer is tailored to the subnet sent (RFC 7871)
};

// The outcome of iterating for one name (one link of a CNAME chain).
struct Iterator::Step {
  ResponseKind kind = ResponseKind::kError;  // kAnswer, kAlias, kNxDomain, kNoData or kError
  std::vector<zone::ResponseRRset> answer;
  zone::Name next;  // where the chain stopped (kAlias: resolve it next)
  std::optional<zone::ResponseRRset> soa;
};

namespace {

ResolveResult& fail(ResolveResult& result, std::string reason) {
  result.rcode = rcode::SERVFAIL;
  result.failure = std::move(reason);
  return result;
}

// True when `name` already owns a CNAME in the chain: following it again would loop.
bool owns_cname(const std::vector<zone::ResponseRRset>& chain, const zone::Name& name) {
  return std::any_of(chain.begin(), chain.end(), [&](const zone::ResponseRRset& rrset) {
    return rrset.type == rr_type::CNAME && rrset.owner == name;
  });
}

zone::ResponseRRset from_hit(const RRsetHit& hit) {
  const CachedRRset& rrset = *hit.rrset;
  return zone::ResponseRRset{rrset.owner, rrset.type, rrset.rclass, hit.ttl, rrset.rdatas};
}

zone::ResponseRRset soa_from_hit(const NegativeHit& hit) {
  const NegativeAnswer& answer = hit.entry->answer;
  return zone::ResponseRRset{
      answer.soa_owner, rr_type::SOA, answer.rclass, hit.ttl, {answer.soa_rdata}};
}

}  // namespace

std::string question_key(const Question& question) {
  std::string key = rrset_cache_key(question.qname, question.qtype, question.qclass);
  if (question.ecs) key += " ecs " + subnet_to_text(*question.ecs);
  return key;
}

Iterator::Iterator(IteratorServices services, RootHints hints, ResolverLimits limits,
                   ClockFunction clock)
    : services_(services), hints_(std::move(hints)), limits_(limits), clock_(std::move(clock)) {}

// A question waiting for an identical one in flight (wait_for) is held by that one's waiter list
// while its frame holds the list's owner: a cycle that only the leader's end breaks. Destroyed
// mid-flight (the daemon stopping), the waiters are let go here; otherwise their coroutines,
// and everything they hold, would never be freed (LeakSanitizer found them after a soak run).
Iterator::~Iterator() {
  for (auto& [key, pending] : pending_) {
    auto waiters = std::move(pending->waiters);  // the map entry keeps `pending` alive meanwhile
    waiters.clear();
  }
}

asio::awaitable<ResolveResult> Iterator::resolve(Question question) {
  std::string key = question_key(question);
  if (auto found = pending_.find(key); found != pending_.end()) {
    // Named values, no `co_return co_await`: g++ 12 mishandles temporaries there.
    std::shared_ptr<Pending> leader = found->second;
    ResolveResult shared = co_await wait_for(*leader);
    co_return shared;
  }
  auto pending = std::make_shared<Pending>();
  pending_.emplace(key, pending);

  Resolution res;
  res.deadline = clock_() + limits_.timeout;
  res.minimise_left = limits_.max_minimise_queries;
  res.in_progress.emplace_back(question.qname, question.qtype);
  res.ecs = question.ecs;
  ResolveResult result;
  try {
    result = co_await resolve_chain(res, question);
  } catch (const std::exception& error) {
    // Nothing below is expected to throw but allocation; the waiters must be released anyway.
    fail(result, error.what());
  }
  result.upstream_queries = res.queries;
  result.ecs_queries = res.ecs_queries;
  result.from_cache = res.queries == 0;
  // RFC 7871 §7.4: only answers are tailored; a negative end of the chain is for everyone.
  if (result.rcode == rcode::NOERROR && !result.answer.empty() && !result.soa)
    result.ecs_scope = res.ecs_scope;
  if (result.rcode == rcode::SERVFAIL && limits_.serve_stale) {
    if (auto stale = serve_stale(question)) {
      stale->upstream_queries = res.queries;
      stale->ecs_queries = res.ecs_queries;
      result = std::move(*stale);
    }
  }

  pending_.erase(key);
  for (auto& waiter : pending->waiters)
    waiter(result);
  co_return result;
}

// `pending` stays alive: the caller holds a reference to it across the wait.
asio::awaitable<ResolveResult> Iterator::wait_for(Pending& pending) {
  ResolveResult result =
      co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(ResolveResult)>(
          [&pending](auto handler) {
            // As async_query: std::function needs a copyable target, asio handlers are move-only.
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            pending.waiters.push_back([shared](ResolveResult result) {
              auto executor = asio::get_associated_executor(*shared);
              asio::post(executor,
                         [shared, r = std::move(result)]() mutable { (*shared)(std::move(r)); });
            });
          },
          asio::use_awaitable);
  co_return result;
}

// RFC 1034 §5.3.3 step 1 and the restarts of §3.6.2/§4.3.2: answer what the cache knows, iterate
// for the rest, and restart at each alias target, at most max_cname_chain times.
asio::awaitable<ResolveResult> Iterator::resolve_chain(Resolution& res, Question question) {
  ResolveResult result;
  zone::Name name = question.qname;
  for (unsigned step = 0;; ++step) {
    if (step > limits_.max_cname_chain) co_return fail(result, "CNAME chain too long");
    if (step > 0 && owns_cname(result.answer, name)) co_return fail(result, "CNAME loop");
    std::optional<zone::Name> next;
    if (answer_from_cache(name, question, result, next, false)) {
      if (!next) co_return result;
      name = std::move(*next);
      continue;
    }
    Step link = co_await iterate(res, name, question.qtype, question.qclass);
    result.answer.insert(result.answer.end(), link.answer.begin(), link.answer.end());
    switch (link.kind) {
      case ResponseKind::kAnswer:
        result.rcode = rcode::NOERROR;
        co_return result;
      case ResponseKind::kAlias:
        name = std::move(link.next);
        continue;
      case ResponseKind::kNxDomain:
      case ResponseKind::kNoData:
        if (owns_cname(result.answer, link.next)) co_return fail(result, "CNAME loop");
        result.rcode = link.kind == ResponseKind::kNxDomain ? rcode::NXDOMAIN : rcode::NOERROR;
        result.soa = std::move(link.soa);
        co_return result;
      default:
        co_return fail(result, res.failure.empty() ? "no usable answer" : res.failure);
    }
  }
}

// Answers `name` from the cache: data of the asked type, a CNAME to follow (`next`), or a
// negative entry (RFC 2308 §5, RFC 8020 cuts). Only answer-grade data is given to clients: glue
// and referral NS are for iterating (RFC 2181 §5.4.1).
bool Iterator::answer_from_cache(const zone::Name& name, const Question& question,
                                 ResolveResult& result, std::optional<zone::Name>& next,
                                 bool stale) {
  auto rrset = [&](std::uint16_t type) {
    return stale ? services_.rrsets.lookup_stale(name, type, question.qclass)
                 : services_.rrsets.lookup(name, type, question.qclass);
  };
  auto data = rrset(question.qtype);
  if (data && data->rrset->trust >= Trust::kAnswer) {
    result.answer.push_back(from_hit(*data));
    result.rcode = rcode::NOERROR;
    return true;
  }
  if (question.qtype != rr_type::CNAME) {
    auto alias = rrset(rr_type::CNAME);
    if (alias && alias->rrset->trust >= Trust::kAnswer && alias->rrset->rdatas.size() == 1) {
      if (auto target = rdata_name(alias->rrset->rdatas.front())) {
        // RFC 6672 §3.4: a CNAME made from a DNAME goes out behind that DNAME.
        auto lookup_dname = [&](const zone::Name& owner) -> std::optional<RRsetHit> {
          auto hit = stale ? services_.rrsets.lookup_stale(owner, rr_type::DNAME, question.qclass)
                           : services_.rrsets.lookup(owner, rr_type::DNAME, question.qclass);
          if (!hit || hit->rrset->trust < Trust::kAnswer) return std::nullopt;
          return hit;
        };
        if (auto dname = dname_behind(name, alias->rrset->rdatas.front(), lookup_dname)) {
          result.answer.push_back(from_hit(*dname));
        }
        result.answer.push_back(from_hit(*alias));
        next = std::move(*target);
        return true;
      }
    }
  }
  auto negative = stale ? services_.negatives.lookup_stale(name, question.qtype, question.qclass)
                        : services_.negatives.lookup(name, question.qtype, question.qclass);
  if (!negative) return false;
  bool nxdomain = negative->entry->answer.kind == NegativeKind::kNxDomain;
  result.rcode = nxdomain ? rcode::NXDOMAIN : rcode::NOERROR;
  result.soa = soa_from_hit(*negative);
  return true;
}

// RFC 8767 §4: when resolution fails, answer from data that expired less than stale-max-age
// ago (TTL 30), following a cached CNAME chain as a fresh answer would.
std::optional<ResolveResult> Iterator::serve_stale(const Question& question) {
  ResolveResult result;
  result.stale = true;
  zone::Name name = question.qname;
  for (unsigned step = 0; step <= limits_.max_cname_chain; ++step) {
    std::optional<zone::Name> next;
    if (!answer_from_cache(name, question, result, next, true)) return std::nullopt;
    if (!next) return result;
    if (owns_cname(result.answer, *next)) return std::nullopt;
    name = std::move(*next);
  }
  return std::nullopt;
}

namespace {

// The question to put to the servers of a zone: with QNAME minimisation, the name cut to
// `labels` labels and QTYPE A (RFC 9156 §3), until the full name is reached.
bool next_is_minimised(const zone::Name& name, std::size_t labels, bool minimise) {
  return minimise && labels < name.label_count();
}

}  // namespace

// RFC 1034 §5.3.3 steps 2–4 for one name: start at the closest known delegation and follow
// referrals until a server of the name's zone answers.
asio::awaitable<Iterator::Step> Iterator::iterate(Resolution& res, zone::Name name,
                                                  std::uint16_t qtype, std::uint16_t qclass) {
  DelegationPoint dp = closest_delegation(services_.rrsets, hints_, name, qtype, qclass);
  if (needs_priming(dp, name, qtype, qclass)) {
    co_await prime(qclass);
    dp = closest_delegation(services_.rrsets, hints_, name, qtype, qclass);
  }
  bool minimise = limits_.qname_minimisation;
  std::size_t labels = dp.zone.label_count() + 1;  // of the next minimised name
  unsigned referrals = 0;
  for (;;) {
    Attempt attempt{name, qtype, qclass, false};
    if (next_is_minimised(name, labels, minimise && res.minimise_left > 0)) {
      attempt = Attempt{name.suffix(labels), rr_type::A, qclass, true};
      --res.minimise_left;
    }
    auto reply = co_await ask_servers(res, dp, attempt);
    if (!reply) {
      // Relaxed mode: a zone that cannot answer minimised questions is asked the full one.
      if (attempt.minimised && within_budget(res)) {
        minimise = false;
        continue;
      }
      co_return Step{};
    }
    if (reply->kind == ResponseKind::kReferral) {
      if (++referrals > limits_.max_referrals) {
        res.failure = "too many referrals";
        co_return Step{};
      }
      cache_referral(reply->scrubbed);
      dp = delegation_from_referral(reply->scrubbed, services_.rrsets);
      labels = dp.zone.label_count() + 1;
      continue;
    }
    if (attempt.minimised) {
      // RFC 9156 §4: NXDOMAIN for an ancestor would deny the name (RFC 8020), but servers that
      // mishandle empty non-terminals send it wrongly; without DNSSEC, ask the full name.
      if (reply->kind == ResponseKind::kNxDomain)
        minimise = false;
      else
        ++labels;  // the name exists in this zone without a cut: one label deeper
      continue;
    }
    co_return finish_step(res, *reply, dp.zone, qtype, qclass);
  }
}

// RFC 8109 §3: the hints are only a starting point. Before the first resolution that would
// start from them (and again whenever the cached root NS RRset or its addresses have expired),
// ask them for the root's NS RRset; the answer and its addresses (additional section) are
// cached, so the resolver follows the root servers as they are now, and hints that are right
// about a single server are enough. The priming question itself, and one already in flight,
// are not primed again (concurrent resolutions share the one priming query through resolve()).
bool Iterator::needs_priming(const DelegationPoint& dp, const zone::Name& name, std::uint16_t qtype,
                             std::uint16_t qclass) {
  if (!limits_.prime_root || !dp.zone.is_root()) return false;
  if (name.is_root() && qtype == rr_type::NS) return false;
  auto cached = delegation_from_cache(services_.rrsets, dp.zone, qclass);
  return !cached || !cached->usable();
}

asio::awaitable<void> Iterator::prime(std::uint16_t qclass) {
  Question priming{zone::Name{}, rr_type::NS, qclass, std::nullopt};
  ResolveResult primed = co_await resolve(std::move(priming));
  // A failed priming leaves the hints in use: resolution goes on with them (RFC 8109 §3 does
  // not make the hints unusable when priming fails).
  (void)primed;
}

// Asks the servers of `dp`, best first by the infra cache's choice, until one gives a usable
// response; each address at most tries_per_server times. Addresses of glueless servers are
// looked up when the known ones are used up.
asio::awaitable<std::optional<Iterator::Reply>> Iterator::ask_servers(Resolution& res,
                                                                      DelegationPoint& dp,
                                                                      const Attempt& attempt) {
  std::vector<UpstreamAddress> tried;
  for (;;) {
    if (!within_budget(res)) co_return std::nullopt;
    std::vector<UpstreamAddress> candidates;
    for (const auto& address : dp.addresses(limits_))
      if (std::count(tried.begin(), tried.end(), address) < limits_.tries_per_server)
        candidates.push_back(address);
    std::optional<std::size_t> pick;
    if (!candidates.empty()) pick = services_.infra.select(candidates, &dp.zone, random_);
    if (!pick) {
      if (co_await find_server_address(res, dp, attempt.qclass)) continue;
      if (res.failure.empty()) res.failure = "no server for " + dp.zone.to_text() + " answered";
      co_return std::nullopt;
    }
    UpstreamAddress server = candidates[*pick];
    tried.push_back(server);
    auto reply = co_await ask_one(res, dp, attempt, server);
    if (reply) co_return reply;
  }
}

// Whether this query to `server` carries the question's ECS subnet: the client's own name only
// (not a QNAME-minimised step, RFC 9156, nor a glueless look-up), to a server the policy allows
// (never root or TLD) and that has not refused ECS lately.
bool Iterator::sends_ecs(const Resolution& res, const DelegationPoint& dp, const Attempt& attempt,
                         const UpstreamAddress& server) {
  return res.ecs && services_.ecs != nullptr && res.depth == 0 && !attempt.minimised &&
         ecs_allowed_for_zone(*services_.ecs, dp.zone, server) &&
         !services_.infra.ecs_unwanted(server);
}

// One exchange with one server. Nothing of a response is used before it matches the question
// (RFC 5452 §9.1) and has been scrubbed against the server's zone (RFC 5452 §6).
asio::awaitable<std::optional<Iterator::Reply>> Iterator::ask_one(Resolution& res,
                                                                  const DelegationPoint& dp,
                                                                  const Attempt& attempt,
                                                                  const UpstreamAddress& server) {
  bool ecs = sends_ecs(res, dp, attempt, server);
  zone::ResponseView view;
  std::uint8_t scope = 0;
  for (;;) {
    ++res.queries;
    UpstreamQuery query;
    query.qname = attempt.name;
    query.qtype = attempt.qtype;
    query.qclass = attempt.qclass;
    query.recursion_desired = false;  // RFC 1034 §5.3.3: iterative queries
    query.server = server;
    if (ecs) {
      query.edns_options = ecs_options_area(*res.ecs);
      ++res.ecs_queries;
    }
    // The transport's own choice (the server's RTO), but never past the resolution's deadline.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(res.deadline - clock_());
    query.timeout =
        std::min(services_.infra.timeout_for(server), std::max(left, std::chrono::milliseconds(1)));
    UpstreamResult result = co_await async_query(services_.transport, query, asio::use_awaitable);
    if (result.status != UpstreamStatus::kOk) co_return std::nullopt;  // timeout: infra learnt it
    if (zone::parse_response(result.response, view) != zone::ResponseError::kOk)
      co_return std::nullopt;
    // RFC 7871: a server that refuses ECS is asked again without it, and left alone for a while.
    if (ecs && (view.rcode == rcode::REFUSED || view.rcode == rcode::FORMERR) &&
        within_budget(res)) {
      services_.infra.mark_ecs_unwanted(server, services_.ecs->unwanted_ttl);
      ecs = false;
      continue;
    }
    if (ecs) {
      // RFC 7871 §7.3: an option that does not echo what was sent is not an answer to it.
      EcsReplyCheck check = check_ecs_reply(view, *res.ecs);
      if (!check.accepted) co_return std::nullopt;
      scope = check.scope;
    }
    break;
  }
  if (view.header.opcode() != zone::opcode::QUERY ||
      !zone::response_matches_question(view, attempt.name, attempt.qtype, attempt.qclass))
    co_return std::nullopt;
  ScrubbedResponse scrubbed =
      scrub_response(view, dp.zone, attempt.name, attempt.qtype, limits_.max_cname_chain);
  ResponseKind kind = classify_response(scrubbed, dp.zone, attempt.qtype);
  // RFC 4697 §2.1: a server that refuses, or refers upwards or sideways, is lame for the zone.
  if (kind == ResponseKind::kLame ||
      (kind == ResponseKind::kError && scrubbed.rcode == rcode::REFUSED)) {
    services_.infra.mark_lame(server, dp.zone, limits_.lame_ttl);
    co_return std::nullopt;
  }
  if (kind == ResponseKind::kError) co_return std::nullopt;
  co_return Reply{std::move(scrubbed), kind, server, scope};
}

// Glueless delegations: looks up the address of one more server of `dp` (a sub-query sharing
// the budget). True when an address was found.
asio::awaitable<bool> Iterator::find_server_address(Resolution& res, DelegationPoint& dp,
                                                    std::uint16_t qclass) {
  for (auto& s : dp.servers) {
    if (!s.server.addresses.empty() || s.lookup_tried) continue;
    s.lookup_tried = true;
    // A server named inside the zone it serves, without glue, can only be found by asking that
    // zone's servers: a loop (RFC 1034 §4.2.1 is why glue exists).
    if (in_bailiwick(s.server.name, dp.zone)) continue;
    auto addresses = co_await lookup_addresses(res, s.server.name, qclass);
    if (addresses.empty()) continue;
    s.server.addresses = std::move(addresses);
    co_return true;
  }
  co_return false;
}

// A and, when there is none, AAAA of a server name, unless that look-up is already on the stack
// (delegations naming each other's servers without glue) or nests too deep.
asio::awaitable<std::vector<UpstreamAddress>> Iterator::lookup_addresses(Resolution& res,
                                                                         zone::Name name,
                                                                         std::uint16_t qclass) {
  std::vector<UpstreamAddress> out;
  if (res.depth >= limits_.max_subquery_depth) {
    res.failure = "glueless look-ups nested too deep";
    co_return out;
  }
  for (std::uint16_t type : {rr_type::A, rr_type::AAAA}) {
    bool allowed = type == rr_type::A ? limits_.use_ipv4 : limits_.use_ipv6;
    bool looping = std::any_of(res.in_progress.begin(), res.in_progress.end(),
                               [&](const auto& p) { return p.first == name && p.second == type; });
    if (!out.empty() || !allowed || looping) continue;
    res.in_progress.emplace_back(name, type);
    ++res.depth;
    // A named argument: g++ 12 destroys a temporary in a co_await expression twice.
    Question question{name, type, qclass, std::nullopt};
    ResolveResult sub = co_await resolve_chain(res, question);
    --res.depth;
    res.in_progress.pop_back();
    for (const auto& rrset : sub.answer)
      if (rrset.type == type) append_addresses(type, rrset.rdatas, out);
  }
  co_return out;
}

Iterator::Step Iterator::finish_step(Resolution& res, const Reply& reply, const zone::Name& zone,
                                     std::uint16_t qtype, std::uint16_t qclass) {
  const ScrubbedResponse& s = reply.scrubbed;
  // RFC 7871 §7.4: only the answer section is tailored; delegations and negative answers are not.
  const bool tailored = reply.ecs_scope > 0 &&
                        (reply.kind == ResponseKind::kAnswer || reply.kind == ResponseKind::kAlias);
  if (tailored) res.ecs_scope = std::max(res.ecs_scope, reply.ecs_scope);
  cache_answer(s, tailored);
  Step step;
  step.kind = reply.kind;
  step.answer = s.answer;
  step.next = s.chain_end;
  if (reply.kind == ResponseKind::kAlias && s.ns && s.ns->owner != zone) cache_referral(s);
  if (reply.kind == ResponseKind::kNxDomain || reply.kind == ResponseKind::kNoData)
    step.soa = cache_negative(s, reply.kind == ResponseKind::kNxDomain, qtype, qclass);
  return step;
}

// RFC 2181 §5.4.1 ranks: AA answer data above non-AA answers; the zone's own NS from an
// authoritative response as authority data.
// A tailored answer section (RFC 7871) stays out of the RRset cache: it is not for everyone.
void Iterator::cache_answer(const ScrubbedResponse& s, bool tailored) {
  Trust trust = trust_for(zone::Section::kAnswer, s.authoritative);
  if (!tailored)
    for (const auto& rrset : s.answer)
      services_.rrsets.insert(rrset, trust);
  if (s.ns && s.authoritative)
    services_.rrsets.insert(*s.ns, trust_for(zone::Section::kAuthority, true));
  // Addresses of the NS names, in bailiwick (scrubbed): server addresses for later delegations
  // (the root priming answer's, above all); never given to clients as answers (additional rank).
  for (const auto& glue : s.glue)
    services_.rrsets.insert(glue, Trust::kAdditional);
}

// Referral NS at authority rank, glue (only inside the delegated zone) at additional rank.
void Iterator::cache_referral(const ScrubbedResponse& s) {
  services_.rrsets.insert(*s.ns, Trust::kAuthority);
  for (const auto& glue : s.glue)
    if (in_bailiwick(glue.owner, s.ns->owner)) services_.rrsets.insert(glue, Trust::kAdditional);
}

// RFC 2308 §5: negative answers are cached with the SOA, for min(SOA TTL, MINIMUM); without a
// SOA they are not cached at all. Returns the SOA to put in the authority section.
std::optional<zone::ResponseRRset> Iterator::cache_negative(const ScrubbedResponse& s,
                                                            bool nxdomain, std::uint16_t qtype,
                                                            std::uint16_t qclass) {
  if (!s.soa) return std::nullopt;
  auto ttl = negative_ttl(s.soa->ttl, s.soa->rdatas.front());
  if (!ttl) return std::nullopt;
  NegativeAnswer answer;
  answer.kind = nxdomain ? NegativeKind::kNxDomain : NegativeKind::kNoData;
  answer.name = s.chain_end;
  answer.type = nxdomain ? 0 : qtype;
  answer.rclass = qclass;
  answer.soa_owner = s.soa->owner;
  answer.soa_ttl = s.soa->ttl;
  answer.soa_rdata = s.soa->rdatas.front();
  services_.negatives.insert(std::move(answer));
  zone::ResponseRRset soa = *s.soa;
  soa.ttl = *ttl;
  return soa;
}

bool Iterator::within_budget(Resolution& res) const {
  if (res.queries >= limits_.max_upstream_queries) {
    res.failure = "upstream query budget spent";
    return false;
  }
  if (clock_() >= res.deadline) {
    res.failure = "resolution timed out";
    return false;
  }
  return true;
}

}  // namespace hayate::server::resolver
