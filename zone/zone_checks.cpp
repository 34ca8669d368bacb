#include "zone/zone_checks.hpp"

#include "zone/ldns_wrapper.hpp"

#include <algorithm>
#include <string>

#include "zone/rdata_names.hpp"
#include "zone/rr_text.hpp"
#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

// Octets that an unpadded base32hex string (RFC 4648 §7) decodes to, or -1 when it is not one.
int base32hex_decoded_length(std::string_view text) {
  for (char c : text) {
    char lower = static_cast<char>(ascii_lower(static_cast<std::uint8_t>(c)));
    bool digit = lower >= '0' && lower <= '9';
    bool letter = lower >= 'a' && lower <= 'v';
    if (!digit && !letter) return -1;
  }
  // 8 characters carry 5 octets; 1, 3 and 6 leftover characters cannot end a valid encoding.
  std::size_t rest = text.size() % 8;
  if (rest == 1 || rest == 3 || rest == 6) return -1;
  return static_cast<int>(text.size() * 5 / 8);
}

// Collects findings for one zone; each check is one member function with one job.
class Checker {
 public:
  Checker(const Zone& zone, std::vector<Diagnostic>& out) : zone_(zone), out_(out) {}

  void run() {
    check_apex();
    // Node order does not matter: findings are sorted by file and line afterwards.
    zone_.for_each_node([this](const NodeRef& ref) {
      check_singletons(ref);
      check_cname_and_other_data(ref);
      check_soa_placement(ref);
      check_obsolete_types(ref);
      check_nsec3_owner(ref);
      check_occluded(ref);
      check_ns_targets(ref);
    });
  }

 private:
  void report(Severity severity, SourceLocation where, std::string message) {
    const auto& files = zone_.files();
    std::string file = where.file_index < files.size() ? files[where.file_index] : "";
    out_.push_back(Diagnostic{severity, std::move(file), where.line, std::move(message)});
  }
  void error(SourceLocation where, std::string message) {
    report(Severity::kError, where, std::move(message));
  }
  void warning(SourceLocation where, std::string message) {
    report(Severity::kWarning, where, std::move(message));
  }

  std::string owner_text(const NodeRef& ref) const { return ref.name->to_text(); }

  // RFC 1035 §5.2: exactly one SOA, at the top of the zone, and NS records there (RFC 1034 §4.2.1).
  void check_apex() {
    const Node& apex = zone_.apex();
    SourceLocation first{0, 0};
    if (zone_.soa() == nullptr) {
      error(first, zone_.origin().to_text() + ": no SOA record at the zone apex");
    }
    if (zone_.apex_ns() == nullptr) {
      error(first, zone_.origin().to_text() + ": no NS records at the zone apex");
    }
    if (const RRset* ds = apex.find(rr_type::DS)) {
      // RFC 4035 §2.4: DS records live in the parent zone, at the delegation point.
      error(ds->where, zone_.origin().to_text() + ": DS record at the zone apex");
    }
    check_cds(apex);
    check_cdnskey(apex);
  }

  // SOA, CNAME and DNAME RRsets hold one record (RFC 1035 §5.2, RFC 2181 §10.1, RFC 6672 §2.4).
  void check_singletons(const NodeRef& ref) {
    for (const RRset& rrset : ref.node->rrsets()) {
      bool singleton = rrset.type == rr_type::SOA || rrset.type == rr_type::CNAME ||
                       rrset.type == rr_type::DNAME;
      if (singleton && rrset.rdatas.size() > 1) {
        error(rrset.where, owner_text(ref) + ": more than one " + type_to_text(rrset.type) +
                               " record (only one is allowed)");
      }
    }
  }

  // RFC 2181 §10.1: a CNAME's owner holds no other data, DNSSEC records apart (RFC 4035 §2.5).
  void check_cname_and_other_data(const NodeRef& ref) {
    const RRset* cname = ref.node->find(rr_type::CNAME);
    if (cname == nullptr) return;
    for (const RRset& rrset : ref.node->rrsets()) {
      if (rrset.type == rr_type::CNAME || may_coexist_with_cname(rrset.type)) continue;
      // Report at the later of the two, where the conflict became visible (as BIND does).
      SourceLocation where = rrset.where.line > cname->where.line ? rrset.where : cname->where;
      error(where, owner_text(ref) + ": CNAME and other data (" + type_to_text(rrset.type) + ")");
    }
  }

  void check_soa_placement(const NodeRef& ref) {
    if (ref.node == &zone_.apex()) return;
    if (const RRset* soa = ref.node->find(rr_type::SOA)) {
      error(soa->where, owner_text(ref) + ": SOA record not at the zone apex");
    }
  }

  // MD and MF were replaced by MX (RFC 973); BIND refuses them.
  void check_obsolete_types(const NodeRef& ref) {
    for (const RRset& rrset : ref.node->rrsets()) {
      if (rrset.type == rr_type::MD || rrset.type == rr_type::MF) {
        error(rrset.where, owner_text(ref) + ": type " + type_to_text(rrset.type) +
                               " is obsolete (RFC 973), use MX");
      }
    }
  }

  // RFC 5155 §3: an NSEC3 owner's first label is the base32hex hash, unpadded, of the length the
  // record's hash algorithm gives (its "Hash Length" field).
  void check_nsec3_owner(const NodeRef& ref) {
    const RRset* nsec3 = ref.node->find(rr_type::NSEC3);
    if (nsec3 == nullptr || ref.name->label_count() == 0) return;
    std::string_view label = ref.name->label(0);
    int length = base32hex_decoded_length(label);
    bool valid = length > 0;
    if (valid && !nsec3->rdatas.empty()) {
      const Rdata& rdata = nsec3->rdatas.front();
      // Hash alg (1), flags (1), iterations (2), salt length + salt, hash length + hash.
      if (rdata.size() > 4 && 5u + rdata[4] < rdata.size()) {
        valid = static_cast<std::size_t>(length) == rdata[5u + rdata[4]];
      }
    }
    if (!valid) {
      error(nsec3->where, owner_text(ref) +
                              ": bad NSEC3 owner name (not an unpadded base32hex "
                              "hash of the record's hash length)");
    }
  }

  // Data below a zone cut is not served (RFC 1034 §4.2.1); address records there are glue.
  // Everything below a DNAME is occluded (RFC 6672 §2.4).
  void check_occluded(const NodeRef& ref) {
    if (!ref.node->is_occluded()) return;
    bool below_cut = ref.node->is_below_delegation();
    for (const RRset& rrset : ref.node->rrsets()) {
      bool glue = below_cut && (rrset.type == rr_type::A || rrset.type == rr_type::AAAA);
      if (glue) continue;
      warning(rrset.where, owner_text(ref) + "/" + type_to_text(rrset.type) + ": occluded by the " +
                               (below_cut ? "delegation" : "DNAME") + " above it, not served");
    }
  }

  bool below_delegation(const Name& name) const {
    bool below = false;
    zone_.for_each_ancestor(NameView{name.wire()}, [&below](NodeRef ancestor) {
      below = ancestor.node->is_delegation();
      return !below;
    });
    return below;
  }

  // RFC 1034 §4.2.2: an in-zone name server needs its addresses in the zone (glue below a cut),
  // and an NS target must not be an alias (RFC 2181 §10.3).
  void check_ns_targets(const NodeRef& ref) {
    if (ref.node->is_occluded()) return;
    const RRset* ns = ref.node->find(rr_type::NS);
    if (ns == nullptr) return;
    for (const Rdata& rdata : ns->rdatas) {
      auto target = rdata_target(rr_type::NS, rdata);
      if (!target || !target->is_subdomain_of(zone_.origin())) continue;
      NodeRef host = zone_.find(*target);
      if (host && host.node->find(rr_type::CNAME) != nullptr) {
        error(ns->where, owner_text(ref) + "/NS '" + target->to_text() + "' is a CNAME (illegal)");
        continue;
      }
      if (host && host.node->is_occluded() && !below_delegation(*target)) continue;  // DNAME
      bool has_address = host && (host.node->find(rr_type::A) || host.node->find(rr_type::AAAA));
      if (has_address) continue;
      // A target below another delegation of this zone ("sibling glue", e.g. test. delegating
      // a.test to ns.b.test) can be looked up through that delegation: resolvers do, and BIND
      // only warns ("has no SIBLING GLUE"). Below the NS owner itself it cannot (RFC 1034
      // §4.2.1 required glue), and an in-zone target with no address is a plain error.
      const std::string text =
          owner_text(ref) + "/NS '" + target->to_text() + "' has no address records (A or AAAA)";
      if (!below_delegation(*target)) {
        error(ns->where, text);
      } else if (ref.node->is_delegation() && target->is_subdomain_of(*ref.name)) {
        error(ns->where, text + ": missing glue");
      } else {
        warning(ns->where, text + ": no sibling glue, resolvers must look it up");
      }
    }
  }

  // RFC 7344 §4.1 / RFC 8078: CDS and CDNSKEY must match a DNSKEY of the zone, unless they are
  // the "delete" form (algorithm 0).
  void check_cds(const Node& apex) {
    const RRset* cds = apex.find(rr_type::CDS);
    if (cds == nullptr) return;
    for (const Rdata& rdata : cds->rdatas) {
      if (rdata.size() < 4 || rdata[2] == 0) continue;  // delete form: "0 0 0 00"
      if (!cds_matches_a_dnskey(apex, rdata)) {
        error(cds->where, zone_.origin().to_text() + ": CDS record does not match any DNSKEY");
      }
    }
  }

  void check_cdnskey(const Node& apex) {
    const RRset* cdnskey = apex.find(rr_type::CDNSKEY);
    if (cdnskey == nullptr) return;
    const RRset* dnskey = apex.find(rr_type::DNSKEY);
    for (const Rdata& rdata : cdnskey->rdatas) {
      if (rdata.size() >= 4 && rdata[3] == 0) continue;  // delete form: "0 3 0 AA=="
      bool found = dnskey != nullptr && std::find(dnskey->rdatas.begin(), dnskey->rdatas.end(),
                                                  rdata) != dnskey->rdatas.end();
      if (!found) {
        error(cdnskey->where,
              zone_.origin().to_text() + ": CDNSKEY record does not match any DNSKEY");
      }
    }
  }

  bool cds_matches_a_dnskey(const Node& apex, const Rdata& cds) const {
    const RRset* dnskey = apex.find(rr_type::DNSKEY);
    if (dnskey == nullptr) return false;
    std::uint16_t key_tag = static_cast<std::uint16_t>(cds[0] << 8 | cds[1]);
    std::uint8_t algorithm = cds[2];
    std::uint8_t digest_type = cds[3];
    std::span<const std::uint8_t> digest(cds.data() + 4, cds.size() - 4);
    for (const Rdata& key : dnskey->rdatas) {
      if (key.size() < 4 || key[3] != algorithm) continue;
      if (ldns_calc_keytag_raw(key.data(), key.size()) != key_tag) continue;
      auto computed = ds_digest(key, digest_type);
      if (computed.empty()) return true;  // a digest we cannot compute: do not reject
      if (std::equal(computed.begin(), computed.end(), digest.begin(), digest.end())) return true;
    }
    return false;
  }

  // RFC 4034 §5.1.4: digest = H(owner name in canonical form | DNSKEY rdata).
  std::vector<std::uint8_t> ds_digest(const Rdata& key, std::uint8_t digest_type) const {
    Name owner = zone_.origin().lowercased();
    std::vector<std::uint8_t> input(owner.wire().begin(), owner.wire().end());
    input.insert(input.end(), key.begin(), key.end());
    auto size = static_cast<unsigned>(input.size());
    switch (digest_type) {
      case 1: {  // SHA-1
        std::vector<std::uint8_t> out(20);
        ldns_sha1(input.data(), size, out.data());
        return out;
      }
      case 2: {  // SHA-256 (RFC 4509)
        std::vector<std::uint8_t> out(32);
        ldns_sha256(input.data(), size, out.data());
        return out;
      }
      case 4: {  // SHA-384 (RFC 6605)
        std::vector<std::uint8_t> out(48);
        ldns_sha384(input.data(), size, out.data());
        return out;
      }
      default:
        return {};
    }
  }

  const Zone& zone_;
  std::vector<Diagnostic>& out_;
};

}  // namespace

void check_zone(const Zone& zone, std::vector<Diagnostic>& out) {
  std::vector<Diagnostic> found;
  Checker(zone, found).run();
  std::stable_sort(found.begin(), found.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.file != b.file ? a.file < b.file : a.line < b.line;
  });
  out.insert(out.end(), std::make_move_iterator(found.begin()),
             std::make_move_iterator(found.end()));
}

}  // namespace hayate::zone
