// The iterative resolver (RFC 1034 §5.3.3): from the root hints or the deepest cached
// delegation, follow referrals down to the servers of the name's zone, and follow CNAME/DNAME
// chains across zones, until an answer, NXDOMAIN or NODATA; cache what was learnt on the way.
//
// Shape: an asio coroutine, `co_await iterator.resolve(question)`, on one worker's io_context.
// The Iterator is per worker (its transport and in-flight map are not thread-safe); the caches
// it is given are shared by all workers (they lock inside).
//
// What it believes (RFC 5452 §6, Unbound's scrubber): every response is scrubbed against the zone
// of the server that sent it (bailiwick.hpp) before it is classified or cached; accepted data is
// cached with its trust level (RFC 2181 §5.4.1); answers are given from cache only from answer
// data (trust >= kAnswer), never from glue or referral NS.
//
// QNAME minimisation (RFC 9156), relaxed like Unbound's default:
// - A server for zone Z is asked about Z plus one more label of the name, QTYPE A (RFC 9156 §3
//   recommends A over NS: some servers answer NS queries badly, and A looks like any query),
//   one label at a time, until the full name is reached; then the real QTYPE is sent.
// - At most `max_minimise_queries` (10) extra queries per resolution; after that the full name
//   is sent at once (simpler than Unbound's MINIMISE_ONE_LAB/MAX_MINIMISE_COUNT spreading).
// - NXDOMAIN for a minimised name is not trusted (nor cached): broken servers return it for
//   empty non-terminals, and RFC 9156 §4 / RFC 8020 would let it deny the whole subtree; without
//   DNSSEC to prove it, the full name is asked instead. Errors, timeouts and lame answers to a
//   minimised query also fall back to the full name (relaxed mode).
//
// Serve-stale (RFC 8767): when a resolution fails, expired data still within the cache's
// stale-max-age answers it, with TTL 30 (result.stale). Prefetch signals from the cache are not
// acted on here; the daemon's resolver stage can re-resolve when a hit says so.
//
// Limits (resolver_limits.hpp) bound the work per client question: CNAME steps, referrals,
// nested glueless look-ups, upstream queries and wall time; sub-queries share the budget.
//
// Concurrent identical questions (qname, qtype, qclass) share one resolution: later callers wait
// for the first one's result. Glueless sub-queries do not join that map (a sub-query waiting on a
// resolution that waits on it would never finish); loops between them are found by the set of
// look-ups in progress instead.
//
// EDNS Client Subnet (RFC 7871, ecs_policy.hpp): the question's subnet goes to the servers the
// policy allows, for the client's own name only (not QNAME-minimised steps, glueless look-ups or
// priming). A response's option must match what was sent, else it is dropped (§7.3); REFUSED or
// FORMERR to ECS is retried at once without it and the server remembered (infra cache). A reply
// with SCOPE > 0 is tailored: its answer section is not put in the RRset cache, and the result
// says its scope, so the caller keeps it per subnet.
#pragma once

#include <utility>  // before asio's awaitable with g++ 12 and Boost 1.74

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "server/resolver/bailiwick.hpp"
#include "server/resolver/clock.hpp"
#include "server/resolver/delegation_point.hpp"
#include "server/resolver/ecs_policy.hpp"
#include "server/resolver/infra_cache.hpp"
#include "server/resolver/negative_cache.hpp"
#include "server/resolver/resolver_limits.hpp"
#include "server/resolver/root_hints.hpp"
#include "server/resolver/rrset_cache.hpp"
#include "server/resolver/secure_random.hpp"
#include "server/resolver/upstream.hpp"
#include "zone/name.hpp"
#include "zone/response_view.hpp"

namespace hayate::server::resolver {

struct Question {
  zone::Name qname;
  std::uint16_t qtype = 1;
  std::uint16_t qclass = 1;
  // EDNS Client Subnet (ecs_policy.hpp): the subnet servers allowed to get ECS are sent, already
  // cut to our maximum; nullopt: no ECS at all. Questions differing only here resolve apart.
  std::optional<zone::ClientSubnet> ecs;
};

// The in-flight key of a question: name, type, class, and the ECS subnet when one is sent.
std::string question_key(const Question& question);

struct ResolveResult {
  std::uint16_t rcode = 2;                  // SERVFAIL until something better is known
  std::vector<zone::ResponseRRset> answer;  // the CNAME/DNAME chain, then the data
  std::optional<zone::ResponseRRset> soa;   // negative answers: for the authority section
  bool from_cache = false;                  // no upstream query was needed
  bool stale = false;                       // served from expired data (RFC 8767)
  unsigned upstream_queries = 0;            // sent for this question, sub-queries included
  std::string failure;                      // why SERVFAIL, for logs and tests
  // RFC 7871: > 0 when the answer is tailored to question.ecs cut to this many bits (it was not
  // put in the RRset cache; the resolver stage keeps it in the subnet cache). 0: for everyone.
  std::uint8_t ecs_scope = 0;
  unsigned ecs_queries = 0;  // upstream queries that carried ECS
};

// The caches and transport one worker's iterator uses.
struct IteratorServices {
  UpstreamTransport& transport;
  RrsetCache& rrsets;
  NegativeCache& negatives;
  InfraCache& infra;
  const EcsSettings* ecs = nullptr;  // null: never send ECS
};

class Iterator {
 public:
  Iterator(IteratorServices services, RootHints hints = builtin_root_hints(),
           ResolverLimits limits = {}, ClockFunction clock = steady_clock_function());
  ~Iterator();
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;

  boost::asio::awaitable<ResolveResult> resolve(Question question);

  std::size_t in_flight() const { return pending_.size(); }
  const ResolverLimits& limits() const { return limits_; }

 private:
  struct Pending;
  struct Resolution;
  struct Reply;
  struct Step;
  struct Attempt;

  boost::asio::awaitable<ResolveResult> wait_for(Pending& pending);
  boost::asio::awaitable<ResolveResult> resolve_chain(Resolution& res, Question question);
  bool answer_from_cache(const zone::Name& name, const Question& question, ResolveResult& result,
                         std::optional<zone::Name>& next, bool stale);
  std::optional<ResolveResult> serve_stale(const Question& question);
  boost::asio::awaitable<Step> iterate(Resolution& res, zone::Name name, std::uint16_t qtype,
                                       std::uint16_t qclass);
  bool needs_priming(const DelegationPoint& dp, const zone::Name& name, std::uint16_t qtype,
                     std::uint16_t qclass);
  boost::asio::awaitable<void> prime(std::uint16_t qclass);
  boost::asio::awaitable<std::optional<Reply>> ask_servers(Resolution& res, DelegationPoint& dp,
                                                           const Attempt& attempt);
  boost::asio::awaitable<std::optional<Reply>> ask_one(Resolution& res, const DelegationPoint& dp,
                                                       const Attempt& attempt,
                                                       const UpstreamAddress& server);
  boost::asio::awaitable<bool> find_server_address(Resolution& res, DelegationPoint& dp,
                                                   std::uint16_t qclass);
  boost::asio::awaitable<std::vector<UpstreamAddress>> lookup_addresses(Resolution& res,
                                                                        zone::Name name,
                                                                        std::uint16_t qclass);
  bool sends_ecs(const Resolution& res, const DelegationPoint& dp, const Attempt& attempt,
                 const UpstreamAddress& server);
  Step finish_step(Resolution& res, const Reply& reply, const zone::Name& zone, std::uint16_t qtype,
                   std::uint16_t qclass);
  void cache_answer(const ScrubbedResponse& scrubbed, bool tailored);
  void cache_referral(const ScrubbedResponse& scrubbed);
  std::optional<zone::ResponseRRset> cache_negative(const ScrubbedResponse& scrubbed, bool nxdomain,
                                                    std::uint16_t qtype, std::uint16_t qclass);
  bool within_budget(Resolution& res) const;

  IteratorServices services_;
  RootHints hints_;
  ResolverLimits limits_;
  ClockFunction clock_;
  SecureRandom random_;
  std::unordered_map<std::string, std::shared_ptr<Pending>> pending_;
};

}  // namespace hayate::server::resolver
