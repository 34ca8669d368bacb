// DNS message header layout and the numbers that go in it (RFC 1035 §4.1.1, IANA DNS parameters).
//
// Everything here is constexpr or inline: the parser and renderer use it on every packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hayate::zone {

inline constexpr std::size_t kHeaderSize = 12;              // RFC 1035 §4.1.1
inline constexpr std::size_t kRRFixedSize = 10;             // type, class, ttl, rdlength (§4.1.3)
inline constexpr std::size_t kQuestionFixedSize = 4;        // qtype, qclass (§4.1.2)
inline constexpr std::size_t kMaxUdpNoEdns = 512;           // RFC 1035 §4.2.1
inline constexpr std::uint16_t kMaxPointerOffset = 0x3fff;  // 14-bit compression pointer

// Big-endian loads and stores: the wire is network byte order (RFC 1035 §2.3.2).
constexpr std::uint16_t load_u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
constexpr std::uint32_t load_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
constexpr void store_u16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
constexpr void store_u32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

// Past a possibly compressed name (RFC 1035 §4.1.4) starting at `pos`: its labels up to a root
// label or a pointer; 0 when it runs past the end or uses the reserved label types.
constexpr std::size_t skip_message_name(std::span<const std::uint8_t> m, std::size_t pos) {
  while (pos < m.size()) {
    const std::uint8_t length = m[pos];
    if (length == 0) return pos + 1;
    if ((length & 0xc0) == 0xc0) return pos + 2 <= m.size() ? pos + 2 : 0;
    if ((length & 0xc0) != 0) return 0;
    pos += 1 + length;
  }
  return 0;
}

// Flag bits of the 16-bit word at offset 2 (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD/CD).
namespace flag {
inline constexpr std::uint16_t QR = 0x8000;
inline constexpr std::uint16_t AA = 0x0400;
inline constexpr std::uint16_t TC = 0x0200;
inline constexpr std::uint16_t RD = 0x0100;
inline constexpr std::uint16_t RA = 0x0080;
inline constexpr std::uint16_t Z = 0x0040;
inline constexpr std::uint16_t AD = 0x0020;
inline constexpr std::uint16_t CD = 0x0010;
}  // namespace flag

namespace opcode {
inline constexpr std::uint8_t QUERY = 0;
inline constexpr std::uint8_t IQUERY = 1;  // obsolete, RFC 3425
inline constexpr std::uint8_t STATUS = 2;
inline constexpr std::uint8_t NOTIFY = 4;  // RFC 1996
inline constexpr std::uint8_t UPDATE = 5;  // RFC 2136
inline constexpr std::uint8_t DSO = 6;     // RFC 8490
}  // namespace opcode

// Response codes. Values above 15 only exist with EDNS: the upper 8 bits travel in the OPT TTL
// (RFC 6891 §6.1.3), or in TSIG/TKEY records for the 16..22 signature codes.
namespace rcode {
inline constexpr std::uint16_t NOERROR = 0;
inline constexpr std::uint16_t FORMERR = 1;
inline constexpr std::uint16_t SERVFAIL = 2;
inline constexpr std::uint16_t NXDOMAIN = 3;
inline constexpr std::uint16_t NOTIMP = 4;
inline constexpr std::uint16_t REFUSED = 5;
inline constexpr std::uint16_t YXDOMAIN = 6;
inline constexpr std::uint16_t YXRRSET = 7;
inline constexpr std::uint16_t NXRRSET = 8;
inline constexpr std::uint16_t NOTAUTH = 9;
inline constexpr std::uint16_t NOTZONE = 10;
inline constexpr std::uint16_t DSOTYPENI = 11;
inline constexpr std::uint16_t BADVERS = 16;  // RFC 6891 §9 (shares 16 with TSIG BADSIG)
inline constexpr std::uint16_t BADSIG = 16;
inline constexpr std::uint16_t BADKEY = 17;
inline constexpr std::uint16_t BADTIME = 18;
inline constexpr std::uint16_t BADMODE = 19;
inline constexpr std::uint16_t BADNAME = 20;
inline constexpr std::uint16_t BADALG = 21;
inline constexpr std::uint16_t BADTRUNC = 22;
inline constexpr std::uint16_t BADCOOKIE = 23;  // RFC 7873 §8

// The 4 bits that fit in the header and the 8 bits that go in the OPT record.
constexpr std::uint8_t header_part(std::uint16_t full) {
  return full & 0x0f;
}
constexpr std::uint8_t extended_part(std::uint16_t full) {
  return static_cast<std::uint8_t>((full >> 4) & 0xff);
}
constexpr std::uint16_t combine(std::uint8_t extended, std::uint8_t header) {
  return static_cast<std::uint16_t>((extended << 4) | (header & 0x0f));
}
}  // namespace rcode

enum class Section : std::uint8_t { kAnswer = 0, kAuthority = 1, kAdditional = 2 };

struct Header {
  std::uint16_t id = 0;
  std::uint16_t flags = 0;  // QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode
  std::uint16_t qdcount = 0;
  std::uint16_t ancount = 0;
  std::uint16_t nscount = 0;
  std::uint16_t arcount = 0;

  std::uint8_t opcode() const { return (flags >> 11) & 0x0f; }
  std::uint8_t rcode() const { return flags & 0x0f; }
  bool has(std::uint16_t bit) const { return (flags & bit) != 0; }

  void set(std::uint16_t bit, bool on = true) {
    flags = static_cast<std::uint16_t>(on ? (flags | bit) : (flags & ~bit));
  }
  void set_opcode(std::uint8_t op) {
    flags = static_cast<std::uint16_t>((flags & ~0x7800) | ((op & 0x0f) << 11));
  }
  void set_rcode(std::uint8_t rc) {
    flags = static_cast<std::uint16_t>((flags & ~0x000f) | (rc & 0x0f));
  }

  std::uint16_t count(Section s) const {
    return s == Section::kAnswer ? ancount : s == Section::kAuthority ? nscount : arcount;
  }

  // Reads the first 12 octets; false when there are fewer.
  static bool parse(std::span<const std::uint8_t> wire, Header& out) {
    if (wire.size() < kHeaderSize) return false;
    const std::uint8_t* p = wire.data();
    out.id = load_u16(p);
    out.flags = load_u16(p + 2);
    out.qdcount = load_u16(p + 4);
    out.ancount = load_u16(p + 6);
    out.nscount = load_u16(p + 8);
    out.arcount = load_u16(p + 10);
    return true;
  }

  // Writes 12 octets; false (nothing written) when `out` is shorter.
  bool write(std::span<std::uint8_t> out) const {
    if (out.size() < kHeaderSize) return false;
    std::uint8_t* p = out.data();
    store_u16(p, id);
    store_u16(p + 2, flags);
    store_u16(p + 4, qdcount);
    store_u16(p + 6, ancount);
    store_u16(p + 8, nscount);
    store_u16(p + 10, arcount);
    return true;
  }
};

}  // namespace hayate::zone
