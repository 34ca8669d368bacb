// The parser: walks the TOML document and looks every key up in the option table.
#include "conf/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "conf/option_value.hpp"
#include "conf/options.hpp"

namespace hayate::conf {
namespace {

// Edit distance, for "did you mean" hints on misspelt keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string did_you_mean(std::string_view section, std::string_view key) {
  const Option* best = nullptr;
  std::size_t best_distance = std::max<std::size_t>(2, key.size() / 3) + 1;
  for (const Option& o : options()) {
    if (o.section != section) continue;
    std::size_t d = edit_distance(key, o.key);
    if (d < best_distance) best = &o, best_distance = d;
  }
  return best ? "; did you mean '" + std::string(best->key) + "'?" : "";
}

// Defaults come from the table's TOML text, through the same conversion as the user's values.
// An error here is a bug in the table; it is reported like any other so tests catch it.
void apply_default(const Option& o, Config& config, ParseContext& ctx) {
  std::string doc = "value = " + std::string(o.default_text);
  try {
    toml::table t = toml::parse(doc, std::string_view("<default of " + std::string(o.section) +
                                                      "." + std::string(o.key) + ">"));
    if (auto v = convert_value(o, *t.get("value"), ctx)) o.apply(config, std::move(*v));
  } catch (const toml::parse_error& e) {
    ctx.errors.push_back({"<option table>", 0, 0,
                          std::string(o.section) + "." + std::string(o.key) +
                              ": default does not parse: " + std::string(e.description())});
  }
}

void apply_defaults(std::string_view section, Config& config, ParseContext& ctx) {
  for (const Option& o : options()) {
    if (o.section == section && !o.required()) apply_default(o, config, ctx);
  }
}

void read_section(const Section& section, const toml::node& node, Config& config,
                  ParseContext& ctx);

// One section's table (or one element of an [[array]] section) into `config`. A key naming a
// nested section ([[resolver.forward-zone]] inside [resolver]) is read as that section.
void read_table(const Section& section, const toml::table& table, Config& config,
                ParseContext& ctx) {
  for (auto&& [key, node] : table) {
    const std::string nested = std::string(section.name) + "." + std::string(key.str());
    if (const Section* sub = find_section(nested); sub != nullptr && !section.is_array) {
      read_section(*sub, node, config, ctx);
      continue;
    }
    const Option* o = find_option(section.name, key.str());
    if (!o) {
      ctx.error(key.source(), "unknown option '" + std::string(key.str()) + "' in [" +
                                  std::string(section.name) + "]" +
                                  did_you_mean(section.name, key.str()));
      continue;
    }
    if (auto v = convert_value(*o, node, ctx)) o->apply(config, std::move(*v));
  }
}

void check_required(const Section& section, const toml::table& table, ParseContext& ctx) {
  for (const Option& o : options()) {
    if (o.section == section.name && o.required() && !table.contains(o.key)) {
      ctx.error(table.source(), "[[" + std::string(section.name) + "]]: missing required option '" +
                                    std::string(o.key) + "'");
    }
  }
}

void read_array_section(const Section& section, const toml::node& node, Config& config,
                        ParseContext& ctx) {
  const toml::array* array = node.as_array();
  if (!array) {
    ctx.error(node.source(), "'" + std::string(section.name) + "' must be written [[" +
                                 std::string(section.name) + "]] (one table per element)");
    return;
  }
  for (const toml::node& element : *array) {
    const toml::table* table = element.as_table();
    if (!table) {
      ctx.error(element.source(), "'" + std::string(section.name) + "': expected a table, got " +
                                      std::string(type_name(element.type())));
      continue;
    }
    section.add_element(config);
    apply_defaults(section.name, config, ctx);
    read_table(section, *table, config, ctx);
    check_required(section, *table, ctx);
  }
}

void read_section(const Section& section, const toml::node& node, Config& config,
                  ParseContext& ctx) {
  if (section.is_array) return read_array_section(section, node, config, ctx);
  if (const toml::table* table = node.as_table()) return read_table(section, *table, config, ctx);
  ctx.error(node.source(), "'" + std::string(section.name) + "' must be a table ([" +
                               std::string(section.name) + "]), got " +
                               std::string(type_name(node.type())));
}

void read_document(const toml::table& root, Config& config, ParseContext& ctx) {
  for (auto&& [key, node] : root) {
    if (const Section* section = find_section(key.str())) {
      read_section(*section, node, config, ctx);
    } else if (node.is_table() || node.is_array()) {
      ctx.error(key.source(), "unknown section '" + std::string(key.str()) +
                                  "'; known sections: " + known_sections_text());
    } else {
      ctx.error(key.source(),
                "option '" + std::string(key.str()) +
                    "' is outside any section; known sections: " + known_sections_text());
    }
  }
}

const std::string* string_key(const toml::node& element, std::string_view key,
                              const toml::node** node = nullptr) {
  const toml::table* table = element.as_table();
  const toml::node* found = table ? table->get(key) : nullptr;
  if (node != nullptr) *node = found;
  return found && found->is_string() ? &found->as_string()->get() : nullptr;
}

// View names must be unique; every [[zone]] view = NAME must name one. Works on the TOML nodes so
// the error can point at the offending name.
void check_views(const toml::table& root, ParseContext& ctx) {
  std::map<std::string, toml::source_region> views;
  if (const toml::array* array = root["view"].as_array()) {
    for (const toml::node& element : *array) {
      const toml::node* node = nullptr;
      const std::string* name = string_key(element, "name", &node);
      if (name == nullptr) continue;
      auto [it, inserted] = views.emplace(*name, node->source());
      if (!inserted) {
        ctx.error(node->source(), "duplicate view '" + *name + "' (first defined at " +
                                      position_text(it->second) + ")");
      }
    }
  }
  if (const toml::array* zones = root["zone"].as_array()) {
    for (const toml::node& element : *zones) {
      const toml::node* node = nullptr;
      const std::string* view = string_key(element, "view", &node);
      if (view == nullptr || view->empty() || views.count(*view) != 0) continue;
      ctx.error(node->source(), "zone.view: no [[view]] named '" + *view + "'");
    }
  }
}

// A zone name appears at most once per view, compared without case (RFC 4343). Works on the TOML
// nodes so the error can point at the second name.
void check_duplicate_zones(const toml::table& root, ParseContext& ctx) {
  const toml::array* zones = root["zone"].as_array();
  if (!zones) return;
  std::map<std::pair<std::string, std::string>, toml::source_region> seen;
  for (const toml::node& element : *zones) {
    const toml::node* name_node = nullptr;
    const std::string* text = string_key(element, "name", &name_node);
    if (text == nullptr) continue;
    auto name = normalise_domain_name(*text);
    if (!name) continue;  // already reported
    const std::string* view = string_key(element, "view");
    std::string view_name = view ? *view : std::string();
    auto [it, inserted] =
        seen.emplace(std::pair{view_name, lowercase(*name.value)}, name_node->source());
    if (!inserted) {
      ctx.error(name_node->source(), "duplicate zone '" + *name.value + "'" +
                                         (view_name.empty() ? "" : " in view '" + view_name + "'") +
                                         " (first defined at " + position_text(it->second) + ")");
    }
  }
}

std::filesystem::path base_directory(std::string_view source_name) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(std::filesystem::path(source_name), ec);
  if (ec) return std::filesystem::path("/");
  return absolute.lexically_normal().parent_path();
}

void sort_errors(std::vector<ConfigError>& errors) {
  std::stable_sort(errors.begin(), errors.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
}

Config defaults(ParseContext& ctx) {
  Config config;
  for (const Section& s : sections()) {
    if (!s.is_array) apply_defaults(s.name, config, ctx);
  }
  return config;
}

}  // namespace

std::string known_sections_text() {
  std::string list;
  for (const Section& s : sections()) {
    if (s.name.find('.') != std::string_view::npos) continue;  // nested: named with its parent
    list += (list.empty() ? "" : ", ") + std::string(s.is_array ? "[[" : "[") +
            std::string(s.name) + (s.is_array ? "]]" : "]");
  }
  return list;
}

Config default_config() {
  ParseContext ctx{"<defaults>", std::filesystem::path("/"), {}};
  return defaults(ctx);
}

Result<Config> parse_config(std::string_view text, std::string_view source_name) {
  ParseContext ctx{std::string(source_name), base_directory(source_name), {}};
  Config config = defaults(ctx);
  try {
    toml::table root = toml::parse(text, source_name);
    read_document(root, config, ctx);
    check_duplicate_zones(root, ctx);
    check_views(root, ctx);
  } catch (const toml::parse_error& e) {
    ctx.error(e.source(), std::string(e.description()));
  }
  if (!ctx.errors.empty()) {
    sort_errors(ctx.errors);
    return std::move(ctx.errors);
  }
  return config;
}

Result<Config> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::vector<ConfigError>{
        {path, 0, 0, std::string("cannot open: ") + std::strerror(errno)}};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return std::vector<ConfigError>{{path, 0, 0, "read error"}};
  }
  return parse_config(text.str(), path);
}

// The names are the choices of log.level, in enum order.
std::string_view to_string(LogLevel level) {
  return find_option("log", "level")->choices[static_cast<std::size_t>(level)];
}

}  // namespace hayate::conf
