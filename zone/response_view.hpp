// A parsed DNS response, as received from an upstream server, in a compact owned form.
//
// The resolver reads referrals and answers from it: the header (with the full 12-bit rcode), the
// question, and each section's records grouped into RRsets (RFC 2181 §5) whose rdata is in the
// uncompressed form zone::Rdata uses everywhere else. Everything is bounds-checked; a malformed
// message yields a ResponseError with a static reason and nothing is trusted beyond the header.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "zone/edns.hpp"
#include "zone/message.hpp"
#include "zone/name.hpp"
#include "zone/record_reader.hpp"
#include "zone/rrset.hpp"

namespace hayate::zone {

enum class ResponseError : std::uint8_t {
  kOk = 0,
  kShortHeader,       // fewer than 12 octets: not even the header is usable
  kOversized,         // more than 65535 octets
  kNotResponse,       // QR=0
  kBadQuestionCount,  // QDCOUNT > 1
  kQuestionTruncated,
  kBadQuestionName,
  kRecordTruncated,   // an RR runs past the end of the message
  kBadRecordName,     // an owner name with a bad label, pointer or length
  kBadRdata,          // rdata that does not fit its type's layout, or a bad name inside it
  kTooManyRecords,    // more records than ResponseLimits::max_records
  kRdataTooLarge,     // decompressed rdata beyond ResponseLimits::max_rdata_bytes
  kOptNotAdditional,  // RFC 6891 §6.1.1
  kDuplicateOpt,      // RFC 6891 §6.1.1
  kOptOwnerNotRoot,   // RFC 6891 §6.1.2
  kOptOptionOverrun,  // an option's length runs past the OPT rdata
  kTsigNotLast,       // RFC 8945 §5.1
  kTrailingData,      // octets after the last counted record
};

const char* response_error_reason(ResponseError error);

// Bounds on what one response may cost to hold. A 64 KiB message can decompress to megabytes
// (every 2-octet pointer may stand for a 255-octet name), so the total is capped explicitly.
struct ResponseLimits {
  std::size_t max_records = 1000;            // answer + authority + additional, OPT included
  std::size_t max_rdata_bytes = 256 * 1024;  // sum of decompressed rdata and owner names
};

// All records of one (owner, type, class) in one section, duplicates removed (RFC 2181 §5).
struct ResponseRRset {
  Name owner;  // as received (case kept)
  std::uint16_t type = 0;
  std::uint16_t rclass = 0;
  std::uint32_t ttl = 0;  // the smallest TTL of the records (RFC 2181 §5.2, §8)
  std::vector<Rdata> rdatas;
};

struct ResponseEdns {
  bool present = false;
  std::uint16_t udp_payload_size = 0;  // as sent; values below 512 mean 512 (RFC 6891 §6.2.3)
  std::uint8_t version = 0;
  bool dnssec_ok = false;
  std::uint16_t z = 0;                // flag bits other than DO
  std::vector<std::uint8_t> options;  // the OPT rdata, verbatim
  // The first ECS option (RFC 7871 §6) when it parses; client_subnet_error says why it did not.
  std::optional<ClientSubnet> client_subnet;
  EcsError client_subnet_error = EcsError::kOk;
};

struct ResponseView {
  // Valid for every outcome but kShortHeader (so a caller can still see ID, TC and rcode).
  Header header;
  std::uint16_t rcode = 0;  // the full 12-bit rcode: header bits + OPT extended bits

  bool has_question = false;
  Name qname;  // case as received
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;

  std::array<std::vector<ResponseRRset>, 3> sections;  // indexed by Section
  ResponseEdns edns;
  bool has_tsig = false;  // a TSIG record ended the message (not kept as an RRset)

  std::size_t record_count = 0;           // records read, OPT and TSIG included
  WireError wire_error = WireError::kOk;  // detail behind a name or bounds error

  const std::vector<ResponseRRset>& section(Section s) const {
    return sections[static_cast<std::size_t>(s)];
  }
  // The RRset of `owner` (case-insensitive), `type` and `rclass` in `s`, or nullptr.
  const ResponseRRset* find(Section s, const Name& owner, std::uint16_t type,
                            std::uint16_t rclass = 1) const;
};

// Parses `message` into `out` (reset first). On error `out` holds what was read before it.
ResponseError parse_response(std::span<const std::uint8_t> message, ResponseView& out,
                             const ResponseLimits& limits = {});

// RFC 5452 §9.1: accept a response only when its question is the one we asked. Names compare
// without regard to case for now; once the iterator sends 0x20-randomised names
// (draft-vixie-dnsext-dns0x20) it should compare the exact case it sent instead.
bool response_matches_question(const ResponseView& view, const Name& qname, std::uint16_t qtype,
                               std::uint16_t qclass);

}  // namespace hayate::zone
