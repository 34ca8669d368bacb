#include "server/resolver/negative_cache.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "zone/message.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server::resolver {
namespace {

using std::chrono::seconds;
using zone::Name;
using zone::Rdata;
using zone::rr_type::A;
using zone::rr_type::AAAA;
using zone::rr_type::MX;

Name name(const std::string& text) {
  return *Name::from_text(text);
}

// SOA rdata "ns.example. host.example. 1 7200 900 1209600 <minimum>", uncompressed.
Rdata soa_rdata(std::uint32_t minimum) {
  Rdata out;
  for (const char* n : {"ns.example.", "host.example."}) {
    Name parsed = name(n);
    out.insert(out.end(), parsed.wire().begin(), parsed.wire().end());
  }
  for (std::uint32_t field : {1u, 7200u, 900u, 1209600u, minimum}) {
    std::uint8_t octets[4];
    zone::store_u32(octets, field);
    out.insert(out.end(), octets, octets + 4);
  }
  return out;
}

NegativeAnswer nxdomain(const std::string& owner, std::uint32_t soa_ttl = 3600,
                        std::uint32_t minimum = 300) {
  return NegativeAnswer{NegativeKind::kNxDomain, name(owner), 0, 1, name("example."), soa_ttl,
                        soa_rdata(minimum)};
}

NegativeAnswer nodata(const std::string& owner, std::uint16_t type, std::uint32_t soa_ttl = 3600,
                      std::uint32_t minimum = 300) {
  return NegativeAnswer{NegativeKind::kNoData, name(owner), type, 1, name("example."), soa_ttl,
                        soa_rdata(minimum)};
}

class NegativeCacheTest : public ::testing::Test {
 protected:
  NegativeCache make(CacheConfig config = {}) { return NegativeCache(config, clock_.function()); }

  ManualClock clock_;
};

TEST(NegativeTtl, SmallerOfSoaTtlAndMinimum) {
  EXPECT_EQ(negative_ttl(3600, soa_rdata(300)), 300u);  // RFC 2308 §5
  EXPECT_EQ(negative_ttl(60, soa_rdata(300)), 60u);
  EXPECT_FALSE(negative_ttl(60, Rdata{0, 0, 1, 2}));  // too short
  Rdata long_soa = soa_rdata(300);
  long_soa.push_back(0);
  EXPECT_FALSE(negative_ttl(60, long_soa));
  EXPECT_FALSE(negative_ttl(60, Rdata{}));
}

TEST_F(NegativeCacheTest, NxdomainCoversEveryType) {
  NegativeCache cache = make();
  ASSERT_TRUE(cache.insert(nxdomain("gone.example.")));
  for (std::uint16_t type : {A, AAAA, MX}) {
    auto hit = cache.lookup(name("GONE.example."), type);
    ASSERT_TRUE(hit) << type;
    EXPECT_EQ(hit->entry->answer.kind, NegativeKind::kNxDomain);
    EXPECT_EQ(hit->ttl, 300u);
    EXPECT_EQ(hit->entry->answer.soa_owner, name("example."));
  }
}

TEST_F(NegativeCacheTest, NxdomainCutCoversNamesBelowButNotAboveOrBeside) {
  NegativeCache cache = make();
  cache.insert(nxdomain("gone.example."));
  auto below = cache.lookup(name("a.b.gone.example."), A);  // RFC 8020 §2
  ASSERT_TRUE(below);
  EXPECT_EQ(below->entry->answer.name, name("gone.example."));
  EXPECT_FALSE(cache.lookup(name("example."), A));
  EXPECT_FALSE(cache.lookup(name("other.example."), A));
  EXPECT_FALSE(cache.lookup(name("notgone.example."), A));
}

TEST_F(NegativeCacheTest, NodataIsPerType) {
  NegativeCache cache = make();
  ASSERT_TRUE(cache.insert(nodata("www.example.", AAAA)));
  auto hit = cache.lookup(name("www.example."), AAAA);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->entry->answer.kind, NegativeKind::kNoData);
  EXPECT_FALSE(cache.lookup(name("www.example."), A));
  EXPECT_FALSE(cache.lookup(name("sub.www.example."), AAAA)) << "NODATA is no cut";
}

TEST_F(NegativeCacheTest, TtlRuleCapAndCountdown) {
  CacheConfig config;
  config.max_negative_ttl = 900;
  NegativeCache cache = make(config);
  cache.insert(nxdomain("a.example.", 86400, 86400));
  cache.insert(nxdomain("b.example.", 120, 86400));
  EXPECT_EQ(cache.lookup(name("a.example."), A)->ttl, 900u);
  EXPECT_EQ(cache.lookup(name("b.example."), A)->ttl, 120u);
  clock_.advance(seconds(100));
  EXPECT_EQ(cache.lookup(name("b.example."), A)->ttl, 20u);  // also the SOA's TTL to send
  clock_.advance(seconds(20));
  EXPECT_FALSE(cache.lookup(name("b.example."), A));
}

TEST_F(NegativeCacheTest, RefusesWhatCannotBeCached) {
  NegativeCache cache = make();
  EXPECT_FALSE(cache.insert(nxdomain(".")));                      // would deny every name
  EXPECT_FALSE(cache.insert(nxdomain("zero.example.", 0, 300)));  // TTL 0
  NegativeAnswer bad = nxdomain("bad.example.");
  bad.soa_rdata.resize(10);
  EXPECT_FALSE(cache.insert(bad));
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(NegativeCacheTest, StaleNegativeAnswers) {
  NegativeCache cache = make();
  cache.insert(nxdomain("gone.example.", 60, 60));
  clock_.advance(seconds(61));
  EXPECT_FALSE(cache.lookup(name("x.gone.example."), A));
  auto stale = cache.lookup_stale(name("x.gone.example."), A);
  ASSERT_TRUE(stale);
  EXPECT_TRUE(stale->stale);
  EXPECT_EQ(stale->ttl, kStaleAnswerTtl);
}

TEST_F(NegativeCacheTest, NewerAnswerReplacesOlder) {
  NegativeCache cache = make();
  cache.insert(nodata("www.example.", AAAA, 3600, 300));
  cache.insert(nodata("www.example.", AAAA, 3600, 30));
  EXPECT_EQ(cache.lookup(name("www.example."), AAAA)->ttl, 30u);
  EXPECT_EQ(cache.size(), 1u);
}

TEST_F(NegativeCacheTest, FlushSubtreeAndDump) {
  NegativeCache cache = make();
  cache.insert(nxdomain("gone.example."));
  cache.insert(nodata("www.example.", AAAA));
  cache.insert(nxdomain("gone.example.net."));
  EXPECT_EQ(cache.flush(name("gone.example.")), 1u);
  EXPECT_FALSE(cache.lookup(name("gone.example."), A));
  std::vector<std::string> lines;
  cache.dump([&](const CachedNegative& entry, std::uint32_t ttl, bool) {
    lines.push_back(negative_to_text(entry, ttl));
  });
  ASSERT_EQ(lines.size(), 2u);
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines[0].rfind("; NODATA www.example. AAAA 300\nexample.\t300\tIN\tSOA\t", 0), 0u)
      << lines[0];
  EXPECT_EQ(lines[1].rfind("; NXDOMAIN gone.example.net. 300\n", 0), 0u) << lines[1];
  cache.flush_all();
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(NegativeCacheTest, ConcurrentLookupsAndInserts) {
  NegativeCache cache = make();
  auto worker = [&](int id) {
    for (int i = 0; i < 2000; ++i) {
      std::string owner = "n" + std::to_string((i + id) % 200) + ".example.";
      if (i % 4 == 0) {
        cache.insert(i % 8 == 0 ? nxdomain(owner) : nodata(owner, A));
      } else {
        cache.lookup(name("x." + owner), A);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int id = 0; id < 4; ++id)
    threads.emplace_back(worker, id);
  for (auto& t : threads)
    t.join();
  EXPECT_GT(cache.size(), 0u);
}

}  // namespace
}  // namespace hayate::server::resolver
