// Renders a DNS message into a caller-provided buffer, never past a hard size limit.
//
// Header, question, then records section by section (answer, authority, additional), with name
// compression (RFC 1035 §4.1.4) for owner names and for the names inside the rdata of the types
// RFC 3597 §4 allows. A whole RRset goes in or nothing does (RFC 2181 §9: never split an RRset).
// The compression table has a fixed size and nothing is allocated per message.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "zone/edns.hpp"
#include "zone/message.hpp"
#include "zone/name.hpp"
#include "zone/rrset.hpp"

namespace hayate::zone {

// True for the types whose rdata names may be compressed (RFC 3597 §4: the RFC 1035 types NS, MD,
// MF, CNAME, SOA, MB, MG, MR, PTR, MINFO, MX). Never SRV, NAPTR, RRSIG, ... (RFC 2782, RFC 4034).
bool rdata_compressible(std::uint16_t type);

class MessageRenderer {
 public:
  // Suffixes remembered for compression. Enough for a full 512-octet answer; when full, further
  // names are written uncompressed (still correct, just longer).
  static constexpr std::size_t kCompressionEntries = 128;

  // Writes into `buffer`, never beyond min(limit, buffer.size()) octets.
  MessageRenderer(std::span<std::uint8_t> buffer, std::size_t limit);

  // Starts a response to `query`: same ID and opcode, RD and CD copied (RFC 1035 §4.1.1,
  // RFC 6840 §5.9), QR set, everything else clear. False when the limit is below 12 octets.
  bool begin_response(const Header& query);
  // Starts a message with exactly this header (counts are ignored; they are kept by the renderer).
  bool begin(const Header& header);

  // Header flags may be changed until finish(); counts are written by finish().
  Header& header() { return header_; }
  // Full 12-bit rcode: the low 4 bits go in the header, the rest in the OPT record (add_opt).
  void set_rcode(std::uint16_t full_rcode);

  // Echoes a question exactly as it was received (QNAME case included; ParsedQuery::question()).
  // The name must be uncompressed, which a question at offset 12 always is.
  bool echo_question(std::span<const std::uint8_t> question);
  bool add_question(std::span<const std::uint8_t> qname_wire, std::uint16_t qtype,
                    std::uint16_t qclass);

  // Holds `octets` back from the limit for the OPT record (add_opt releases them). False, and
  // nothing held, when they are not available any more.
  bool reserve(std::size_t octets);
  std::size_t reserved() const { return reserved_; }

  // Adds all records of one RRset to `section`, or none. On failure the message is as before the
  // call and false is returned; in the answer and authority sections the message is also marked
  // truncated (finish() then sets TC). In the additional section a failure only returns false:
  // RFC 2181 §9 asks for TC only when required data is missing; call mark_truncated() when it is
  // (e.g. in-domain glue, RFC 9471). Sections must be filled in order.
  bool add_rrset(Section section, std::span<const std::uint8_t> owner_wire, std::uint16_t type,
                 std::uint16_t rclass, std::uint32_t ttl, std::span<const Rdata> rdatas);
  bool add_rrset(Section section, const Name& owner, const RRset& rrset, std::uint16_t rclass = 1) {
    return add_rrset(section, owner.wire(), rrset.type, rclass, rrset.ttl, rrset.rdatas);
  }
  // One record, with the same all-or-nothing and truncation rules.
  bool add_record(Section section, std::span<const std::uint8_t> owner_wire, std::uint16_t type,
                  std::uint16_t rclass, std::uint32_t ttl, std::span<const std::uint8_t> rdata);

  // Adds the OPT record (RFC 6891 §6.1) at the end of the additional section, using the reserved
  // space first. The extended rcode bits come from set_rcode(), not from `params`.
  bool add_opt(const OptParams& params, std::span<const std::uint8_t> options = {});

  // For callers that need several RRsets to go in together (e.g. an RRset and its RRSIGs).
  struct Mark {
    std::size_t size = 0;
    std::array<std::uint16_t, 3> counts{};
    std::size_t compression_entries = 0;
    Section section = Section::kAnswer;
  };
  Mark mark() const;
  void rollback(const Mark& mark);

  void mark_truncated() { truncated_ = true; }
  bool truncated() const { return truncated_; }

  std::size_t size() const { return size_; }
  std::size_t limit() const { return limit_; }
  std::uint16_t count(Section section) const { return counts_[static_cast<int>(section)]; }

  // Writes the section counts (and TC when truncated) into the header; returns the message size.
  std::size_t finish();

 private:
  struct Suffix {
    std::uint16_t offset;  // where the suffix starts in the buffer
    std::uint8_t length;   // its uncompressed length, root label included
  };

  bool room(std::size_t octets) const { return size_ + octets <= limit_; }
  bool enter_section(Section section);
  bool fail(Section section, const Mark& before);

  // Writes `name` (valid uncompressed wire), replacing its longest known suffix by a pointer.
  bool write_name(std::span<const std::uint8_t> name);
  bool write_bytes(std::span<const std::uint8_t> bytes);
  bool write_u16(std::uint16_t value);
  bool write_u32(std::uint32_t value);
  bool write_record(std::span<const std::uint8_t> owner, std::uint16_t type, std::uint16_t rclass,
                    std::uint32_t ttl, std::span<const std::uint8_t> rdata);
  bool write_rdata(std::uint16_t type, std::span<const std::uint8_t> rdata);
  bool write_compressible_rdata(std::uint16_t type, std::span<const std::uint8_t> rdata);

  int find_suffix(std::span<const std::uint8_t> suffix) const;  // offset, or -1
  bool suffix_matches(const Suffix& entry, std::span<const std::uint8_t> suffix) const;
  void remember_suffix(std::size_t offset, std::size_t length);

  std::span<std::uint8_t> buffer_;
  std::size_t limit_;
  std::size_t size_ = 0;
  std::size_t reserved_ = 0;
  Header header_;
  std::uint8_t ext_rcode_ = 0;
  std::array<std::uint16_t, 3> counts_{};
  Section section_ = Section::kAnswer;
  bool truncated_ = false;
  std::array<Suffix, kCompressionEntries> suffixes_;
  std::size_t suffix_count_ = 0;
};

}  // namespace hayate::zone
