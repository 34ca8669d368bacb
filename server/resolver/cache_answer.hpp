// An answer built from the resolver's caches alone: the CNAME chain from the question's name to
// its data (RFC 1034 §3.6.2), or to a cached NXDOMAIN/NODATA with its SOA (RFC 2308 §5).
//
// Only data of answer trust or better is used (RFC 2181 §5.4.1: glue and referral NS are for
// finding servers, not for answering). A chain with a missing link is a miss, not a partial
// answer: the whole question is then resolved.
#pragma once

#include <optional>
#include <span>

#include "server/resolver/iterator.hpp"
#include "server/resolver/negative_cache.hpp"
#include "server/resolver/rrset_cache.hpp"
#include "zone/zone.hpp"  // NameKeyEqual

namespace hayate::server::resolver {

// RFC 6672 §3.4: a CNAME synthesized from a DNAME is answered with the DNAME before it, from the
// cache as on the first answer. Returns the DNAME at an ancestor of `name` that maps `name` onto
// `target` (the cached CNAME's rdata), looked up with `lookup_dname(owner)` (which applies the
// caller's trust and staleness rules), or nullopt when the CNAME was not made from one.
template <typename LookupDname>
std::optional<RRsetHit> dname_behind(const zone::Name& name, std::span<const std::uint8_t> target,
                                     LookupDname&& lookup_dname) {
  for (std::size_t strip = 1; strip < name.label_count(); ++strip) {
    zone::Name owner = name.strip_left(strip);
    std::optional<RRsetHit> hit = lookup_dname(owner);
    if (!hit || hit->rrset->rdatas.size() != 1) continue;
    const zone::Rdata& dname_target = hit->rrset->rdatas.front();
    const std::size_t prefix = name.wire_length() - owner.wire_length();
    if (target.size() != prefix + dname_target.size()) return std::nullopt;
    if (!zone::NameKeyEqual::equal_wire(target.subspan(prefix), dname_target)) return std::nullopt;
    return hit;
  }
  return std::nullopt;
}

struct CacheAnswerOptions {
  bool stale = false;  // accept expired data (RFC 8767: only once resolving has failed)
  // Times the answer was sent from the pipeline's answer cache since these entries were last
  // looked up: hits for prefetch's popularity threshold (positive data only).
  std::uint32_t earlier_uses = 0;
};

// `prefetch` (when given) is set when one of the entries used asks to be refreshed.
std::optional<ResolveResult> answer_from_caches(RrsetCache& rrsets, NegativeCache& negatives,
                                                const Question& question,
                                                CacheAnswerOptions options = {},
                                                bool* prefetch = nullptr);

}  // namespace hayate::server::resolver
