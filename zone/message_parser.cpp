#include "zone/message_parser.hpp"

#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

constexpr std::size_t kMaxMessageSize = 0xffff;  // RFC 1035 §4.2.2 / RFC 7766 §8 length field

// Resets the scalar fields only: the name arrays are only read up to qname_length.
void reset(ParsedQuery& out) {
  out.header = Header{};
  out.has_question = false;
  out.qname_length = 0;
  out.qname_labels = 0;
  out.qtype = out.qclass = 0;
  out.question_offset = out.question_length = 0;
  out.has_edns = false;
  out.udp_payload_size = 0;
  out.ext_rcode_high = out.edns_version = 0;
  out.dnssec_ok = false;
  out.edns_z = 0;
  out.opt_offset = out.options_offset = out.options_length = 0;
  out.has_client_subnet = out.has_cookie = false;
  out.client_subnet_offset = out.client_subnet_length = 0;
  out.cookie_offset = out.cookie_length = 0;
  out.has_tsig = false;
  out.tsig_offset = 0;
  out.wire_error = WireError::kOk;
}

// QUERY and NOTIFY carry exactly one question (RFC 1035 §4.1.2 in practice, RFC 1996 §3.7);
// other opcodes may carry none (e.g. DSO, RFC 8490 §5.4) and are answered NOTIMP by the server,
// so they only need a header we can trust and at most one question we can echo.
bool question_count_ok(const Header& header) {
  std::uint8_t op = header.opcode();
  if (op == opcode::QUERY || op == opcode::NOTIFY) return header.qdcount == 1;
  return header.qdcount <= 1;
}

ParseError parse_question(RecordReader& reader, ParsedQuery& out) {
  WireName name;
  std::size_t start = reader.offset();
  WireError error = reader.read_question(&name, out.qtype, out.qclass);
  if (error != WireError::kOk) {
    out.wire_error = error;
    return error == WireError::kTruncated ? ParseError::kQuestionTruncated
                                          : ParseError::kBadQuestionName;
  }
  out.has_question = true;
  out.qname_length = name.length;
  out.qname_labels = name.labels;
  for (std::size_t i = 0; i < name.length; ++i) {
    out.qname[i] = name.octets[i];
    out.qname_lower[i] = ascii_lower(name.octets[i]);
  }
  out.question_offset = static_cast<std::uint16_t>(start);
  out.question_length = static_cast<std::uint16_t>(reader.offset() - start);
  return ParseError::kOk;
}

// Remembers where the first ECS and COOKIE options are; unknown options are skipped, as RFC 6891
// §6.1.2 asks ("options the responder does not understand MUST be ignored").
void note_option(const EdnsOption& option, std::span<const std::uint8_t> packet, ParsedQuery& out) {
  auto offset = static_cast<std::uint16_t>(option.data.data() - packet.data());
  auto length = static_cast<std::uint16_t>(option.data.size());
  if (option.code == edns_option::CLIENT_SUBNET && !out.has_client_subnet) {
    out.has_client_subnet = true;
    out.client_subnet_offset = offset;
    out.client_subnet_length = length;
  } else if (option.code == edns_option::COOKIE && !out.has_cookie) {
    out.has_cookie = true;
    out.cookie_offset = offset;
    out.cookie_length = length;
  }
}

ParseError parse_opt(std::span<const std::uint8_t> packet, const WireName& owner,
                     const WireRecord& record, ParsedQuery& out) {
  if (out.has_edns) return ParseError::kDuplicateOpt;
  if (!owner.is_root()) return ParseError::kOptOwnerNotRoot;
  OptParams params;
  opt_params_from_ttl(record.header.ttl, params);
  out.has_edns = true;
  out.udp_payload_size = record.header.rclass;
  out.ext_rcode_high = params.ext_rcode_high;
  out.edns_version = params.version;
  out.dnssec_ok = params.dnssec_ok;
  out.edns_z = params.z;
  out.opt_offset = static_cast<std::uint16_t>(record.header.owner_offset);
  out.options_offset = static_cast<std::uint16_t>(record.header.rdata_offset);
  out.options_length = record.header.rdlength;

  OptionIterator it(record.rdata);
  EdnsOption option;
  while (it.next(option))
    note_option(option, packet, out);
  return it.malformed() ? ParseError::kOptOptionOverrun : ParseError::kOk;
}

ParseError record_error(WireError error, ParsedQuery& out) {
  out.wire_error = error;
  return (error == WireError::kTruncated || error == WireError::kRdataOverrun)
             ? ParseError::kRecordTruncated
             : ParseError::kBadRecordName;
}

// Walks one section, validating every record and picking up OPT and TSIG.
ParseError parse_section(RecordReader& reader, Section section, std::uint16_t count,
                         bool last_section, ParsedQuery& out) {
  WireName owner;
  WireRecord record;
  for (std::uint16_t i = 0; i < count; ++i) {
    WireError error = reader.read_record(&owner, record);
    if (error != WireError::kOk) return record_error(error, out);
    bool is_last_record = last_section && i + 1 == count;
    if (record.header.type == rr_type::OPT) {
      if (section != Section::kAdditional) return ParseError::kOptNotAdditional;
      ParseError opt_error = parse_opt(reader.message(), owner, record, out);
      if (opt_error != ParseError::kOk) return opt_error;
    } else if (record.header.type == rr_type::TSIG) {
      // RFC 8945 §5.1: a TSIG that is not the last additional record means FORMERR.
      if (section != Section::kAdditional || !is_last_record) return ParseError::kTsigNotLast;
      out.has_tsig = true;
      out.tsig_offset = static_cast<std::uint16_t>(record.header.owner_offset);
    }
  }
  return ParseError::kOk;
}

ParseError parse_records(RecordReader& reader, ParsedQuery& out) {
  const Header& h = out.header;
  if (ParseError e = parse_section(reader, Section::kAnswer, h.ancount, false, out);
      e != ParseError::kOk) {
    return e;
  }
  if (ParseError e = parse_section(reader, Section::kAuthority, h.nscount, false, out);
      e != ParseError::kOk) {
    return e;
  }
  return parse_section(reader, Section::kAdditional, h.arcount, true, out);
}

}  // namespace

const char* parse_error_reason(ParseError error) {
  switch (error) {
    case ParseError::kOk:
      return "ok";
    case ParseError::kShortHeader:
      return "message shorter than the 12-octet header";
    case ParseError::kNotQuery:
      return "QR bit set: not a query";
    case ParseError::kOversized:
      return "message longer than 65535 octets";
    case ParseError::kBadQuestionCount:
      return "QDCOUNT is not 1";
    case ParseError::kQuestionTruncated:
      return "question truncated";
    case ParseError::kBadQuestionName:
      return "malformed question name";
    case ParseError::kRecordTruncated:
      return "resource record truncated";
    case ParseError::kBadRecordName:
      return "malformed owner name in a resource record";
    case ParseError::kOptNotAdditional:
      return "OPT record outside the additional section";
    case ParseError::kDuplicateOpt:
      return "more than one OPT record";
    case ParseError::kOptOwnerNotRoot:
      return "OPT owner name is not the root";
    case ParseError::kOptOptionOverrun:
      return "EDNS option overruns the OPT rdata";
    case ParseError::kTsigNotLast:
      return "TSIG is not the last record of the additional section";
    case ParseError::kTrailingData:
      return "octets after the last record";
  }
  return "unknown parse error";
}

ParseAction parse_error_action(ParseError error) {
  switch (error) {
    case ParseError::kOk:
      return ParseAction::kAnswer;
    case ParseError::kShortHeader:
    case ParseError::kNotQuery:
    case ParseError::kOversized:
      return ParseAction::kDrop;
    default:
      return ParseAction::kFormErr;
  }
}

bool peek_question(std::span<const std::uint8_t> packet, WireName& name, std::uint16_t& qtype) {
  RecordReader reader(packet);
  Header header;
  std::uint16_t qclass = 0;
  if (reader.read_header(header) != WireError::kOk || header.qdcount != 1 ||
      reader.read_question(&name, qtype, qclass) != WireError::kOk) {
    return false;
  }
  for (std::size_t i = 0; i < name.length; ++i)
    name.octets[i] = ascii_lower(name.octets[i]);
  return true;
}

ParseError parse_query(std::span<const std::uint8_t> packet, ParsedQuery& out) {
  reset(out);
  if (packet.size() > kMaxMessageSize) return ParseError::kOversized;
  RecordReader reader(packet);
  if (reader.read_header(out.header) != WireError::kOk) return ParseError::kShortHeader;
  if (out.header.has(flag::QR)) return ParseError::kNotQuery;
  if (!question_count_ok(out.header)) return ParseError::kBadQuestionCount;
  if (out.header.qdcount == 1) {
    if (ParseError e = parse_question(reader, out); e != ParseError::kOk) return e;
  }
  if (ParseError e = parse_records(reader, out); e != ParseError::kOk) return e;
  // Octets after the last counted record mean the counts and the content disagree, so the
  // message is not what its header says. We follow Knot DNS here: libknot's knot_pkt_parse()
  // rejects such a message with KNOT_ETRAIL ("trailing data"), and we answer it FORMERR.
  if (!reader.at_end()) return ParseError::kTrailingData;
  return ParseError::kOk;
}

}  // namespace hayate::zone
