// Zone file reader: any text, read with origin "example." and $INCLUDE disabled (so the input
// cannot make the reader open files), must give records or an error, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "zone/zone_file_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hayate::zone;
  static const Name origin = *Name::from_text("example.");
  ZoneFileReadOptions options;
  options.origin = origin;
  options.allow_include = false;
  options.max_generate_records = 256;  // keep each run short; the limit itself is tested
  std::vector<std::string> files;
  ZoneFileReader reader(options, files);
  std::size_t records = 0;
  auto error = reader.read_text(
      "fuzz.zone", std::string_view(reinterpret_cast<const char*>(data), size),
      [&](ParsedRecord&& record) { records += record.rdata.size() + 1; }, [](Diagnostic&&) {});
  if (error && error->to_string().empty()) __builtin_trap();  // every error names its reason
  return 0;
}
