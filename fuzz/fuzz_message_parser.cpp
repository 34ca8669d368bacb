// Feeds arbitrary bytes to the query parser; whatever it accepts is answered through the renderer
// with a small, input-chosen size limit, and the response is walked back with the record reader.
#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "zone/edns.hpp"
#include "zone/message_parser.hpp"
#include "zone/message_renderer.hpp"
#include "zone/record_reader.hpp"
#include "zone/rr_type.hpp"

namespace {

using namespace hayate::zone;

using hayate::fuzz::check;

// A few RRsets for the question's name: an A RRset, a CNAME into the same name's parent, an MX.
void add_answers(MessageRenderer& r, const ParsedQuery& q) {
  static const std::vector<Rdata> a = {{192, 0, 2, 1}, {192, 0, 2, 2}, {192, 0, 2, 3}};
  std::vector<Rdata> cname = {Rdata(q.qname_lower_wire().begin(), q.qname_lower_wire().end())};
  Rdata mx = {0, 10};
  mx.insert(mx.end(), q.qname_wire().begin(), q.qname_wire().end());
  std::vector<Rdata> mxs = {mx};
  std::span<const std::uint8_t> owner = q.qname_wire();
  if (!r.add_rrset(Section::kAnswer, owner, rr_type::A, 1, 300, a)) return;
  if (!r.add_rrset(Section::kAnswer, owner, rr_type::CNAME, 1, 300, cname)) return;
  if (!r.add_rrset(Section::kAuthority, owner, rr_type::MX, 1, 300, mxs)) return;
  r.add_rrset(Section::kAdditional, owner, rr_type::A, 1, 300, a);
}

// Options for the response: the query's ECS with scope 0 echoed back when it is valid.
std::size_t response_options(std::span<const std::uint8_t> packet, const ParsedQuery& q,
                             std::span<std::uint8_t> out) {
  if (!q.has_client_subnet) return 0;
  ClientSubnet ecs;
  if (parse_client_subnet(q.client_subnet(packet), ecs) != EcsError::kOk) return 0;
  std::array<std::uint8_t, 20> data;
  std::size_t length = encode_client_subnet(ecs, data);
  check(length == q.client_subnet_length);
  return write_option(out, edns_option::CLIENT_SUBNET, std::span(data).first(length));
}

void walk_response(std::span<const std::uint8_t> wire, std::size_t limit) {
  check(wire.size() <= limit);
  RecordReader reader(wire);
  Header h;
  check(reader.read_header(h) == WireError::kOk);
  for (std::uint16_t i = 0; i < h.qdcount; ++i) {
    std::uint16_t type = 0, rclass = 0;
    check(reader.read_question(nullptr, type, rclass) == WireError::kOk);
  }
  WireName owner;
  WireRecord record;
  int total = h.ancount + h.nscount + h.arcount;
  for (int i = 0; i < total; ++i)
    check(reader.read_record(&owner, record) == WireError::kOk);
  check(reader.at_end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> packet(data, size);
  ParsedQuery q;
  ParseError error = parse_query(packet, q);
  check(parse_error_reason(error) != nullptr);
  // The prefetch's reading of the question agrees with the full parse wherever that has one.
  WireName peeked;
  std::uint16_t peeked_type = 0;
  const bool has_peek = peek_question(packet, peeked, peeked_type);
  if (error == ParseError::kOk && q.has_question) {
    check(has_peek && peeked_type == q.qtype &&
          std::ranges::equal(peeked.wire(), q.qname_lower_wire()));
  }
  if (parse_error_action(error) == ParseAction::kDrop) return 0;

  std::array<std::uint8_t, 1024> buffer;
  std::size_t limit = 12 + (size > 0 ? data[size - 1] : 0) * 2;  // 12..522
  MessageRenderer r(buffer, limit);
  if (!r.begin_response(q.header)) return 0;
  if (error != ParseError::kOk) {
    r.set_rcode(rcode::FORMERR);
    walk_response(std::span(buffer).first(r.finish()), limit);
    return 0;
  }
  std::array<std::uint8_t, 64> options;
  std::size_t options_length = response_options(packet, q, options);
  bool edns = q.has_edns && r.reserve(opt_rr_size(options_length));
  if (q.has_question && r.echo_question(q.question(packet))) add_answers(r, q);
  if (edns) {
    OptParams params;
    params.dnssec_ok = q.dnssec_ok;
    check(r.add_opt(params, std::span(options).first(options_length)));
  }
  walk_response(std::span(buffer).first(r.finish()), limit);
  return 0;
}
