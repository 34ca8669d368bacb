// An answer held as RRsets between its source and the renderer, for the stages that rewrite
// answers on the way out (DNS64, AAAA filter). Authoritative answers reach this form by being
// rendered and parsed back; resolver answers are converted from RecursiveAnswer.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "server/recursion_stage.hpp"
#include "zone/message.hpp"
#include "zone/response_view.hpp"

namespace hayate::server {

struct StagedAnswer {
  std::uint16_t rcode = zone::rcode::SERVFAIL;
  bool authoritative = false;        // AA
  bool recursion_available = false;  // RA
  bool truncated = false;            // the source could not fit everything (TC)
  // DNSSEC-signed data: from a zone with a DNSKEY at its apex, or with RRSIGs in the message.
  bool signed_data = false;
  // Every part came from our zones (no resolver, no clock): the rendered result may go in the
  // answer cache.
  bool from_zones = true;
  // Otherwise, how long the rendered result may be sent again with its TTLs run down (the least
  // of its sources' RecursiveAnswer::reuse_seconds; 0: never).
  std::uint32_t reuse_seconds = UINT32_MAX;
  // What a DNS64 / AAAA filter policy did to it (for the counters).
  enum class Rewrite : std::uint8_t { kNone, kSynthesized, kFiltered };
  Rewrite rewrite = Rewrite::kNone;
  std::array<std::vector<zone::ResponseRRset>, 3> sections;  // indexed by zone::Section

  std::vector<zone::ResponseRRset>& section(zone::Section s) {
    return sections[static_cast<std::size_t>(s)];
  }
  const std::vector<zone::ResponseRRset>& section(zone::Section s) const {
    return sections[static_cast<std::size_t>(s)];
  }
  std::vector<zone::ResponseRRset>& answer() { return section(zone::Section::kAnswer); }
  const std::vector<zone::ResponseRRset>& answer() const { return section(zone::Section::kAnswer); }
  const std::vector<zone::ResponseRRset>& authority() const {
    return section(zone::Section::kAuthority);
  }

  // Whether the answer section holds an RRset of `type`.
  bool has_answer_type(std::uint16_t type) const;
  // The authority section's SOA, or nullptr.
  const zone::ResponseRRset* authority_soa() const;
};

// A rendered response (ours, so well formed) as a StagedAnswer; OPT is not kept.
StagedAnswer staged_from_response(const zone::ResponseView& view);

// The resolver's answer (AA=0, RA=1).
StagedAnswer staged_from_recursive(const RecursiveAnswer& answer);

// An answer with only an rcode: REFUSED, SERVFAIL.
StagedAnswer staged_error(std::uint16_t rcode, bool from_zones);

}  // namespace hayate::server
