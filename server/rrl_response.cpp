#include "server/rrl_response.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "zone/message.hpp"
#include "zone/name.hpp"
#include "zone/record_reader.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server {
namespace {

// The client's address with host bits past `length` cleared.
void mask_into(const std::uint8_t* address, int octets, std::uint8_t length,
               std::array<std::uint8_t, 16>& out) {
  std::memcpy(out.data(), address, static_cast<std::size_t>(octets));
  for (int i = 0; i < octets; ++i) {
    const int bits = std::clamp(length - i * 8, 0, 8);
    out[static_cast<std::size_t>(i)] &= static_cast<std::uint8_t>(0xff00 >> bits);
  }
}

bool client_prefix(const sockaddr_storage& client, const RrlSettings& settings, RrlKey& key) {
  if (client.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(client).sin_addr;
    key.family = 4;
    mask_into(reinterpret_cast<const std::uint8_t*>(&in), 4, settings.ipv4_prefix, key.prefix);
    return true;
  }
  if (client.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(client).sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&in6)) {  // a dual-stack socket's IPv4 client
      key.family = 4;
      mask_into(in6.s6_addr + 12, 4, settings.ipv4_prefix, key.prefix);
    } else {
      key.family = 6;
      mask_into(in6.s6_addr, 16, settings.ipv6_prefix, key.prefix);
    }
    return true;
  }
  return false;
}

// The owner of the first authority record of `type` (the zone's SOA in a negative answer, the
// delegation's NS in a referral), hashed; nullopt when there is none. The cursor must be at the
// authority section.
std::optional<std::uint64_t> authority_owner(zone::RecordReader& reader, std::uint16_t count,
                                             std::uint16_t type) {
  std::optional<std::uint64_t> found;
  reader.for_each_record(
      count,
      [&](const zone::WireName& owner, const zone::WireRecord& record) {
        if (record.header.type != type) return true;
        found = zone::hash_name_wire(owner.wire());
        return false;
      },
      zone::NameCase::kLower);
  return found;
}

// Which budget a well-formed NOERROR/NXDOMAIN answers draws on; the reader is past the question.
void classify_answer(zone::RecordReader& reader, const zone::Header& header, std::uint16_t rcode,
                     std::uint64_t qname_hash, RrlKey& key) {
  if (header.ancount > 0 && rcode == zone::rcode::NOERROR) {
    key.category = RrlCategory::kAnswer;
    key.name_hash = qname_hash;
    return;
  }
  key.qtype = 0;  // negative answers and referrals: one budget whatever type was asked
  if (rcode == zone::rcode::NXDOMAIN) {
    // Random names in one zone count as one: the zone (SOA owner) is the key, else the qname.
    key.category = RrlCategory::kNxdomain;
    key.name_hash =
        authority_owner(reader, header.nscount, zone::rr_type::SOA).value_or(qname_hash);
    return;
  }
  if (!header.has(zone::flag::AA)) {
    if (auto delegation = authority_owner(reader, header.nscount, zone::rr_type::NS)) {
      key.category = RrlCategory::kReferral;
      key.name_hash = *delegation;
      return;
    }
  }
  key.category = RrlCategory::kNodata;
  key.name_hash = authority_owner(reader, header.nscount, zone::rr_type::SOA).value_or(qname_hash);
}

}  // namespace

std::optional<RrlResponse> classify_response(std::span<const std::uint8_t> response,
                                             const sockaddr_storage& client,
                                             const RrlSettings& settings) {
  RrlResponse out;
  if (!client_prefix(client, settings, out.key)) return std::nullopt;
  zone::RecordReader reader(response);
  zone::Header header;
  if (reader.read_header(header) != zone::WireError::kOk) return std::nullopt;
  out.question_end = zone::kHeaderSize;
  zone::WireName qname;
  std::uint16_t qclass = 0;
  const bool has_question =
      header.qdcount == 1 && reader.read_question(&qname, out.key.qtype, qclass,
                                                  zone::NameCase::kLower) == zone::WireError::kOk;
  if (has_question) out.question_end = reader.offset();
  const std::uint16_t rcode = header.rcode();  // an extended rcode (BADVERS) is an error anyway
  if (!has_question || (rcode != zone::rcode::NOERROR && rcode != zone::rcode::NXDOMAIN) ||
      header.opcode() != zone::opcode::QUERY) {
    out.key.category = RrlCategory::kError;  // one budget per prefix, whatever was asked
    out.key.qtype = 0;
    out.key.name_hash = 0;
    return out;
  }
  const std::uint64_t qname_hash = zone::hash_name_wire(qname.wire());
  if (header.ancount == 0 || rcode == zone::rcode::NXDOMAIN) {
    // Negative answers and referrals: the section to look at is the authority, after the answers.
    for (std::uint16_t i = 0; i < header.ancount; ++i) {
      zone::RRHeader rr;
      if (reader.read_rr_header(nullptr, rr) != zone::WireError::kOk ||
          reader.skip_rdata(rr) != zone::WireError::kOk) {
        break;
      }
    }
  }
  classify_answer(reader, header, rcode, qname_hash, out.key);
  return out;
}

std::size_t render_slip(std::span<const std::uint8_t> response, const RrlResponse& classification,
                        std::span<std::uint8_t> out) {
  const std::size_t size = classification.question_end;
  if (size > response.size() || size > out.size() || size < zone::kHeaderSize) return 0;
  std::memcpy(out.data(), response.data(), size);
  zone::Header header;
  zone::Header::parse(response, header);
  header.set(zone::flag::TC);
  header.qdcount = size > zone::kHeaderSize ? 1 : 0;
  header.ancount = header.nscount = header.arcount = 0;
  header.write(out);
  return size;
}

}  // namespace hayate::server
