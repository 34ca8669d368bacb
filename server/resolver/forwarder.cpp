#include "server/resolver/forwarder.hpp"

#include <algorithm>
#include <exception>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/resolver/cache_answer.hpp"
#include "zone/message.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server::resolver {
namespace {

namespace asio = boost::asio;
namespace rr_type = zone::rr_type;
namespace rcode = zone::rcode;
using std::chrono::milliseconds;

constexpr unsigned kMaxChain = 16;  // CNAME/DNAME steps read from one answer

// An upstream resolver may itself have to resolve the name (hundreds of milliseconds) while its
// round-trip time is a few: an RTT-based timeout alone would fail over from a healthy forwarder.
constexpr milliseconds kMinForwardTimeout{1000};

const zone::ResponseRRset* find_dname_above(const zone::ResponseView& view, const zone::Name& name,
                                            std::uint16_t qclass) {
  for (const zone::ResponseRRset& r : view.section(zone::Section::kAnswer)) {
    if (r.type == rr_type::DNAME && r.rclass == qclass && !(r.owner == name) &&
        name.is_subdomain_of(r.owner)) {
      return &r;
    }
  }
  return nullptr;
}

}  // namespace

struct Forwarder::Pending {
  explicit Pending(const asio::any_io_executor& executor) : done(executor) {
    done.expires_at(asio::steady_timer::time_point::max());
  }
  asio::steady_timer done;  // cancelled when `result` is set
  std::optional<ResolveResult> result;
};

Forwarder::Forwarder(ForwarderServices services, std::shared_ptr<const ForwardTable> table,
                     ForwarderOptions options)
    : services_(services), table_(std::move(table)), options_(options) {}

asio::awaitable<ResolveResult> Forwarder::resolve(Question question) {
  const std::string key = question_key(question);
  if (auto it = pending_.find(key); it != pending_.end()) {
    // Named values, no `co_return co_await` and no by-value shared_ptr parameter: g++ 12
    // mishandles temporaries there (the iterator met it under ASan).
    std::shared_ptr<Pending> leader = it->second;
    ResolveResult shared = co_await wait_for(*leader);
    co_return shared;
  }
  auto pending = std::make_shared<Pending>(co_await asio::this_coro::executor);
  pending_.emplace(key, pending);
  ResolveResult result;
  try {
    result = co_await forward(question);
  } catch (const std::exception& e) {
    result = ResolveResult{};
    result.failure = std::string("internal error: ") + e.what();
  }
  pending_.erase(key);
  pending->result = result;
  pending->done.cancel();
  co_return result;
}

// `pending` stays alive: the caller holds a shared_ptr to it across the wait.
asio::awaitable<ResolveResult> Forwarder::wait_for(Pending& pending) {
  while (!pending.result) {
    boost::system::error_code ignored;
    co_await pending.done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  ResolveResult result = *pending.result;
  result.upstream_queries = 0;  // the first asker's; not ours to count again
  co_return result;
}

asio::awaitable<ResolveResult> Forwarder::forward(const Question& question) {
  ResolveResult result;
  const ForwardZone* zone = table_->find(question.qname);
  if (zone == nullptr) {
    result.failure = "no forwarder configured for this name";
    co_return result;
  }
  const auto deadline = Clock::now() + options_.timeout;
  unsigned queries = 0;
  unsigned ecs_queries = 0;
  for (const UpstreamAddress& server : order(*zone)) {
    const auto now = Clock::now();
    if (now >= deadline) break;
    auto answer = co_await ask(question, *zone, server,
                               std::chrono::duration_cast<milliseconds>(deadline - now), queries,
                               ecs_queries);
    if (answer) {
      ResolveResult found = std::move(*answer);
      found.upstream_queries = queries;
      found.ecs_queries = ecs_queries;
      co_return found;
    }
  }
  if (options_.serve_stale) {
    if (auto stale = answer_from_caches(services_.rrsets, services_.negatives, question,
                                        CacheAnswerOptions{.stale = true})) {
      ResolveResult old = std::move(*stale);
      old.upstream_queries = queries;
      old.ecs_queries = ecs_queries;
      old.stale = true;  // RFC 8767 §4: TTL 30 came from the caches
      co_return old;
    }
  }
  result.upstream_queries = queries;
  result.ecs_queries = ecs_queries;
  result.failure = "every upstream failed";
  co_return result;
}

// Healthy upstreams first, in configured order; those the infra cache marks down (timeouts) or
// lame for this zone (REFUSED) after them, still in order, as the last resort.
std::vector<UpstreamAddress> Forwarder::order(const ForwardZone& zone) {
  std::vector<UpstreamAddress> servers = zone.servers;
  std::stable_partition(servers.begin(), servers.end(), [&](const UpstreamAddress& s) {
    auto info = services_.infra.info(s);
    return !(info && info->down) && !services_.infra.is_lame(s, zone.name);
  });
  return servers;
}

asio::awaitable<std::optional<ResolveResult>> Forwarder::ask(const Question& question,
                                                             const ForwardZone& zone,
                                                             const UpstreamAddress& server,
                                                             milliseconds budget, unsigned& queries,
                                                             unsigned& ecs_queries) {
  bool ecs = question.ecs && services_.ecs != nullptr &&
             ecs_allowed_for_upstream(*services_.ecs, server) &&
             !services_.infra.ecs_unwanted(server);
  const auto start = Clock::now();
  zone::ResponseView view;
  std::uint8_t scope = 0;
  for (;;) {
    ++queries;
    UpstreamQuery query;
    query.qname = question.qname;
    query.qtype = question.qtype;
    query.qclass = question.qclass;
    query.recursion_desired = true;  // the upstream resolves for us
    query.udp_payload_size = options_.udp_payload_size;
    query.server = server;
    if (ecs) {
      query.edns_options = ecs_options_area(*question.ecs);
      ++ecs_queries;
    }
    const milliseconds left =
        budget - std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    query.timeout = std::min(std::max(left, milliseconds(1)),
                             std::max(services_.infra.timeout_for(server), kMinForwardTimeout));
    UpstreamResult reply = co_await async_query(services_.transport, query, asio::use_awaitable);
    if (reply.status != UpstreamStatus::kOk ||
        zone::parse_response(reply.response, view) != zone::ResponseError::kOk) {
      count_failure();
      co_return std::nullopt;
    }
    // RFC 7871: an upstream that refuses ECS is asked again without it, and left alone a while.
    if (ecs && (view.rcode == rcode::REFUSED || view.rcode == rcode::FORMERR)) {
      services_.infra.mark_ecs_unwanted(server, services_.ecs->unwanted_ttl);
      ecs = false;
      continue;
    }
    if (ecs) {
      // RFC 7871 §7.3: an option that does not echo what was sent: not an answer to our query.
      EcsReplyCheck check = check_ecs_reply(view, *question.ecs);
      if (!check.accepted) {
        count_failure();
        co_return std::nullopt;
      }
      scope = check.scope;
    }
    break;
  }
  if (!zone::response_matches_question(view, question.qname, question.qtype, question.qclass)) {
    count_failure();
    co_return std::nullopt;
  }
  if (view.rcode != rcode::NOERROR && view.rcode != rcode::NXDOMAIN) {
    // SERVFAIL: that upstream could not resolve it; another may. REFUSED: it will not serve us.
    if (view.rcode == rcode::REFUSED)
      services_.infra.mark_lame(server, zone.name, options_.refused_avoid);
    count_failure();
    co_return std::nullopt;
  }
  ResolveResult accepted = accept(view, question, scope);
  co_return accepted;
}

// Keeps the chain from the question's name and nothing else (RFC 5452 §6: data the question did
// not lead to could be an attempt to poison the cache).
// A tailored answer (ECS scope > 0) is returned but not put in the RRset cache (RFC 7871 §7.3.1).
ResolveResult Forwarder::accept(const zone::ResponseView& view, const Question& question,
                                std::uint8_t ecs_scope) {
  ResolveResult result;
  result.rcode = view.rcode;
  const Trust trust = trust_for(zone::Section::kAnswer, view.header.has(zone::flag::AA));
  auto keep = [&](const zone::ResponseRRset& rrset) {
    if (ecs_scope == 0) services_.rrsets.insert(rrset, trust);
    result.answer.push_back(rrset);
  };
  zone::Name name = question.qname;
  bool has_data = false;
  for (unsigned step = 0; step <= kMaxChain && !has_data; ++step) {
    if (question.qtype == rr_type::ANY) {
      for (const zone::ResponseRRset& r : view.section(zone::Section::kAnswer)) {
        if (r.owner == name && r.rclass == question.qclass) keep(r), has_data = true;
      }
      break;
    }
    if (const auto* data =
            view.find(zone::Section::kAnswer, name, question.qtype, question.qclass)) {
      keep(*data);
      has_data = true;
      break;
    }
    if (const auto* dname = find_dname_above(view, name, question.qclass)) keep(*dname);
    const auto* cname = view.find(zone::Section::kAnswer, name, rr_type::CNAME, question.qclass);
    if (cname == nullptr || cname->rdatas.empty()) break;
    keep(*cname);
    name = zone::Name::from_valid_wire(cname->rdatas.front());
  }
  if (!has_data && question.qtype != rr_type::ANY &&
      (view.rcode == rcode::NXDOMAIN || view.rcode == rcode::NOERROR)) {
    cache_negative(view, name, question, result);
  }
  // RFC 7871 §7.4: negative answers are not tailored.
  if (result.rcode == rcode::NOERROR && !result.answer.empty() && !result.soa)
    result.ecs_scope = ecs_scope;
  return result;
}

// RFC 2308 §5: NXDOMAIN and NODATA are cached when the authority section has the zone's SOA; the
// SOA must be at or above the name denied (else it is some other zone's and proves nothing).
void Forwarder::cache_negative(const zone::ResponseView& view, const zone::Name& name,
                               const Question& question, ResolveResult& result) {
  for (const zone::ResponseRRset& soa : view.section(zone::Section::kAuthority)) {
    if (soa.type != rr_type::SOA || soa.rclass != question.qclass || soa.rdatas.empty() ||
        !name.is_subdomain_of(soa.owner)) {
      continue;
    }
    const bool nxdomain = view.rcode == rcode::NXDOMAIN;
    NegativeAnswer answer{nxdomain ? NegativeKind::kNxDomain : NegativeKind::kNoData,
                          name,
                          nxdomain ? std::uint16_t{0} : question.qtype,
                          question.qclass,
                          soa.owner,
                          soa.ttl,
                          soa.rdatas.front()};
    services_.negatives.insert(std::move(answer));
    zone::ResponseRRset shown = soa;
    shown.rdatas.resize(1);
    shown.ttl = negative_ttl(soa.ttl, soa.rdatas.front()).value_or(soa.ttl);
    result.soa = std::move(shown);
    return;
  }
}

void Forwarder::count_failure() {
  if (services_.stats != nullptr) WorkerStats::bump(services_.stats->upstream_failures);
}

}  // namespace hayate::server::resolver
