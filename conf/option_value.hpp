// Turning one TOML value into the typed Value an option row asks for.
// Internal to conf/: the parser (config.cpp) uses it for given values and for defaults.
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conf/config_error.hpp"
#include "conf/options.hpp"

namespace hayate::conf {

// Where errors go and what relative paths are relative to.
struct ParseContext {
  std::string file;
  std::filesystem::path base_dir;  // absolute
  std::vector<ConfigError> errors;

  void error(const toml::source_region& where, std::string message);
};

// The value of `node` for `option`, or nullopt after recording why not in `ctx`.
std::optional<Value> convert_value(const Option& option, const toml::node& node, ParseContext& ctx);

// "example.test" -> "example.test.": checks label and name lengths (RFC 1035 §2.3.4) and
// presentation escapes (\DDD, \X) without depending on zone/.
Parsed<std::string> normalise_domain_name(std::string_view text);

// ASCII-lowercased copy, for case-insensitive name comparison (RFC 4343).
std::string lowercase(std::string_view text);

// "LINE:COLUMN" of a region's start, for "first defined at ..." notes.
std::string position_text(const toml::source_region& where);

// "integer", "string", ... for "expected X, got Y" messages.
std::string_view type_name(toml::node_type type);

}  // namespace hayate::conf
