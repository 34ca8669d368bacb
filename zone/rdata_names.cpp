#include "zone/rdata_names.hpp"

#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

// A layout is a short program: a positive number skips that many fixed octets, kName reads a
// domain name, kCharString skips one <character-string> (RFC 1035 §3.3).
constexpr int kName = -1;
constexpr int kCharString = -2;
constexpr int kEnd = 0;

struct Layout {
  int steps[6];
};

std::optional<Layout> layout_of(std::uint16_t type) {
  using namespace rr_type;
  switch (type) {
    case NS:
    case MD:
    case MF:
    case CNAME:
    case MB:
    case MG:
    case MR:
    case PTR:
    case DNAME:
    case NSEC:
    case NXT:
      return Layout{{kName, kEnd}};
    case SOA:
    case MINFO:
    case RP:
      return Layout{{kName, kName, kEnd}};
    case MX:
    case AFSDB:
    case RT:
    case KX:
      return Layout{{2, kName, kEnd}};
    case PX:
      return Layout{{2, kName, kName, kEnd}};
    case SRV:
      return Layout{{6, kName, kEnd}};
    case NAPTR:  // ORDER, PREFERENCE, FLAGS, SERVICES, REGEXP, REPLACEMENT (RFC 3403 §4.1)
      return Layout{{4, kCharString, kCharString, kCharString, kName, kEnd}};
    case RRSIG:
    case SIG:  // 18 fixed octets, then the signer's name (RFC 4034 §3.1)
      return Layout{{18, kName, kEnd}};
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<RdataNameLayout> rdata_name_layout(std::uint16_t type) {
  auto layout = layout_of(type);
  if (!layout) return std::nullopt;
  RdataNameLayout out;
  for (int step : layout->steps) {
    if (step == kEnd) break;
    RdataField& field = out.fields[out.count++];
    if (step == kName) {
      field.kind = RdataField::Kind::kName;
    } else if (step == kCharString) {
      field.kind = RdataField::Kind::kCharString;
    } else {
      field.kind = RdataField::Kind::kFixed;
      field.octets = static_cast<std::uint8_t>(step);
    }
  }
  return out;
}

std::optional<std::size_t> wire_name_end(std::span<const std::uint8_t> rdata, std::size_t pos) {
  std::size_t start = pos;
  while (pos < rdata.size()) {
    std::uint8_t length = rdata[pos];
    if (length == 0) return pos + 1;
    if (length > kMaxLabelLength) return std::nullopt;
    pos += 1 + length;
    if (pos - start > kMaxNameLength) return std::nullopt;
  }
  return std::nullopt;
}

std::size_t skip_wire_name(std::span<const std::uint8_t> rdata, std::size_t pos) {
  return wire_name_end(rdata, pos).value_or(rdata.size() + 1);
}

bool for_each_rdata_name(std::uint16_t type, std::span<const std::uint8_t> rdata,
                         const std::function<void(std::size_t, std::size_t)>& visit) {
  auto layout = layout_of(type);
  if (!layout) return true;
  std::size_t pos = 0;
  for (int step : layout->steps) {
    if (step == kEnd) break;
    if (step == kName) {
      auto end = wire_name_end(rdata, pos);
      if (!end) return false;
      visit(pos, *end - pos);
      pos = *end;
    } else if (step == kCharString) {
      if (pos >= rdata.size()) return false;
      pos += 1 + rdata[pos];
    } else {
      pos += static_cast<std::size_t>(step);
    }
    if (pos > rdata.size()) return false;
  }
  return true;
}

std::optional<Name> rdata_target(std::uint16_t type, std::span<const std::uint8_t> rdata) {
  using namespace rr_type;
  if (type != NS && type != MX && type != SRV && type != KX && type != AFSDB && type != RT) {
    return std::nullopt;
  }
  std::optional<Name> target;
  for_each_rdata_name(type, rdata, [&](std::size_t offset, std::size_t length) {
    if (!target) target = Name::from_valid_wire(rdata.subspan(offset, length));
  });
  return target;
}

bool rdata_equal(std::uint16_t type, std::span<const std::uint8_t> a,
                 std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  // Name ranges found in `a`. Where a and b agree up to case, their layouts agree too, because
  // length octets (0..63) are never ASCII letters.
  struct Range {
    std::size_t begin, end;
  };
  Range names[4];
  std::size_t name_count = 0;
  for_each_rdata_name(type, a, [&](std::size_t offset, std::size_t length) {
    if (name_count < 4) names[name_count++] = {offset, offset + length};
  });
  std::size_t range = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    while (range < name_count && i >= names[range].end)
      ++range;
    if (a[i] == b[i]) continue;
    bool in_name = range < name_count && i >= names[range].begin;
    if (!in_name || ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace hayate::zone
