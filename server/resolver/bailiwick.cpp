#include "server/resolver/bailiwick.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "zone/message.hpp"
#include "zone/rdata_names.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server::resolver {
namespace {

namespace rr_type = zone::rr_type;
using zone::Section;

constexpr std::uint16_t kAnyType = 255;  // RFC 1035 §3.2.3 QTYPE *

// Index of an unused RRset owned by `owner` whose type `accept` approves, or npos.
template <typename Accept>
std::size_t find_unused(const std::vector<zone::ResponseRRset>& rrsets,
                        const std::vector<bool>& used, const zone::Name& owner, Accept&& accept) {
  for (std::size_t i = 0; i < rrsets.size(); ++i)
    if (!used[i] && rrsets[i].owner == owner && accept(rrsets[i].type)) return i;
  return std::string::npos;
}

// Index of an unused DNAME inside `zone` strictly above `name` (RFC 6672 §2.3: it never
// applies to its own owner), or npos.
std::size_t find_dname(const std::vector<zone::ResponseRRset>& rrsets,
                       const std::vector<bool>& used, const zone::Name& name,
                       const zone::Name& zone) {
  for (std::size_t i = 0; i < rrsets.size(); ++i) {
    const auto& rrset = rrsets[i];
    if (used[i] || rrset.type != rr_type::DNAME || rrset.rdatas.size() != 1) continue;
    if (rrset.owner == name || !name.is_subdomain_of(rrset.owner)) continue;
    if (in_bailiwick(rrset.owner, zone)) return i;
  }
  return std::string::npos;
}

void accept_answer(ScrubbedResponse& out, zone::ResponseRRset rrset, bool synthesised) {
  out.answer.push_back(std::move(rrset));
  out.synthesised.push_back(synthesised);
}

// Follows one DNAME step (RFC 6672 §3.4): keeps the DNAME, synthesises the CNAME for `name` and
// drops any CNAME the server sent for it (the synthesised one is what the DNAME implies).
std::optional<zone::Name> take_dname(const std::vector<zone::ResponseRRset>& rrsets,
                                     std::vector<bool>& used, std::size_t index,
                                     const zone::Name& name, ScrubbedResponse& out) {
  const auto& dname = rrsets[index];
  used[index] = true;
  auto target = rdata_name(dname.rdatas.front());
  if (!target) return std::nullopt;
  auto synthesised = dname_substitute(name, dname.owner, *target);
  if (!synthesised) return std::nullopt;
  accept_answer(out, dname, false);
  zone::ResponseRRset cname{name,
                            rr_type::CNAME,
                            dname.rclass,
                            dname.ttl,
                            {zone::Rdata(synthesised->wire().begin(), synthesised->wire().end())}};
  accept_answer(out, std::move(cname), true);
  std::size_t sent = find_unused(rrsets, used, name, [](auto t) { return t == rr_type::CNAME; });
  if (sent != std::string::npos) used[sent] = true;
  return synthesised;
}

// The answer section: the chain from `qname`, while it stays inside `zone` (RFC 5452 §6).
void scrub_answer(const zone::ResponseView& view, const zone::Name& zone, std::uint16_t qtype,
                  unsigned max_chain, ScrubbedResponse& out) {
  const auto& rrsets = view.section(Section::kAnswer);
  std::vector<bool> used(rrsets.size(), false);
  zone::Name& name = out.chain_end;
  auto wanted = [qtype](std::uint16_t t) { return t == qtype || qtype == kAnyType; };
  for (unsigned step = 0; step <= max_chain && in_bailiwick(name, zone); ++step) {
    std::size_t data = find_unused(rrsets, used, name, wanted);
    if (data != std::string::npos) {
      for (; data != std::string::npos; data = find_unused(rrsets, used, name, wanted)) {
        used[data] = true;
        accept_answer(out, rrsets[data], false);
      }
      out.chain_complete = true;
      return;
    }
    std::size_t dname = find_dname(rrsets, used, name, zone);
    if (dname != std::string::npos) {
      auto next = take_dname(rrsets, used, dname, name, out);
      if (!next) return;
      name = *next;
      continue;
    }
    std::size_t cname = find_unused(rrsets, used, name, [](auto t) { return t == rr_type::CNAME; });
    if (cname == std::string::npos || rrsets[cname].rdatas.size() != 1) return;
    auto target = rdata_name(rrsets[cname].rdatas.front());
    if (!target) return;
    used[cname] = true;
    accept_answer(out, rrsets[cname], false);
    name = *target;
  }
}

// The authority section: NS and SOA inside `zone` at or above the chain's end.
void scrub_authority(const zone::ResponseView& view, const zone::Name& zone,
                     ScrubbedResponse& out) {
  for (const auto& rrset : view.section(Section::kAuthority)) {
    bool placed = in_bailiwick(rrset.owner, zone) && out.chain_end.is_subdomain_of(rrset.owner);
    if (placed && rrset.type == rr_type::NS &&
        (!out.ns || rrset.owner.label_count() > out.ns->owner.label_count())) {
      out.ns = rrset;
    } else if (placed && rrset.type == rr_type::SOA && !out.soa && rrset.rdatas.size() == 1) {
      out.soa = rrset;
    }
  }
}

bool names_ns_target(const zone::ResponseRRset& ns, const zone::Name& name) {
  for (const auto& rdata : ns.rdatas) {
    auto target = rdata_name(rdata);
    if (target && *target == name) return true;
  }
  return false;
}

// The additional section: addresses inside `zone` of the accepted NS records' names: those of
// the authority section's NS RRset, or of an NS RRset that is the answer (an NS query, e.g. the
// root priming query of RFC 8109, whose addresses come in the additional section).
void scrub_additional(const zone::ResponseView& view, const zone::Name& zone,
                      ScrubbedResponse& out) {
  const zone::ResponseRRset* ns = out.ns ? &*out.ns : nullptr;
  for (const auto& rrset : out.answer)
    if (ns == nullptr && rrset.type == rr_type::NS) ns = &rrset;
  if (ns == nullptr) return;
  for (const auto& rrset : view.section(Section::kAdditional)) {
    if (rrset.type != rr_type::A && rrset.type != rr_type::AAAA) continue;
    if (in_bailiwick(rrset.owner, zone) && names_ns_target(*ns, rrset.owner))
      out.glue.push_back(rrset);
  }
}

std::size_t section_size(const zone::ResponseView& view, Section section) {
  std::size_t count = 0;
  for (const auto& rrset : view.section(section))
    if (rrset.type != rr_type::OPT) ++count;
  return count;
}

}  // namespace

std::optional<zone::Name> rdata_name(const zone::Rdata& rdata) {
  auto name = zone::Name::from_wire(rdata);
  if (!name) return std::nullopt;
  return std::move(name.value());
}

std::optional<zone::Name> dname_substitute(const zone::Name& name, const zone::Name& owner,
                                           const zone::Name& target) {
  std::size_t prefix = name.label_count() - owner.label_count();
  zone::Name out = target;
  for (std::size_t i = prefix; i-- > 0;) {
    auto longer = out.prepend(name.label(i));
    if (!longer) return std::nullopt;
    out = std::move(longer.value());
  }
  return out;
}

ScrubbedResponse scrub_response(const zone::ResponseView& view, const zone::Name& zone,
                                const zone::Name& qname, std::uint16_t qtype, unsigned max_chain) {
  ScrubbedResponse out;
  out.rcode = view.rcode;
  out.authoritative = view.header.has(zone::flag::AA);
  out.chain_end = qname;
  scrub_answer(view, zone, qtype, max_chain, out);
  scrub_authority(view, zone, out);
  scrub_additional(view, zone, out);
  std::size_t accepted = out.answer.size() -
                         std::count(out.synthesised.begin(), out.synthesised.end(), true) +
                         (out.ns ? 1 : 0) + (out.soa ? 1 : 0) + out.glue.size();
  std::size_t total = section_size(view, Section::kAnswer) +
                      section_size(view, Section::kAuthority) +
                      section_size(view, Section::kAdditional);
  out.dropped = static_cast<unsigned>(total > accepted ? total - accepted : 0);
  return out;
}

const char* response_kind_name(ResponseKind kind) {
  switch (kind) {
    case ResponseKind::kAnswer:
      return "answer";
    case ResponseKind::kAlias:
      return "alias";
    case ResponseKind::kNxDomain:
      return "nxdomain";
    case ResponseKind::kNoData:
      return "nodata";
    case ResponseKind::kReferral:
      return "referral";
    case ResponseKind::kLame:
      return "lame";
    case ResponseKind::kError:
      return "error";
  }
  return "?";
}

namespace {

// A delegation towards the chain's end, strictly below the zone asked about.
bool is_referral(const ScrubbedResponse& s, const zone::Name& zone) {
  return s.ns && s.ns->owner != zone && !s.soa;
}

ResponseKind classify_chain(const ScrubbedResponse& s, const zone::Name& zone) {
  if (s.chain_complete) return ResponseKind::kAnswer;
  // The chain left the zone, or reached a delegation inside it: the rest comes from elsewhere.
  if (!in_bailiwick(s.chain_end, zone) || is_referral(s, zone)) return ResponseKind::kAlias;
  if (s.rcode == zone::rcode::NXDOMAIN) return ResponseKind::kNxDomain;
  // An in-zone target without its data: NODATA only when the SOA says so (RFC 2308 §2.2);
  // otherwise the target is asked for itself (as Unbound does), which a loop cannot fool.
  if (s.soa) return ResponseKind::kNoData;
  return ResponseKind::kAlias;
}

}  // namespace

ResponseKind classify_response(const ScrubbedResponse& s, const zone::Name& zone,
                               std::uint16_t qtype) {
  if (s.rcode != zone::rcode::NOERROR && s.rcode != zone::rcode::NXDOMAIN)
    return ResponseKind::kError;
  if (!s.answer.empty()) return classify_chain(s, zone);
  if (s.rcode == zone::rcode::NXDOMAIN) return ResponseKind::kNxDomain;
  if (is_referral(s, zone)) return ResponseKind::kReferral;
  // RFC 2308 §2.2: NODATA is an empty NOERROR answer with the SOA; an authoritative server may
  // leave the SOA out. Non-authoritative, no SOA, no usable NS: an upward or unrelated referral,
  // i.e. a lame server (RFC 4697 §2.1).
  if (s.soa || s.authoritative) return ResponseKind::kNoData;
  return ResponseKind::kLame;
}

}  // namespace hayate::server::resolver
