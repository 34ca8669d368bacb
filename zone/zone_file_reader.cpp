#include "zone/zone_file_reader.hpp"

#include "zone/ldns_wrapper.hpp"

#include <cstring>
#include <iterator>
#include <memory>
#include <span>

#include "zone/extra_rdata.hpp"
#include "zone/fast_rdata.hpp"
#include "zone/file_text.hpp"
#include "zone/generate_directive.hpp"
#include "zone/master_lexer.hpp"
#include "zone/rdata_checks.hpp"
#include "zone/rr_type.hpp"
#include "zone/rr_type_names.hpp"
#include "zone/svcb_rdata.hpp"

namespace hayate::zone {
namespace {

struct RdfDeleter {
  void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
struct RrDeleter {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
using RdfPtr = std::unique_ptr<ldns_rdf, RdfDeleter>;
using RrPtr = std::unique_ptr<ldns_rr, RrDeleter>;

constexpr std::uint32_t kMaxTtl = 0x7fffffff;  // RFC 2181 §8

bool equals_nocase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(static_cast<std::uint8_t>(a[i])) !=
        ascii_lower(static_cast<std::uint8_t>(b[i])))
      return false;
  }
  return true;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// BIND's TTL syntax: a plain number, or number+unit groups "1w2d3h4m5s" (units in any case).
// Returns an error when the text is not a TTL; "out of range" when it is one above 2^32-1.
Result<std::uint32_t> parse_ttl(std::string_view text) {
  if (text.empty() || !is_digit(text[0])) return make_error("not a TTL");
  std::uint64_t total = 0;
  bool plain = true;
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint64_t number = 0;
    std::size_t digits = 0;
    while (i < text.size() && is_digit(text[i])) {
      number = number * 10 + static_cast<std::uint64_t>(text[i++] - '0');
      if (number > 0xffffffffULL) return make_error("TTL out of range");
      ++digits;
    }
    if (digits == 0) return make_error("not a TTL");
    std::uint64_t unit = 1;
    if (i < text.size()) {
      switch (ascii_lower(static_cast<std::uint8_t>(text[i++]))) {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'd':
          unit = 86400;
          break;
        case 'w':
          unit = 604800;
          break;
        default:
          return make_error("not a TTL");
      }
      plain = false;
    } else if (!plain) {
      return make_error("not a TTL");  // "1h30": a bare number only stands alone
    }
    total += number * unit;
    if (total > 0xffffffffULL) return make_error("TTL out of range");
  }
  return static_cast<std::uint32_t>(total);
}

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  return path.substr(0, slash + 1);
}

// The parts of a record line after the owner: [ttl] [class] type (either order), rdata.
struct RecordHead {
  std::optional<std::uint32_t> ttl;
  std::optional<std::uint16_t> rclass;
  std::uint16_t type = 0;
  std::span<const MasterToken> rdata;
};

Result<RecordHead> parse_record_head(std::span<const MasterToken> tokens) {
  RecordHead head;
  std::size_t i = 0;
  for (; i < tokens.size(); ++i) {
    std::string_view text = tokens[i].text;
    if (!head.ttl && !tokens[i].quoted) {
      auto ttl = parse_ttl(text);
      if (ttl) {
        head.ttl = *ttl;
        continue;
      }
      if (ttl.error() == "TTL out of range")
        return make_error("TTL '" + std::string(text) + "' out of range");
    }
    if (!head.rclass) {
      if (auto rclass = rr_class_from_text(text)) {
        head.rclass = *rclass;
        continue;
      }
    }
    auto type = rr_type_from_text(text);
    if (!type) return make_error("unknown RR type '" + std::string(text) + "'");
    head.type = *type;
    head.rdata = tokens.subspan(i + 1);
    return head;
  }
  return make_error("missing RR type");
}

// Types a zone file may not hold as data.
std::optional<std::string> refuse_type(std::uint16_t type) {
  if (is_meta_type(type)) {
    return "type '" + rr_type_to_text(type) + "': invalid use of a meta type";
  }
  if (type == rr_type::MD || type == rr_type::MF) {
    // BIND refuses them too ("obsolete"); RFC 973 replaced them with MX.
    return "type '" + rr_type_to_text(type) + "': obsolete (RFC 973; use MX)";
  }
  return std::nullopt;
}

// Parses generic rdata with ldns's wire parser: for a type ldns knows, the octets must make up
// exactly its fields (ldns alone accepts "A \\# 5 0102030405" and drops the fifth octet).
std::optional<std::string> check_wire_with_ldns(std::uint16_t type, const Rdata& rdata) {
  const ldns_rr_descriptor* d = ldns_rr_descript(type);
  if (d == nullptr || d->_type != type) return std::nullopt;  // unknown type: any octets
  std::vector<std::uint8_t> wire = {0,
                                    static_cast<std::uint8_t>(type >> 8),
                                    static_cast<std::uint8_t>(type),
                                    0,
                                    1,
                                    0,
                                    0,
                                    0,
                                    0,
                                    static_cast<std::uint8_t>(rdata.size() >> 8),
                                    static_cast<std::uint8_t>(rdata.size())};
  wire.insert(wire.end(), rdata.begin(), rdata.end());
  ldns_rr* raw = nullptr;
  std::size_t pos = 0;
  ldns_status status = ldns_wire2rr(&raw, wire.data(), wire.size(), &pos, LDNS_SECTION_ANSWER);
  RrPtr rr(raw);
  if (status != LDNS_STATUS_OK)
    return std::string("not valid for the type: ") + ldns_get_errorstr_by_id(status);
  std::size_t used = 0;
  for (std::size_t i = 0; i < ldns_rr_rd_count(rr.get()); ++i)
    used += ldns_rdf_size(ldns_rr_rdf(rr.get(), i));
  if (used != rdata.size() || ldns_rr_rd_count(rr.get()) < ldns_rr_descriptor_minimum(d)) {
    return "not valid for the type (fields do not fill the rdata exactly)";
  }
  return std::nullopt;
}

// One read: sinks, TTL state and the ldns origin cache, shared by all included files.
class ReadSession {
 public:
  ReadSession(const ZoneFileReadOptions& options, std::vector<std::string>& files,
              const ZoneFileReader::RecordSink& on_record,
              const ZoneFileReader::WarningSink& on_warning)
      : options_(options), files_(files), on_record_(on_record), on_warning_(on_warning) {}

  std::optional<Diagnostic> read_file(const std::string& path, const Name& origin, unsigned depth);
  // `file`, when given, holds `text` and gets back the pages the reader has passed.
  std::optional<Diagnostic> read_text(const std::string& name, std::string_view text,
                                      const Name& origin, unsigned depth, FileText* file = nullptr);

 private:
  struct FileState {
    std::uint32_t index = 0;
    const std::string* name = nullptr;
    Name origin;
    std::optional<Name> last_owner;
    unsigned depth = 0;
    std::uint32_t line = 0;  // of the entry being handled
  };

  Diagnostic error(const FileState& f, std::string message) const {
    return Diagnostic{Severity::kError, *f.name, f.line, std::move(message)};
  }
  void warn(const FileState& f, std::string message) {
    if (on_warning_)
      on_warning_(Diagnostic{Severity::kWarning, *f.name, f.line, std::move(message)});
  }

  std::optional<Diagnostic> handle_entry(FileState& f, const MasterEntry& entry);
  std::optional<Diagnostic> handle_directive(FileState& f, const MasterEntry& entry);
  std::optional<Diagnostic> handle_ttl(FileState& f, std::span<const MasterToken> args);
  std::optional<Diagnostic> handle_origin(FileState& f, std::span<const MasterToken> args);
  std::optional<Diagnostic> handle_include(FileState& f, std::span<const MasterToken> args);
  std::optional<Diagnostic> handle_generate(FileState& f, std::span<const MasterToken> args);
  std::optional<Diagnostic> handle_record(FileState& f, const MasterEntry& entry);
  std::optional<Diagnostic> emit(FileState& f, Name owner, const RecordHead& head);

  Result<Rdata> rdata_from_text(std::uint16_t type, std::span<const MasterToken> tokens,
                                const Name& origin);
  Result<Rdata> rdata_via_ldns(std::uint16_t type, std::span<const MasterToken> tokens,
                               const Name& origin);
  const ldns_rdf* origin_rdf(const Name& origin);
  Result<std::uint32_t> choose_ttl(FileState& f, const RecordHead& head, const Rdata& rdata);
  std::uint32_t clamp_ttl(FileState& f, std::uint32_t ttl, const char* what);

  const ZoneFileReadOptions& options_;
  std::vector<std::string>& files_;
  const ZoneFileReader::RecordSink& on_record_;
  const ZoneFileReader::WarningSink& on_warning_;

  std::optional<std::uint32_t> default_ttl_;  // $TTL, or the SOA MINIMUM when there is none
  std::optional<std::uint32_t> last_ttl_;     // for RFC 1035 semantics
  bool warned_rfc1035_ttl_ = false;

  RdfPtr origin_rdf_;
  std::string origin_rdf_wire_;  // exact octets (case kept) of the name origin_rdf_ holds
  std::string ldns_text_;        // reused per record
};

std::optional<Diagnostic> ReadSession::read_file(const std::string& path, const Name& origin,
                                                 unsigned depth) {
  auto file = FileText::read(path);
  if (!file) return Diagnostic{Severity::kError, path, 0, "cannot read: " + file.error()};
  return read_text(path, file->text(), origin, depth, &*file);
}

std::optional<Diagnostic> ReadSession::read_text(const std::string& name, std::string_view text,
                                                 const Name& origin, unsigned depth,
                                                 FileText* file) {
  files_.push_back(name);
  FileState f;
  f.index = static_cast<std::uint32_t>(files_.size() - 1);
  std::string name_copy = name;  // not a pointer into files_: nested includes grow it
  f.name = &name_copy;
  f.origin = origin;
  f.depth = depth;

  MasterLexer lexer(text);
  MasterEntry entry;
  for (;;) {
    auto more = lexer.next(entry);
    if (!more) {
      f.line = lexer.error_line();
      return error(f, more.error());
    }
    if (!*more) return std::nullopt;
    f.line = entry.line;
    if (auto diag = handle_entry(f, entry)) return diag;
    if (entry.has_nul) return error(f, "NUL octet in the text (a binary file?)");
    // Nothing refers to the text before the lexer's position any more: records, names and
    // diagnostics are copies.
    if (file != nullptr) file->release_before(lexer.position());
  }
}

std::optional<Diagnostic> ReadSession::handle_entry(FileState& f, const MasterEntry& entry) {
  if (!entry.owner_omitted && !entry.tokens.front().quoted &&
      entry.tokens.front().text.front() == '$') {
    return handle_directive(f, entry);
  }
  return handle_record(f, entry);
}

std::optional<Diagnostic> ReadSession::handle_directive(FileState& f, const MasterEntry& entry) {
  std::string_view name = entry.tokens.front().text;
  auto args = std::span<const MasterToken>(entry.tokens).subspan(1);
  if (equals_nocase(name, "$TTL")) return handle_ttl(f, args);
  if (equals_nocase(name, "$ORIGIN")) return handle_origin(f, args);
  if (equals_nocase(name, "$INCLUDE")) return handle_include(f, args);
  if (equals_nocase(name, "$GENERATE")) return handle_generate(f, args);
  return error(f, "unknown $ directive '" + std::string(name) + "'");
}

std::uint32_t ReadSession::clamp_ttl(FileState& f, std::uint32_t ttl, const char* what) {
  if (ttl <= kMaxTtl) return ttl;
  // RFC 2181 §8: a TTL with the top bit set is treated as zero; BIND warns and does the same.
  warn(f, std::string(what) + " " + std::to_string(ttl) + " > MAXTTL (2^31-1), setting it to 0");
  return 0;
}

std::optional<Diagnostic> ReadSession::handle_ttl(FileState& f, std::span<const MasterToken> args) {
  if (args.empty()) return error(f, "$TTL: missing value (unexpected end of line)");
  if (args.size() > 1) return error(f, "$TTL: extra text after the value");
  auto ttl = parse_ttl(args[0].text);
  if (!ttl) return error(f, "$TTL: bad TTL '" + std::string(args[0].text) + "'");
  default_ttl_ = clamp_ttl(f, *ttl, "$TTL");
  return std::nullopt;
}

std::optional<Diagnostic> ReadSession::handle_origin(FileState& f,
                                                     std::span<const MasterToken> args) {
  if (args.size() != 1) return error(f, "$ORIGIN: expected exactly one name");
  // A relative $ORIGIN is relative to the current one (BIND; RFC 1035 §5.1 leaves it open).
  auto origin = Name::from_text(args[0].text, &f.origin);
  if (!origin) return error(f, "$ORIGIN: " + origin.error());
  f.origin = std::move(*origin);
  return std::nullopt;
}

std::optional<Diagnostic> ReadSession::handle_include(FileState& f,
                                                      std::span<const MasterToken> args) {
  if (!options_.allow_include) return error(f, "$INCLUDE is not allowed here");
  if (args.empty() || args.size() > 2)
    return error(f, "$INCLUDE: expected a file name and an optional origin");
  auto file = decode_text_token(args[0].text);
  if (!file || file->empty()) return error(f, "$INCLUDE: bad file name");
  Name origin = f.origin;
  if (args.size() == 2) {
    auto given = Name::from_text(args[1].text, &f.origin);
    if (!given) return error(f, "$INCLUDE: bad origin: " + given.error());
    origin = std::move(*given);
  }
  if (f.depth + 1 > options_.max_include_depth) {
    return error(f, "$INCLUDE nested more than " + std::to_string(options_.max_include_depth) +
                        " deep (an include loop?)");
  }
  // Relative paths are relative to the including file's directory, not the working directory.
  std::string path = (*file)[0] == '/' ? *file : directory_of(*f.name) + *file;
  auto included = FileText::read(path);
  if (!included) return error(f, "$INCLUDE '" + path + "': " + included.error());
  // The included file gets its own origin and owner; ours are untouched (RFC 1035 §5.1).
  return read_text(path, included->text(), origin, f.depth + 1, &*included);
}

std::optional<Diagnostic> ReadSession::handle_generate(FileState& f,
                                                       std::span<const MasterToken> args) {
  if (args.size() < 4)
    return error(f, "$GENERATE: syntax error (expected range lhs [ttl] [class] type rhs)");
  auto range = parse_generate_range(args[0].text);
  if (!range) return error(f, "$GENERATE: " + range.error());
  if (range->count() > options_.max_generate_records) {
    return error(f, "$GENERATE: " + std::to_string(range->count()) +
                        " records exceed the limit of " +
                        std::to_string(options_.max_generate_records));
  }
  std::string_view lhs = args[1].text;
  auto head = parse_record_head(args.subspan(2));
  if (!head) return error(f, "$GENERATE: " + head.error());
  if (is_meta_type(head->type)) {
    return error(f, "$GENERATE: meta RR type '" + rr_type_to_text(head->type) + "'");
  }
  if (head->rdata.empty()) return error(f, "$GENERATE: missing rhs");
  // BIND reads rhs as one (possibly quoted) token; several unquoted tokens are joined here.
  std::string rhs;
  if (head->rdata.size() == 1 && head->rdata[0].quoted && head->rdata[0].text.size() >= 2 &&
      head->rdata[0].text.back() == '"') {
    rhs = head->rdata[0].text.substr(1, head->rdata[0].text.size() - 2);
  } else {
    for (const auto& token : head->rdata) {
      if (!rhs.empty()) rhs.push_back(' ');
      rhs.append(token.text);
    }
  }
  MasterEntry expanded;
  for (std::uint64_t v = range->start; v <= range->stop; v += range->step) {
    auto value = static_cast<std::uint32_t>(v);
    auto owner_text = expand_generate_template(lhs, value);
    if (!owner_text) return error(f, "$GENERATE: " + owner_text.error());
    auto owner = Name::from_text(*owner_text, &f.origin);
    if (!owner) return error(f, "$GENERATE: bad owner '" + *owner_text + "': " + owner.error());
    auto rdata_text = expand_generate_template(rhs, value);
    if (!rdata_text) return error(f, "$GENERATE: " + rdata_text.error());
    MasterLexer lexer(*rdata_text);
    auto lexed = lexer.next(expanded);
    if (!lexed) return error(f, "$GENERATE: " + lexed.error());
    RecordHead one = *head;
    one.rdata = expanded.tokens;
    if (auto diag = emit(f, std::move(*owner), one)) return diag;
  }
  return std::nullopt;
}

std::optional<Diagnostic> ReadSession::handle_record(FileState& f, const MasterEntry& entry) {
  auto tokens = std::span<const MasterToken>(entry.tokens);
  Name owner;
  if (entry.owner_omitted) {
    if (!f.last_owner) return error(f, "no previous owner name for a line beginning with a blank");
    owner = *f.last_owner;
  } else {
    auto parsed = Name::from_text(tokens[0].text, &f.origin);
    if (!parsed)
      return error(f, "bad owner name '" + std::string(tokens[0].text) + "': " + parsed.error());
    owner = std::move(*parsed);
    tokens = tokens.subspan(1);
  }
  f.last_owner = owner;
  auto head = parse_record_head(tokens);
  if (!head) return error(f, head.error());
  return emit(f, std::move(owner), *head);
}

std::optional<Diagnostic> ReadSession::emit(FileState& f, Name owner, const RecordHead& head) {
  if (head.rclass && *head.rclass != options_.default_class) {
    return error(f, "class '" + rr_class_to_text(*head.rclass) +
                        "' does not match the zone's class '" +
                        rr_class_to_text(options_.default_class) + "'");
  }
  if (auto refused = refuse_type(head.type)) return error(f, *refused);
  auto rdata = rdata_from_text(head.type, head.rdata, f.origin);
  if (!rdata) return error(f, "bad rdata for " + rr_type_to_text(head.type) + ": " + rdata.error());
  auto ttl = choose_ttl(f, head, *rdata);
  if (!ttl) return error(f, ttl.error());
  ParsedRecord record{std::move(owner),       head.type,
                      options_.default_class, *ttl,
                      std::move(*rdata),      SourceLocation{f.index, f.line}};
  on_record_(std::move(record));
  return std::nullopt;
}

Result<std::uint32_t> ReadSession::choose_ttl(FileState& f, const RecordHead& head,
                                              const Rdata& rdata) {
  std::uint32_t ttl = 0;
  if (head.ttl) {
    ttl = clamp_ttl(f, *head.ttl, "TTL");
  } else if (default_ttl_) {
    ttl = *default_ttl_;
  } else if (head.type == rr_type::SOA && rdata.size() >= 20) {
    // RFC 2308 §4 / BIND: the SOA's MINIMUM (its last field) stands in for the missing $TTL.
    std::size_t at = rdata.size() - 4;
    ttl = clamp_ttl(f,
                    std::uint32_t{rdata[at]} << 24 | std::uint32_t{rdata[at + 1]} << 16 |
                        std::uint32_t{rdata[at + 2]} << 8 | rdata[at + 3],
                    "SOA MINTTL");
    warn(f, "no TTL specified; using SOA MINTTL instead");
    default_ttl_ = ttl;
  } else if (last_ttl_) {
    if (!warned_rfc1035_ttl_) {
      warn(f, "no TTL specified and no $TTL; using the previous record's TTL (RFC 1035 semantics)");
      warned_rfc1035_ttl_ = true;
    }
    ttl = *last_ttl_;
  } else {
    return make_error("no TTL specified, and no $TTL or earlier TTL to use");
  }
  last_ttl_ = ttl;
  return ttl;
}

Result<Rdata> ReadSession::rdata_from_text(std::uint16_t type, std::span<const MasterToken> tokens,
                                           const Name& origin) {
  if (!tokens.empty() && tokens[0].text == "\\#") {
    auto rdata = generic_rdata_from_text(tokens);
    if (!rdata) return rdata;
    // RFC 3597 §5: generic rdata of a known type must be valid for that type.
    if (!has_extra_parser(type) && !ldns_alias_type(type)) {
      if (auto problem = check_wire_with_ldns(type, *rdata)) return make_error(*problem);
    }
    return rdata;
  }
  if (type == rr_type::SVCB || type == rr_type::HTTPS) return svcb_rdata_from_text(tokens, origin);
  if (has_extra_parser(type)) return extra_rdata_from_text(type, tokens, origin);
  if (options_.fast_rdata) {
    if (auto fast = fast_rdata_from_text(type, tokens, origin)) return std::move(*fast);
  }
  std::uint16_t ldns_type = ldns_alias_type(type).value_or(type);
  if (auto problem = check_rdata_text(ldns_type, tokens)) return make_error(*problem);
  auto rdata = rdata_via_ldns(ldns_type, tokens, origin);
  if (!rdata) {
    if (tokens.empty()) return make_error(rdata.error() + " (unexpected end of input)");
    return rdata;
  }
  if (auto problem = check_rdata_wire(ldns_type, *rdata)) return make_error(*problem);
  return rdata;
}

const ldns_rdf* ReadSession::origin_rdf(const Name& origin) {
  auto wire = origin.wire();
  std::string_view octets(reinterpret_cast<const char*>(wire.data()), wire.size());
  if (!origin_rdf_ || origin_rdf_wire_ != octets) {
    origin_rdf_.reset(
        ldns_dname_new_frm_data(static_cast<std::uint16_t>(wire.size()), wire.data()));
    origin_rdf_wire_ = octets;
  }
  return origin_rdf_.get();
}

Result<Rdata> ReadSession::rdata_via_ldns(std::uint16_t type, std::span<const MasterToken> tokens,
                                          const Name& origin) {
  // ldns parses a whole RR line; owner and TTL are placeholders (we resolved them already), and
  // the type goes by number so that aliases and names ldns lacks need no lookup there.
  ldns_text_.assign(". 0 IN TYPE");
  ldns_text_ += std::to_string(type);
  std::optional<Rdata> nsec3_hash;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    ldns_text_.push_back(' ');
    if (type == rr_type::NSEC3 && i == 4) {
      // ldns mis-decodes unpadded base32hex: decode it here, give ldns a placeholder.
      auto hash = decode_base32hex(tokens[i].text);
      if (!hash) return make_error(hash.error());
      nsec3_hash = std::move(*hash);
      ldns_text_ += "00000000";
      continue;
    }
    ldns_text_.append(tokens[i].text);
  }
  ldns_rr* raw = nullptr;
  ldns_status status =
      ldns_rr_new_frm_str(&raw, ldns_text_.c_str(), 0, origin_rdf(origin), nullptr);
  RrPtr rr(raw);
  if (status != LDNS_STATUS_OK) return make_error(ldns_get_errorstr_by_id(status));
  // ldns keeps each field in wire form: names uncompressed and in their original case.
  Rdata out;
  for (std::size_t i = 0; i < ldns_rr_rd_count(rr.get()); ++i) {
    if (nsec3_hash && i == 4) {
      if (nsec3_hash->size() > 255) return make_error("next hashed owner name too long");
      out.push_back(static_cast<std::uint8_t>(nsec3_hash->size()));
      out.insert(out.end(), nsec3_hash->begin(), nsec3_hash->end());
      continue;
    }
    const ldns_rdf* field = ldns_rr_rdf(rr.get(), i);
    const std::uint8_t* data = ldns_rdf_data(field);
    out.insert(out.end(), data, data + ldns_rdf_size(field));
  }
  if (out.size() > 0xffff) return make_error("rdata longer than 65535 octets");
  return out;
}

}  // namespace

ZoneFileReader::ZoneFileReader(ZoneFileReadOptions options, std::vector<std::string>& files)
    : options_(std::move(options)), files_(files) {}

std::optional<Diagnostic> ZoneFileReader::read(const std::string& path, const RecordSink& on_record,
                                               const WarningSink& on_warning) {
  ReadSession session(options_, files_, on_record, on_warning);
  return session.read_file(path, options_.origin, 0);
}

std::optional<Diagnostic> ZoneFileReader::read_text(const std::string& name, std::string_view text,
                                                    const RecordSink& on_record,
                                                    const WarningSink& on_warning) {
  ReadSession session(options_, files_, on_record, on_warning);
  return session.read_text(name, text, options_.origin, 0);
}

}  // namespace hayate::zone
