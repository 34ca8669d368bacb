#include "server/resolver/cache_answer.hpp"

#include "zone/message.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server::resolver {
namespace {

constexpr unsigned kMaxChain = 16;  // as ResolverLimits::max_cname_chain

zone::ResponseRRset to_response(const RRsetHit& hit) {
  const CachedRRset& r = *hit.rrset;
  return zone::ResponseRRset{r.owner, r.type, r.rclass, hit.ttl, r.rdatas};
}

zone::ResponseRRset soa_of(const NegativeHit& hit) {
  const NegativeAnswer& a = hit.entry->answer;
  return zone::ResponseRRset{a.soa_owner, zone::rr_type::SOA, a.rclass, hit.ttl, {a.soa_rdata}};
}

class ChainWalker {
 public:
  ChainWalker(RrsetCache& rrsets, NegativeCache& negatives, CacheAnswerOptions options,
              bool* prefetch)
      : rrsets_(rrsets), negatives_(negatives), options_(options), prefetch_(prefetch) {}

  std::optional<ResolveResult> walk(const Question& q) {
    ResolveResult result;
    result.from_cache = true;
    zone::Name name = q.qname;
    for (unsigned step = 0; step <= kMaxChain; ++step) {
      if (auto data = rrset(name, q.qtype, q.qclass)) {
        result.answer.push_back(to_response(*data));
        result.rcode = zone::rcode::NOERROR;
        return result;
      }
      if (auto negative = negative_for(name, q.qtype, q.qclass)) {
        result.rcode = negative->entry->answer.kind == NegativeKind::kNxDomain
                           ? zone::rcode::NXDOMAIN
                           : zone::rcode::NOERROR;
        result.soa = soa_of(*negative);
        return result;
      }
      auto cname = q.qtype == zone::rr_type::CNAME ? std::nullopt
                                                   : rrset(name, zone::rr_type::CNAME, q.qclass);
      if (!cname || cname->rrset->rdatas.empty()) return std::nullopt;
      auto lookup_dname = [&](const zone::Name& owner) {
        return rrset(owner, zone::rr_type::DNAME, q.qclass);
      };
      if (auto dname = dname_behind(name, cname->rrset->rdatas.front(), lookup_dname)) {
        result.answer.push_back(to_response(*dname));
      }
      result.answer.push_back(to_response(*cname));
      name = zone::Name::from_valid_wire(cname->rrset->rdatas.front());
    }
    return std::nullopt;  // a loop or an over-long chain: let resolution deal with it
  }

  bool stale_used() const { return stale_; }

 private:
  std::optional<RRsetHit> rrset(const zone::Name& name, std::uint16_t type, std::uint16_t rclass) {
    auto hit = options_.stale ? rrsets_.lookup_stale(name, type, rclass)
                              : rrsets_.lookup(name, type, rclass, options_.earlier_uses);
    if (!hit || hit->rrset->trust < Trust::kAnswer) return std::nullopt;
    note(hit->stale, hit->prefetch);
    return hit;
  }

  std::optional<NegativeHit> negative_for(const zone::Name& name, std::uint16_t type,
                                          std::uint16_t rclass) {
    auto hit = options_.stale ? negatives_.lookup_stale(name, type, rclass)
                              : negatives_.lookup(name, type, rclass);
    if (hit) note(hit->stale, hit->prefetch);
    return hit;
  }

  void note(bool stale, bool prefetch) {
    stale_ = stale_ || stale;
    if (prefetch && prefetch_ != nullptr) *prefetch_ = true;
  }

  RrsetCache& rrsets_;
  NegativeCache& negatives_;
  CacheAnswerOptions options_;
  bool* prefetch_;
  bool stale_ = false;
};

}  // namespace

std::optional<ResolveResult> answer_from_caches(RrsetCache& rrsets, NegativeCache& negatives,
                                                const Question& question,
                                                CacheAnswerOptions options, bool* prefetch) {
  if (question.qtype == zone::rr_type::ANY) return std::nullopt;  // the cache is never complete
  ChainWalker walker(rrsets, negatives, options, prefetch);
  auto result = walker.walk(question);
  if (result) result->stale = walker.stale_used();
  return result;
}

}  // namespace hayate::server::resolver
