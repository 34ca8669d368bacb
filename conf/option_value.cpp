#include "conf/option_value.hpp"

#include <algorithm>
#include <map>

namespace hayate::conf {
namespace {

constexpr std::size_t kMaxNameWire = 255;  // RFC 1035 §2.3.4
constexpr std::size_t kMaxLabel = 63;

std::string option_name(const Option& o) {
  return std::string(o.section) + "." + std::string(o.key);
}

// Records "section.key: expected X, got Y" and returns false when `node` is not of `type`.
bool expect_type(const Option& o, const toml::node& node, toml::node_type type, ParseContext& ctx) {
  if (node.type() == type) return true;
  ctx.error(node.source(), option_name(o) + ": expected " + std::string(type_name(type)) +
                               ", got " + std::string(type_name(node.type())));
  return false;
}

std::optional<Value> convert_integer(const Option& o, const toml::node& node, ParseContext& ctx) {
  if (!expect_type(o, node, toml::node_type::integer, ctx)) return std::nullopt;
  std::int64_t v = node.as_integer()->get();
  if (v < o.min || v > o.max) {
    ctx.error(node.source(), option_name(o) + ": " + std::to_string(v) + " is out of range " +
                                 std::to_string(o.min) + ".." + std::to_string(o.max));
    return std::nullopt;
  }
  return Value(v);
}

// A string value, checked for emptiness and length; nullopt after an error.
std::optional<std::string> get_string(const Option& o, const toml::node& node, ParseContext& ctx) {
  if (!expect_type(o, node, toml::node_type::string, ctx)) return std::nullopt;
  const std::string& s = node.as_string()->get();
  if (s.empty() && !o.empty_is_off) {
    ctx.error(node.source(), option_name(o) + ": must not be empty");
    return std::nullopt;
  }
  if (o.max > 0 && s.size() > static_cast<std::size_t>(o.max)) {
    ctx.error(node.source(), option_name(o) + ": longer than " + std::to_string(o.max) + " bytes");
    return std::nullopt;
  }
  return s;
}

std::optional<Value> convert_enum(const Option& o, const toml::node& node, ParseContext& ctx) {
  auto s = get_string(o, node, ctx);
  if (!s) return std::nullopt;
  for (std::size_t i = 0; i < o.choices.size(); ++i) {
    if (o.choices[i] == *s) return Value(static_cast<std::int64_t>(i));
  }
  std::string allowed;
  for (auto c : o.choices)
    allowed += (allowed.empty() ? "" : ", ") + std::string(c);
  ctx.error(node.source(), option_name(o) + ": '" + *s + "' is not one of " + allowed);
  return std::nullopt;
}

// Relative paths are relative to the config file, not to wherever the daemon was started.
std::string resolve_path(const std::string& path, const ParseContext& ctx) {
  return (ctx.base_dir / path).lexically_normal().string();
}

std::optional<Value> convert_path(const Option& o, const toml::node& node, ParseContext& ctx) {
  auto s = get_string(o, node, ctx);
  if (!s) return std::nullopt;
  if (s->empty()) return Value(std::string());
  std::string resolved = resolve_path(*s, ctx);
  if (o.max > 0 && resolved.size() > static_cast<std::size_t>(o.max)) {
    ctx.error(node.source(), option_name(o) + ": '" + resolved + "' is longer than " +
                                 std::to_string(o.max) + " bytes");
    return std::nullopt;
  }
  return Value(std::move(resolved));
}

// A file target must contain a '/' so that a misspelt keyword ("sterr") is an error rather
// than a log file of that name in the config directory.
std::optional<Value> convert_log_target(const Option& o, const toml::node& node,
                                        ParseContext& ctx) {
  auto s = get_string(o, node, ctx);
  if (!s) return std::nullopt;
  if (*s == "stderr") return Value(LogTarget{LogTarget::Kind::kStderr, {}});
  if (*s == "syslog") return Value(LogTarget{LogTarget::Kind::kSyslog, {}});
  if (s->find('/') == std::string::npos) {
    ctx.error(node.source(), option_name(o) + ": '" + *s +
                                 "' is not \"stderr\", \"syslog\" or a path containing '/'");
    return std::nullopt;
  }
  return Value(LogTarget{LogTarget::Kind::kFile, resolve_path(*s, ctx)});
}

std::optional<Value> convert_domain_name(const Option& o, const toml::node& node,
                                         ParseContext& ctx) {
  auto s = get_string(o, node, ctx);
  if (!s) return std::nullopt;
  auto name = normalise_domain_name(*s);
  if (!name) {
    ctx.error(node.source(), option_name(o) + ": " + name.error);
    return std::nullopt;
  }
  return Value(std::move(*name.value));
}

std::optional<Value> convert_endpoint(const Option& o, const toml::node& node, ParseContext& ctx) {
  auto s = get_string(o, node, ctx);
  if (!s) return std::nullopt;
  if (s->empty()) return Value(std::optional<Endpoint>());
  auto e = parse_endpoint(*s, o.default_port);
  if (!e) {
    ctx.error(node.source(), option_name(o) + ": " + e.error);
    return std::nullopt;
  }
  return Value(std::optional<Endpoint>(*e.value));
}

// The array's elements as strings; false after recording errors (all elements are checked).
bool get_string_list(const Option& o, const toml::node& node, ParseContext& ctx,
                     std::vector<const toml::node*>& out) {
  if (!expect_type(o, node, toml::node_type::array, ctx)) return false;
  const toml::array& array = *node.as_array();
  bool ok = true;
  for (const toml::node& element : array) {
    ok = expect_type(o, element, toml::node_type::string, ctx) && ok;
    out.push_back(&element);
  }
  if (static_cast<std::int64_t>(array.size()) < o.min) {
    ctx.error(node.source(), option_name(o) + ": needs at least " + std::to_string(o.min) +
                                 (o.min == 1 ? " entry" : " entries"));
    ok = false;
  }
  return ok;
}

std::optional<Value> convert_endpoint_list(const Option& o, const toml::node& node,
                                           ParseContext& ctx) {
  std::vector<const toml::node*> elements;
  if (!get_string_list(o, node, ctx, elements)) return std::nullopt;
  std::vector<Endpoint> result;
  std::map<Endpoint, toml::source_region> seen;
  bool ok = true;
  for (const toml::node* element : elements) {
    auto e = parse_endpoint(element->as_string()->get(), o.default_port);
    if (!e) {
      ctx.error(element->source(), option_name(o) + ": " + e.error);
      ok = false;
      continue;
    }
    auto [it, inserted] = seen.emplace(*e.value, element->source());
    if (!inserted) {
      ctx.error(element->source(), option_name(o) + ": duplicate address " + e.value->to_string() +
                                       " (first at " + position_text(it->second) + ")");
      ok = false;
      continue;
    }
    result.push_back(*e.value);
  }
  if (!ok) return std::nullopt;
  return Value(std::move(result));
}

std::optional<Value> convert_prefix_list(const Option& o, const toml::node& node,
                                         ParseContext& ctx) {
  std::vector<const toml::node*> elements;
  if (!get_string_list(o, node, ctx, elements)) return std::nullopt;
  std::vector<Prefix> result;
  bool ok = true;
  for (const toml::node* element : elements) {
    auto p = parse_prefix(element->as_string()->get());
    if (!p) {
      ctx.error(element->source(), option_name(o) + ": " + p.error);
      ok = false;
      continue;
    }
    if (const char* broken = o.prefix_rule ? o.prefix_rule(*p.value) : nullptr) {
      ctx.error(element->source(), option_name(o) + ": " + p.value->to_string() + ": " + broken);
      ok = false;
      continue;
    }
    result.push_back(*p.value);
  }
  if (!ok) return std::nullopt;
  return Value(std::move(result));
}

std::optional<Value> convert_address(const Option& o, const toml::node& node, ParseContext& ctx) {
  auto s = get_string(o, node, ctx);
  if (!s) return std::nullopt;
  if (s->empty()) return Value(std::optional<Address>());
  auto a = parse_address(*s);
  if (!a) {
    ctx.error(node.source(), option_name(o) + ": " + a.error);
    return std::nullopt;
  }
  return Value(std::optional<Address>(*a.value));
}

std::optional<Value> convert_string_list(const Option& o, const toml::node& node,
                                         ParseContext& ctx) {
  std::vector<const toml::node*> elements;
  if (!get_string_list(o, node, ctx, elements)) return std::nullopt;
  std::vector<std::string> result;
  bool ok = true;
  for (const toml::node* element : elements) {
    const std::string& s = element->as_string()->get();
    if (s.empty() || (o.max > 0 && s.size() > static_cast<std::size_t>(o.max))) {
      ctx.error(element->source(),
                option_name(o) + ": '" + s + "' must be 1 to " + std::to_string(o.max) + " bytes");
      ok = false;
    } else if (std::find(result.begin(), result.end(), s) != result.end()) {
      ctx.error(element->source(), option_name(o) + ": '" + s + "' is listed twice");
      ok = false;
    } else {
      result.push_back(s);
    }
  }
  if (!ok) return std::nullopt;
  return Value(std::move(result));
}

std::optional<Value> convert_integer_list(const Option& o, const toml::node& node,
                                          ParseContext& ctx) {
  if (!expect_type(o, node, toml::node_type::array, ctx)) return std::nullopt;
  const toml::array& array = *node.as_array();
  std::vector<std::int64_t> result;
  bool ok = true;
  for (const toml::node& element : array) {
    if (!expect_type(o, element, toml::node_type::integer, ctx)) {
      ok = false;
      continue;
    }
    const std::int64_t v = element.as_integer()->get();
    if (v < 1 || v > o.max) {
      ctx.error(element.source(), option_name(o) + ": " + std::to_string(v) +
                                      " is out of range 1.." + std::to_string(o.max));
      ok = false;
    } else if (std::find(result.begin(), result.end(), v) != result.end()) {
      ctx.error(element.source(), option_name(o) + ": " + std::to_string(v) + " is listed twice");
      ok = false;
    } else {
      result.push_back(v);
    }
  }
  if (static_cast<std::int64_t>(array.size()) < o.min) {
    ctx.error(node.source(), option_name(o) + ": needs at least " + std::to_string(o.min) +
                                 (o.min == 1 ? " entry" : " entries"));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return Value(std::move(result));
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Length of one presentation-format label in octets ("\DDD" and "\X" count as one), or
// nullopt when an escape is malformed.
std::optional<std::size_t> label_octets(std::string_view label) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < label.size(); ++n) {
    if (label[i] != '\\') {
      ++i;
      continue;
    }
    auto rest = label.substr(i + 1);
    if (rest.empty()) return std::nullopt;
    if (!is_digit(rest[0])) {
      i += 2;
      continue;
    }
    if (rest.size() < 3 || !is_digit(rest[1]) || !is_digit(rest[2])) return std::nullopt;
    if ((rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0') > 255) return std::nullopt;
    i += 4;
  }
  return n;
}

// Splits at dots that are not escaped.
std::vector<std::string_view> split_labels(std::string_view name) {
  std::vector<std::string_view> labels;
  std::size_t start = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\') {
      ++i;
    } else if (name[i] == '.') {
      labels.push_back(name.substr(start, i - start));
      start = i + 1;
    }
  }
  labels.push_back(name.substr(start));
  return labels;
}

// Defined here, after normalise_domain_name's helpers (it is declared in the header).
std::optional<Value> convert_domain_name_list(const Option& o, const toml::node& node,
                                              ParseContext& ctx) {
  std::vector<const toml::node*> elements;
  if (!get_string_list(o, node, ctx, elements)) return std::nullopt;
  std::vector<std::string> result;
  bool ok = true;
  for (const toml::node* element : elements) {
    auto name = normalise_domain_name(element->as_string()->get());
    if (!name) {
      ctx.error(element->source(), option_name(o) + ": " + name.error);
      ok = false;
      continue;
    }
    if (std::find_if(result.begin(), result.end(), [&](const std::string& seen) {
          return lowercase(seen) == lowercase(*name.value);
        }) != result.end()) {
      ctx.error(element->source(), option_name(o) + ": duplicate name " + *name.value);
      ok = false;
      continue;
    }
    result.push_back(*name.value);
  }
  if (!ok) return std::nullopt;
  return Value(std::move(result));
}

}  // namespace

void ParseContext::error(const toml::source_region& where, std::string message) {
  errors.push_back({file, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column),
                    std::move(message)});
}

std::optional<Value> convert_value(const Option& option, const toml::node& node,
                                   ParseContext& ctx) {
  switch (option.kind) {
    case ValueKind::kBool:
      if (!expect_type(option, node, toml::node_type::boolean, ctx)) return std::nullopt;
      return Value(node.as_boolean()->get());
    case ValueKind::kInteger:
      return convert_integer(option, node, ctx);
    case ValueKind::kString: {
      auto s = get_string(option, node, ctx);
      if (!s) return std::nullopt;
      return Value(std::move(*s));
    }
    case ValueKind::kEnum:
      return convert_enum(option, node, ctx);
    case ValueKind::kPath:
      return convert_path(option, node, ctx);
    case ValueKind::kLogTarget:
      return convert_log_target(option, node, ctx);
    case ValueKind::kDomainName:
      return convert_domain_name(option, node, ctx);
    case ValueKind::kEndpoint:
      return convert_endpoint(option, node, ctx);
    case ValueKind::kEndpointList:
      return convert_endpoint_list(option, node, ctx);
    case ValueKind::kPrefixList:
      return convert_prefix_list(option, node, ctx);
    case ValueKind::kDomainNameList:
      return convert_domain_name_list(option, node, ctx);
    case ValueKind::kAddress:
      return convert_address(option, node, ctx);
    case ValueKind::kStringList:
      return convert_string_list(option, node, ctx);
    case ValueKind::kIntegerList:
      return convert_integer_list(option, node, ctx);
  }
  return std::nullopt;
}

Parsed<std::string> normalise_domain_name(std::string_view text) {
  using R = Parsed<std::string>;
  if (text == ".") return {std::string("."), {}};
  if (text.empty()) return R::fail("empty domain name");
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return R::fail("'" + std::string(text) + "': spaces and control characters must be escaped");
    }
  }
  std::string name(text);
  auto labels = split_labels(name);
  bool absolute = labels.size() > 1 && labels.back().empty();  // a final unescaped dot
  if (absolute) labels.pop_back();
  std::size_t wire = 1;  // the root label
  for (auto label : labels) {
    if (label.empty()) return R::fail("'" + name + "': empty label");
    auto octets = label_octets(label);
    if (!octets) return R::fail("'" + name + "': malformed escape in '" + std::string(label) + "'");
    if (*octets > kMaxLabel) return R::fail("'" + name + "': label longer than 63 octets");
    wire += *octets + 1;
  }
  if (wire > kMaxNameWire) return R::fail("'" + name + "': longer than 255 octets");
  if (!absolute) name += '.';
  return {std::move(name), {}};
}

std::string position_text(const toml::source_region& where) {
  return std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column);
}

std::string lowercase(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "an unknown type";
}

}  // namespace hayate::conf
