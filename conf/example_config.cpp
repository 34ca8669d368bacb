// Renders the example configuration files from the option table.
//
// Prose lines start with "## ", settings with "# ": uncommenting a setting means deleting "# ".
// Every setting shows its default, so the rendered file parses to default_config().
#include <algorithm>
#include <sstream>

#include "conf/options.hpp"

namespace hayate::conf {
namespace {

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> parts;
  while (!text.empty()) {
    auto comma = text.find(',');
    parts.push_back(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return parts;
}

bool selected(std::string_view name, const std::vector<std::string_view>& filter) {
  return filter.empty() || std::find(filter.begin(), filter.end(), name) != filter.end();
}

std::string describe_range(const Option& o) {
  std::string text = "integer, " + std::to_string(o.min) + ".." + std::to_string(o.max);
  if (!o.unit.empty()) text += " " + std::string(o.unit);
  return text;
}

std::string describe_choices(const Option& o) {
  std::string text = "one of";
  for (auto c : o.choices)
    text += " \"" + std::string(c) + "\"";
  return text;
}

// What the option accepts, in words, for the line under its doc.
std::string describe(const Option& o) {
  switch (o.kind) {
    case ValueKind::kBool:
      return "true or false";
    case ValueKind::kInteger:
      return describe_range(o);
    case ValueKind::kString:
      return "string";
    case ValueKind::kEnum:
      return describe_choices(o);
    case ValueKind::kPath:
      return "path";
    case ValueKind::kLogTarget:
      return "string";
    case ValueKind::kDomainName:
      return "domain name";
    case ValueKind::kEndpoint:
      return "address";
    case ValueKind::kEndpointList:
      return "list of addresses";
    case ValueKind::kPrefixList:
      return "list of prefixes";
    case ValueKind::kDomainNameList:
      return "list of domain names";
    case ValueKind::kAddress:
      return "IP address";
    case ValueKind::kStringList:
      return "list of strings";
    case ValueKind::kIntegerList:
      return "list of integers up to " + std::to_string(o.max);
  }
  return "";
}

// An example's own settings: "section.key" -> value text.
struct Setting {
  std::string_view section;
  std::string_view key;
  std::string_view value;
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ')
    text.remove_suffix(1);
  return text;
}

// "section.key = value" lines; the section is everything before the last dot of the left side
// ("resolver.forward-zone.name" is key "name" of [[resolver.forward-zone]]).
std::vector<Setting> parse_settings(std::string_view text) {
  std::vector<Setting> settings;
  while (!text.empty()) {
    auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    auto equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view path = trim(line.substr(0, equals));
    auto dot = path.rfind('.');
    settings.push_back({path.substr(0, dot), path.substr(dot + 1), trim(line.substr(equals + 1))});
  }
  return settings;
}

const Setting* find_setting(const std::vector<Setting>& settings, std::string_view section,
                            std::string_view key) {
  for (const Setting& s : settings) {
    if (s.section == section && s.key == key) return &s;
  }
  return nullptr;
}

bool section_has_settings(const std::vector<Setting>& settings, std::string_view section) {
  return std::any_of(settings.begin(), settings.end(),
                     [&](const Setting& s) { return s.section == section; });
}

// Inside an active [[array]] element an unset required option cannot stay commented out: the
// element would not load. The examples set every required option of the blocks they activate.
void render_option(const Option& o, const Setting* setting, std::ostream& out) {
  out << "\n## " << o.doc << "\n";
  out << "## Type: " << describe(o) << (o.required() ? "; required" : "") << "\n";
  if (setting != nullptr) {
    out << o.key << " = " << setting->value << "\n";
    return;
  }
  out << "# " << o.key << " = " << (o.required() ? o.example : o.default_text) << "\n";
}

// A plain section's header stays active: an empty [server] is valid and the settings under it
// are ready to uncomment. An [[array]] element with required options is not valid empty, so
// the whole block is commented out and shows example values for the required options, unless
// the example sets options of it: then it is one active element.
void render_section(const Section& s, const std::vector<Setting>& settings, std::ostream& out) {
  const bool active = !s.is_array || section_has_settings(settings, s.name);
  out << "\n## " << s.doc << "\n";
  out << (active ? "" : "# ") << (s.is_array ? "[[" : "[") << s.name << (s.is_array ? "]]" : "]")
      << "\n";
  for (const Option& o : options()) {
    if (o.section == s.name) render_option(o, find_setting(settings, s.name, o.key), out);
  }
}

}  // namespace

std::string render_example_config(const std::string& section_filter, std::string_view title,
                                  std::string_view settings_text) {
  auto filter = split_commas(section_filter);
  auto settings = parse_settings(settings_text);
  std::ostringstream out;
  out << "## " << title << "\n"
      << "##\n"
      << "## Generated by hayate-gen-config-examples from the option table in conf/options.cpp:\n"
      << "## edit the table, not this file. Each setting is shown commented out with its\n"
      << "## default; delete the \"# \" to change it. Durations are in seconds, sizes in bytes.\n"
      << "## Relative paths are relative to the directory of this file.\n";
  if (!settings.empty()) {
    out << "## The settings this example makes are the lines without \"# \".\n";
  }
  for (const Section& s : sections()) {
    if (selected(s.name, filter)) render_section(s, settings, out);
  }
  return out.str();
}

std::string render_example_file(const ExampleFile& file) {
  return render_example_config(std::string(file.sections), file.title, file.settings);
}

}  // namespace hayate::conf
