#include "server/resolver/upstream_wire.hpp"

#include <algorithm>

#include "zone/edns.hpp"
#include "zone/message_renderer.hpp"
#include "zone/record_reader.hpp"

namespace hayate::server::resolver {

namespace {

constexpr std::uint16_t kTypeOpt = 41;

bool same_name(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  // Length octets are below 64 and never change under ASCII lowering, so comparing lowered
  // octets compares the names label by label (RFC 4343 §3).
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](std::uint8_t x, std::uint8_t y) {
    return zone::ascii_lower(x) == zone::ascii_lower(y);
  });
}

bool rcode_without_question_ok(const zone::Header& header) {
  const std::uint8_t rc = header.rcode();
  return rc == zone::rcode::FORMERR || rc == zone::rcode::NOTIMP;
}

}  // namespace

std::vector<std::uint8_t> build_upstream_query(const UpstreamQuery& query, std::uint16_t id,
                                               bool with_edns) {
  std::vector<std::uint8_t> wire(zone::kHeaderSize + query.qname.wire_length() +
                                 zone::kQuestionFixedSize +
                                 (with_edns ? zone::opt_rr_size(query.edns_options.size()) : 0));
  zone::MessageRenderer renderer(wire, wire.size());
  zone::Header header;
  header.id = id;
  header.set_opcode(zone::opcode::QUERY);
  header.set(zone::flag::RD, query.recursion_desired);
  header.set(zone::flag::CD, query.checking_disabled);
  renderer.begin(header);
  renderer.add_question(query.qname.wire(), query.qtype, query.qclass);
  if (with_edns) {
    zone::OptParams params;
    params.udp_payload_size = std::max<std::uint16_t>(query.udp_payload_size, 512);
    params.dnssec_ok = query.dnssec_ok;
    renderer.add_opt(params, query.edns_options);
  }
  wire.resize(renderer.finish());
  return wire;
}

ResponseMatch match_response(std::span<const std::uint8_t> response, std::uint16_t id,
                             const UpstreamQuery& query) {
  zone::Header header;
  if (!zone::Header::parse(response, header) || !header.has(zone::flag::QR) ||
      header.opcode() != zone::opcode::QUERY) {
    return ResponseMatch::kNotResponse;
  }
  if (header.id != id) return ResponseMatch::kWrongId;
  if (header.qdcount == 0 && rcode_without_question_ok(header)) return ResponseMatch::kAccept;
  if (header.qdcount != 1) return ResponseMatch::kWrongQuestion;

  zone::RecordReader reader(response, zone::kHeaderSize);
  zone::WireName qname;
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  if (reader.read_question(&qname, qtype, qclass) != zone::WireError::kOk || qtype != query.qtype ||
      qclass != query.qclass || !same_name(qname.wire(), query.qname.wire())) {
    return ResponseMatch::kWrongQuestion;
  }
  return ResponseMatch::kAccept;
}

ResponseFacts response_facts(std::span<const std::uint8_t> response) {
  ResponseFacts facts;
  zone::Header header;
  if (!zone::Header::parse(response, header)) return facts;
  facts.rcode = header.rcode();
  facts.truncated = header.has(zone::flag::TC);

  zone::RecordReader reader(response, zone::kHeaderSize);
  for (std::uint16_t i = 0; i < header.qdcount; ++i) {
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    if (reader.read_question(nullptr, qtype, qclass) != zone::WireError::kOk) return facts;
  }
  const std::uint32_t records = std::uint32_t{header.ancount} + header.nscount + header.arcount;
  zone::RRHeader rr;
  for (std::uint32_t i = 0; i < records; ++i) {
    if (reader.read_rr_header(nullptr, rr) != zone::WireError::kOk ||
        reader.skip_rdata(rr) != zone::WireError::kOk) {
      return facts;
    }
    if (i >= records - header.arcount && rr.type == kTypeOpt) facts.has_opt = true;
  }
  return facts;
}

}  // namespace hayate::server::resolver
