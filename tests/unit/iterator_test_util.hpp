// Builders for the upstream responses iterator and scrubber tests script: records from
// presentation-ish arguments, messages rendered with zone::MessageRenderer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "zone/message.hpp"
#include "zone/message_renderer.hpp"
#include "zone/name.hpp"
#include "zone/response_view.hpp"
#include "zone/rr_type.hpp"
#include "zone/rrset.hpp"

namespace hayate::server::resolver::testing {

namespace rr_type = zone::rr_type;

inline zone::Name name(const std::string& text) {
  return zone::Name::from_text(text).value();
}

struct Rr {
  std::string owner;
  std::uint16_t type = 0;
  std::uint32_t ttl = 3600;
  zone::Rdata rdata;
};

inline zone::Rdata name_rdata(const std::string& target) {
  zone::Name n = name(target);
  return zone::Rdata(n.wire().begin(), n.wire().end());
}

inline Rr a(const std::string& owner, const std::string& ip, std::uint32_t ttl = 3600) {
  auto bytes = boost::asio::ip::make_address_v4(ip).to_bytes();
  return Rr{owner, rr_type::A, ttl, zone::Rdata(bytes.begin(), bytes.end())};
}
inline Rr aaaa(const std::string& owner, const std::string& ip, std::uint32_t ttl = 3600) {
  auto bytes = boost::asio::ip::make_address_v6(ip).to_bytes();
  return Rr{owner, rr_type::AAAA, ttl, zone::Rdata(bytes.begin(), bytes.end())};
}
inline Rr ns(const std::string& owner, const std::string& target, std::uint32_t ttl = 86400) {
  return Rr{owner, rr_type::NS, ttl, name_rdata(target)};
}
inline Rr cname(const std::string& owner, const std::string& target, std::uint32_t ttl = 300) {
  return Rr{owner, rr_type::CNAME, ttl, name_rdata(target)};
}
inline Rr dname(const std::string& owner, const std::string& target, std::uint32_t ttl = 300) {
  return Rr{owner, rr_type::DNAME, ttl, name_rdata(target)};
}
// SOA with MNAME ns.<zone>, RNAME hostmaster.<zone> and the given MINIMUM.
inline Rr soa(const std::string& zone, std::uint32_t ttl, std::uint32_t minimum) {
  std::string suffix = zone == "." ? "" : zone;
  zone::Rdata rdata = name_rdata("ns." + suffix);
  zone::Rdata rname = name_rdata("hostmaster." + suffix);
  rdata.insert(rdata.end(), rname.begin(), rname.end());
  for (std::uint32_t value : {2026112501u, 7200u, 3600u, 1209600u, minimum}) {
    std::uint8_t octets[4];
    zone::store_u32(octets, value);
    rdata.insert(rdata.end(), octets, octets + 4);
  }
  return Rr{zone, rr_type::SOA, ttl, rdata};
}

struct Msg {
  std::uint16_t rcode = 0;
  bool aa = false;
  std::vector<Rr> answer;
  std::vector<Rr> authority;
  std::vector<Rr> additional;
  // An OPT record with this options area (e.g. an ECS echo, RFC 7871); none when unset.
  std::optional<std::vector<std::uint8_t>> opt = std::nullopt;
};

// An empty response with `rcode` (REFUSED, SERVFAIL, ...).
inline Msg error_reply(std::uint16_t rcode) {
  Msg msg;
  msg.rcode = rcode;
  return msg;
}

inline Msg referral(std::vector<Rr> authority, std::vector<Rr> glue = {}) {
  return Msg{0, false, {}, std::move(authority), std::move(glue)};
}
inline Msg authoritative(std::vector<Rr> answer, std::vector<Rr> authority = {},
                         std::vector<Rr> additional = {}) {
  return Msg{0, true, std::move(answer), std::move(authority), std::move(additional)};
}
inline Msg negative(std::uint16_t rcode, Rr soa_record) {
  return Msg{rcode, true, {}, {std::move(soa_record)}, {}};
}

inline std::vector<std::uint8_t> render(const Msg& msg, const zone::Name& qname,
                                        std::uint16_t qtype, std::uint16_t qclass = 1) {
  std::vector<std::uint8_t> out(65535);
  zone::MessageRenderer renderer(out, out.size());
  zone::Header header;
  header.set(zone::flag::QR);
  header.set(zone::flag::AA, msg.aa);
  renderer.begin(header);
  renderer.set_rcode(msg.rcode);
  renderer.add_question(qname.wire(), qtype, qclass);
  const std::vector<Rr>* sections[] = {&msg.answer, &msg.authority, &msg.additional};
  for (int s = 0; s < 3; ++s)
    for (const Rr& rr : *sections[s])
      renderer.add_record(static_cast<zone::Section>(s), name(rr.owner).wire(), rr.type, 1, rr.ttl,
                          rr.rdata);
  if (msg.opt) renderer.add_opt(zone::OptParams{}, *msg.opt);
  out.resize(renderer.finish());
  return out;
}

inline zone::ResponseView view_of(const Msg& msg, const zone::Name& qname, std::uint16_t qtype) {
  zone::ResponseView view;
  auto error = zone::parse_response(render(msg, qname, qtype), view);
  (void)error;
  return view;
}

}  // namespace hayate::server::resolver::testing
