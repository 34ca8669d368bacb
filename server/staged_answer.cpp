#include "server/staged_answer.hpp"

#include <algorithm>

#include "zone/rr_type.hpp"

namespace hayate::server {

namespace rr_type = zone::rr_type;

bool StagedAnswer::has_answer_type(std::uint16_t type) const {
  return std::any_of(answer().begin(), answer().end(),
                     [type](const zone::ResponseRRset& rrset) { return rrset.type == type; });
}

const zone::ResponseRRset* StagedAnswer::authority_soa() const {
  for (const auto& rrset : authority()) {
    if (rrset.type == rr_type::SOA) return &rrset;
  }
  return nullptr;
}

StagedAnswer staged_from_response(const zone::ResponseView& view) {
  StagedAnswer out;
  out.rcode = view.rcode;
  out.authoritative = view.header.has(zone::flag::AA);
  out.recursion_available = view.header.has(zone::flag::RA);
  out.truncated = view.header.has(zone::flag::TC);
  out.sections = view.sections;
  for (const auto& section : out.sections) {
    for (const auto& rrset : section) {
      if (rrset.type == rr_type::RRSIG) out.signed_data = true;
    }
  }
  return out;
}

StagedAnswer staged_from_recursive(const RecursiveAnswer& answer) {
  StagedAnswer out;
  out.rcode = answer.rcode;
  out.recursion_available = true;
  out.from_zones = false;
  out.reuse_seconds = answer.reuse_seconds;
  out.answer() = answer.answer;
  if (answer.soa) out.section(zone::Section::kAuthority).push_back(*answer.soa);
  out.signed_data = out.has_answer_type(rr_type::RRSIG);
  return out;
}

StagedAnswer staged_error(std::uint16_t rcode, bool from_zones) {
  StagedAnswer out;
  out.rcode = rcode;
  out.from_zones = from_zones;
  if (!from_zones) out.reuse_seconds = 0;
  return out;
}

}  // namespace hayate::server
