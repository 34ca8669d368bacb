#include "zone/response_view.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "zone/rdata_names.hpp"
#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

constexpr std::size_t kMaxMessageSize = 65535;
constexpr std::uint32_t kTtlSignBit = 0x80000000;

// A TTL with the top bit set is treated as zero (RFC 2181 §8).
std::uint32_t sane_ttl(std::uint32_t ttl) {
  return (ttl & kTtlSignBit) != 0 ? 0 : ttl;
}

// Lowercased owner + type + class: what makes records one RRset (RFC 2181 §5).
std::string rrset_key(const WireName& owner, std::uint16_t type, std::uint16_t rclass) {
  std::string key;
  key.reserve(owner.length + 4);
  for (std::uint8_t c : owner.wire())
    key.push_back(static_cast<char>(ascii_lower(c)));
  key.push_back(static_cast<char>(type >> 8));
  key.push_back(static_cast<char>(type));
  key.push_back(static_cast<char>(rclass >> 8));
  key.push_back(static_cast<char>(rclass));
  return key;
}

class ResponseParser {
 public:
  ResponseParser(std::span<const std::uint8_t> message, ResponseView& out,
                 const ResponseLimits& limits)
      : message_(message), reader_(message), out_(out), limits_(limits) {}

  ResponseError run();

 private:
  ResponseError read_header();
  ResponseError read_question();
  ResponseError read_section(Section section, std::uint16_t count);
  ResponseError read_record(Section section, bool last_in_message);
  ResponseError read_opt(Section section, const WireName& owner, const WireRecord& record);
  ResponseError read_tsig(Section section, bool last_in_message);
  ResponseError decompress_rdata(const WireRecord& record, Rdata& out);
  ResponseError decompress_fields(const RdataNameLayout& layout, const WireRecord& record,
                                  Rdata& out);
  ResponseError charge(std::size_t octets);
  void add_record(Section section, const WireName& owner, const RRHeader& header, Rdata rdata);
  ResponseError wire_failure(WireError error, ResponseError kind);

  std::span<const std::uint8_t> message_;
  RecordReader reader_;
  ResponseView& out_;
  const ResponseLimits& limits_;
  std::size_t rdata_bytes_ = 0;
  std::uint8_t ext_rcode_high_ = 0;
  // Per section: RRset key -> index in out_.sections[section].
  std::array<std::unordered_map<std::string, std::size_t>, 3> index_;
};

ResponseError ResponseParser::run() {
  if (ResponseError e = read_header(); e != ResponseError::kOk) return e;
  if (ResponseError e = read_question(); e != ResponseError::kOk) return e;
  const Header& h = out_.header;
  std::size_t total = std::size_t{h.ancount} + h.nscount + h.arcount;
  if (total > limits_.max_records) return ResponseError::kTooManyRecords;
  for (Section s : {Section::kAnswer, Section::kAuthority, Section::kAdditional}) {
    if (ResponseError e = read_section(s, h.count(s)); e != ResponseError::kOk) return e;
  }
  if (!reader_.at_end()) return ResponseError::kTrailingData;
  out_.rcode = rcode::combine(ext_rcode_high_, h.rcode());
  return ResponseError::kOk;
}

ResponseError ResponseParser::read_header() {
  if (reader_.read_header(out_.header) != WireError::kOk) return ResponseError::kShortHeader;
  out_.rcode = out_.header.rcode();
  if (message_.size() > kMaxMessageSize) return ResponseError::kOversized;
  if (!out_.header.has(flag::QR)) return ResponseError::kNotResponse;
  // Some servers send FORMERR/NOTIMP without the question; more than one is never valid.
  if (out_.header.qdcount > 1) return ResponseError::kBadQuestionCount;
  return ResponseError::kOk;
}

ResponseError ResponseParser::read_question() {
  if (out_.header.qdcount == 0) return ResponseError::kOk;
  WireName name;
  WireError error = reader_.read_question(&name, out_.qtype, out_.qclass);
  if (error == WireError::kTruncated) {
    out_.wire_error = error;
    return ResponseError::kQuestionTruncated;
  }
  if (error != WireError::kOk) return wire_failure(error, ResponseError::kBadQuestionName);
  out_.qname = Name::from_valid_wire(name.wire());
  out_.has_question = true;
  return ResponseError::kOk;
}

ResponseError ResponseParser::read_section(Section section, std::uint16_t count) {
  bool last_section = section == Section::kAdditional;
  for (std::uint16_t i = 0; i < count; ++i) {
    bool last_in_message = last_section && i + 1 == count;
    if (ResponseError e = read_record(section, last_in_message); e != ResponseError::kOk) return e;
  }
  return ResponseError::kOk;
}

ResponseError ResponseParser::read_record(Section section, bool last_in_message) {
  WireName owner;
  WireRecord record;
  WireError error = reader_.read_record(&owner, record);
  if (error == WireError::kTruncated || error == WireError::kRdataOverrun) {
    out_.wire_error = error;
    return ResponseError::kRecordTruncated;
  }
  if (error != WireError::kOk) return wire_failure(error, ResponseError::kBadRecordName);
  ++out_.record_count;
  if (record.header.type == rr_type::OPT) return read_opt(section, owner, record);
  if (record.header.type == rr_type::TSIG) return read_tsig(section, last_in_message);
  Rdata rdata;
  if (ResponseError e = decompress_rdata(record, rdata); e != ResponseError::kOk) return e;
  if (ResponseError e = charge(rdata.size() + owner.length); e != ResponseError::kOk) return e;
  add_record(section, owner, record.header, std::move(rdata));
  return ResponseError::kOk;
}

// RFC 6891 §6.1: one OPT, in the additional section, owned by the root; CLASS is the payload
// size and TTL holds the extended rcode, version and flags.
ResponseError ResponseParser::read_opt(Section section, const WireName& owner,
                                       const WireRecord& record) {
  if (section != Section::kAdditional) return ResponseError::kOptNotAdditional;
  if (out_.edns.present) return ResponseError::kDuplicateOpt;
  if (!owner.is_root()) return ResponseError::kOptOwnerNotRoot;
  if (!options_well_formed(record.rdata)) return ResponseError::kOptOptionOverrun;
  ResponseEdns& edns = out_.edns;
  OptParams params;
  opt_params_from_ttl(record.header.ttl, params);
  edns.present = true;
  edns.udp_payload_size = record.header.rclass;
  edns.version = params.version;
  edns.dnssec_ok = params.dnssec_ok;
  edns.z = params.z;
  edns.options.assign(record.rdata.begin(), record.rdata.end());
  ext_rcode_high_ = params.ext_rcode_high;  // joined with the header's bits in run()
  OptionIterator options(record.rdata);
  EdnsOption option;
  while (options.next(option)) {
    if (option.code != edns_option::CLIENT_SUBNET) continue;
    ClientSubnet subnet;
    edns.client_subnet_error = parse_client_subnet(option.data, subnet);
    if (edns.client_subnet_error == EcsError::kOk) edns.client_subnet = subnet;
    break;
  }
  return ResponseError::kOk;
}

ResponseError ResponseParser::read_tsig(Section section, bool last_in_message) {
  if (section != Section::kAdditional || !last_in_message) return ResponseError::kTsigNotLast;
  out_.has_tsig = true;
  return ResponseError::kOk;
}

// Names inside the rdata of the RFC 4034 §6.2 types are decompressed (RFC 3597 §4 asks receivers
// to do so for the well-known types and allows it for the others on that list); every other
// type's rdata is opaque and copied as it is.
ResponseError ResponseParser::decompress_rdata(const WireRecord& record, Rdata& out) {
  auto layout = rdata_name_layout(record.header.type);
  if (!layout) {
    out.assign(record.rdata.begin(), record.rdata.end());
    return ResponseError::kOk;
  }
  return decompress_fields(*layout, record, out);
}

ResponseError ResponseParser::decompress_fields(const RdataNameLayout& layout,
                                                const WireRecord& record, Rdata& out) {
  std::size_t pos = record.header.rdata_offset;
  const std::size_t end = pos + record.header.rdlength;
  // A name inside rdata must end inside it; pointers may only go backwards, so cutting the
  // message at the rdata's end keeps in-place labels inside without hiding pointer targets.
  const std::span<const std::uint8_t> bounded = message_.first(end);
  for (std::size_t i = 0; i < layout.count; ++i) {
    const RdataField& field = layout.fields[i];
    std::size_t length = field.octets;
    if (field.kind == RdataField::Kind::kName) {
      WireName name;
      std::size_t next = 0;
      WireError error = read_name_at(bounded, pos, &name, &next);
      if (error != WireError::kOk) return wire_failure(error, ResponseError::kBadRdata);
      out.insert(out.end(), name.wire().begin(), name.wire().end());
      pos = next;
      continue;
    }
    if (field.kind == RdataField::Kind::kCharString) {
      if (pos >= end) return ResponseError::kBadRdata;
      length = 1 + std::size_t{message_[pos]};
    }
    if (end - pos < length) return ResponseError::kBadRdata;
    out.insert(out.end(), message_.begin() + pos, message_.begin() + pos + length);
    pos += length;
  }
  out.insert(out.end(), message_.begin() + pos, message_.begin() + end);
  return ResponseError::kOk;
}

ResponseError ResponseParser::charge(std::size_t octets) {
  rdata_bytes_ += octets;
  return rdata_bytes_ > limits_.max_rdata_bytes ? ResponseError::kRdataTooLarge
                                                : ResponseError::kOk;
}

// Records of one RRset need not be adjacent; duplicates are dropped (RFC 2181 §5) and the RRset
// takes the smallest TTL (RFC 2181 §5.2 says differing TTLs are an error; this is the usual
// reading, as in Unbound and BIND).
void ResponseParser::add_record(Section section, const WireName& owner, const RRHeader& header,
                                Rdata rdata) {
  auto& sets = out_.sections[static_cast<std::size_t>(section)];
  auto [it, inserted] = index_[static_cast<std::size_t>(section)].try_emplace(
      rrset_key(owner, header.type, header.rclass), sets.size());
  std::uint32_t ttl = sane_ttl(header.ttl);
  if (inserted) {
    sets.push_back(
        ResponseRRset{Name::from_valid_wire(owner.wire()), header.type, header.rclass, ttl, {}});
  }
  ResponseRRset& set = sets[it->second];
  set.ttl = std::min(set.ttl, ttl);
  for (const Rdata& existing : set.rdatas) {
    if (rdata_equal(header.type, existing, rdata)) return;
  }
  set.rdatas.push_back(std::move(rdata));
}

ResponseError ResponseParser::wire_failure(WireError error, ResponseError kind) {
  out_.wire_error = error;
  return kind;
}

}  // namespace

const char* response_error_reason(ResponseError error) {
  switch (error) {
    case ResponseError::kOk:
      return "ok";
    case ResponseError::kShortHeader:
      return "message shorter than a DNS header";
    case ResponseError::kOversized:
      return "message longer than 65535 octets";
    case ResponseError::kNotResponse:
      return "QR bit clear: not a response";
    case ResponseError::kBadQuestionCount:
      return "more than one question";
    case ResponseError::kQuestionTruncated:
      return "question truncated";
    case ResponseError::kBadQuestionName:
      return "malformed question name";
    case ResponseError::kRecordTruncated:
      return "record runs past the end of the message";
    case ResponseError::kBadRecordName:
      return "malformed owner name";
    case ResponseError::kBadRdata:
      return "rdata does not match its type's layout";
    case ResponseError::kTooManyRecords:
      return "too many records";
    case ResponseError::kRdataTooLarge:
      return "decompressed records exceed the size limit";
    case ResponseError::kOptNotAdditional:
      return "OPT record outside the additional section";
    case ResponseError::kDuplicateOpt:
      return "more than one OPT record";
    case ResponseError::kOptOwnerNotRoot:
      return "OPT record owner is not the root";
    case ResponseError::kOptOptionOverrun:
      return "EDNS option runs past the OPT rdata";
    case ResponseError::kTsigNotLast:
      return "TSIG record is not the last record";
    case ResponseError::kTrailingData:
      return "octets after the last record";
  }
  return "unknown response error";
}

const ResponseRRset* ResponseView::find(Section s, const Name& owner, std::uint16_t type,
                                        std::uint16_t rclass) const {
  for (const ResponseRRset& set : section(s)) {
    if (set.type == type && set.rclass == rclass && set.owner == owner) return &set;
  }
  return nullptr;
}

ResponseError parse_response(std::span<const std::uint8_t> message, ResponseView& out,
                             const ResponseLimits& limits) {
  out = ResponseView{};
  return ResponseParser(message, out, limits).run();
}

bool response_matches_question(const ResponseView& view, const Name& qname, std::uint16_t qtype,
                               std::uint16_t qclass) {
  return view.has_question && view.qtype == qtype && view.qclass == qclass && view.qname == qname;
}

}  // namespace hayate::zone
