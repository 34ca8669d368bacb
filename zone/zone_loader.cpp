#include "zone/zone_loader.hpp"

#include <algorithm>
#include <filesystem>

#include "zone/zone_checks.hpp"
#include "zone/zone_file_reader.hpp"

namespace hayate::zone {
namespace {

// Adds one record to the zone and reports what RFC 2181 §5 says about sets built from records.
class ZoneBuilder {
 public:
  ZoneBuilder(Zone& zone, std::vector<Diagnostic>& out) : zone_(zone), out_(out) {}

  void add(ParsedRecord&& record) {
    SourceLocation where = record.where;
    std::uint32_t ttl = record.ttl;
    switch (zone_.add(record.owner, record.type, ttl, std::move(record.rdata), where)) {
      case AddResult::kAdded:
        break;
      case AddResult::kDuplicate:
        // Identical records are one record (RFC 2181 §5); BIND and Knot drop the copy.
        warn(where, record.owner.to_text() + ": duplicate record ignored");
        break;
      case AddResult::kTtlMismatch:
        // RFC 2181 §5.2: all TTLs of an RRset must be equal; like BIND, keep the first one.
        warn(where, record.owner.to_text() + ": TTL " + std::to_string(ttl) +
                        " differs from the TTL of its RRset, using " +
                        std::to_string(zone_.find(record.owner).node->find(record.type)->ttl));
        break;
      case AddResult::kOutOfZone:
        warn(where, "ignoring out-of-zone data (" + record.owner.to_text() + ")");
        break;
    }
  }

 private:
  void warn(SourceLocation where, std::string message) {
    out_.push_back(
        Diagnostic{Severity::kWarning, zone_.files()[where.file_index], where.line, message});
  }

  Zone& zone_;
  std::vector<Diagnostic>& out_;
};

}  // namespace

std::size_t ZoneLoadResult::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(diagnostics.begin(), diagnostics.end(),
                    [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

std::size_t ZoneLoadResult::warning_count() const {
  return diagnostics.size() - error_count();
}

ZoneLoadResult load_zone_file(const std::string& path, const ZoneLoadOptions& options) {
  ZoneLoadResult result;
  auto zone = std::make_unique<Zone>(options.origin, options.rclass);
  // Large zone files hold an owner name per 30-60 octets (bench/gen_zone.py's: 37); sizing the
  // table for one per 32 spares the ~20 rehashes of a table grown from empty, the last one (a
  // pass over every node) included. Up to twice too many buckets cost no more than that last
  // rehash would leave behind: it doubles the table.
  std::error_code size_error;
  auto size = std::filesystem::file_size(path, size_error);
  if (!size_error) zone->reserve(static_cast<std::size_t>(size / 32));
  ZoneBuilder builder(*zone, result.diagnostics);

  ZoneFileReadOptions read_options;
  read_options.origin = options.origin;
  read_options.default_class = options.rclass;
  ZoneFileReader reader(read_options, zone->files());
  auto failure = reader.read(
      path, [&](ParsedRecord&& record) { builder.add(std::move(record)); },
      [&](Diagnostic&& warning) { result.diagnostics.push_back(std::move(warning)); });
  if (failure) {
    result.diagnostics.push_back(std::move(*failure));
    return result;
  }
  zone->finalize();
  if (options.semantic_checks) check_zone(*zone, result.diagnostics);
  if (result.error_count() == 0) result.zone = std::move(zone);
  return result;
}

}  // namespace hayate::zone
