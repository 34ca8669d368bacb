// Zone file reader, fast rdata path against ldns: any text, read once with fast_rdata.hpp and
// once with every rdata through ldns (the oracle), must give the same records (owner octets,
// type, TTL, rdata, line), the same warnings and the same error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "zone/zone_file_reader.hpp"

namespace {

using namespace hayate::zone;

struct Outcome {
  std::vector<ParsedRecord> records;
  std::vector<std::string> diagnostics;
};

Outcome read(std::string_view text, bool fast) {
  static const Name origin = *Name::from_text("example.");
  ZoneFileReadOptions options;
  options.origin = origin;
  options.allow_include = false;       // the input must not make the reader open files
  options.max_generate_records = 256;  // keep each run short; the limit itself is tested
  options.fast_rdata = fast;
  Outcome out;
  std::vector<std::string> files;
  ZoneFileReader reader(options, files);
  auto error = reader.read_text(
      "fuzz.zone", text, [&](ParsedRecord&& r) { out.records.push_back(std::move(r)); },
      [&](Diagnostic&& d) { out.diagnostics.push_back(d.to_string()); });
  if (error) out.diagnostics.push_back(error->to_string());
  return out;
}

bool same(const ParsedRecord& a, const ParsedRecord& b) {
  auto wa = a.owner.wire();
  auto wb = b.owner.wire();
  return std::equal(wa.begin(), wa.end(), wb.begin(), wb.end()) && a.type == b.type &&
         a.rclass == b.rclass && a.ttl == b.ttl && a.rdata == b.rdata &&
         a.where.file_index == b.where.file_index && a.where.line == b.where.line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Outcome fast = read(text, true);
  Outcome slow = read(text, false);
  if (fast.diagnostics != slow.diagnostics) __builtin_trap();
  if (fast.records.size() != slow.records.size()) __builtin_trap();
  for (std::size_t i = 0; i < fast.records.size(); ++i) {
    if (!same(fast.records[i], slow.records[i])) __builtin_trap();
  }
  return 0;
}
