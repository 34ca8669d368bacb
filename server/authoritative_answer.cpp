#include "server/authoritative_answer.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "zone/rdata_names.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server {
namespace {

using zone::Lookup;
using zone::MessageRenderer;
using zone::NameView;
using zone::Node;
using zone::RRset;
using zone::Section;
using zone::Zone;
namespace rr_type = zone::rr_type;

constexpr std::uint16_t kClassIn = zone::rr_class::IN;

bool same_name(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return zone::NameKeyEqual::equal_wire(a, b);
}

std::size_t label_count(std::span<const std::uint8_t> wire) {
  std::size_t count = 0;
  for (std::size_t pos = 0; wire[pos] != 0; pos += 1 + wire[pos])
    ++count;
  return count;
}

// Builds one answer: walks the CNAME/DNAME chain, then adds the authority and additional data.
// One object per question; it lives on the stack and allocates nothing.
class AnswerBuilder {
 public:
  AnswerBuilder(const zone::ZoneSet& zones, const AuthoritativeQuestion& question,
                MessageRenderer& renderer)
      : zones_(zones), question_(question), r_(renderer) {}

  AuthoritativeOutcome run() {
    std::span<const std::uint8_t> name = question_.qname;
    const Zone* zone = zone_for_question(name);
    if (zone == nullptr) return AuthoritativeOutcome::kNoZone;
    r_.header().set(zone::flag::AA);  // cleared again if the first step is a referral

    const int steps = std::min(question_.max_chain, kMaxChainLength);
    for (int step = 0; step < steps && zone != nullptr; ++step) {
      if (seen_before(name)) break;  // a CNAME loop: answer with the chain so far (as BIND)
      std::span<const std::uint8_t> next;
      if (!answer_step(*zone, name, step == 0, next)) break;
      name = next;
      zone = zones_.find(NameView{name});
    }
    add_additional_addresses();
    r_.set_rcode(rcode_);
    return AuthoritativeOutcome::kAnswered;
  }

 private:
  // The zone that answers the question: the deepest enclosing one, except that a DS question for
  // a zone apex belongs to the parent side of the cut when we serve the parent too (RFC 4035
  // §3.1.4.1, as BIND, Knot and NSD do).
  const Zone* zone_for_question(std::span<const std::uint8_t> name) const {
    const Zone* zone = zones_.find(NameView{name});
    if (zone == nullptr || question_.qtype != rr_type::DS || zone->origin().is_root()) return zone;
    if (!same_name(zone->origin().wire(), name)) return zone;
    std::span<const std::uint8_t> parent_name = name.subspan(1 + name[0]);
    const Zone* parent = zones_.find(NameView{parent_name});
    return parent != nullptr ? parent : zone;
  }

  // Answers `name` from `zone`. Returns true with `next` set when the answer is an alias whose
  // target must be answered too.
  bool answer_step(const Zone& zone, std::span<const std::uint8_t> name, bool first,
                   std::span<const std::uint8_t>& next) {
    Lookup found = zone.lookup(NameView{name});
    switch (found.kind) {
      case Lookup::Kind::kExact:
      case Lookup::Kind::kWildcard:
        return answer_from_node(zone, name, *found.node.node, next);
      case Lookup::Kind::kDelegation:
        // DS lives on the parent side of the cut (RFC 4035 §3.1.4.1): answer it here.
        if (question_.qtype == rr_type::DS && same_name(found.node.name->wire(), name)) {
          return answer_from_node(zone, name, *found.node.node, next);
        }
        if (first) r_.header().set(zone::flag::AA, false);
        add_referral(zone, found.node);
        return false;
      case Lookup::Kind::kDname:
        return follow_dname(found.node, name, next);
      case Lookup::Kind::kNxDomain:
        // RFC 6604 §3: the rcode describes the last name of the chain.
        rcode_ = zone::rcode::NXDOMAIN;
        add_negative_soa(zone);
        return false;
      case Lookup::Kind::kNotInZone:
        return false;
    }
    return false;
  }

  bool answer_from_node(const Zone& zone, std::span<const std::uint8_t> owner, const Node& node,
                        std::span<const std::uint8_t>& next) {
    if (question_.qtype == rr_type::ANY) {
      answer_any(zone, owner, node);
      return false;
    }
    if (const RRset* rrset = node.find(question_.qtype)) {
      add_answer(owner, *rrset);
      return false;
    }
    const RRset* cname = node.find(rr_type::CNAME);
    if (cname != nullptr && !cname->rdatas.empty()) {
      add_answer(owner, *cname);
      next = cname->rdatas.front();  // rdata of a CNAME is exactly the target name
      return true;
    }
    add_negative_soa(zone);  // NODATA (RFC 2308 §2.2)
    return false;
  }

  // RFC 8482 §4.2: over UDP one RRset stands for all of them; over TCP, where size costs the
  // asker nothing extra, the conventional full answer.
  void answer_any(const Zone& zone, std::span<const std::uint8_t> owner, const Node& node) {
    if (node.rrsets().empty()) {
      add_negative_soa(zone);
      return;
    }
    for (const RRset& rrset : node.rrsets()) {
      add_answer(owner, rrset);
      if (question_.transport == Transport::kUdp) break;
    }
  }

  // RFC 6672 §3.3: the DNAME goes in the answer, followed by a CNAME synthesized from it.
  bool follow_dname(zone::NodeRef dname_owner, std::span<const std::uint8_t> name,
                    std::span<const std::uint8_t>& next) {
    const RRset* dname = dname_owner.node->find(rr_type::DNAME);
    if (dname == nullptr || dname->rdatas.empty()) return false;
    add_answer(dname_owner.name->wire(), *dname);

    const auto& target = dname->rdatas.front();
    std::size_t owner_labels = label_count(dname_owner.name->wire());
    std::size_t prefix_length = prefix_octets(name, label_count(name) - owner_labels);
    if (prefix_length + target.size() > zone::kMaxNameLength) {
      rcode_ = zone::rcode::YXDOMAIN;  // RFC 6672 §2.2: the result would be too long
      return false;
    }
    if (synthesized_count_ == synthesized_.size()) return false;
    auto& synthesized = synthesized_[synthesized_count_++];
    std::memcpy(synthesized.data(), name.data(), prefix_length);
    std::memcpy(synthesized.data() + prefix_length, target.data(), target.size());
    std::span<const std::uint8_t> new_name(synthesized.data(), prefix_length + target.size());
    zone::Rdata cname(new_name.begin(), new_name.end());
    r_.add_rrset(Section::kAnswer, name, rr_type::CNAME, kClassIn, dname->ttl, {&cname, 1});
    // A CNAME question is answered by the synthesized CNAME itself (RFC 6672 §3.2 step 3).
    if (question_.qtype == rr_type::CNAME) return false;
    next = new_name;
    return true;
  }

  static std::size_t prefix_octets(std::span<const std::uint8_t> name, std::size_t labels) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < labels; ++i)
      pos += 1 + name[pos];
    return pos;
  }

  // RFC 1034 §4.3.2 step 3b: NS of the cut in authority, their addresses (glue) in additional.
  void add_referral(const Zone& zone, zone::NodeRef cut) {
    const RRset* ns = cut.node->find(rr_type::NS);
    if (ns == nullptr) return;
    r_.add_rrset(Section::kAuthority, cut.name->wire(), rr_type::NS, kClassIn, ns->ttl, ns->rdatas);
    for (const auto& rdata : ns->rdatas) {
      zone::NodeRef host = zone.find(NameView{rdata});
      if (!host) continue;
      bool in_domain = zone::Name::from_valid_wire(rdata).is_subdomain_of(*cut.name);
      for (std::uint16_t type : {rr_type::A, rr_type::AAAA}) {
        const RRset* address = host.node->find(type);
        if (address == nullptr) continue;
        if (!r_.add_rrset(Section::kAdditional, rdata, type, kClassIn, address->ttl,
                          address->rdatas) &&
            in_domain) {
          // RFC 9471 §3: in-domain glue that does not fit makes the referral truncated.
          r_.mark_truncated();
        }
      }
    }
  }

  void add_negative_soa(const Zone& zone) {
    const RRset* soa = zone.soa();
    if (soa == nullptr) return;
    r_.add_rrset(Section::kAuthority, zone.origin().wire(), rr_type::SOA, kClassIn,
                 negative_ttl(*soa), soa->rdatas);
  }

  void add_answer(std::span<const std::uint8_t> owner, const RRset& rrset) {
    r_.add_rrset(Section::kAnswer, owner, rrset.type, kClassIn, rrset.ttl, rrset.rdatas);
    if (rrset.type == rr_type::NS || rrset.type == rr_type::MX || rrset.type == rr_type::SRV) {
      for (const auto& rdata : rrset.rdatas)
        remember_target(rrset.type, rdata);
    }
  }

  void remember_target(std::uint16_t type, const zone::Rdata& rdata) {
    if (target_count_ == targets_.size()) return;
    zone::for_each_rdata_name(type, rdata, [&](std::size_t offset, std::size_t length) {
      if (target_count_ < targets_.size()) {
        targets_[target_count_++] = std::span<const std::uint8_t>(rdata).subspan(offset, length);
      }
    });
  }

  // RFC 1035 §3.3.9/§3.3.11, RFC 2782: addresses of NS, MX and SRV targets that we are
  // authoritative for. Optional data: when it does not fit it is left out, without TC.
  void add_additional_addresses() {
    for (std::size_t i = 0; i < target_count_; ++i) {
      auto target = targets_[i];
      bool duplicate = std::any_of(targets_.begin(), targets_.begin() + static_cast<long>(i),
                                   [&](auto earlier) { return same_name(earlier, target); });
      if (duplicate) continue;
      const Zone* zone = zones_.find(NameView{target});
      if (zone == nullptr) continue;
      Lookup found = zone->lookup(NameView{target});
      if (found.kind != Lookup::Kind::kExact) continue;
      for (std::uint16_t type : {rr_type::A, rr_type::AAAA}) {
        if (const RRset* address = found.node.node->find(type)) {
          r_.add_rrset(Section::kAdditional, target, type, kClassIn, address->ttl, address->rdatas);
        }
      }
    }
  }

  bool seen_before(std::span<const std::uint8_t> name) {
    for (std::size_t i = 0; i < visited_count_; ++i) {
      if (same_name(visited_[i], name)) return true;
    }
    if (visited_count_ < visited_.size()) visited_[visited_count_++] = name;
    return false;
  }

  const zone::ZoneSet& zones_;
  const AuthoritativeQuestion& question_;
  MessageRenderer& r_;
  std::uint16_t rcode_ = zone::rcode::NOERROR;

  std::array<std::span<const std::uint8_t>, kMaxChainLength> visited_{};
  std::size_t visited_count_ = 0;
  std::array<std::span<const std::uint8_t>, 32> targets_{};
  std::size_t target_count_ = 0;
  std::array<std::array<std::uint8_t, zone::kMaxNameLength>, kMaxChainLength> synthesized_{};
  std::size_t synthesized_count_ = 0;
};

}  // namespace

std::uint32_t negative_ttl(const RRset& soa) {
  if (soa.rdatas.empty()) return soa.ttl;
  const auto& rdata = soa.rdatas.front();
  if (rdata.size() < 4) return soa.ttl;
  std::uint32_t minimum = zone::load_u32(rdata.data() + rdata.size() - 4);
  return std::min(soa.ttl, minimum);
}

AuthoritativeOutcome answer_authoritatively(const zone::ZoneSet& zones,
                                            const AuthoritativeQuestion& question,
                                            MessageRenderer& renderer) {
  return AnswerBuilder(zones, question, renderer).run();
}

}  // namespace hayate::server
