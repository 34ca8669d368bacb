// The option table: every configuration option, once.
//
// Each row says where the option lives (section, key), what it accepts (kind, range, choices),
// its default as TOML text, a one-line doc, and how it lands in Config. The parser, the defaults,
// the example files (conf/examples/*.toml) and the docs are all derived from these rows.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "conf/config.hpp"

namespace hayate::conf {

enum class ValueKind {
  kBool,
  kInteger,         // range [min, max]
  kString,          // at most `max` bytes when max > 0
  kEnum,            // one of `choices`; the value is the index into choices
  kPath,            // resolved against the config file's directory; at most `max` bytes if max > 0
  kLogTarget,       // "stderr", "syslog" or a file path
  kDomainName,      // made absolute (trailing dot)
  kEndpoint,        // "addr[:port]"
  kEndpointList,    // at least `min` entries, no duplicates
  kPrefixList,      // CIDR prefixes; a bare address is a host prefix
  kDomainNameList,  // each made absolute; no duplicates
  kAddress,         // a bare IP address; "" (with empty_is_off) = none
  kStringList,   // strings of at most `max` bytes (max > 0), at least `min` entries, no duplicates
  kIntegerList,  // integers in [1, max], no duplicates; at least `min` entries
};

// A converted value; which alternative is fixed by the option's kind.
using Value =
    std::variant<bool, std::int64_t, std::string, std::optional<Endpoint>, std::vector<Endpoint>,
                 std::vector<Prefix>, LogTarget, std::vector<std::string>, std::optional<Address>,
                 std::vector<std::int64_t>>;

struct Option {
  std::string_view section;
  std::string_view key;
  ValueKind kind;
  // The default as a TOML value ("10", "\"info\"", "[\"127.0.0.1\"]"). Empty: the option is
  // required (only sensible in [[array]] sections, where each element is one thing).
  std::string_view default_text = {};
  std::string_view doc;  // one line, shown above the option in the example files
  std::int64_t min = 0;  // kInteger: lowest value; lists: fewest entries
  std::int64_t max = 0;  // kInteger: highest value; strings and paths: longest (0: no limit)
  std::span<const std::string_view> choices = {};  // kEnum
  std::string_view unit = {};                      // "seconds", "bytes": docs only
  bool empty_is_off = false;  // strings, paths, endpoints: "" is allowed and means "off"/"none"
  std::uint16_t default_port = 0;  // endpoints without a port get this; 0: port required
  std::string_view example = {};   // required options: a value to show in the example files
  // kPrefixList: a further rule each prefix must meet; returns why it does not, or nullptr.
  const char* (*prefix_rule)(const Prefix&) = nullptr;
  void (*apply)(Config&, Value&&) = nullptr;

  bool required() const { return default_text.empty(); }
};

struct Section {
  std::string_view name;
  bool is_array;  // [[name]]: each table is one element (one zone, ...)
  std::string_view doc;
  void (*add_element)(Config&) = nullptr;  // arrays only: append a default element
};

std::span<const Section> sections();
std::span<const Option> options();
const Section* find_section(std::string_view name);
const Option* find_option(std::string_view section, std::string_view key);
// "[server], [log], ..., [[zone]], ...": the top-level sections, as error messages list them.
std::string known_sections_text();

// An example file: which sections it shows. conf/examples/<name>.toml is rendered from these.
struct ExampleFile {
  std::string_view name;      // "authoritative" -> conf/examples/authoritative.toml
  std::string_view sections;  // comma-separated filter for render_example_config()
  std::string_view title;     // first comment line
  // Settings this example makes, one "section.key = value" per line (value in TOML): they are
  // written active instead of the commented default, and a section with any of them is active
  // (an [[array]] section then has one element). Empty: every setting at its default.
  std::string_view settings = {};
};
std::span<const ExampleFile> example_files();

// Every option of the sections named in `section_filter` (comma-separated; empty: all), commented
// out, each with its doc, accepted values and default. The result parses to default_config().
std::string render_example_config(const std::string& section_filter,
                                  std::string_view title = "hayate configuration",
                                  std::string_view settings = {});

// The text of conf/examples/<file.name>.toml.
std::string render_example_file(const ExampleFile& file);

}  // namespace hayate::conf
