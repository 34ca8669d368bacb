// hayate-checkzone as a user runs it: exit status, and "file:line: severity: text" messages.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/run_process.hpp"

namespace hayate::test {
namespace {

const std::string kZones = std::string(HAYATE_TEST_ZONES) + "/checkzone/";

ProcessResult checkzone(std::vector<std::string> args) {
  args.insert(args.begin(), HAYATE_CHECKZONE);
  return run_process(args);
}

ProcessResult check(const std::string& file, const std::string& origin = "example.com") {
  return checkzone({"-o", origin, kZones + file});
}

struct BadZone {
  const char* file;
  int line;  // 0: a finding about the whole zone
  const char* message;
};

void PrintTo(const BadZone& zone, std::ostream* out) {
  *out << zone.file;
}

class CheckzoneErrors : public ::testing::TestWithParam<BadZone> {};

TEST_P(CheckzoneErrors, ExitsOneAndNamesFileLineAndReason) {
  const BadZone& bad = GetParam();
  auto result = check(bad.file);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  std::string where = kZones + bad.file + (bad.line ? ":" + std::to_string(bad.line) : "");
  EXPECT_NE(result.err.find(where + ": error: "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(bad.message), std::string::npos) << result.err;
  EXPECT_NE(result.out.find("not loaded due to"), std::string::npos) << result.out;
}

INSTANTIATE_TEST_SUITE_P(
    EveryErrorKind, CheckzoneErrors,
    ::testing::Values(
        BadZone{"missing-soa.zone", 0, "no SOA record at the zone apex"},
        BadZone{"missing-ns.zone", 0, "no NS records at the zone apex"},
        BadZone{"soa-not-at-apex.zone", 4, "www.example.com.: SOA record not at the zone apex"},
        BadZone{"cname-and-other-data.zone", 5, "www.example.com.: CNAME and other data (A)"},
        BadZone{"multiple-cname.zone", 4, "more than one CNAME record"},
        BadZone{"missing-glue.zone", 4,
                "sub.example.com./NS 'ns.sub.example.com.' has no address records (A or AAAA): "
                "missing glue"},
        BadZone{"ns-without-address.zone", 3, "NS 'ns.example.com.' has no address records"},
        BadZone{"cname-as-ns-target.zone", 3, "NS 'ns.example.com.' is a CNAME (illegal)"},
        BadZone{"ds-at-apex.zone", 4, "DS record at the zone apex"},
        BadZone{"syntax-error.zone", 4, "bad rdata for A"}),
    [](const auto& info) {
      std::string name = info.param.file;
      name = name.substr(0, name.find('.'));
      for (char& c : name)
        c = c == '-' ? '_' : c;
      return name;
    });

TEST(Checkzone, GoodZoneExitsZeroWithSerial) {
  auto result = check("good.zone");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_NE(result.out.find("zone example.com.: loaded serial 2024112501"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("OK"), std::string::npos);
}

struct WarnedZone {
  const char* file;
  int line;
  const char* message;
};

void PrintTo(const WarnedZone& zone, std::ostream* out) {
  *out << zone.file;
}

class CheckzoneWarnings : public ::testing::TestWithParam<WarnedZone> {};

TEST_P(CheckzoneWarnings, ExitZeroAndWarn) {
  const WarnedZone& warned = GetParam();
  auto result = check(warned.file);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::string where = kZones + warned.file + ":" + std::to_string(warned.line) + ": warning: ";
  EXPECT_NE(result.err.find(where + warned.message), std::string::npos) << result.err;
}

INSTANTIATE_TEST_SUITE_P(
    EveryWarningKind, CheckzoneWarnings,
    ::testing::Values(
        WarnedZone{"out-of-zone.zone", 4, "ignoring out-of-zone data (www.example.org.)"},
        WarnedZone{"occluded.zone", 5, "www.sub.example.com./TXT: occluded by the delegation"},
        WarnedZone{"ttl-mismatch.zone", 5,
                   "www.example.com.: TTL 600 differs from the TTL of its "
                   "RRset, using 300"},
        WarnedZone{"duplicate.zone", 5, "WWW.example.com.: duplicate record ignored"},
        WarnedZone{"sibling-glue.zone", 4,
                   "a.example.com./NS 'ns.b.example.com.' has no address records (A or AAAA): "
                   "no sibling glue, resolvers must look it up"}),
    [](const auto& info) {
      std::string name = info.param.file;
      name = name.substr(0, name.find('.'));
      for (char& c : name)
        c = c == '-' ? '_' : c;
      return name;
    });

TEST(Checkzone, ErrorsInIncludedFilesNameThatFile) {
  auto result = check("with-include.zone");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("included/hosts.inc:3: error: bad.example.com.: CNAME and other data"),
            std::string::npos)
      << result.err;
}

TEST(Checkzone, QuietPrintsNothing) {
  auto bad = checkzone({"-q", "-o", "example.com", kZones + "missing-soa.zone"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.out + bad.err, "");
  auto good = checkzone({"-q", "-o", "example.com", kZones + "good.zone"});
  EXPECT_EQ(good.exit_code, 0);
  EXPECT_EQ(good.out + good.err, "");
}

TEST(Checkzone, PrintGivesTheZoneInCanonicalOrder) {
  auto result = checkzone({"-p", "-o", "example.com", kZones + "good.zone"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Apex first, then names in RFC 4034 §6.1 order: "*.wild" sorts before "wild"'s other children,
  // and "_sip._udp" before "mail" (underscore 0x5f < 'm').
  auto apex = result.out.find("example.com.\t3600\tIN\tSOA\tns1.example.com. ");
  auto sip = result.out.find("_sip._udp.example.com.\t3600\tIN\tSRV\t10 60 5060 sip.example.com.");
  auto mail = result.out.find("mail.example.com.\t3600\tIN\tA\t192.0.2.25");
  auto wild = result.out.find("*.wild.example.com.\t3600\tIN\tTXT\t\"wildcard\"");
  ASSERT_NE(apex, std::string::npos) << result.out;
  ASSERT_NE(sip, std::string::npos) << result.out;
  ASSERT_NE(mail, std::string::npos) << result.out;
  ASSERT_NE(wild, std::string::npos) << result.out;
  EXPECT_LT(apex, sip);
  EXPECT_LT(sip, mail);
  EXPECT_LT(mail, wild);
  // The summary goes to stderr so stdout is a clean zone file.
  EXPECT_NE(result.err.find("OK"), std::string::npos);
}

TEST(Checkzone, PrintedZoneLoadsAgainToTheSameText) {
  auto first = checkzone({"-p", "-o", "example.com", kZones + "good.zone"});
  ASSERT_EQ(first.exit_code, 0);
  std::string copy = "/tmp/hayate-test-printed.zone";
  {
    FILE* f = std::fopen(copy.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fwrite(first.out.data(), 1, first.out.size(), f);
    std::fclose(f);
  }
  auto second = checkzone({"-p", "-o", "example.com", copy});
  std::remove(copy.c_str());
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, first.out);
}

TEST(Checkzone, JsonListsFindings) {
  auto result = checkzone({"--json", "-o", "example.com", kZones + "cname-and-other-data.zone"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "");
  EXPECT_NE(result.out.find("\"ok\":false"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\"origin\":\"example.com.\""), std::string::npos);
  EXPECT_NE(result.out.find("{\"file\":\"" + kZones +
                            "cname-and-other-data.zone\",\"line\":5,\"severity\":\"error\","
                            "\"message\":\"www.example.com.: CNAME and other data (A)\"}"),
            std::string::npos)
      << result.out;
  auto good = checkzone({"--json", "-o", "example.com", kZones + "good.zone"});
  EXPECT_EQ(good.exit_code, 0);
  EXPECT_NE(good.out.find("\"ok\":true,\"serial\":2024112501"), std::string::npos) << good.out;
}

TEST(Checkzone, OriginDefaultsToTheFileNameWithoutDotZone) {
  std::string path = "/tmp/example.com.zone";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("@ 300 SOA ns.example.net. h 1 2 3 4 5\n@ 300 NS ns.example.net.\n", f);
    std::fclose(f);
  }
  auto result = checkzone({path});
  std::remove(path.c_str());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("zone example.com.: loaded serial 1"), std::string::npos);
}

TEST(Checkzone, UsageErrorsExitTwo) {
  EXPECT_EQ(checkzone({}).exit_code, 2);
  EXPECT_EQ(checkzone({"--no-such-option", "x"}).exit_code, 2);
  EXPECT_EQ(checkzone({"a.zone", "b.zone"}).exit_code, 2);
  auto bad_origin = checkzone({"-o", "a..b", kZones + "good.zone"});
  EXPECT_EQ(bad_origin.exit_code, 2);
  EXPECT_NE(bad_origin.err.find("bad origin"), std::string::npos);
  auto help = checkzone({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: hayate-checkzone"), std::string::npos);
}

TEST(Checkzone, MissingFileIsAnError) {
  auto result = check("does-not-exist.zone");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("does-not-exist.zone"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace hayate::test
