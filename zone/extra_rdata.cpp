#include "zone/extra_rdata.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <string>

#include "zone/rr_type.hpp"
#include "zone/rr_type_names.hpp"
#include "zone/text_codec.hpp"

namespace hayate::zone {
namespace {

constexpr std::uint16_t kAtma = 34;
constexpr std::uint16_t kSink = 40;
constexpr std::uint16_t kNinfo = 56;
constexpr std::uint16_t kRkey = 57;
constexpr std::uint16_t kOpenpgpkey = 61;
constexpr std::uint16_t kDsync = 66;
constexpr std::uint16_t kHhit = 67;
constexpr std::uint16_t kBrid = 68;
constexpr std::uint16_t kAvc = 258;
constexpr std::uint16_t kDoa = 259;
constexpr std::uint16_t kAmtrelay = 260;
constexpr std::uint16_t kResinfo = 261;
constexpr std::uint16_t kWallet = 262;
constexpr std::uint16_t kTa = 32768;

constexpr ExtraTypeName kNames[] = {
    {"NINFO", kNinfo},     {"RKEY", kRkey},     {"DSYNC", kDsync}, {"HHIT", kHhit},
    {"BRID", kBrid},       {"AVC", kAvc},       {"DOA", kDoa},     {"AMTRELAY", kAmtrelay},
    {"RESINFO", kResinfo}, {"WALLET", kWallet}, {"TA", kTa},
};

void put8(Rdata& out, unsigned v) {
  out.push_back(static_cast<std::uint8_t>(v));
}
void put16(Rdata& out, unsigned v) {
  put8(out, v >> 8);
  put8(out, v);
}
void put32(Rdata& out, std::uint32_t v) {
  put16(out, v >> 16);
  put16(out, v & 0xffff);
}

template <typename T>
Result<T> number(std::string_view text, std::uint64_t max, const char* what) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > max) {
    return make_error(std::string("bad ") + what + " '" + std::string(text) + "'");
  }
  return static_cast<T>(value);
}

Result<Rdata> decode_hex(std::span<const MasterToken> tokens) {
  std::string digits;
  for (const auto& t : tokens)
    digits.append(t.text);
  if (digits.size() % 2 != 0) return make_error("odd number of hex digits");
  Rdata out;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    int hi = hex_digit_value(digits[i]), lo = hex_digit_value(digits[i + 1]);
    if (hi < 0 || lo < 0) return make_error("bad hex digit");
    put8(out, static_cast<unsigned>(hi * 16 + lo));
  }
  return out;
}

// Base64 over the remaining tokens (RFC 4648 §4, whitespace between groups allowed).
Result<Rdata> decode_base64_tokens(std::span<const MasterToken> tokens) {
  std::string text;
  for (const auto& t : tokens)
    text.append(t.text);
  auto decoded = decode_base64(text);
  if (!decoded) return make_error("bad base64");
  return *decoded;
}

Result<Rdata> append_name(Rdata out, std::string_view text, const Name& origin) {
  auto name = Name::from_text(text, &origin);
  if (!name) return make_error("bad name: " + name.error());
  out.insert(out.end(), name->wire().begin(), name->wire().end());
  return out;
}

// RFC 2874 §3.1.1: prefix length, the address bits after the prefix, the prefix name.
Result<Rdata> a6(std::span<const MasterToken> t, const Name& origin) {
  if (t.size() < 2) return make_error("unexpected end of input");
  auto plen = number<unsigned>(t[0].text, 128, "prefix length");
  if (!plen) return make_error(plen.error());
  Rdata out;
  put8(out, *plen);
  std::size_t suffix = (128 - *plen + 7) / 8;
  std::size_t next = 1;
  if (suffix > 0) {
    std::uint8_t addr[16];
    if (inet_pton(AF_INET6, std::string(t[1].text).c_str(), addr) != 1) {
      return make_error("bad IPv6 address");
    }
    out.insert(out.end(), addr + 16 - suffix, addr + 16);
    next = 2;
  }
  if (*plen == 0) {
    if (t.size() != next) return make_error("extra input text");
    return out;
  }
  if (t.size() != next + 1) return make_error("missing or extra prefix name");
  return append_name(std::move(out), t[next].text, origin);
}

// ATM Forum AESA: "+digits" is E.164 (format 1), else hex NSAP (format 0).
Result<Rdata> atma(std::span<const MasterToken> t) {
  if (t.size() != 1) return make_error("expected one address");
  std::string_view s = t[0].text;
  Rdata out;
  if (!s.empty() && s[0] == '+') {
    put8(out, 1);
    if (s.size() == 1) return make_error("empty E.164 address");
    for (char c : s.substr(1)) {
      if (c < '0' || c > '9') return make_error("bad E.164 digit");
      put8(out, static_cast<unsigned char>(c));
    }
    return out;
  }
  put8(out, 0);
  auto hex = decode_hex(t);
  if (!hex || hex->empty()) return make_error("bad ATMA address");
  out.insert(out.end(), hex->begin(), hex->end());
  return out;
}

// SINK (draft-eastlake-kitchen-sink): meaning, coding, subcoding, base64 data.
Result<Rdata> sink(std::span<const MasterToken> t) {
  if (t.size() < 3) return make_error("unexpected end of input");
  Rdata out;
  for (std::size_t i = 0; i < 3; ++i) {
    auto field = number<unsigned>(t[i].text, 255, "SINK field");
    if (!field) return make_error(field.error());
    put8(out, *field);
  }
  auto data = decode_base64_tokens(t.subspan(3));
  if (!data) return data;
  out.insert(out.end(), data->begin(), data->end());
  return out;
}

// DSYNC (RFC 9859): RRtype, scheme (number or NOTIFY), port, target.
Result<Rdata> dsync(std::span<const MasterToken> t, const Name& origin) {
  if (t.size() != 4) return make_error("expected RRtype scheme port target");
  auto type = rr_type_from_text(t[0].text);
  if (!type) return make_error("unknown RR type '" + std::string(t[0].text) + "'");
  unsigned scheme = 0;
  if (t[1].text == "NOTIFY" || t[1].text == "notify") {
    scheme = 1;
  } else {
    auto n = number<unsigned>(t[1].text, 255, "scheme");
    if (!n) return make_error(n.error());
    scheme = *n;
  }
  auto port = number<unsigned>(t[2].text, 65535, "port");
  if (!port) return make_error(port.error());
  Rdata out;
  put16(out, *type);
  put8(out, scheme);
  put16(out, *port);
  return append_name(std::move(out), t[3].text, origin);
}

// DOA: enterprise, type, location, media type (character-string), base64 data or "-".
Result<Rdata> doa(std::span<const MasterToken> t) {
  if (t.size() < 5) return make_error("unexpected end of input");
  auto enterprise = number<std::uint32_t>(t[0].text, 0xffffffff, "enterprise");
  auto type = number<std::uint32_t>(t[1].text, 0xffffffff, "type");
  auto location = number<unsigned>(t[2].text, 255, "location");
  if (!enterprise || !type || !location) return make_error("bad DOA number");
  auto media = decode_text_token(t[3].text);
  if (!media || media->size() > 255) return make_error("bad media type");
  Rdata out;
  put32(out, *enterprise);
  put32(out, *type);
  put8(out, *location);
  put8(out, static_cast<unsigned>(media->size()));
  out.insert(out.end(), media->begin(), media->end());
  if (t.size() == 5 && t[4].text == "-") return out;
  auto data = decode_base64_tokens(t.subspan(4));
  if (!data) return data;
  out.insert(out.end(), data->begin(), data->end());
  return out;
}

// AMTRELAY (RFC 8777 §4.2): precedence, D-bit, relay type, relay.
Result<Rdata> amtrelay(std::span<const MasterToken> t, const Name& origin) {
  if (t.size() != 4) return make_error("expected precedence D-bit type relay");
  auto precedence = number<unsigned>(t[0].text, 255, "precedence");
  auto dbit = number<unsigned>(t[1].text, 1, "discovery optional bit");
  auto type = number<unsigned>(t[2].text, 127, "relay type");
  if (!precedence) return make_error(precedence.error());
  if (!dbit) return make_error(dbit.error());
  if (!type) return make_error(type.error());
  Rdata out;
  put8(out, *precedence);
  put8(out, (*dbit << 7) | *type);
  std::string relay(t[3].text);
  std::uint8_t addr[16];
  switch (*type) {
    case 0:
      if (relay != ".") return make_error("relay type 0 needs '.'");
      return out;
    case 1:
      if (inet_pton(AF_INET, relay.c_str(), addr) != 1) return make_error("bad IPv4 relay");
      out.insert(out.end(), addr, addr + 4);
      return out;
    case 2:
      if (inet_pton(AF_INET6, relay.c_str(), addr) != 1) return make_error("bad IPv6 relay");
      out.insert(out.end(), addr, addr + 16);
      return out;
    case 3:
      return append_name(std::move(out), relay, origin);
    default:
      return make_error("unknown relay type");
  }
}

}  // namespace

std::span<const ExtraTypeName> extra_type_names() {
  return kNames;
}

std::optional<std::uint16_t> ldns_alias_type(std::uint16_t type) {
  switch (type) {
    case kAvc:
    case kNinfo:
    case kResinfo:
    case kWallet:
      return rr_type::TXT;
    case kTa:
      return rr_type::DS;
    case kRkey:
      return rr_type::DNSKEY;
    case kHhit:
    case kBrid:
      return kOpenpgpkey;
    default:
      return std::nullopt;
  }
}

bool has_extra_parser(std::uint16_t type) {
  return type == rr_type::A6 || type == kAtma || type == kSink || type == kDsync || type == kDoa ||
         type == kAmtrelay;
}

Result<Rdata> extra_rdata_from_text(std::uint16_t type, std::span<const MasterToken> tokens,
                                    const Name& origin) {
  switch (type) {
    case rr_type::A6:
      return a6(tokens, origin);
    case kAtma:
      return atma(tokens);
    case kSink:
      return sink(tokens);
    case kDsync:
      return dsync(tokens, origin);
    case kDoa:
      return doa(tokens);
    case kAmtrelay:
      return amtrelay(tokens, origin);
    default:
      return make_error("no parser for this type");
  }
}

Result<Rdata> generic_rdata_from_text(std::span<const MasterToken> tokens) {
  if (tokens.size() < 2) return make_error("\\# needs a length (RFC 3597 §5)");
  auto length = number<unsigned>(tokens[1].text, 65535, "\\# length");
  if (!length) return make_error(length.error());
  auto data = decode_hex(tokens.subspan(2));
  if (!data) return make_error("\\# data: " + data.error());
  if (data->size() != *length) {
    return make_error("\\# length " + std::to_string(*length) + " but " +
                      std::to_string(data->size()) + " octets of data");
  }
  return data;
}

}  // namespace hayate::zone
