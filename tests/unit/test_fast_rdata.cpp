// The fast rdata path (zone/fast_rdata.hpp) against ldns, its oracle: every zone under tests/zones
// and every edge case below is read twice, with the fast path on and off, and the records (owner
// octets, type, TTL, rdata, source line), warnings and errors must be identical.
#include "zone/fast_rdata.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "zone/rr_type.hpp"
#include "zone/rr_type_names.hpp"
#include "zone/zone_file_reader.hpp"

namespace hayate::zone {
namespace {

struct Outcome {
  std::vector<ParsedRecord> records;
  std::vector<std::string> warnings;
  std::string error;
  std::vector<std::string> files;
};

ZoneFileReadOptions options(bool fast, const Name& origin) {
  ZoneFileReadOptions o;
  o.origin = origin;
  o.fast_rdata = fast;
  return o;
}

Outcome read(bool fast, const std::string& path, const std::string* text, const Name& origin) {
  Outcome out;
  ZoneFileReader reader(options(fast, origin), out.files);
  auto on_record = [&](ParsedRecord&& r) { out.records.push_back(std::move(r)); };
  auto on_warning = [&](Diagnostic&& d) { out.warnings.push_back(d.to_string()); };
  auto error = text ? reader.read_text(path, *text, on_record, on_warning)
                    : reader.read(path, on_record, on_warning);
  if (error) out.error = error->to_string();
  return out;
}

std::string bytes(std::span<const std::uint8_t> data) {
  return std::string(reinterpret_cast<const char*>(data.data()), data.size());
}

// Both readers, then field by field; owners compare by octets since Name's == ignores case.
void expect_same(const std::string& path, const std::string* text,
                 const Name& origin = *Name::from_text("example.")) {
  Outcome fast = read(true, path, text, origin);
  Outcome slow = read(false, path, text, origin);
  const std::string what = text ? *text : path;
  EXPECT_EQ(fast.error, slow.error) << what;
  EXPECT_EQ(fast.warnings, slow.warnings) << what;
  EXPECT_EQ(fast.files, slow.files) << what;
  ASSERT_EQ(fast.records.size(), slow.records.size()) << what;
  for (std::size_t i = 0; i < fast.records.size(); ++i) {
    const ParsedRecord& a = fast.records[i];
    const ParsedRecord& b = slow.records[i];
    EXPECT_EQ(bytes(a.owner.wire()), bytes(b.owner.wire())) << what << " record " << i;
    EXPECT_EQ(a.type, b.type) << what << " record " << i;
    EXPECT_EQ(a.rclass, b.rclass) << what << " record " << i;
    EXPECT_EQ(a.ttl, b.ttl) << what << " record " << i;
    EXPECT_EQ(a.rdata, b.rdata) << what << " record " << i;
    EXPECT_EQ(a.where.file_index, b.where.file_index) << what << " record " << i;
    EXPECT_EQ(a.where.line, b.where.line) << what << " record " << i;
  }
}

// What the fast path itself makes of `rdata` (nullopt: it declines and ldns parses).
std::optional<Rdata> fast_only(std::uint16_t type, const std::string& rdata) {
  MasterLexer lexer(rdata);
  MasterEntry entry;
  auto lexed = lexer.next(entry);
  if (!lexed || !*lexed) return fast_rdata_from_text(type, {}, *Name::from_text("example."));
  return fast_rdata_from_text(type, entry.tokens, *Name::from_text("example."));
}

enum class Path { kFast, kLdns };

struct Case {
  const char* type;
  std::string rdata;
  Path path;  // which parser must take it: guards against a fast path that declines everything
};

std::vector<Case> edge_cases() {
  const std::string label63(63, 'a');
  const std::string text255(255, 'x');
  std::string long_name;  // 4 × 63-octet labels: 256 octets with the root, one too many
  for (int i = 0; i < 4; ++i)
    long_name += label63 + ".";
  std::string max_name;  // 3 × 63 + 61: 255 octets with the root, the most allowed
  for (int i = 0; i < 3; ++i)
    max_name += label63 + ".";
  max_name += std::string(61, 'b') + ".";
  return {
      {"A", "192.0.2.1", Path::kFast},
      {"A", "0.0.0.0", Path::kFast},
      {"A", "255.255.255.255", Path::kFast},
      {"A", "256.1.1.1", Path::kLdns},
      {"A", "1.2.3", Path::kLdns},
      {"A", "01.2.3.4", Path::kLdns},
      {"A", "192.0.2.1 extra", Path::kLdns},
      {"A", "\"192.0.2.1\"", Path::kLdns},
      {"A", "", Path::kLdns},
      {"AAAA", "2001:db8::1", Path::kFast},
      {"AAAA", "2001:DB8::A", Path::kFast},
      {"AAAA", "::", Path::kFast},
      {"AAAA", "::ffff:192.0.2.1", Path::kFast},
      {"AAAA", "1:2:3:4:5:6:7:8", Path::kFast},
      {"AAAA", "1::2::3", Path::kLdns},
      {"AAAA", "192.0.2.1", Path::kLdns},
      {"NS", "ns1", Path::kFast},
      {"NS", "ns1.example.com.", Path::kFast},
      {"NS", "@", Path::kFast},
      {"NS", ".", Path::kFast},
      {"NS", "UPPER.Case.", Path::kFast},
      {"NS", "a\\.b", Path::kFast},
      {"NS", "a\\065b\\032c", Path::kFast},
      {"NS", "\\@", Path::kLdns},  // ldns reads it as the origin: its reading is kept
      {"NS", "a@b", Path::kLdns},
      {"NS", label63, Path::kFast},
      {"NS", label63 + "x", Path::kLdns},
      {"NS", max_name, Path::kFast},
      {"NS", long_name, Path::kLdns},
      {"NS", "a..b", Path::kLdns},
      {"NS", "a\\256", Path::kLdns},
      {"NS", "\"quoted\"", Path::kLdns},
      {"NS", "a b", Path::kLdns},
      {"NS", "a\"b c\"d", Path::kLdns},  // one token to the lexer, two to ldns (fuzzer find)
      {"NS", "a\\ b", Path::kFast},
      {"NS", "a\\;b\\(c\\)", Path::kFast},
      {"CNAME", "target", Path::kFast},
      {"CNAME", "*.wild.example.", Path::kFast},
      {"PTR", "host.example.", Path::kFast},
      {"DNAME", "example.net.", Path::kFast},
      {"MX", "10 mail", Path::kFast},
      {"MX", "0 .", Path::kFast},
      {"MX", "65535 mx.example.", Path::kFast},
      {"MX", "010 mail", Path::kFast},
      {"MX", "65536 mail", Path::kLdns},
      {"MX", "-1 mail", Path::kLdns},
      {"MX", "1x mail", Path::kLdns},
      {"MX", "10", Path::kLdns},
      {"MX", "10 a b", Path::kLdns},
      {"TXT", "\"hello world\"", Path::kFast},
      {"TXT", "plain", Path::kFast},
      {"TXT", "\"a\" \"b\" c", Path::kFast},
      {"TXT", "\"\"", Path::kFast},
      {"TXT", "\"esc\\\"aped\"", Path::kFast},
      {"TXT", "\"\\065\\066\\000\\255\"", Path::kFast},
      {"TXT", "\"semi;colon (paren)\"", Path::kFast},
      {"TXT", "\"tab\there\"", Path::kFast},
      {"TXT", "back\\\\slash plain\\ word", Path::kFast},
      {"TXT", "\"" + text255 + "\"", Path::kFast},
      {"TXT", "\"" + text255 + "y\"", Path::kLdns},
      {"TXT", "\"a\"b", Path::kLdns},
      {"TXT", "a\"b\"", Path::kLdns},
      {"TXT", "\"\\256\"", Path::kLdns},
      {"TXT", "\"\\1\"", Path::kLdns},
      {"TXT", "\"\xc3\xa9t\xc3\xa9\"", Path::kFast},
      {"TXT", "", Path::kLdns},
      {"TXT", "a \\# 4 C0000205", Path::kLdns},  // ldns: "\#" is generic rdata anywhere
      {"TXT", "a \\#x", Path::kLdns},
      {"NS", "\\#", Path::kLdns},
      // ldns reads rdata as a C string: text with a NUL octet is its to judge (fuzzer find:
      // "\<NUL>" was an escaped octet to the fast path, a dangling backslash to ldns).
      {"TXT", std::string("ab\\\0c", 5), Path::kLdns},
      {"TXT", std::string("\"a\0b\"", 5), Path::kLdns},
      {"NS", std::string("a\0b", 3), Path::kLdns},
      {"TXT", "\"a\\\rb\"", Path::kLdns},  // "\<CR>": a space to ldns's tokenizer
      {"TXT", "\"a\rb\"", Path::kLdns},
      {"TXT", "\"a\\\tb\"", Path::kFast},
      {"SPF", "\"v=spf1 -all\"", Path::kFast},
      {"SOA", "ns1 hostmaster 1 7200 900 1209600 300", Path::kFast},
      {"SOA", "ns1. host. 4294967295 0 0 0 0", Path::kFast},
      {"SOA", "ns1 host 4294967296 1 2 3 4", Path::kLdns},
      {"SOA", "ns1 host 1 1h 15m 2w 5m", Path::kLdns},
      {"SOA", "ns1 host 1 2 3 4", Path::kLdns},
      {"SOA", "ns1 host 1 2 3 4 5 6", Path::kLdns},
      {"SOA", "ns1 host x 2 3 4 5", Path::kLdns},
      {"SRV", "0 5 5060 sip.example.com.", Path::kFast},
      {"SRV", "65535 65535 65535 .", Path::kFast},
      {"SRV", "1 2 3 @", Path::kFast},
      {"SRV", "65536 0 0 x", Path::kLdns},
      {"SRV", "1 2 3", Path::kLdns},
      {"SRV", "1 2 3 x y", Path::kLdns},
  };
}

TEST(FastRdata, EdgeCasesTakeTheExpectedPathAndAgreeWithLdns) {
  for (const Case& c : edge_cases()) {
    std::uint16_t type = *rr_type_from_text(c.type);
    ASSERT_TRUE(has_fast_rdata(type)) << c.type;
    EXPECT_EQ(fast_only(type, c.rdata).has_value(), c.path == Path::kFast)
        << c.type << " " << c.rdata;
    const std::string text = "$TTL 300\nowner " + std::string(c.type) + " " + c.rdata + "\n";
    expect_same("test.zone", &text);
  }
}

TEST(FastRdata, KnownWireForms) {
  EXPECT_EQ(fast_only(rr_type::A, "192.0.2.1"), (Rdata{192, 0, 2, 1}));
  EXPECT_EQ(fast_only(rr_type::MX, "10 ."), (Rdata{0, 10, 0}));
  EXPECT_EQ(fast_only(rr_type::TXT, "\"a\\066\" c"), (Rdata{2, 'a', 'B', 1, 'c'}));
  EXPECT_EQ(fast_only(rr_type::SRV, "1 2 3 ."), (Rdata{0, 1, 0, 2, 0, 3, 0}));
  EXPECT_EQ(fast_only(rr_type::NS, "A"), (Rdata{1, 'A', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}));
}

TEST(FastRdata, OtherTypesAreLeftToLdns) {
  EXPECT_FALSE(has_fast_rdata(rr_type::NAPTR));
  EXPECT_FALSE(fast_only(rr_type::NAPTR, "1 2 \"u\" \"E2U+sip\" \"\" .").has_value());
  EXPECT_FALSE(fast_only(rr_type::DS, "1 2 3 00").has_value());
}

// Directives, parentheses, comments, omitted owners and relative names around fast-path types.
TEST(FastRdata, DirectivesAndLayoutAgreeWithLdns) {
  const std::string text =
      "$ORIGIN example.\n"
      "@ IN SOA ns1 hostmaster ( 2024010101 ; serial\n"
      "   7200 900 ; timers\n"
      "   1209600 300 )\n"
      "$TTL 1h\n"
      "  NS ns1 ; owner omitted\n"
      "ns1 A 192.0.2.1\n"
      "$GENERATE 1-20 host$ A 10.0.0.$\n"
      "$GENERATE 1-5 ptr${0,3,d} PTR host$.example.\n"
      "$GENERATE 1-3 txt$ TXT \"number $\"\n"
      "$ORIGIN sub\n"
      "www 300 IN CNAME target\n"
      "srv 600 SRV ( 1 2\n 3 www )\n"
      "txt TXT ( \"first\" ; comment inside\n \"second\" )\n"
      "mx MX 10 mail.sub.example.\n"
      "$TTL 2d\n"
      "d DNAME example.net.\n"
      "v6 IN 60 AAAA 2001:db8::2\n";
  expect_same("test.zone", &text);
  Outcome fast = read(true, "test.zone", &text, *Name::from_text("example."));
  EXPECT_EQ(fast.error, "");
  EXPECT_EQ(fast.records.size(), 3u + 20 + 5 + 3 + 6);  // the text was read to its end
}

// Errors and warnings must read the same whichever parser met the record first.
TEST(FastRdata, DiagnosticsAgreeWithLdns) {
  const std::vector<std::string> texts = {
      "@ SOA ns1 host 1 2 3 4 5\n@ NS ns1\n",  // no $TTL: SOA MINTTL warning, then its use
      "@ 3600 A 192.0.2.1\n@ A 192.0.2.2\n",   // RFC 1035 TTL warning
      "$TTL 300\n@ A 192.0.2.300\n",
      "$TTL 300\n@ MX 10\n",
      "$TTL 300\n@ TXT \"" + std::string(300, 'z') + "\"\n",
      "$TTL 300\n@ SRV 1 2 3\n",
      "$TTL 300\n@ SOA a b 1 2 3 4\n",
      "$TTL 4294967295\n@ A 192.0.2.1\n",
      "$TTL 300\n@ CNAME a..b\n",
  };
  for (const auto& text : texts)
    expect_same("test.zone", &text);
}

// Every zone the other tests use, includes and all.
TEST(FastRdata, EveryTestZoneAgreesWithLdns) {
  namespace fs = std::filesystem;
  std::size_t zones = 0;
  for (const auto& entry : fs::recursive_directory_iterator(HAYATE_TEST_ZONES)) {
    if (!entry.is_regular_file()) continue;
    const std::string path = entry.path().string();
    if (!path.ends_with(".zone") && !path.ends_with(".inc")) continue;
    std::string stem = entry.path().filename().string();
    stem.resize(stem.size() - (path.ends_with(".zone") ? 5 : 4));
    auto origin = Name::from_text(stem + ".");
    expect_same(path, nullptr, origin ? *origin : *Name::from_text("example."));
    ++zones;
  }
  EXPECT_GT(zones, 20u);  // the walk found the zones, so the loop above checked something
}

// BIND's checkzone test zones (read in place, as test_checkzone_corpus does), with origin
// "example." as that test gives them.
TEST(FastRdata, BindCorpusAgreesWithLdns) {
  namespace fs = std::filesystem;
  const fs::path dir = HAYATE_BIND_CORPUS;
  if (!fs::exists(dir)) GTEST_SKIP() << "BIND corpus not found at " << dir;
  std::size_t zones = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".db") continue;
    expect_same(entry.path().string(), nullptr);
    ++zones;
  }
  EXPECT_GT(zones, 100u);
}

// Many generated records per fast-path type, values spread over (and a little past) their
// ranges; each is read on its own, since the first error ends a read.
TEST(FastRdata, GeneratedRecordsAgreeWithLdns) {
  std::uint32_t x = 12345;
  auto next = [&] { return x = x * 1103515245u + 12345u; };
  const char* labels[] = {"a", "B", "x-y", "_srv", "h\\.dot", "e\\233", "*", "@"};
  auto name = [&] {
    std::string n = labels[(next() >> 8) % 8];
    if (n != "@" && (next() >> 8) % 3 == 0) n += ".ext.example.";
    return n;
  };
  auto number = [&](std::uint32_t bound) { return std::to_string((next() >> 4) % bound); };
  std::vector<std::pair<std::uint16_t, std::string>> records;
  for (int i = 0; i < 300; ++i) {
    records.emplace_back(rr_type::A, number(260) + "." + number(256) + ".0." + number(256));
    char v6[64];
    std::snprintf(v6, sizeof v6, "%x:db8::%x:%X", (next() >> 8) % 0x10000, (next() >> 8) % 0x10000,
                  (next() >> 8) % 0x10000);
    records.emplace_back(rr_type::AAAA, v6);
    records.emplace_back(rr_type::MX, number(66000) + " " + name());
    records.emplace_back(rr_type::SRV,
                         number(66000) + " " + number(65536) + " " + number(65536) + " " + name());
    records.emplace_back(rr_type::SOA, name() + " " + name() + " " + std::to_string(next()) + " " +
                                           number(100000) + " 900 1209600 " + number(86400));
    std::string txt = "\"";
    for (unsigned k = (next() >> 8) % 40; k > 0; --k) {
      unsigned c = (next() >> 8) % 100;
      if (c < 5) {
        txt += "\\" + std::to_string(100 + (next() >> 8) % 160);
      } else if (c < 8) {
        txt += "\\\"";
      } else {
        txt += static_cast<char>('0' + c % 75);
      }
    }
    records.emplace_back(rr_type::TXT, txt + "\" plain" + std::to_string(i));
    records.emplace_back(rr_type::PTR, name());
    records.emplace_back(rr_type::CNAME, name());
  }
  std::size_t fast = 0;
  for (const auto& [type, rdata] : records) {
    if (fast_only(type, rdata)) ++fast;
    const std::string text = "$TTL 300\nowner " + rr_type_to_text(type) + " " + rdata + "\n";
    expect_same("generated.zone", &text);
  }
  // Most values are in range, so most records must have taken the fast path.
  EXPECT_GT(fast, records.size() * 8 / 10);
}

}  // namespace
}  // namespace hayate::zone
