// A bounds-checked cursor over one whole DNS message.
//
// It reads names with compression pointers (RFC 1035 §4.1.4), questions, RR headers and rdata.
// Nothing allocates and nothing throws: every read returns a WireError, and on error the cursor
// position is unspecified (callers stop at the first error). The query parser walks requests with
// it; the resolver walks responses with it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "zone/message.hpp"
#include "zone/name.hpp"

namespace hayate::zone {

enum class WireError : std::uint8_t {
  kOk = 0,
  kTruncated,        // a field or label runs past the end of the message
  kBadLabelType,     // label type 0x40 or 0x80 (RFC 6891 §5 retired 0x40; 0x80 never defined)
  kNameTooLong,      // more than 255 octets once decompressed (RFC 1035 §2.3.4)
  kBadPointer,       // pointer forward, into itself, to an earlier jump's region, or into header
  kTooManyPointers,  // more jumps than a valid name can need
  kRdataOverrun,     // rdlength runs past the end of the message
};

// A static, human-readable reason ("compression pointer points forward" etc.).
const char* wire_error_reason(WireError error);

enum class NameCase : std::uint8_t { kKeep, kLower };

// A decompressed name in a fixed buffer: no heap, cheap to keep on the stack.
struct WireName {
  std::array<std::uint8_t, kMaxNameLength> octets;
  std::uint8_t length = 0;  // octets used, root label included; 0 until a name is read
  std::uint8_t labels = 0;  // not counting the root label

  std::span<const std::uint8_t> wire() const { return {octets.data(), length}; }
  bool is_root() const { return length == 1; }
};

// The fixed part of a resource record (RFC 1035 §4.1.3) and where its pieces are.
struct RRHeader {
  std::uint16_t type = 0;
  std::uint16_t rclass = 0;
  std::uint32_t ttl = 0;
  std::uint16_t rdlength = 0;
  std::size_t owner_offset = 0;  // first octet of the owner name
  std::size_t rdata_offset = 0;  // first octet of rdata
};

struct WireRecord {
  RRHeader header;
  std::span<const std::uint8_t> rdata;  // as on the wire: names inside may be compressed
};

// Decodes the (possibly compressed) name at `offset` of `message`. `next` receives the offset just
// past the name as it sits at `offset` (i.e. after its first pointer, if any). `out` may be null to
// only validate. Pointer rules: a pointer must point strictly before the start of the label run it
// ends, and never into the header; this makes loops impossible, and the jump count is capped too.
WireError read_name_at(std::span<const std::uint8_t> message, std::size_t offset, WireName* out,
                       std::size_t* next, NameCase name_case = NameCase::kKeep);

class RecordReader {
 public:
  // `message` is the whole message (header included) so that pointers can be followed.
  explicit RecordReader(std::span<const std::uint8_t> message, std::size_t offset = 0)
      : message_(message), offset_(offset <= message.size() ? offset : message.size()) {}

  std::span<const std::uint8_t> message() const { return message_; }
  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return message_.size() - offset_; }
  bool at_end() const { return offset_ == message_.size(); }

  WireError read_header(Header& out);
  WireError read_u8(std::uint8_t& out);
  WireError read_u16(std::uint16_t& out);
  WireError read_u32(std::uint32_t& out);
  WireError read_bytes(std::size_t count, std::span<const std::uint8_t>& out);
  WireError skip(std::size_t count);

  // A name at the cursor; `out` may be null to validate and skip.
  WireError read_name(WireName* out, NameCase name_case = NameCase::kKeep);

  // QNAME, QTYPE, QCLASS (RFC 1035 §4.1.2).
  WireError read_question(WireName* name, std::uint16_t& qtype, std::uint16_t& qclass,
                          NameCase name_case = NameCase::kKeep);

  // Owner name (into `owner` unless null) and the fixed fields; leaves the cursor at the rdata.
  WireError read_rr_header(WireName* owner, RRHeader& out, NameCase name_case = NameCase::kKeep);
  // The rdata announced by `header`; the cursor must be at header.rdata_offset.
  WireError read_rdata(const RRHeader& header, std::span<const std::uint8_t>& out);
  WireError skip_rdata(const RRHeader& header);
  // Header and rdata in one call.
  WireError read_record(WireName* owner, WireRecord& out, NameCase name_case = NameCase::kKeep);

  // Reads `count` records, calling fn(const WireName& owner, const WireRecord&) for each; fn
  // returns false to stop early (the cursor then sits after that record). Use it to walk the
  // answer, authority and additional sections in turn.
  template <typename Fn>
  WireError for_each_record(std::uint16_t count, Fn&& fn, NameCase name_case = NameCase::kKeep) {
    WireName owner;
    WireRecord record;
    for (std::uint16_t i = 0; i < count; ++i) {
      WireError error = read_record(&owner, record, name_case);
      if (error != WireError::kOk) return error;
      if (!fn(static_cast<const WireName&>(owner), static_cast<const WireRecord&>(record))) break;
    }
    return WireError::kOk;
  }

 private:
  bool has(std::size_t count) const { return count <= remaining(); }

  std::span<const std::uint8_t> message_;
  std::size_t offset_;
};

}  // namespace hayate::zone
