#include "zone/record_reader.hpp"

namespace hayate::zone {
namespace {

// A valid name has at most 127 labels, so it never needs more pointers than that; real names need
// one. The strict-backwards rule already rules out loops; this cap bounds pointer chains.
constexpr unsigned kMaxPointerJumps = 127;

constexpr std::uint8_t kLabelTypeMask = 0xc0;
constexpr std::uint8_t kPointerType = 0xc0;

// Appends one label (length octet + data) to `out`, lowercasing when asked.
void append_label(WireName& out, const std::uint8_t* label, std::size_t length,
                  NameCase name_case) {
  out.octets[out.length] = static_cast<std::uint8_t>(length);
  for (std::size_t i = 0; i < length; ++i) {
    std::uint8_t c = label[i];
    out.octets[out.length + 1 + i] = name_case == NameCase::kLower ? ascii_lower(c) : c;
  }
  out.length = static_cast<std::uint8_t>(out.length + 1 + length);
  ++out.labels;
}

}  // namespace

const char* wire_error_reason(WireError error) {
  switch (error) {
    case WireError::kOk:
      return "ok";
    case WireError::kTruncated:
      return "message truncated";
    case WireError::kBadLabelType:
      return "reserved label type (0x40/0x80) in name";
    case WireError::kNameTooLong:
      return "name longer than 255 octets";
    case WireError::kBadPointer:
      return "compression pointer does not point strictly backwards";
    case WireError::kTooManyPointers:
      return "too many compression pointers in one name";
    case WireError::kRdataOverrun:
      return "rdata length runs past the end of the message";
  }
  return "unknown wire error";
}

WireError read_name_at(std::span<const std::uint8_t> message, std::size_t offset, WireName* out,
                       std::size_t* next, NameCase name_case) {
  std::size_t pos = offset;
  std::size_t run_start = offset;  // where the current run of labels began
  std::size_t total = 0;           // decompressed length so far, root excluded
  std::size_t end = 0;             // offset after the name in place (set at the first pointer)
  bool jumped = false;
  unsigned jumps = 0;
  if (out != nullptr) {
    out->length = 0;
    out->labels = 0;
  }
  for (;;) {
    if (pos >= message.size()) return WireError::kTruncated;
    std::uint8_t length = message[pos];
    std::uint8_t type = length & kLabelTypeMask;
    if (type == kPointerType) {
      if (pos + 1 >= message.size()) return WireError::kTruncated;
      std::size_t target = ((length & 0x3f) << 8) | message[pos + 1];
      // RFC 1035 §4.1.4 only says "prior occurrence"; pointing before the start of the current
      // run (not just before the pointer) is what makes a loop impossible. A name never starts
      // inside the 12-octet header.
      if (target >= run_start || target < kHeaderSize) return WireError::kBadPointer;
      if (++jumps > kMaxPointerJumps) return WireError::kTooManyPointers;
      if (!jumped) end = pos + 2;
      jumped = true;
      pos = run_start = target;
      continue;
    }
    if (type != 0) return WireError::kBadLabelType;
    if (length == 0) break;
    if (pos + 1 + length > message.size()) return WireError::kTruncated;
    total += 1 + length;
    if (total + 1 > kMaxNameLength) return WireError::kNameTooLong;
    if (out != nullptr) append_label(*out, &message[pos + 1], length, name_case);
    pos += 1 + length;
  }
  if (out != nullptr) {
    out->octets[out->length] = 0;
    out->length = static_cast<std::uint8_t>(out->length + 1);
  }
  if (next != nullptr) *next = jumped ? end : pos + 1;
  return WireError::kOk;
}

WireError RecordReader::read_header(Header& out) {
  if (!Header::parse(message_.subspan(offset_), out)) return WireError::kTruncated;
  offset_ += kHeaderSize;
  return WireError::kOk;
}

WireError RecordReader::read_u8(std::uint8_t& out) {
  if (!has(1)) return WireError::kTruncated;
  out = message_[offset_++];
  return WireError::kOk;
}

WireError RecordReader::read_u16(std::uint16_t& out) {
  if (!has(2)) return WireError::kTruncated;
  out = load_u16(&message_[offset_]);
  offset_ += 2;
  return WireError::kOk;
}

WireError RecordReader::read_u32(std::uint32_t& out) {
  if (!has(4)) return WireError::kTruncated;
  out = load_u32(&message_[offset_]);
  offset_ += 4;
  return WireError::kOk;
}

WireError RecordReader::read_bytes(std::size_t count, std::span<const std::uint8_t>& out) {
  if (!has(count)) return WireError::kTruncated;
  out = message_.subspan(offset_, count);
  offset_ += count;
  return WireError::kOk;
}

WireError RecordReader::skip(std::size_t count) {
  if (!has(count)) return WireError::kTruncated;
  offset_ += count;
  return WireError::kOk;
}

WireError RecordReader::read_name(WireName* out, NameCase name_case) {
  std::size_t next = 0;
  WireError error = read_name_at(message_, offset_, out, &next, name_case);
  if (error == WireError::kOk) offset_ = next;
  return error;
}

WireError RecordReader::read_question(WireName* name, std::uint16_t& qtype, std::uint16_t& qclass,
                                      NameCase name_case) {
  if (WireError error = read_name(name, name_case); error != WireError::kOk) return error;
  if (!has(kQuestionFixedSize)) return WireError::kTruncated;
  qtype = load_u16(&message_[offset_]);
  qclass = load_u16(&message_[offset_ + 2]);
  offset_ += kQuestionFixedSize;
  return WireError::kOk;
}

WireError RecordReader::read_rr_header(WireName* owner, RRHeader& out, NameCase name_case) {
  out.owner_offset = offset_;
  if (WireError error = read_name(owner, name_case); error != WireError::kOk) return error;
  if (!has(kRRFixedSize)) return WireError::kTruncated;
  const std::uint8_t* p = &message_[offset_];
  out.type = load_u16(p);
  out.rclass = load_u16(p + 2);
  out.ttl = load_u32(p + 4);
  out.rdlength = load_u16(p + 8);
  offset_ += kRRFixedSize;
  out.rdata_offset = offset_;
  return WireError::kOk;
}

WireError RecordReader::read_rdata(const RRHeader& header, std::span<const std::uint8_t>& out) {
  if (offset_ != header.rdata_offset) return WireError::kTruncated;
  if (!has(header.rdlength)) return WireError::kRdataOverrun;
  out = message_.subspan(offset_, header.rdlength);
  offset_ += header.rdlength;
  return WireError::kOk;
}

WireError RecordReader::skip_rdata(const RRHeader& header) {
  std::span<const std::uint8_t> ignored;
  return read_rdata(header, ignored);
}

WireError RecordReader::read_record(WireName* owner, WireRecord& out, NameCase name_case) {
  if (WireError error = read_rr_header(owner, out.header, name_case); error != WireError::kOk) {
    return error;
  }
  return read_rdata(out.header, out.rdata);
}

}  // namespace hayate::zone
