// Bounds on the work one resolution may cause (RFC 1034 §5.3.3 asks for a "limit on work";
// the numbers follow Unbound's iterator defaults where it has one).
#pragma once

#include <chrono>
#include <cstddef>

namespace hayate::server::resolver {

struct ResolverLimits {
  unsigned max_cname_chain = 16;    // CNAME/DNAME steps followed (Unbound MAX_RESTART_COUNT ~ 11)
  unsigned max_referrals = 30;      // zone cuts followed (Unbound MAX_REFERRAL_COUNT 130 + ...)
  unsigned max_subquery_depth = 6;  // nested glueless NS address look-ups
  unsigned max_upstream_queries = 64;       // per client question, sub-queries included
  std::chrono::milliseconds timeout{5000};  // per client question, checked before each query
  // QNAME minimisation (RFC 9156), relaxed: see iterator.hpp.
  bool qname_minimisation = true;
  unsigned max_minimise_queries = 10;  // extra queries per resolution (Unbound MAX_MINIMISE_COUNT)
  unsigned tries_per_server = 1;       // sends to one address for one (zone, asked name)
  std::chrono::seconds lame_ttl{900};  // how long a lame (server, zone) is avoided (RFC 4697 §2.1)
  bool use_ipv4 = true;
  bool use_ipv6 = true;
  bool serve_stale = true;  // RFC 8767: expired cache data when resolution fails
  bool prime_root = true;   // RFC 8109: ask the hints for the root's NS RRset before using them
};

}  // namespace hayate::server::resolver
