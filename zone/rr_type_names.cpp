#include "zone/rr_type_names.hpp"

#include "zone/ldns_wrapper.hpp"

#include <charconv>
#include <string>
#include <unordered_map>

#include "zone/extra_rdata.hpp"
#include "zone/name.hpp"
#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - ('a' - 'A'));
  }
  return out;
}

struct TypeTable {
  std::unordered_map<std::string, std::uint16_t> by_name;
  std::unordered_map<std::uint16_t, std::string> by_number;

  TypeTable() {
    for (std::uint32_t t = 0; t <= 0xffff; ++t) {
      const ldns_rr_descriptor* d = ldns_rr_descript(static_cast<std::uint16_t>(t));
      if (d == nullptr || d->_type != t || d->_name == nullptr) continue;
      std::string name = d->_name;
      // ldns names unknown slots "TYPEnnn" itself; those are handled by the generic form.
      if (name.empty() || name.rfind("TYPE", 0) == 0) continue;
      by_name.emplace(upper(name), static_cast<std::uint16_t>(t));
      by_number.emplace(static_cast<std::uint16_t>(t), name);
    }
    // Query-only types ldns names nowhere; known here so they are refused as meta types rather
    // than reported as unknown (RFC 6895 §3.1).
    for (auto [name, type] : {std::pair{"IXFR", rr_type::IXFR},
                              {"AXFR", rr_type::AXFR},
                              {"MAILB", rr_type::MAILB},
                              {"MAILA", rr_type::MAILA},
                              {"ANY", rr_type::ANY}}) {
      by_name.emplace(name, type);
      by_number.emplace(type, name);
    }
    for (const auto& extra : extra_type_names()) {
      by_name.emplace(std::string(extra.name), extra.type);
      by_number.emplace(extra.type, std::string(extra.name));
    }
  }
};

const TypeTable& type_table() {
  static const TypeTable table;
  return table;
}

// "<prefix>nnn" with nnn a decimal 0..65535 (RFC 3597 §5), prefix matched case-insensitively.
std::optional<std::uint16_t> generic_number(std::string_view text, std::string_view prefix) {
  if (text.size() <= prefix.size() || text.size() > prefix.size() + 5) return std::nullopt;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (ascii_lower(static_cast<std::uint8_t>(text[i])) !=
        ascii_lower(static_cast<std::uint8_t>(prefix[i]))) {
      return std::nullopt;
    }
  }
  std::string_view digits = text.substr(prefix.size());
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > 0xffff) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::optional<std::uint16_t> rr_type_from_text(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  const auto& table = type_table();
  if (auto it = table.by_name.find(upper(text)); it != table.by_name.end()) return it->second;
  return generic_number(text, "TYPE");
}

std::string rr_type_to_text(std::uint16_t type) {
  const auto& table = type_table();
  if (auto it = table.by_number.find(type); it != table.by_number.end()) return it->second;
  return "TYPE" + std::to_string(type);
}

std::optional<std::uint16_t> rr_class_from_text(std::string_view text) {
  std::string u = upper(text);
  if (u == "IN") return rr_class::IN;
  if (u == "CH" || u == "CHAOS") return rr_class::CH;
  if (u == "HS" || u == "HESIOD") return rr_class::HS;
  if (u == "NONE") return rr_class::NONE;
  if (u == "ANY") return rr_class::ANY;
  return generic_number(text, "CLASS");
}

std::string rr_class_to_text(std::uint16_t rclass) {
  switch (rclass) {
    case rr_class::IN:
      return "IN";
    case rr_class::CH:
      return "CH";
    case rr_class::HS:
      return "HS";
    case rr_class::NONE:
      return "NONE";
    case rr_class::ANY:
      return "ANY";
    default:
      return "CLASS" + std::to_string(rclass);
  }
}

}  // namespace hayate::zone
