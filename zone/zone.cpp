#include "zone/zone.hpp"

#include <algorithm>
#include <cstring>

#include "zone/rdata_names.hpp"

namespace hayate::zone {
namespace {

// Offsets of each label's length octet in a valid wire name, leftmost first, then the offset of
// the root label at [count]; returns the count of labels.
std::size_t label_offsets(std::span<const std::uint8_t> wire,
                          std::uint8_t (&offsets)[kMaxLabelCount + 1]) {
  std::size_t count = 0;
  std::size_t pos = 0;
  for (; wire[pos] != 0; pos += 1 + wire[pos])
    offsets[count++] = static_cast<std::uint8_t>(pos);
  offsets[count] = static_cast<std::uint8_t>(pos);
  return count;
}

}  // namespace

bool NameKeyEqual::equal_wire(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

const RRset* Node::find(std::uint16_t type) const {
  for (const auto& rrset : rrsets_) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

RRset* Node::find(std::uint16_t type) {
  for (auto& rrset : rrsets_) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

Zone::Zone(Name origin, std::uint16_t rclass)
    : origin_(std::move(origin)),
      apex_labels_(origin_.label_count()),
      rclass_(rclass),
      arena_(std::make_unique<ZoneArena>()),
      nodes_(arena_.get()) {
  apex_ = &nodes_[origin_];
}

AddResult Zone::add(const Name& owner, std::uint16_t type, std::uint32_t ttl, Rdata rdata,
                    SourceLocation where) {
  if (!owner.is_subdomain_of(origin_)) return AddResult::kOutOfZone;
  // Zone files list an owner's records together: the same owner as last time needs no probe of
  // the node table (a third of the probes on bench/gen_zone.py's zones).
  Entry* entry = last_owner_;
  if (entry == nullptr || !(entry->first == owner)) {
    auto [it, inserted] = nodes_.try_emplace(owner);
    entry = &*it;  // node-based map: stays put when add_ancestors() rehashes
    if (inserted) add_ancestors(*entry);
    last_owner_ = entry;
  }
  Node& node = entry->second;
  RRset* rrset = node.find(type);
  if (rrset == nullptr) {
    note_cut_or_dname(entry->first, node, type);
    // The rdata list in the arena too; moves of the RRset (the vector growing) keep it there.
    RRset& added =
        node.rrsets_.emplace_back(RRset{type, ttl, std::pmr::vector<Rdata>(arena_.get()), where});
    added.rdatas.reserve(1);  // most sets hold one record
    added.rdatas.push_back(std::move(rdata));
    ++record_count_;
    return AddResult::kAdded;
  }
  for (const auto& existing : rrset->rdatas) {
    if (rdata_equal(type, existing, rdata)) return AddResult::kDuplicate;
  }
  rrset->rdatas.push_back(std::move(rdata));
  ++record_count_;
  return rrset->ttl == ttl ? AddResult::kAdded : AddResult::kTtlMismatch;
}

void Zone::finalize() {
  last_owner_ = nullptr;
  // New nodes took their occlusion from the nearest existing ancestor as they were added: only a
  // cut or DNAME made above names already there needs the pass over every node.
  if (occlusion_pass_needed_) mark_occlusion();
  occlusion_pass_needed_ = false;
}

// Every name between a node and the apex must exist as a node, so that lookups find the right
// closest encloser and an empty non-terminal blocks the wildcard above it (RFC 4592 §2.2.2).
// Done as each new owner arrives, while its name is still in the cache: a later pass over a
// million nodes costs a cache miss per node. The new nodes are occluded when the nearest
// ancestor that was there already is a cut or a DNAME owner, or occluded itself.
void Zone::add_ancestors(Entry& entry) {
  const Name& owner = entry.first;
  Node* created[kMaxLabelCount];
  std::size_t count = 0;
  created[count++] = &entry.second;
  Node* existing = apex_;
  const std::size_t labels = owner.label_count();
  std::size_t pos = 0;
  for (std::size_t strip = 1; labels > apex_labels_ + strip; ++strip) {
    pos += 1 + owner.wire()[pos];
    NameView ancestor{owner.wire().subspan(pos)};
    auto found = nodes_.find(ancestor);
    if (found != nodes_.end()) {
      existing = &found->second;  // that ancestor's own chain is complete
      break;
    }
    created[count++] = &nodes_.try_emplace(Name::from_valid_wire(ancestor.wire)).first->second;
  }
  existing->has_children_ = true;
  const bool below_cut = existing->delegation_ || existing->below_delegation_;
  const bool occluded = below_cut || existing->dname_ || existing->occluded_;
  for (std::size_t i = 0; i < count; ++i) {
    created[i]->has_children_ = i > 0;
    created[i]->below_delegation_ = below_cut;
    created[i]->occluded_ = occluded;
  }
}

// NS at a name other than the apex is a zone cut (RFC 1034 §4.2.1); a DNAME occludes the names
// below it (RFC 6672 §2.4). The depths are kept so that mark_occlusion() probes only those.
void Zone::note_cut_or_dname(const Name& owner, Node& node, std::uint16_t type) {
  if (type == rr_type::NS && &node != apex_) {
    node.delegation_ = true;
  } else if (type == rr_type::DNAME) {
    node.dname_ = true;
  } else {
    return;
  }
  occluding_depths_.set(owner.label_count());
  // Names below it that came first did not see it (glue before its NS record, say).
  if (node.has_children_) occlusion_pass_needed_ = true;
}

void Zone::mark_occlusion() {
  // Most nodes of a big zone have no cut or DNAME at any depth above them: one hash probe saved
  // per level, and nothing at all to do in a zone without cuts.
  if (occluding_depths_.none()) return;
  std::uint8_t offsets[kMaxLabelCount + 1];
  for (auto& [name, node] : nodes_) {
    const std::size_t labels = label_offsets(name.wire(), offsets);
    // A DNAME occludes everything below its owner, the apex included (RFC 6672 §2.4); NS only
    // below a cut, and the apex NS is no cut.
    for (std::size_t depth = apex_labels_; depth < labels; ++depth) {
      if (!occluding_depths_.test(depth)) continue;
      NodeRef ancestor = find(NameView{name.wire().subspan(offsets[labels - depth])});
      if (!ancestor) continue;
      if (ancestor.node->delegation_) node.below_delegation_ = true;
      if (ancestor.node->delegation_ || ancestor.node->dname_) node.occluded_ = true;
    }
  }
}

NodeRef Zone::find(const Name& name) const {
  return find(NameView{name.wire()});
}

NodeRef Zone::find(NameView name) const {
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return {};
  return {&it->first, &it->second};
}

Lookup Zone::lookup(const Name& qname) const {
  return lookup(NameView{qname.wire()});
}

// RFC 1034 §4.3.2 step 3, top-down from the apex: stop at the first zone cut or DNAME above the
// name; otherwise the name matches exactly, or a wildcard at the closest encloser, or nothing.
Lookup Zone::lookup(NameView qname) const {
  std::uint8_t offsets[kMaxLabelCount + 1];
  const std::size_t labels = label_offsets(qname.wire, offsets);
  const std::size_t apex_labels = origin_.label_count();
  Lookup result;
  if (labels < apex_labels) return result;
  const std::size_t apex_offset = offsets[labels - apex_labels];
  if (!NameKeyEqual::equal_wire(qname.wire.subspan(apex_offset), origin_.wire())) return result;

  NodeRef encloser{&origin_, apex_};
  for (std::size_t depth = apex_labels + 1; depth <= labels; ++depth) {
    if (encloser.node->dname_) {
      return {Lookup::Kind::kDname, encloser, encloser};
    }
    NodeRef next = find(NameView{qname.wire.subspan(offsets[labels - depth])});
    if (!next) return wildcard_or_nxdomain(encloser);
    encloser = next;
    if (encloser.node->delegation_) return {Lookup::Kind::kDelegation, encloser, encloser};
  }
  return {Lookup::Kind::kExact, encloser, encloser};
}

Lookup Zone::wildcard_or_nxdomain(NodeRef encloser) const {
  // "*." + closest encloser, built on the stack: lookups never allocate.
  std::uint8_t wildcard[kMaxNameLength + 2];
  auto encloser_wire = encloser.name->wire();
  if (encloser_wire.size() + 2 <= kMaxNameLength) {
    wildcard[0] = 1;
    wildcard[1] = '*';
    std::memcpy(wildcard + 2, encloser_wire.data(), encloser_wire.size());
    NodeRef source = find(NameView{{wildcard, encloser_wire.size() + 2}});
    if (source) return {Lookup::Kind::kWildcard, source, encloser};
  }
  return {Lookup::Kind::kNxDomain, {}, encloser};
}

std::uint32_t Zone::serial() const {
  const RRset* rrset = soa();
  if (rrset == nullptr || rrset->rdatas.empty()) return 0;
  const Rdata& rdata = rrset->rdatas.front();
  // SOA rdata: MNAME, RNAME (uncompressed in storage), then SERIAL (RFC 1035 §3.3.13).
  std::size_t pos = skip_wire_name(rdata, 0);
  pos = skip_wire_name(rdata, pos);
  if (pos + 4 > rdata.size()) return 0;
  return (std::uint32_t{rdata[pos]} << 24) | (std::uint32_t{rdata[pos + 1]} << 16) |
         (std::uint32_t{rdata[pos + 2]} << 8) | std::uint32_t{rdata[pos + 3]};
}

std::vector<NodeRef> Zone::nodes_in_canonical_order() const {
  std::vector<NodeRef> out;
  out.reserve(nodes_.size());
  for (const auto& [name, node] : nodes_)
    out.push_back({&name, &node});
  std::sort(out.begin(), out.end(), [](const NodeRef& a, const NodeRef& b) {
    return a.name->canonical_compare(*b.name) < 0;
  });
  return out;
}

}  // namespace hayate::zone
