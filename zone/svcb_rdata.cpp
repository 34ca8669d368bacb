#include "zone/svcb_rdata.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "zone/text_codec.hpp"

namespace hayate::zone {
namespace {

// SvcParamKeys (RFC 9460 §14.3.2, RFC 9461 dohpath, RFC 9540 ohttp).
constexpr std::uint16_t kMandatory = 0;
constexpr std::uint16_t kAlpn = 1;
constexpr std::uint16_t kNoDefaultAlpn = 2;
constexpr std::uint16_t kPort = 3;
constexpr std::uint16_t kIpv4Hint = 4;
constexpr std::uint16_t kEch = 5;
constexpr std::uint16_t kIpv6Hint = 6;
constexpr std::uint16_t kDohPath = 7;
constexpr std::uint16_t kOhttp = 8;
constexpr std::uint16_t kInvalidKey = 65535;

constexpr std::string_view kKeyNames[] = {"mandatory", "alpn",     "no-default-alpn",
                                          "port",      "ipv4hint", "ech",
                                          "ipv6hint",  "dohpath",  "ohttp"};

void put16(Rdata& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

std::optional<std::uint16_t> parse_u16(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > 0xffff) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

// "alpn" or "key123" -> key number (RFC 9460 §2.1: keyNNNNN without leading zeros).
Result<std::uint16_t> key_from_name(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kKeyNames); ++i) {
    if (name == kKeyNames[i]) return static_cast<std::uint16_t>(i);
  }
  if (name.size() > 3 && name.substr(0, 3) == "key") {
    std::string_view digits = name.substr(3);
    auto key = parse_u16(digits);
    if (key && (digits.size() == 1 || digits[0] != '0')) {
      if (*key == kInvalidKey) return make_error("key65535 is reserved (RFC 9460 §14.3.2)");
      return *key;
    }
  }
  return make_error("unknown SvcParamKey '" + std::string(name) + "'");
}

// Splits a value-list (RFC 9460 Appendix A.1) after character-string decoding: items are
// separated by ',' and "\," / "\\" escape within an item. Empty items are invalid.
Result<std::vector<std::string>> split_value_list(std::string_view value) {
  std::vector<std::string> items(1);
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\' && i + 1 < value.size()) {
      items.back().push_back(value[++i]);
    } else if (c == ',') {
      if (items.back().empty()) return make_error("empty item in value list");
      items.emplace_back();
    } else {
      items.back().push_back(c);
    }
  }
  if (items.back().empty()) return make_error("empty item in value list");
  return items;
}

Result<Rdata> mandatory_value(std::string_view value) {
  auto items = split_value_list(value);
  if (!items) return make_error("mandatory: " + items.error());
  std::vector<std::uint16_t> keys;
  for (const auto& item : *items) {
    auto key = key_from_name(item);
    if (!key) return make_error("mandatory: " + key.error());
    // RFC 9460 §8: "mandatory" must not list itself, nor any key twice.
    if (*key == kMandatory) return make_error("mandatory lists itself");
    if (std::find(keys.begin(), keys.end(), *key) != keys.end()) {
      return make_error("mandatory lists '" + item + "' twice");
    }
    keys.push_back(*key);
  }
  std::sort(keys.begin(), keys.end());
  Rdata out;
  for (auto key : keys)
    put16(out, key);
  return out;
}

Result<Rdata> alpn_value(std::string_view value) {
  auto items = split_value_list(value);
  if (!items) return make_error("alpn: " + items.error());
  Rdata out;
  for (const auto& item : *items) {
    if (item.size() > 255) return make_error("alpn: protocol id longer than 255 octets");
    out.push_back(static_cast<std::uint8_t>(item.size()));
    out.insert(out.end(), item.begin(), item.end());
  }
  return out;
}

Result<Rdata> address_hints(std::string_view value, int family) {
  auto items = split_value_list(value);
  if (!items) return make_error(items.error());
  Rdata out;
  for (const auto& item : *items) {
    std::uint8_t buf[16];
    if (inet_pton(family, item.c_str(), buf) != 1) {
      return make_error("bad address '" + item + "' in " +
                        (family == AF_INET ? "ipv4hint" : "ipv6hint"));
    }
    out.insert(out.end(), buf, buf + (family == AF_INET ? 4 : 16));
  }
  return out;
}

// Strict base64 (RFC 4648 §4): groups of four, '=' only at the very end.
Result<Rdata> base64_value(std::string_view text) {
  auto decoded = decode_base64(text);
  if (!decoded) return make_error("ech: bad base64");
  return *decoded;
}

// The wire value of one param; `has_value` tells "key" from "key=" (both have an empty value).
Result<Rdata> param_value(std::uint16_t key, bool has_value, const std::string& value) {
  auto need_value = [&](const char* name) -> std::optional<Error> {
    if (value.empty()) return make_error(std::string(name) + " needs a value");
    return std::nullopt;
  };
  switch (key) {
    case kMandatory:
      if (auto e = need_value("mandatory")) return *e;
      return mandatory_value(value);
    case kAlpn:
      if (auto e = need_value("alpn")) return *e;
      return alpn_value(value);
    case kNoDefaultAlpn:
    case kOhttp:
      if (has_value) return make_error(std::string(kKeyNames[key]) + " takes no value");
      return Rdata{};
    case kPort: {
      auto port = parse_u16(value);
      if (!port) return make_error("bad port '" + value + "'");
      Rdata out;
      put16(out, *port);
      return out;
    }
    case kIpv4Hint:
      if (auto e = need_value("ipv4hint")) return *e;
      return address_hints(value, AF_INET);
    case kIpv6Hint:
      if (auto e = need_value("ipv6hint")) return *e;
      return address_hints(value, AF_INET6);
    case kEch:
      if (auto e = need_value("ech")) return *e;
      return base64_value(value);
    case kDohPath:
      if (auto e = need_value("dohpath")) return *e;
      return Rdata(value.begin(), value.end());
    default:
      return Rdata(value.begin(), value.end());
  }
}

// RFC 9460 §8: every key that "mandatory" lists must be present; no-default-alpn needs alpn
// (§7.1.1, "self-consistent").
std::optional<std::string> check_consistency(const std::map<std::uint16_t, Rdata>& params) {
  if (auto it = params.find(kMandatory); it != params.end()) {
    const Rdata& list = it->second;
    for (std::size_t i = 0; i + 1 < list.size(); i += 2) {
      auto key = static_cast<std::uint16_t>(list[i] << 8 | list[i + 1]);
      if (!params.contains(key)) {
        std::string name =
            key < std::size(kKeyNames) ? std::string(kKeyNames[key]) : "key" + std::to_string(key);
        return "mandatory lists '" + name + "' but the record has no such parameter";
      }
    }
  }
  if (params.contains(kNoDefaultAlpn) && !params.contains(kAlpn)) {
    return "no-default-alpn without alpn";
  }
  return std::nullopt;
}

}  // namespace

Result<Rdata> svcb_rdata_from_text(std::span<const MasterToken> tokens, const Name& origin) {
  if (tokens.size() < 2) return make_error("missing SvcPriority or TargetName");
  auto priority = parse_u16(tokens[0].text);
  if (!priority) return make_error("bad SvcPriority '" + std::string(tokens[0].text) + "'");
  auto target = Name::from_text(tokens[1].text, &origin);
  if (!target) return make_error("bad TargetName: " + target.error());

  std::map<std::uint16_t, Rdata> params;
  for (const auto& token : tokens.subspan(2)) {
    std::string_view raw = token.text;
    std::size_t eq = raw.find('=');
    std::string_view key_text = raw.substr(0, eq);
    auto key = key_from_name(key_text);
    if (!key) return make_error(key.error());
    bool has_value = eq != std::string_view::npos;
    auto value = decode_text_token(has_value ? raw.substr(eq + 1) : std::string_view());
    if (!value) return make_error(std::string(key_text) + ": " + value.error());
    auto wire = param_value(*key, has_value, *value);
    if (!wire) return make_error(wire.error());
    if (wire->size() > 0xffff) return make_error(std::string(key_text) + ": value too long");
    // RFC 9460 §2.2: a key appears at most once.
    if (!params.emplace(*key, std::move(*wire)).second) {
      return make_error("SvcParamKey '" + std::string(key_text) + "' appears twice");
    }
  }
  if (auto problem = check_consistency(params)) return make_error(*problem);

  Rdata out;
  put16(out, *priority);
  auto name_wire = target->wire();
  out.insert(out.end(), name_wire.begin(), name_wire.end());
  for (const auto& [key, value] : params) {  // std::map: increasing key order, as §2.2 wants
    put16(out, key);
    put16(out, static_cast<std::uint16_t>(value.size()));
    out.insert(out.end(), value.begin(), value.end());
  }
  return out;
}

}  // namespace hayate::zone
