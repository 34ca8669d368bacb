// Feeds arbitrary bytes to the response parser. Whatever it accepts is rendered again, RRset by
// RRset, with zone::MessageRenderer (which compresses differently) and parsed once more: the
// second view must hold the same RRsets, question, rcode and EDNS data as the first.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "zone/message_renderer.hpp"
#include "zone/rdata_names.hpp"
#include "zone/response_view.hpp"

namespace {

using namespace hayate::zone;

using hayate::fuzz::check;

constexpr std::array<Section, 3> kSections = {Section::kAnswer, Section::kAuthority,
                                              Section::kAdditional};

// Renders `view` into `buffer`; 0 when it does not fit (decompressed names may have grown it).
std::size_t render(const ResponseView& view, std::span<std::uint8_t> buffer) {
  MessageRenderer r(buffer, buffer.size());
  check(r.begin(view.header));
  r.set_rcode(view.rcode);
  if (view.has_question && !r.add_question(view.qname.wire(), view.qtype, view.qclass)) return 0;
  for (Section s : kSections) {
    for (const ResponseRRset& set : view.section(s)) {
      if (!r.add_rrset(s, set.owner.wire(), set.type, set.rclass, set.ttl, set.rdatas)) return 0;
    }
  }
  if (view.edns.present) {
    OptParams params;
    params.udp_payload_size = view.edns.udp_payload_size;
    params.version = view.edns.version;
    params.dnssec_ok = view.edns.dnssec_ok;
    params.z = view.edns.z;
    if (!r.add_opt(params, view.edns.options)) return 0;
  }
  if (r.truncated()) return 0;
  return r.finish();
}

// Same RRsets in the same order. Names compare without regard to case: after recompression a
// name may take the case of a different earlier occurrence.
void check_same_rrsets(const std::vector<ResponseRRset>& a, const std::vector<ResponseRRset>& b) {
  check(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    check(a[i].owner == b[i].owner);
    check(a[i].type == b[i].type && a[i].rclass == b[i].rclass && a[i].ttl == b[i].ttl);
    check(a[i].rdatas.size() == b[i].rdatas.size());
    for (std::size_t j = 0; j < a[i].rdatas.size(); ++j)
      check(rdata_equal(a[i].type, a[i].rdatas[j], b[i].rdatas[j]));
  }
}

void check_same_view(const ResponseView& a, const ResponseView& b) {
  check(a.header.id == b.header.id && a.rcode == b.rcode);
  check(a.has_question == b.has_question);
  if (a.has_question) {
    check(a.qname == b.qname && a.qtype == b.qtype && a.qclass == b.qclass);
  }
  for (Section s : kSections)
    check_same_rrsets(a.section(s), b.section(s));
  check(a.edns.present == b.edns.present);
  check(a.edns.options == b.edns.options && a.edns.dnssec_ok == b.edns.dnssec_ok);
  check(a.edns.client_subnet.has_value() == b.edns.client_subnet.has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ResponseView view;
  ResponseError error = parse_response({data, size}, view);
  check(response_error_reason(error) != nullptr);
  if (error != ResponseError::kOk) return 0;
  for (Section s : kSections) {
    for (const ResponseRRset& set : view.section(s)) {
      check(!set.rdatas.empty());
      check(view.find(s, set.owner, set.type, set.rclass) == &set);
    }
  }
  if (view.has_question) {
    check(response_matches_question(view, view.qname.lowercased(), view.qtype, view.qclass));
  }

  static std::array<std::uint8_t, 65535> buffer;
  std::size_t length = render(view, buffer);
  if (length == 0) return 0;
  ResponseView again;
  check(parse_response(std::span(buffer).first(length), again) == ResponseError::kOk);
  check_same_view(view, again);
  return 0;
}
