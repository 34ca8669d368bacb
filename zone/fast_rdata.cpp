#include "zone/fast_rdata.hpp"

#include <arpa/inet.h>

#include <string_view>

#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Decimal digits only (no sign, no units, no hex), at most `max`.
std::optional<std::uint32_t> plain_number(const MasterToken& token, std::uint32_t max) {
  std::string_view t = token.text;
  if (t.empty() || t.size() > 10) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : t) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

// Builds one rdata in a reused buffer; the result is copied out at its exact size, since a zone
// keeps millions of these and vector growth would leave slack in each.
class RdataBuilder {
 public:
  RdataBuilder() { buffer().clear(); }

  void u16(std::uint32_t v) {
    buffer().push_back(static_cast<std::uint8_t>(v >> 8));
    buffer().push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(v >> 16);
    u16(v & 0xffff);
  }
  bool number16(const MasterToken& token) {
    auto v = plain_number(token, 0xffff);
    if (v) u16(*v);
    return v.has_value();
  }
  bool number32(const MasterToken& token) {
    auto v = plain_number(token, 0xffffffff);
    if (v) u32(*v);
    return v.has_value();
  }
  // An unquoted domain name, uncompressed and in its original case (RFC 3597 §4: names in rdata
  // are stored as written; ldns does the same).
  bool name(const MasterToken& token, const Name& origin) {
    if (token.quoted) return false;
    // ldns 1.8 reads "\\@" in rdata as the origin, not as a label "@" (Name::from_text, BIND):
    // such names go to ldns so that the two paths agree.
    if (token.text != "@" && token.text.find('@') != std::string_view::npos) return false;
    // A quote inside the token ("a\"b c\"d" is one token to the lexer) splits it for ldns.
    if (token.text.find('"') != std::string_view::npos) return false;
    auto parsed = Name::from_text(token.text, &origin);
    if (!parsed) return false;
    buffer().insert(buffer().end(), parsed->wire().begin(), parsed->wire().end());
    return true;
  }
  bool address(const MasterToken& token, int family, std::size_t size) {
    if (token.quoted || token.text.size() > 45) return false;
    char text[46];
    token.text.copy(text, token.text.size());
    text[token.text.size()] = '\0';
    std::uint8_t octets[16];
    if (inet_pton(family, text, octets) != 1) return false;
    buffer().insert(buffer().end(), octets, octets + size);
    return true;
  }
  // One <character-string> (RFC 1035 §3.3, §5.1): a length octet, then the text with "\X" and
  // "\DDD" decoded; either wholly quoted or without quotes at all.
  bool character_string(const MasterToken& token) {
    std::string_view t = token.text;
    if (token.quoted) {
      if (t.size() < 2 || t.back() != '"') return false;
      t = t.substr(1, t.size() - 2);
    }
    Rdata& out = buffer();
    std::size_t length_at = out.size();
    out.push_back(0);
    for (std::size_t i = 0; i < t.size(); ++i) {
      char c = t[i];
      if (c == '"') return false;  // "a"b and the like: ldns's rules, not ours
      if (c == '\\') {
        if (i + 1 >= t.size()) return false;
        if (is_digit(t[i + 1])) {
          if (i + 3 >= t.size() || !is_digit(t[i + 2]) || !is_digit(t[i + 3])) return false;
          int value = (t[i + 1] - '0') * 100 + (t[i + 2] - '0') * 10 + (t[i + 3] - '0');
          if (value > 255) return false;
          c = static_cast<char>(value);
          i += 3;
        } else {
          c = t[++i];
        }
      }
      out.push_back(static_cast<std::uint8_t>(c));
    }
    std::size_t length = out.size() - length_at - 1;
    if (length > 255) return false;
    out[length_at] = static_cast<std::uint8_t>(length);
    return true;
  }

  std::optional<Rdata> done() {
    if (buffer().size() > 0xffff) return std::nullopt;
    return Rdata(buffer().begin(), buffer().end());
  }

 private:
  static Rdata& buffer() {
    static thread_local Rdata scratch;
    return scratch;
  }
};

std::optional<Rdata> one_name(std::span<const MasterToken> tokens, const Name& origin) {
  RdataBuilder out;
  if (tokens.size() != 1 || !out.name(tokens[0], origin)) return std::nullopt;
  return out.done();
}

std::optional<Rdata> address(std::span<const MasterToken> tokens, int family, std::size_t size) {
  RdataBuilder out;
  if (tokens.size() != 1 || !out.address(tokens[0], family, size)) return std::nullopt;
  return out.done();
}

// RFC 1035 §3.3.9: PREFERENCE EXCHANGE.
std::optional<Rdata> mx(std::span<const MasterToken> tokens, const Name& origin) {
  RdataBuilder out;
  if (tokens.size() != 2 || !out.number16(tokens[0]) || !out.name(tokens[1], origin)) {
    return std::nullopt;
  }
  return out.done();
}

// RFC 1035 §3.3.14: one or more character-strings.
std::optional<Rdata> txt(std::span<const MasterToken> tokens) {
  RdataBuilder out;
  if (tokens.empty()) return std::nullopt;
  for (const auto& token : tokens) {
    if (!out.character_string(token)) return std::nullopt;
  }
  return out.done();
}

// RFC 1035 §3.3.13: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM.
std::optional<Rdata> soa(std::span<const MasterToken> tokens, const Name& origin) {
  RdataBuilder out;
  if (tokens.size() != 7 || !out.name(tokens[0], origin) || !out.name(tokens[1], origin)) {
    return std::nullopt;
  }
  for (std::size_t i = 2; i < 7; ++i) {
    if (!out.number32(tokens[i])) return std::nullopt;
  }
  return out.done();
}

// RFC 2782: PRIORITY WEIGHT PORT TARGET.
std::optional<Rdata> srv(std::span<const MasterToken> tokens, const Name& origin) {
  RdataBuilder out;
  if (tokens.size() != 4) return std::nullopt;
  for (std::size_t i = 0; i < 3; ++i) {
    if (!out.number16(tokens[i])) return std::nullopt;
  }
  if (!out.name(tokens[3], origin)) return std::nullopt;
  return out.done();
}

}  // namespace

bool has_fast_rdata(std::uint16_t type) {
  switch (type) {
    case rr_type::A:
    case rr_type::AAAA:
    case rr_type::NS:
    case rr_type::CNAME:
    case rr_type::PTR:
    case rr_type::DNAME:
    case rr_type::MX:
    case rr_type::TXT:
    case rr_type::SPF:
    case rr_type::SOA:
    case rr_type::SRV:
      return true;
    default:
      return false;
  }
}

std::optional<Rdata> fast_rdata_from_text(std::uint16_t type, std::span<const MasterToken> tokens,
                                          const Name& origin) {
  // ldns takes "\#" as the RFC 3597 generic-rdata marker wherever it stands, not only first
  // (so "TXT a \# b" is an error there): leave such text to it.
  // ldns also reads rdata as C strings, so a NUL octet in the text ends the rdata there for it
  // ("\<NUL>" becomes a dangling backslash), and its tokenizer turns other control characters
  // into spaces ("\<CR>" is a space to it): text with a control character other than TAB is
  // ldns's to judge, not ours (both found by fuzz_zone_reader_differential).
  for (const auto& token : tokens) {
    if (token.text.starts_with("\\#")) return std::nullopt;
    for (const char c : token.text) {
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return std::nullopt;
    }
  }
  switch (type) {
    case rr_type::A:
      return address(tokens, AF_INET, 4);
    case rr_type::AAAA:
      return address(tokens, AF_INET6, 16);
    case rr_type::NS:
    case rr_type::CNAME:
    case rr_type::PTR:
    case rr_type::DNAME:
      return one_name(tokens, origin);
    case rr_type::MX:
      return mx(tokens, origin);
    case rr_type::TXT:
    case rr_type::SPF:
      return txt(tokens);
    case rr_type::SOA:
      return soa(tokens, origin);
    case rr_type::SRV:
      return srv(tokens, origin);
    default:
      return std::nullopt;
  }
}

}  // namespace hayate::zone
