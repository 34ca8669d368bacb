// Allocation-free parsing of an incoming query: header, the question, EDNS (RFC 6891), and a
// structural walk of every other record so that malformed messages are refused up front.
//
// Every malformed input maps to a ParseError with a static reason and an action: answer FORMERR
// or drop silently (RFC 1035 §4.1.1, RFC 6891 §6.1.1, RFC 7766 §8 practice, as NSD and Knot do).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "zone/edns.hpp"
#include "zone/message.hpp"
#include "zone/name.hpp"
#include "zone/record_reader.hpp"

namespace hayate::zone {

enum class ParseError : std::uint8_t {
  kOk = 0,
  // Dropped: nothing trustworthy to answer to.
  kShortHeader,  // fewer than 12 octets
  kNotQuery,     // QR=1: a response sent to us; answering could start a loop
  kOversized,    // more than 65535 octets: no DNS transport carries that
  // FORMERR.
  kBadQuestionCount,  // QDCOUNT != 1 for QUERY/NOTIFY, > 1 for other opcodes
  kQuestionTruncated,
  kBadQuestionName,  // bad label type, too long, or a bad compression pointer
  kRecordTruncated,  // an RR in answer/authority/additional runs past the end
  kBadRecordName,
  kOptNotAdditional,  // OPT in answer or authority (RFC 6891 §6.1.1)
  kDuplicateOpt,      // more than one OPT (RFC 6891 §6.1.1)
  kOptOwnerNotRoot,   // RFC 6891 §6.1.2
  kOptOptionOverrun,  // an option's length runs past the OPT rdata (RFC 6891 §6.1.2)
  kTsigNotLast,       // TSIG anywhere but last in the additional section (RFC 8945 §5.1)
  kTrailingData,      // octets after the last counted record
};

enum class ParseAction : std::uint8_t { kAnswer, kFormErr, kDrop };

const char* parse_error_reason(ParseError error);
ParseAction parse_error_action(ParseError error);

struct ParsedQuery {
  // Valid for every outcome but kShortHeader, so the server can answer NOTIMP/FORMERR with the
  // right ID and opcode.
  Header header;

  // The question (when header.qdcount == 1 and parsing got that far).
  bool has_question = false;
  std::array<std::uint8_t, kMaxNameLength> qname{};        // as received (0x20 case kept)
  std::array<std::uint8_t, kMaxNameLength> qname_lower{};  // ASCII-lowercased, for lookups
  std::uint8_t qname_length = 0;                           // octets, root label included
  std::uint8_t qname_labels = 0;                           // root not counted
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  std::uint16_t question_offset = 0;  // the whole question's octets in the packet, for echoing
  std::uint16_t question_length = 0;

  // EDNS (RFC 6891 §6.1.3), when an OPT record is present.
  bool has_edns = false;
  std::uint16_t udp_payload_size = 0;  // raw; values below 512 mean 512 (§6.2.3)
  std::uint8_t ext_rcode_high = 0;
  std::uint8_t edns_version = 0;
  bool dnssec_ok = false;
  std::uint16_t edns_z = 0;          // flag bits other than DO
  std::uint16_t opt_offset = 0;      // first octet of the OPT RR
  std::uint16_t options_offset = 0;  // the options area (OPT rdata)
  std::uint16_t options_length = 0;
  // The first ECS and COOKIE options, located during validation (length 0 = absent). Their
  // content is checked by the stages that use them (edns.hpp codecs), not here.
  bool has_client_subnet = false;
  std::uint16_t client_subnet_offset = 0;
  std::uint16_t client_subnet_length = 0;
  bool has_cookie = false;
  std::uint16_t cookie_offset = 0;
  std::uint16_t cookie_length = 0;

  // TSIG (RFC 8945), when present: the RR's first octet.
  bool has_tsig = false;
  std::uint16_t tsig_offset = 0;

  // Detail of a name or bounds error behind the ParseError, for logs and tests.
  WireError wire_error = WireError::kOk;

  std::span<const std::uint8_t> qname_wire() const { return {qname.data(), qname_length}; }
  std::span<const std::uint8_t> qname_lower_wire() const {
    return {qname_lower.data(), qname_length};
  }
  std::span<const std::uint8_t> question(std::span<const std::uint8_t> packet) const {
    return packet.subspan(question_offset, question_length);
  }
  std::span<const std::uint8_t> options(std::span<const std::uint8_t> packet) const {
    return packet.subspan(options_offset, options_length);
  }
  // Iterates the EDNS options of `packet` (the same bytes that were parsed).
  OptionIterator option_iterator(std::span<const std::uint8_t> packet) const {
    return OptionIterator(options(packet));
  }
  std::span<const std::uint8_t> client_subnet(std::span<const std::uint8_t> packet) const {
    return packet.subspan(client_subnet_offset, client_subnet_length);
  }
  std::span<const std::uint8_t> cookie(std::span<const std::uint8_t> packet) const {
    return packet.subspan(cookie_offset, cookie_length);
  }
};

// Parses `packet` into `out` (which is fully reset first). Does not allocate.
ParseError parse_query(std::span<const std::uint8_t> packet, ParsedQuery& out);

// The question of a message with exactly one, its name lowercased, read without parsing the rest
// (a hint for a cache prefetch: parse_query() decides what the message is). `name` is filled
// with the wire name; false when there is no such question.
bool peek_question(std::span<const std::uint8_t> packet, WireName& name, std::uint16_t& qtype);

}  // namespace hayate::zone
