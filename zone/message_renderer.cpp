#include "zone/message_renderer.hpp"

#include <algorithm>
#include <cstring>

#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

constexpr std::size_t kMaxMessageSize = 0xffff;
constexpr std::uint16_t kPointerBits = 0xc000;

// Where the names sit in a compressible rdata: `prefix` fixed octets, `names` names, then
// `suffix` fixed octets (RFC 1035 §3.3).
struct RdataLayout {
  std::uint8_t prefix;
  std::uint8_t names;
  std::uint8_t suffix;
};

bool compressible_layout(std::uint16_t type, RdataLayout& out) {
  switch (type) {
    case rr_type::NS:
    case rr_type::MD:
    case rr_type::MF:
    case rr_type::CNAME:
    case rr_type::MB:
    case rr_type::MG:
    case rr_type::MR:
    case rr_type::PTR:
      out = {0, 1, 0};
      return true;
    case rr_type::SOA:
      out = {0, 2, 20};  // MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM
      return true;
    case rr_type::MINFO:
      out = {0, 2, 0};  // RMAILBX EMAILBX
      return true;
    case rr_type::MX:
      out = {2, 1, 0};  // PREFERENCE EXCHANGE
      return true;
    default:
      return false;
  }
}

// Length of the uncompressed name at the start of `data`, or 0 when it is not one.
std::size_t plain_name_length(std::span<const std::uint8_t> data) {
  std::size_t pos = 0;
  while (pos < data.size() && pos < kMaxNameLength) {
    std::uint8_t length = data[pos];
    if (length == 0) return pos + 1;
    if (length > kMaxLabelLength) return 0;
    pos += 1 + length;
  }
  return 0;
}

// True when `rdata` is exactly prefix + names + suffix with valid uncompressed names.
bool rdata_matches_layout(std::span<const std::uint8_t> rdata, const RdataLayout& layout) {
  if (rdata.size() < layout.prefix) return false;
  std::size_t pos = layout.prefix;
  for (unsigned i = 0; i < layout.names; ++i) {
    std::size_t length = plain_name_length(rdata.subspan(pos));
    if (length == 0) return false;
    pos += length;
  }
  return rdata.size() - pos == layout.suffix;
}

}  // namespace

bool rdata_compressible(std::uint16_t type) {
  RdataLayout ignored;
  return compressible_layout(type, ignored);
}

MessageRenderer::MessageRenderer(std::span<std::uint8_t> buffer, std::size_t limit)
    : buffer_(buffer), limit_(std::min({limit, buffer.size(), kMaxMessageSize})) {}

bool MessageRenderer::begin(const Header& header) {
  limit_ += reserved_;
  reserved_ = 0;
  counts_ = {};
  section_ = Section::kAnswer;
  truncated_ = false;
  suffix_count_ = 0;
  ext_rcode_ = 0;
  header_ = header;
  header_.qdcount = header_.ancount = header_.nscount = header_.arcount = 0;
  size_ = 0;
  if (!room(kHeaderSize)) return false;
  size_ = kHeaderSize;
  return true;
}

bool MessageRenderer::begin_response(const Header& query) {
  Header response;
  response.id = query.id;
  response.set(flag::QR);
  response.set_opcode(query.opcode());
  response.set(flag::RD, query.has(flag::RD));
  response.set(flag::CD, query.has(flag::CD));
  return begin(response);
}

void MessageRenderer::set_rcode(std::uint16_t full_rcode) {
  header_.set_rcode(rcode::header_part(full_rcode));
  ext_rcode_ = rcode::extended_part(full_rcode);
}

bool MessageRenderer::echo_question(std::span<const std::uint8_t> question) {
  std::size_t name_length = plain_name_length(question);
  if (size_ < kHeaderSize || name_length == 0 ||
      question.size() != name_length + kQuestionFixedSize) {
    return false;
  }
  return add_question(question.first(name_length), load_u16(&question[name_length]),
                      load_u16(&question[name_length + 2]));
}

bool MessageRenderer::add_question(std::span<const std::uint8_t> qname_wire, std::uint16_t qtype,
                                   std::uint16_t qclass) {
  // Questions come before any record (RFC 1035 §4.1).
  if (size_ < kHeaderSize || qname_wire.size() != plain_name_length(qname_wire) ||
      counts_ != std::array<std::uint16_t, 3>{} || header_.qdcount == 0xffff) {
    return false;
  }
  Mark before = mark();
  if (!write_name(qname_wire) || !write_u16(qtype) || !write_u16(qclass)) {
    rollback(before);
    return false;
  }
  ++header_.qdcount;
  return true;
}

bool MessageRenderer::reserve(std::size_t octets) {
  if (!room(octets)) return false;
  limit_ -= octets;
  reserved_ += octets;
  return true;
}

MessageRenderer::Mark MessageRenderer::mark() const {
  return Mark{size_, counts_, suffix_count_, section_};
}

void MessageRenderer::rollback(const Mark& mark) {
  size_ = mark.size;
  counts_ = mark.counts;
  suffix_count_ = mark.compression_entries;
  section_ = mark.section;
}

bool MessageRenderer::enter_section(Section section) {
  if (size_ < kHeaderSize || section < section_) return false;
  section_ = section;
  return true;
}

bool MessageRenderer::fail(Section section, const Mark& before) {
  rollback(before);
  if (section != Section::kAdditional) truncated_ = true;
  return false;
}

bool MessageRenderer::add_rrset(Section section, std::span<const std::uint8_t> owner_wire,
                                std::uint16_t type, std::uint16_t rclass, std::uint32_t ttl,
                                std::span<const Rdata> rdatas) {
  Mark before = mark();
  std::size_t index = static_cast<std::size_t>(section);
  if (owner_wire.size() != plain_name_length(owner_wire) || !enter_section(section) ||
      counts_[index] + rdatas.size() > 0xffff) {
    rollback(before);
    return false;
  }
  for (const Rdata& rdata : rdatas) {
    if (!write_record(owner_wire, type, rclass, ttl, rdata)) return fail(section, before);
  }
  counts_[index] = static_cast<std::uint16_t>(counts_[index] + rdatas.size());
  return true;
}

bool MessageRenderer::add_record(Section section, std::span<const std::uint8_t> owner_wire,
                                 std::uint16_t type, std::uint16_t rclass, std::uint32_t ttl,
                                 std::span<const std::uint8_t> rdata) {
  Mark before = mark();
  std::size_t index = static_cast<std::size_t>(section);
  if (owner_wire.size() != plain_name_length(owner_wire) || !enter_section(section) ||
      counts_[index] == 0xffff) {
    rollback(before);
    return false;
  }
  if (!write_record(owner_wire, type, rclass, ttl, rdata)) return fail(section, before);
  ++counts_[index];
  return true;
}

bool MessageRenderer::add_opt(const OptParams& params, std::span<const std::uint8_t> options) {
  limit_ += reserved_;
  reserved_ = 0;
  std::size_t index = static_cast<std::size_t>(Section::kAdditional);
  if (!enter_section(Section::kAdditional) || counts_[index] == 0xffff || size_ > limit_) {
    return false;
  }
  OptParams with_rcode = params;
  with_rcode.ext_rcode_high = ext_rcode_;
  std::size_t written = write_opt_rr(buffer_.subspan(size_, limit_ - size_), with_rcode, options);
  if (written == 0) return false;
  size_ += written;
  ++counts_[index];
  return true;
}

std::size_t MessageRenderer::finish() {
  if (size_ < kHeaderSize) return 0;
  header_.ancount = counts_[0];
  header_.nscount = counts_[1];
  header_.arcount = counts_[2];
  if (truncated_) header_.set(flag::TC);
  header_.write(buffer_);
  return size_;
}

// ---- writing ----

bool MessageRenderer::write_bytes(std::span<const std::uint8_t> bytes) {
  if (!room(bytes.size())) return false;
  if (!bytes.empty()) std::memcpy(&buffer_[size_], bytes.data(), bytes.size());
  size_ += bytes.size();
  return true;
}

bool MessageRenderer::write_u16(std::uint16_t value) {
  if (!room(2)) return false;
  store_u16(&buffer_[size_], value);
  size_ += 2;
  return true;
}

bool MessageRenderer::write_u32(std::uint32_t value) {
  if (!room(4)) return false;
  store_u32(&buffer_[size_], value);
  size_ += 4;
  return true;
}

bool MessageRenderer::write_name(std::span<const std::uint8_t> name) {
  std::size_t pos = 0;
  while (name[pos] != 0) {
    std::span<const std::uint8_t> suffix = name.subspan(pos);
    int target = find_suffix(suffix);
    if (target >= 0) return write_u16(static_cast<std::uint16_t>(kPointerBits | target));
    std::size_t label = 1u + name[pos];
    if (!room(label)) return false;
    remember_suffix(size_, suffix.size());
    std::memcpy(&buffer_[size_], &name[pos], label);
    size_ += label;
    pos += label;
  }
  return write_bytes(name.subspan(pos, 1));
}

bool MessageRenderer::write_record(std::span<const std::uint8_t> owner, std::uint16_t type,
                                   std::uint16_t rclass, std::uint32_t ttl,
                                   std::span<const std::uint8_t> rdata) {
  if (rdata.size() > 0xffff) return false;
  if (!write_name(owner) || !write_u16(type) || !write_u16(rclass) || !write_u32(ttl)) {
    return false;
  }
  std::size_t length_at = size_;
  if (!write_u16(0) || !write_rdata(type, rdata)) return false;
  // Compression only shrinks rdata, so the length still fits 16 bits.
  store_u16(&buffer_[length_at], static_cast<std::uint16_t>(size_ - length_at - 2));
  return true;
}

bool MessageRenderer::write_rdata(std::uint16_t type, std::span<const std::uint8_t> rdata) {
  RdataLayout layout;
  // RFC 3597 §4: compress only the well-known RFC 1035 types; anything else (and rdata that does
  // not have the expected shape) goes out exactly as stored.
  if (compressible_layout(type, layout) && rdata_matches_layout(rdata, layout)) {
    return write_compressible_rdata(type, rdata);
  }
  return write_bytes(rdata);
}

bool MessageRenderer::write_compressible_rdata(std::uint16_t type,
                                               std::span<const std::uint8_t> rdata) {
  RdataLayout layout;
  compressible_layout(type, layout);
  if (!write_bytes(rdata.first(layout.prefix))) return false;
  std::size_t pos = layout.prefix;
  for (unsigned i = 0; i < layout.names; ++i) {
    std::size_t length = plain_name_length(rdata.subspan(pos));
    if (!write_name(rdata.subspan(pos, length))) return false;
    pos += length;
  }
  return write_bytes(rdata.subspan(pos));
}

// ---- compression table ----

void MessageRenderer::remember_suffix(std::size_t offset, std::size_t length) {
  // Pointers have 14 bits (RFC 1035 §4.1.4); a full table just means less compression.
  if (offset > kMaxPointerOffset || suffix_count_ == kCompressionEntries) return;
  suffixes_[suffix_count_++] =
      Suffix{static_cast<std::uint16_t>(offset), static_cast<std::uint8_t>(length)};
}

int MessageRenderer::find_suffix(std::span<const std::uint8_t> suffix) const {
  for (std::size_t i = 0; i < suffix_count_; ++i) {
    if (suffix_matches(suffixes_[i], suffix)) return suffixes_[i].offset;
  }
  return -1;
}

// Compares a name already in the buffer (which may end in a pointer) with an uncompressed
// suffix, ignoring ASCII case (RFC 4343 §3).
bool MessageRenderer::suffix_matches(const Suffix& entry,
                                     std::span<const std::uint8_t> suffix) const {
  if (entry.length != suffix.size()) return false;
  std::size_t at = entry.offset;
  std::size_t pos = 0;
  for (;;) {
    std::uint8_t length = buffer_[at];
    if ((length & 0xc0) == 0xc0) {
      at = load_u16(&buffer_[at]) & kMaxPointerOffset;  // our own output: always backwards
      continue;
    }
    if (length != suffix[pos]) return false;
    if (length == 0) return true;
    for (std::size_t i = 1; i <= length; ++i) {
      if (ascii_lower(buffer_[at + i]) != ascii_lower(suffix[pos + i])) return false;
    }
    at += 1u + length;
    pos += 1u + length;
  }
}

}  // namespace hayate::zone
