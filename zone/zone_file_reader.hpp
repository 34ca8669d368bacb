// Reads a BIND-format master file (RFC 1035 §5, BIND's extensions) into records.
//
// The reader does the lexical work itself (directives, parentheses, comments, quoted strings,
// omitted owner/TTL/class, $ORIGIN, $TTL, $INCLUDE relative to the including file, $GENERATE) so
// that every error carries the exact file and line. Rdata of the common types in their plain
// spellings is parsed by fast_rdata.hpp; the rest is handed to ldns, and rdata that ldns accepts
// but is malformed is checked here (see rdata_checks.hpp). SVCB/HTTPS rdata is parsed by
// svcb_rdata.hpp instead of ldns.
//
// TTL rules (BIND 9 behaviour): an explicit TTL wins; else $TTL; else, for an SOA, its MINIMUM
// field (warning "no TTL specified; using SOA MINTTL instead", RFC 2308 §4), which then serves as
// the default; else the previous record's TTL (RFC 1035 semantics, with a warning once); else an
// error. TTLs above 2^31-1 are read as 0 with a warning (RFC 2181 §8, as BIND's "> MAXTTL").
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zone/diagnostic.hpp"
#include "zone/name.hpp"
#include "zone/rrset.hpp"

namespace hayate::zone {

struct ZoneFileReadOptions {
  Name origin;                            // initial $ORIGIN (the zone's name)
  std::uint16_t default_class = 1;        // IN; records naming another class are errors
  unsigned max_include_depth = 16;        // nested $INCLUDEs; guards against include loops
  unsigned max_generate_records = 65536;  // per $GENERATE line
  bool allow_include = true;              // false: $INCLUDE is an error (fuzzing, untrusted text)
  // false: all rdata through ldns, skipping fast_rdata.hpp; the differential tests' oracle.
  bool fast_rdata = true;
};

class ZoneFileReader {
 public:
  using RecordSink = std::function<void(ParsedRecord&&)>;
  using WarningSink = std::function<void(Diagnostic&&)>;

  // `files` is the zone's file table: the reader appends each file it opens and records carry the
  // index in SourceLocation::file_index.
  ZoneFileReader(ZoneFileReadOptions options, std::vector<std::string>& files);

  // Reads `path` and everything it includes. Returns the first error (reading stops there), or
  // nothing on success. Warnings (for example a missing $TTL) go to `on_warning`.
  std::optional<Diagnostic> read(const std::string& path, const RecordSink& on_record,
                                 const WarningSink& on_warning);

  // The same for text already in memory. `name` appears in diagnostics and the file table;
  // relative $INCLUDE paths are taken relative to its directory.
  std::optional<Diagnostic> read_text(const std::string& name, std::string_view text,
                                      const RecordSink& on_record, const WarningSink& on_warning);

 private:
  ZoneFileReadOptions options_;
  std::vector<std::string>& files_;
};

}  // namespace hayate::zone
