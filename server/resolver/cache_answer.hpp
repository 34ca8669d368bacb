// An answer built from the resolver's caches alone: the CNAME chain from the question's name to
// its data (RFC 1034 §3.6.2), or to a cached NXDOMAIN/NODATA with its SOA (RFC 2308 §5).
//
// Only data of answer trust or better is used (RFC 2181 §5.4.1: glue and referral NS are for
// finding servers, not for answering). A chain with a missing link is a miss, not a partial
// answer: the whole question is then resolved.
#pragma once

#include <optional>

#include "server/resolver/iterator.hpp"
#include "server/resolver/negative_cache.hpp"
#include "server/resolver/rrset_cache.hpp"

namespace hayate::server::resolver {

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
