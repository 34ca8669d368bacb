#include "zone/zone_file_reader.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "zone/ldns_wrapper.hpp"
#include "zone/rr_type.hpp"
#include "zone/rr_type_names.hpp"

namespace hayate::zone {
namespace {

const std::string kZones = HAYATE_TEST_ZONES "/reader/";

struct Outcome {
  std::vector<ParsedRecord> records;
  std::vector<Diagnostic> warnings;
  std::optional<Diagnostic> error;
  std::vector<std::string> files;
};

ZoneFileReadOptions options_for(const char* origin = "example.") {
  ZoneFileReadOptions options;
  options.origin = *Name::from_text(origin);
  return options;
}

Outcome read_file(const std::string& path, ZoneFileReadOptions options = options_for()) {
  Outcome out;
  ZoneFileReader reader(options, out.files);
  out.error = reader.read(
      path, [&](ParsedRecord&& r) { out.records.push_back(std::move(r)); },
      [&](Diagnostic&& d) { out.warnings.push_back(std::move(d)); });
  return out;
}

Outcome read_string(const std::string& text, ZoneFileReadOptions options = options_for()) {
  Outcome out;
  ZoneFileReader reader(options, out.files);
  out.error = reader.read_text(
      "test.zone", text, [&](ParsedRecord&& r) { out.records.push_back(std::move(r)); },
      [&](Diagnostic&& d) { out.warnings.push_back(std::move(d)); });
  return out;
}

std::string owner(const ParsedRecord& r) {
  return r.owner.to_text();
}

Rdata bytes(std::initializer_list<int> list) {
  Rdata out;
  for (int b : list)
    out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

// ldns's own wire rdata for an RR line, the reference for the types ldns parses correctly.
Rdata ldns_rdata(const std::string& line) {
  ldns_rdf* origin = ldns_dname_new_frm_str("example.");
  ldns_rr* rr = nullptr;
  EXPECT_EQ(ldns_rr_new_frm_str(&rr, line.c_str(), 3600, origin, nullptr), LDNS_STATUS_OK) << line;
  Rdata out;
  for (std::size_t i = 0; rr && i < ldns_rr_rd_count(rr); ++i) {
    auto* f = ldns_rr_rdf(rr, i);
    out.insert(out.end(), ldns_rdf_data(f), ldns_rdf_data(f) + ldns_rdf_size(f));
  }
  ldns_rr_free(rr);
  ldns_rdf_deep_free(origin);
  return out;
}

// --- a whole file with includes ------------------------------------------------------------------

TEST(ZoneFileReader, MainZoneRecordsOwnersTtlsAndLines) {
  auto out = read_file(kZones + "main.zone");
  ASSERT_FALSE(out.error) << out.error->to_string();
  ASSERT_EQ(out.records.size(), 13u);
  const auto& r = out.records;
  EXPECT_EQ(owner(r[0]), "example.");
  EXPECT_EQ(r[0].type, rr_type::SOA);
  EXPECT_EQ(r[0].ttl, 3600u);
  EXPECT_EQ(r[0].where.line, 3u);
  EXPECT_EQ(owner(r[1]), "example.");  // omitted owner after a multi-line SOA
  EXPECT_EQ(r[1].type, rr_type::NS);
  EXPECT_EQ(r[1].where.line, 9u);
  EXPECT_EQ(owner(r[2]), "ns1.example.");
  EXPECT_EQ(r[2].where.line, 10u);
  EXPECT_EQ(owner(r[3]), "www.example.");
  EXPECT_EQ(r[3].ttl, 300u);
  EXPECT_EQ(owner(r[4]), "www.example.");  // omitted owner, "IN 600" class before TTL
  EXPECT_EQ(r[4].type, rr_type::AAAA);
  EXPECT_EQ(r[4].ttl, 600u);
  EXPECT_EQ(r[5].type, rr_type::TXT);
  std::string txt(r[5].rdata.begin(), r[5].rdata.end());
  EXPECT_EQ(txt, "\x11semi;colon (paren\x0aplain word");
}

TEST(ZoneFileReader, IncludeIsRelativeToIncludingFileAndRestoresOrigin) {
  auto out = read_file(kZones + "main.zone");
  ASSERT_FALSE(out.error) << out.error->to_string();
  const auto& r = out.records;
  ASSERT_EQ(out.files.size(), 3u);
  EXPECT_EQ(out.files[1], kZones + "sub/hosts.inc");
  EXPECT_EQ(out.files[2], kZones + "sub/deeper.inc");
  EXPECT_EQ(owner(r[6]), "h1.sub.example.");
  EXPECT_EQ(r[6].where.file_index, 1u);
  EXPECT_EQ(r[6].where.line, 2u);
  EXPECT_EQ(owner(r[7]), "sub.example.");
  EXPECT_EQ(owner(r[8]), "d1.sub.example.");  // nested include keeps the includer's origin
  EXPECT_EQ(r[8].where.file_index, 2u);
  EXPECT_EQ(owner(r[9]), "h2.sub.example.");
  EXPECT_EQ(owner(r[10]), "after.example.");
  EXPECT_EQ(r[10].where.file_index, 0u);
  EXPECT_EQ(r[10].where.line, 15u);
  EXPECT_EQ(owner(r[11]), "a.child.example.");
  EXPECT_EQ(owner(r[12]), "example.");
  EXPECT_EQ(r[12].type, rr_type::MX);
  EXPECT_EQ(r[12].where.line, 19u);
  EXPECT_EQ(r[12].rdata,
            bytes({0, 10, 4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}));
}

TEST(ZoneFileReader, EveryCommonTypeMatchesLdnsOrHandBytes) {
  auto out = read_file(kZones + "types.zone");
  ASSERT_FALSE(out.error) << out.error->to_string();
  std::map<std::string, const ParsedRecord*> by_owner;
  for (const auto& r : out.records)
    by_owner[owner(r) + "/" + rr_type_to_text(r.type)] = &r;
  auto rdata = [&](const std::string& key) {
    auto it = by_owner.find(key);
    EXPECT_NE(it, by_owner.end()) << key;
    return it == by_owner.end() ? Rdata() : it->second->rdata;
  };
  struct Case {
    const char* key;
    const char* ldns_line;
  };
  const Case cases[] = {
      {"example./SOA", "@ SOA ns1.example. hostmaster.example. 1 7200 3600 1209600 300"},
      {"example./NS", "@ NS ns1"},
      {"example./MX", "@ MX 10 Mail.Example."},
      {"a.example./A", "a A 192.0.2.1"},
      {"aaaa.example./AAAA", "a AAAA 2001:db8::1"},
      {"cname.example./CNAME", "a CNAME target"},
      {"ptr.example./PTR", "a PTR host.example.net."},
      {"txt.example./TXT", "a TXT \"hello world\" \"second\""},
      {"srv.example./SRV", "a SRV 0 5 5060 sip"},
      {"hinfo.example./HINFO", "a HINFO \"PC\" \"Linux\""},
      {"caa.example./CAA", "a CAA 0 issue \"letsencrypt.org\""},
      {"sshfp.example./SSHFP", "a SSHFP 1 1 dd465c09cfa51fb45020cc83316fff21b9ec74ac"},
      {"tlsa.example./TLSA",
       "a TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
      {"ds.example./DS",
       "a DS 12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DEA8D4C0D6F0D6A2B3C1D2E3F401234567"},
      {"rrsig.example./RRSIG",
       "a RRSIG A 8 2 3600 20250101000000 20240101000000 12345 example. AwEAAQ=="},
      {"nsec.example./NSEC", "a NSEC next.example. A RRSIG NSEC"},
      {"nsec3.example./NSEC3", "a NSEC3 1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG"},
      {"naptr.example./NAPTR",
       "a NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" ."},
      {"loc.example./LOC", "a LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m"},
      {"uri.example./URI", "a URI 10 1 \"ftp://ftp1.example.com/public\""},
      {"generic.example./A", "a A 192.0.2.5"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(rdata(c.key), ldns_rdata(c.ldns_line)) << c.key;
  EXPECT_FALSE(rdata("dnskey.example./DNSKEY").empty());
  EXPECT_EQ(
      rdata("dnskey.example./DNSKEY"),
      ldns_rdata(
          "a DNSKEY " +
          std::string(
              "257 3 8 "
              "AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0Ez"
              "rAcQqBGCzh/RStIoO8g0NfnfL2MTJRkxoXbfDaUeVPQuYEhg37NZWAJQ9VnMVDxP/VHL496M/QZxkjf5/Ef"
              "ucp2gaDX6RS6CXpoY68LsvPVjR0ZSwzz1apAzvN9dlzEheX7ICJBBtuA6G3LQpzW5hOA2hzCTMjJPJ8LbqF"
              "6dsV6DoBQzgul0sGIcGOYl7OyQdXfZ57relSQageu+ipAdTTJ25AsRTAoub8ONGcLmqrAmRLKBP1dfwhYB4N"
              "7knNnulqQxA+Uk1ihz0=")));
  // RFC 9460: the alpn value "h1\\,h2,h3" is two ids, "h1,h2" and "h3"; keys in wire order.
  EXPECT_EQ(rdata("svcb.example./SVCB"),
            bytes({0,   1,   0,   0,   0,   0, 2,   0,   1, 0, 1, 0, 9,    5,
                   'h', '1', ',', 'h', '2', 2, 'h', '3', 0, 3, 0, 2, 0x20, 0xfb}));
  EXPECT_EQ(rdata("https.example./HTTPS"),
            bytes({0, 1, 0, 0, 1, 0, 3, 2, 'h', '2', 0, 4, 0, 8, 192, 0, 2, 1, 192, 0, 2, 2}));
  EXPECT_EQ(rdata("unknown.example./TYPE65534"), bytes({0xab, 0xcd, 0xef}));
}

TEST(ZoneFileReader, NamesInRdataKeepTheirCase) {
  auto out = read_string("$TTL 1\n@ MX 10 Mail.Example.COM.\n@ NS Ns1\n");
  ASSERT_FALSE(out.error) << out.error->to_string();
  EXPECT_EQ(out.records[0].rdata[3], 'M');
  EXPECT_EQ(out.records[1].rdata[1], 'N');
  EXPECT_EQ(out.records[1].rdata[4], 7);  // "example." appended, not compressed
}

// --- TTL rules
// ------------------------------------------------------------------------------------

TEST(ZoneFileReader, TtlUnitsAndDefault) {
  auto out = read_string("$TTL 1w2d3h4m5s\n@ A 192.0.2.1\nx 1H A 192.0.2.2\ny A 192.0.2.3\n");
  ASSERT_FALSE(out.error) << out.error->to_string();
  EXPECT_EQ(out.records[0].ttl, 7 * 86400u + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
  EXPECT_EQ(out.records[1].ttl, 3600u);
  EXPECT_EQ(out.records[2].ttl, out.records[0].ttl);  // $TTL, not the previous explicit TTL
}

TEST(ZoneFileReader, NoTtlUsesSoaMinimumWithWarning) {
  auto out = read_string("@ SOA ns hm 1 2 3 4 77\n@ NS ns\n");
  ASSERT_FALSE(out.error) << out.error->to_string();
  EXPECT_EQ(out.records[0].ttl, 77u);
  EXPECT_EQ(out.records[1].ttl, 77u);
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_EQ(out.warnings[0].line, 1u);
  EXPECT_NE(out.warnings[0].message.find("using SOA MINTTL"), std::string::npos);
}

TEST(ZoneFileReader, NoTtlAndNoDefaultUsesPreviousRecordTtl) {
  auto out = read_string("a 42 A 192.0.2.1\nb A 192.0.2.2\n");
  ASSERT_FALSE(out.error) << out.error->to_string();
  EXPECT_EQ(out.records[1].ttl, 42u);
  EXPECT_EQ(out.warnings.size(), 1u);
}

TEST(ZoneFileReader, TtlAboveMaxttlBecomesZeroWithWarning) {
  // RFC 2181 §8; BIND: "TTL ... > MAXTTL, setting TTL to 0".
  auto out = read_string("a 2147483648 A 192.0.2.1\n");
  ASSERT_FALSE(out.error) << out.error->to_string();
  EXPECT_EQ(out.records[0].ttl, 0u);
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_NE(out.warnings[0].message.find("MAXTTL"), std::string::npos);
}

// --- $GENERATE through the reader
// -----------------------------------------------------------------

TEST(ZoneFileReader, GenerateFromBindDocumentation) {
  auto out = read_string(
      "$ORIGIN 0.0.192.IN-ADDR.ARPA.\n$TTL 60\n"
      "$GENERATE 1-2 @ NS SERVER$.EXAMPLE.\n"
      "$GENERATE 1-127 $ CNAME $.0\n",
      options_for("0.0.192.in-addr.arpa."));
  ASSERT_FALSE(out.error) << out.error->to_string();
  ASSERT_EQ(out.records.size(), 129u);
  EXPECT_EQ(out.records[1].type, rr_type::NS);
  EXPECT_EQ(Name::from_wire(out.records[1].rdata)->to_text(), "SERVER2.EXAMPLE.");
  EXPECT_EQ(owner(out.records[2]), "1.0.0.192.IN-ADDR.ARPA.");
  EXPECT_EQ(out.records[2].type, rr_type::CNAME);
  EXPECT_EQ(Name::from_wire(out.records[2].rdata)->to_text(), "1.0.0.0.192.IN-ADDR.ARPA.");
  EXPECT_EQ(owner(out.records[128]), "127.0.0.192.IN-ADDR.ARPA.");
  EXPECT_EQ(out.records[128].where.line, 4u);
}

TEST(ZoneFileReader, GenerateWithModifiersTtlAndClass) {
  auto out = read_string(
      "$GENERATE 1024-1025 ${0,3,n} 300 IN AAAA 2001:db8::${0,4,x}\n"
      "$GENERATE 0-4/2 host${10,3,d} IN 60 A 10.0.0.$\n");
  ASSERT_FALSE(out.error) << out.error->to_string();
  ASSERT_EQ(out.records.size(), 5u);
  EXPECT_EQ(owner(out.records[0]), "0.0.4.example.");
  EXPECT_EQ(out.records[0].ttl, 300u);
  EXPECT_EQ(out.records[0].rdata[15], 0x00);
  EXPECT_EQ(out.records[0].rdata[14], 0x04);
  EXPECT_EQ(owner(out.records[1]), "1.0.4.example.");
  EXPECT_EQ(owner(out.records[2]), "host010.example.");
  EXPECT_EQ(owner(out.records[4]), "host014.example.");
  EXPECT_EQ(out.records[4].rdata, bytes({10, 0, 0, 4}));
  EXPECT_EQ(out.records[4].ttl, 60u);
}

// --- one test per error kind
// ----------------------------------------------------------------------

struct ErrorCase {
  const char* text;
  std::uint32_t line;
  const char* message_part;
};

class ReaderErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(ReaderErrors, NamesFileLineAndReason) {
  const auto& c = GetParam();
  auto out = read_string(c.text);
  ASSERT_TRUE(out.error) << c.text;
  EXPECT_EQ(out.error->file, "test.zone");
  EXPECT_EQ(out.error->line, c.line) << out.error->to_string();
  EXPECT_NE(out.error->message.find(c.message_part), std::string::npos) << out.error->to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, ReaderErrors,
    testing::Values(ErrorCase{"$TTL 60\n$FOO bar\n", 2, "unknown $ directive '$FOO'"},
                    ErrorCase{"$TTL\n", 1, "$TTL: missing value"},
                    ErrorCase{"$TTL 1x\n", 1, "bad TTL"},
                    ErrorCase{"$TTL 60\n$ORIGIN\n", 2, "$ORIGIN"},
                    ErrorCase{"a 4294967296 A 192.0.2.1\n", 1, "out of range"},
                    ErrorCase{"$TTL 60\na CH A 192.0.2.1\n", 2, "class 'CH' does not match"},
                    ErrorCase{"$TTL 60\n\na ANY A 192.0.2.1\n", 3, "class 'ANY'"},
                    ErrorCase{"$TTL 60\na TKEY foo\n", 2, "meta type"},
                    ErrorCase{"$TTL 60\na AXFR foo\n", 2, "meta type"},
                    ErrorCase{"$TTL 60\na MD foo\n", 2, "obsolete"},
                    ErrorCase{"$TTL 60\na FOO bar\n", 2, "unknown RR type 'FOO'"},
                    ErrorCase{"$TTL 60\na A 1.2.3\n", 2, "bad rdata for A"},
                    ErrorCase{"$TTL 60\na A 1.2.3.4 5.6.7.8\n", 2, "bad rdata for A"},
                    ErrorCase{"$TTL 60\na A \\# 5 0102030405\n", 2, "not valid for the type"},
                    ErrorCase{"$TTL 60\na TYPE999 \\# 3 0102\n", 2, "\\# length 3"},
                    ErrorCase{"a A 192.0.2.1\n", 1, "no TTL specified"},
                    ErrorCase{"$TTL 60\n  A 192.0.2.1\n", 2, "no previous owner"},
                    ErrorCase{"$TTL 60\n@ SOA ns hm (\n 1 2 3 4 5\n", 2, "unbalanced '('"},
                    ErrorCase{"$TTL 60\n@ A 192.0.2.1 )\n", 2, "unbalanced ')'"},
                    ErrorCase{"$TTL 60\n@ TXT \"open\n", 2, "unterminated quoted string"},
                    ErrorCase{"$TTL 60\n$GENERATE 3-1 x$ A 10.0.0.$\n", 2, "invalid range '3-1'"},
                    ErrorCase{"$TTL 60\n$GENERATE 1-2 x$ A 10.0.0.${1\n", 2, "syntax error"},
                    ErrorCase{"$TTL 60\n$GENERATE 0-100000 x$ A 10.0.0.1\n", 2, "exceed the limit"},
                    ErrorCase{"$TTL 60\n$GENERATE 1-2 x$ TSIG foo\n", 2, "meta RR type 'TSIG'"},
                    ErrorCase{"$TTL 60\n@ EUI48 01-23-45-67-89\n", 2, "bad EUI"},
                    ErrorCase{"$TTL 60\n@ SVCB 1 . port=99999\n", 2, "bad port"},
                    ErrorCase{"$TTL 60\n@ LOC 91 0 0 N 0 0 0 E 0m\n", 2, "latitude"},
                    ErrorCase{"$TTL 60\n@ DS 1 8 2 123\n", 2, "odd number of hex digits"},
                    ErrorCase{"$TTL 60\nbad..name A 192.0.2.1\n", 2, "bad owner name"}));

TEST(ZoneFileReader, NulOctetIsAnError) {
  const char text[] = "$TTL 60\n@ A 192.0.2.1\n@ A 192.0.2.2\0\n";
  auto out = read_string(std::string(text, sizeof(text) - 1));
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->line, 3u);
  EXPECT_NE(out.error->message.find("NUL"), std::string::npos);
}

TEST(ZoneFileReader, DisallowedIncludeIsAnError) {
  auto options = options_for();
  options.allow_include = false;
  auto out = read_string("$INCLUDE /etc/hostname\n", options);
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->message.find("not allowed"), std::string::npos);
}

TEST(ZoneFileReader, MissingIncludeNamesTheIncludeLine) {
  auto out = read_file(kZones + "include-missing.zone");
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->file, kZones + "include-missing.zone");
  EXPECT_EQ(out.error->line, 3u);
  EXPECT_NE(out.error->message.find("No such file"), std::string::npos) << out.error->message;
}

TEST(ZoneFileReader, DirectoryIncludeIsAnError) {
  auto out = read_file(kZones + "include-directory.zone");
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->line, 4u);
  EXPECT_NE(out.error->message.find("not a regular file"), std::string::npos);
}

TEST(ZoneFileReader, IncludeLoopHitsTheDepthLimit) {
  auto out = read_file(kZones + "include-loop.zone");
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->line, 3u);
  EXPECT_NE(out.error->message.find("nested more than 16"), std::string::npos);
}

TEST(ZoneFileReader, ErrorInIncludedFileNamesThatFile) {
  auto out = read_file(kZones + "error-in-include.zone");
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->file, kZones + "sub/bad.inc");
  EXPECT_EQ(out.error->line, 2u);
  EXPECT_EQ(out.records.size(), 1u);  // records before the error were delivered
}

TEST(ZoneFileReader, MissingFileIsAnError) {
  auto out = read_file(kZones + "does-not-exist.zone");
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->line, 0u);
}

}  // namespace
}  // namespace hayate::zone
