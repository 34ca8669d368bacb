// The scrubber: which records of an upstream response the iterator may believe (RFC 5452 §6,
// RFC 2181 §5.4.1, after Unbound's iterator/iter_scrub.c), and what kind of response is left.
//
// A server is asked because it serves `zone`; anything it says about names outside that zone is
// dropped before anything else looks at the response, and is never cached:
// - answer: only the chain from the asked name — an RRset of the asked type, CNAMEs (RFC 1034
//   §3.6.2) and DNAMEs (RFC 6672 §2) leading on from it — and only while the chain stays inside
//   `zone`. A DNAME's CNAME is synthesised here rather than taken from the wire (RFC 6672 §3.4).
// - authority: NS RRsets inside `zone` at or above the chain's end (the zone's own NS, or a
//   referral towards the name), SOA inside `zone` at or above the chain's end; nothing else.
// - additional: A/AAAA inside `zone` for the names of the accepted NS records; nothing else.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "zone/name.hpp"
#include "zone/response_view.hpp"

namespace hayate::server::resolver {

struct ScrubbedResponse {
  std::uint16_t rcode = 0;
  bool authoritative = false;               // AA
  std::vector<zone::ResponseRRset> answer;  // the chain, in chain order (synthesised CNAMEs too)
  std::vector<bool> synthesised;            // per answer RRset: a CNAME made from a DNAME
  zone::Name chain_end;                     // the last name of the chain (the asked name if none)
  bool chain_complete = false;              // the chain ends in data of the asked type
  std::optional<zone::ResponseRRset> ns;    // the deepest accepted NS RRset
  std::optional<zone::ResponseRRset> soa;
  std::vector<zone::ResponseRRset> glue;  // accepted A/AAAA of NS names (authority or answer NS)
  unsigned dropped = 0;                   // RRsets thrown away
};

// True when `name` is `zone` or below it: the only names `zone`'s servers may speak for.
inline bool in_bailiwick(const zone::Name& name, const zone::Name& zone) {
  return name.is_subdomain_of(zone);
}

ScrubbedResponse scrub_response(const zone::ResponseView& view, const zone::Name& zone,
                                const zone::Name& qname, std::uint16_t qtype,
                                unsigned max_chain = 16);

// What a scrubbed response means for the name that was asked (RFC 1034 §5.3.3 step 4).
enum class ResponseKind : std::uint8_t {
  kAnswer,    // the chain ends in an RRset of the asked type
  kAlias,     // the chain leaves the zone (or stops): resolve chain_end afresh
  kNxDomain,  // chain_end does not exist
  kNoData,    // chain_end exists without data of the asked type
  kReferral,  // NS for a zone below `zone` towards chain_end, not authoritative
  kLame,      // the server does not serve `zone` (upward/unrelated referral, non-AA nothing)
  kError,     // SERVFAIL, REFUSED, FORMERR, NOTIMP, other rcodes: try another server
};

const char* response_kind_name(ResponseKind kind);

ResponseKind classify_response(const ScrubbedResponse& scrubbed, const zone::Name& zone,
                               std::uint16_t qtype);

// The CNAME target or DNAME target in `rdata` (an uncompressed name filling it), if well formed.
std::optional<zone::Name> rdata_name(const zone::Rdata& rdata);

// RFC 6672 §2.2: `name` below `owner` with `owner` replaced by `target`; nullopt when the result
// would be longer than 255 octets (the server should then have said YXDOMAIN).
std::optional<zone::Name> dname_substitute(const zone::Name& name, const zone::Name& owner,
                                           const zone::Name& target);

}  // namespace hayate::server::resolver
