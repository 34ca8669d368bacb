// One zone: its RRsets by owner and type, and the tree questions (RFC 1034 §4.3.2, RFC 4592).
//
// Like NSD's zone compiler, the work is done at load time: add() creates the empty non-terminals
// and marks delegation points and DNAME owners, finalize() marks occluded names, so a lookup is a
// handful of hash probes (one per label below the apex) and no allocation.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "zone/name.hpp"
#include "zone/rr_type.hpp"
#include "zone/rrset.hpp"
#include "zone/zone_arena.hpp"

namespace hayate::zone {

// A borrowed view of valid wire-form name octets; lets the zone be probed without building a Name.
struct NameView {
  std::span<const std::uint8_t> wire;
};

struct NameKeyHash {
  using is_transparent = void;
  std::size_t operator()(const Name& n) const { return n.hash(); }
  std::size_t operator()(const NameView& v) const { return hash_name_wire(v.wire); }
};

struct NameKeyEqual {
  using is_transparent = void;
  bool operator()(const Name& a, const Name& b) const { return a == b; }
  bool operator()(const NameView& a, const Name& b) const { return equal_wire(a.wire, b.wire()); }
  bool operator()(const Name& a, const NameView& b) const { return equal_wire(a.wire(), b.wire); }
  static bool equal_wire(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);
};

class Node {
 public:
  // The zone's node table hands its arena down to each node's RRsets (uses-allocator
  // construction); a node made elsewhere uses the default resource.
  using allocator_type = std::pmr::polymorphic_allocator<RRset>;
  Node() = default;
  explicit Node(const allocator_type& allocator) : rrsets_(allocator) {}

  const RRset* find(std::uint16_t type) const;
  RRset* find(std::uint16_t type);
  const std::pmr::vector<RRset>& rrsets() const { return rrsets_; }

  // No data of its own: exists only because names below it do (RFC 4592 §2.2.2).
  bool is_empty_nonterminal() const { return rrsets_.empty(); }
  // NS at a name other than the apex: a zone cut (RFC 1034 §4.2.1).
  bool is_delegation() const { return delegation_; }
  bool has_dname() const { return dname_; }
  // Below a zone cut or a DNAME: not authoritative data (glue at best, RFC 6672 §2.4).
  bool is_occluded() const { return occluded_; }
  // Occluded by a zone cut above it (data here can only be glue), rather than by a DNAME.
  bool is_below_delegation() const { return below_delegation_; }

 private:
  friend class Zone;
  std::pmr::vector<RRset> rrsets_;
  bool delegation_ = false;
  bool dname_ = false;
  bool occluded_ = false;
  bool below_delegation_ = false;
  bool has_children_ = false;  // while the zone is built: some node lies below this one
};

struct NodeRef {
  const Name* name = nullptr;
  const Node* node = nullptr;
  explicit operator bool() const { return node != nullptr; }
};

struct Lookup {
  enum class Kind {
    kExact,       // the name exists (node may be an empty non-terminal: NODATA)
    kWildcard,    // no such name, but a wildcard at the closest encloser matches (RFC 4592 §3.3.1)
    kDelegation,  // the name is at or below a zone cut: `node` is the cut (a referral)
    kDname,       // the name is below a DNAME owner: `node` is that owner (RFC 6672 §3)
    kNxDomain,    // no such name and no wildcard: `closest_encloser` is set
    kNotInZone,   // the name is not at or below the zone's origin
  };
  Kind kind = Kind::kNotInZone;
  NodeRef node;  // exact node, wildcard source, cut or DNAME owner
  NodeRef
      closest_encloser;  // deepest existing ancestor (RFC 4592 §3.3.1); set for all but kNotInZone
};

// Outcome of adding a record, for the loader's diagnostics.
enum class AddResult {
  kAdded,
  kDuplicate,    // identical rdata already in the RRset: ignored (RFC 2181 §5)
  kTtlMismatch,  // added with the RRset's TTL, which differs from the record's (RFC 2181 §5.2)
  kOutOfZone,    // owner not at or below the origin: ignored
};

class Zone {
 public:
  explicit Zone(Name origin, std::uint16_t rclass = rr_class::IN);
  Zone(const Zone&) = delete;  // apex_ points into nodes_
  Zone& operator=(const Zone&) = delete;
  Zone(Zone&&) = default;  // unordered_map moves keep element addresses, the arena moves along
  // Assigning would free the arena under the nodes still to be destroyed.
  Zone& operator=(Zone&&) = delete;

  const Name& origin() const { return origin_; }
  std::uint16_t rclass() const { return rclass_; }

  // Building. Records may come in any order; call finalize() once all are in.
  // Room for about `names` owner names, so that a large zone's table is not rehashed as it grows.
  void reserve(std::size_t names) { nodes_.reserve(names); }
  AddResult add(const Name& owner, std::uint16_t type, std::uint32_t ttl, Rdata rdata,
                SourceLocation where);
  void finalize();

  // Questions. The name may be in any case.
  Lookup lookup(const Name& qname) const;
  Lookup lookup(NameView qname) const;
  NodeRef find(const Name& name) const;
  NodeRef find(NameView name) const;
  const Node& apex() const { return *apex_; }
  const RRset* soa() const { return apex_->find(rr_type::SOA); }
  const RRset* apex_ns() const { return apex_->find(rr_type::NS); }
  std::uint32_t serial() const;

  // Calls f(NodeRef) for every node, in no particular order.
  template <typename F>
  void for_each_node(F&& f) const {
    for (const auto& [name, node] : nodes_)
      f(NodeRef{&name, &node});
  }
  // Calls f(NodeRef) for each existing proper ancestor of `name` inside the zone, nearest first,
  // down to the apex; stops early when f returns false. Allocates nothing.
  template <typename F>
  void for_each_ancestor(NameView name, F&& f) const {
    std::size_t offsets[kMaxLabelCount + 1];
    std::size_t labels = 0;
    std::size_t pos = 0;
    for (; name.wire[pos] != 0; pos += 1 + name.wire[pos])
      offsets[labels++] = pos;
    offsets[labels] = pos;  // the root label
    for (std::size_t strip = 1; labels >= apex_labels_ + strip; ++strip) {
      NodeRef ancestor = find(NameView{name.wire.subspan(offsets[strip])});
      if (ancestor && !f(ancestor)) return;
    }
  }

  // Every node (including empty non-terminals) in RFC 4034 §6.1 canonical order.
  std::vector<NodeRef> nodes_in_canonical_order() const;
  std::size_t node_count() const { return nodes_.size(); }
  std::size_t record_count() const { return record_count_; }

  // Names of the files the zone was read from; SourceLocation::file_index points here.
  std::vector<std::string>& files() { return files_; }
  const std::vector<std::string>& files() const { return files_; }

 private:
  Lookup wildcard_or_nxdomain(NodeRef closest_encloser) const;
  using Entry = std::pair<const Name, Node>;
  void add_ancestors(Entry& entry);
  void note_cut_or_dname(const Name& owner, Node& node, std::uint16_t type);
  void mark_occlusion();

  Name origin_;
  std::size_t apex_labels_;
  std::uint16_t rclass_;
  std::unique_ptr<ZoneArena> arena_;  // before nodes_: outlives them; a pointer: stays put on moves
  std::pmr::unordered_map<Name, Node, NameKeyHash, NameKeyEqual> nodes_;
  Node* apex_ = nullptr;
  std::size_t record_count_ = 0;
  std::bitset<kMaxLabelCount + 1> occluding_depths_;  // label counts of cuts and DNAME owners
  bool occlusion_pass_needed_ = false;                // a cut or DNAME came after names below it
  Entry* last_owner_ = nullptr;                       // the node of the last add(), while building
  std::vector<std::string> files_;
};

}  // namespace hayate::zone
