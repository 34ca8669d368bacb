#include "server/resolver/rrset_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "zone/rr_type.hpp"

namespace hayate::server::resolver {
namespace {

using std::chrono::seconds;
using zone::Name;
using zone::Rdata;
using zone::rr_type::A;
using zone::rr_type::NS;

Name name(const std::string& text) {
  return *Name::from_text(text);
}

Rdata address(std::uint8_t last) {
  return {192, 0, 2, last};
}

class RrsetCacheTest : public ::testing::Test {
 protected:
  RrsetCache make(CacheConfig config = {}) { return RrsetCache(config, clock_.function()); }

  ManualClock clock_;
};

TEST_F(RrsetCacheTest, LookupIgnoresCaseAndCountsDown) {
  RrsetCache cache = make();
  ASSERT_TRUE(cache.insert(name("WWW.Example.com."), A, 1, 300, {address(1)}, Trust::kAnswer));
  auto hit = cache.lookup(name("www.example.COM."), A);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->ttl, 300u);
  EXPECT_EQ(hit->rrset->owner.to_text(), "WWW.Example.com.");
  EXPECT_FALSE(hit->stale);
  clock_.advance(seconds(100));
  EXPECT_EQ(cache.lookup(name("www.example.com."), A)->ttl, 200u);
  EXPECT_FALSE(cache.lookup(name("www.example.com."), NS));
  EXPECT_FALSE(cache.lookup(name("www.example.com."), A, 3));  // class CH
}

TEST_F(RrsetCacheTest, NormalLookupsNeverReturnExpiredData) {
  RrsetCache cache = make();
  cache.insert(name("a.example."), A, 1, 60, {address(1)}, Trust::kAnswer);
  clock_.advance(seconds(59));
  EXPECT_TRUE(cache.lookup(name("a.example."), A));
  clock_.advance(seconds(1));
  EXPECT_FALSE(cache.lookup(name("a.example."), A));
}

TEST_F(RrsetCacheTest, TrustRanking) {
  RrsetCache cache = make();
  Name ns = name("ns1.example.");
  ASSERT_TRUE(cache.insert(ns, A, 1, 300, {address(1)}, Trust::kAuthAnswer));
  // Glue must not replace an authoritative answer (RFC 2181 §5.4.1).
  EXPECT_FALSE(cache.insert(ns, A, 1, 300, {address(2)}, Trust::kAdditional));
  EXPECT_EQ(cache.lookup(ns, A)->rrset->rdatas[0], address(1));
  // The same rank refreshes.
  EXPECT_TRUE(cache.insert(ns, A, 1, 300, {address(3)}, Trust::kAuthAnswer));
  EXPECT_EQ(cache.lookup(ns, A)->rrset->rdatas[0], address(3));
  // Once expired, anything replaces it.
  clock_.advance(seconds(300));
  EXPECT_TRUE(cache.insert(ns, A, 1, 300, {address(4)}, Trust::kAdditional));
  EXPECT_EQ(cache.lookup(ns, A)->rrset->trust, Trust::kAdditional);
  // A higher rank replaces a lower one at once.
  EXPECT_TRUE(cache.insert(ns, A, 1, 300, {address(5)}, Trust::kAnswer));
  EXPECT_EQ(cache.lookup(ns, A)->rrset->rdatas[0], address(5));
}

TEST_F(RrsetCacheTest, TrustFromSectionAndAaBit) {
  using zone::Section;
  EXPECT_EQ(trust_for(Section::kAnswer, true), Trust::kAuthAnswer);
  EXPECT_EQ(trust_for(Section::kAnswer, false), Trust::kAnswer);
  EXPECT_EQ(trust_for(Section::kAuthority, true), Trust::kAuthAuthority);
  EXPECT_EQ(trust_for(Section::kAuthority, false), Trust::kAuthority);
  EXPECT_EQ(trust_for(Section::kAdditional, true), Trust::kAdditional);
  EXPECT_LT(Trust::kAdditional, Trust::kAuthority);
  EXPECT_LT(Trust::kAuthority, Trust::kAnswer);
  EXPECT_LT(Trust::kAnswer, Trust::kAuthAuthority);
  EXPECT_LT(Trust::kAuthAuthority, Trust::kAuthAnswer);
}

TEST_F(RrsetCacheTest, TtlClamps) {
  CacheConfig config;
  config.min_ttl = 60;
  config.max_ttl = 3600;
  RrsetCache cache = make(config);
  cache.insert(name("short.example."), A, 1, 5, {address(1)}, Trust::kAnswer);
  cache.insert(name("long.example."), A, 1, 604800, {address(1)}, Trust::kAnswer);
  EXPECT_EQ(cache.lookup(name("short.example."), A)->ttl, 60u);
  EXPECT_EQ(cache.lookup(name("long.example."), A)->rrset->original_ttl, 3600u);
}

TEST_F(RrsetCacheTest, ZeroTtlIsNotCached) {
  RrsetCache cache = make();
  EXPECT_FALSE(cache.insert(name("zero.example."), A, 1, 0, {address(1)}, Trust::kAnswer));
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(RrsetCacheTest, StaleLookupsAfterExpiryUntilStaleMaxAge) {
  CacheConfig config;
  config.stale_max_age = 600;
  RrsetCache cache = make(config);
  cache.insert(name("s.example."), A, 1, 60, {address(1)}, Trust::kAnswer);
  auto fresh = cache.lookup_stale(name("s.example."), A);
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(fresh->stale);
  EXPECT_EQ(fresh->ttl, 60u);
  clock_.advance(seconds(61));
  EXPECT_FALSE(cache.lookup(name("s.example."), A));
  auto stale = cache.lookup_stale(name("s.example."), A);
  ASSERT_TRUE(stale);
  EXPECT_TRUE(stale->stale);
  EXPECT_EQ(stale->ttl, kStaleAnswerTtl);  // RFC 8767 §4
  clock_.advance(seconds(600));
  EXPECT_FALSE(cache.lookup_stale(name("s.example."), A));
  EXPECT_EQ(cache.size(), 0u);  // dropped when met
}

TEST_F(RrsetCacheTest, NoStaleDataWhenStaleMaxAgeIsZero) {
  CacheConfig config;
  config.stale_max_age = 0;
  RrsetCache cache = make(config);
  cache.insert(name("s.example."), A, 1, 60, {address(1)}, Trust::kAnswer);
  clock_.advance(seconds(60));
  EXPECT_FALSE(cache.lookup_stale(name("s.example."), A));
}

TEST_F(RrsetCacheTest, PrefetchSignalForPopularEntriesInTheirLastTenth) {
  CacheConfig config;
  config.prefetch_min_hits = 3;
  RrsetCache cache = make(config);
  Name hot = name("hot.example.");
  Name cold = name("cold.example.");
  cache.insert(hot, A, 1, 100, {address(1)}, Trust::kAnswer);
  cache.insert(cold, A, 1, 100, {address(1)}, Trust::kAnswer);
  for (int i = 0; i < 3; ++i)
    EXPECT_FALSE(cache.lookup(hot, A)->prefetch) << "too early";
  clock_.advance(seconds(89));
  EXPECT_FALSE(cache.lookup(hot, A)->prefetch) << "11 s of 100 left";
  clock_.advance(seconds(1));
  EXPECT_TRUE(cache.lookup(hot, A)->prefetch);
  EXPECT_FALSE(cache.lookup(hot, A)->prefetch) << "reported once";
  EXPECT_FALSE(cache.lookup(cold, A)->prefetch) << "one hit is not popular";
  // A refreshed entry can be reported again.
  cache.insert(hot, A, 1, 100, {address(2)}, Trust::kAnswer);
  for (int i = 0; i < 3; ++i)
    cache.lookup(hot, A);
  clock_.advance(seconds(95));
  EXPECT_TRUE(cache.lookup(hot, A)->prefetch);
}

TEST_F(RrsetCacheTest, FlushRemovesTheNameAndEverythingBelowIt) {
  RrsetCache cache = make();
  for (const char* owner : {"example.com.", "www.example.com.", "a.b.example.com.", "example.net.",
                            "notexample.com.", "com."}) {
    cache.insert(name(owner), A, 1, 300, {address(1)}, Trust::kAnswer);
  }
  cache.insert(name("example.com."), NS, 1, 300, {Rdata{0}}, Trust::kAnswer);
  EXPECT_EQ(cache.flush(name("Example.COM.")), 4u);
  EXPECT_FALSE(cache.lookup(name("www.example.com."), A));
  EXPECT_FALSE(cache.lookup(name("example.com."), NS));
  EXPECT_TRUE(cache.lookup(name("example.net."), A));
  EXPECT_TRUE(cache.lookup(name("notexample.com."), A));
  EXPECT_TRUE(cache.lookup(name("com."), A));
  cache.flush_all();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

// One shard, so that LRU order is global and the test can predict which entry goes.
TEST_F(RrsetCacheTest, ByteLimitEvictsLeastRecentlyUsedFirst) {
  CacheConfig probe_config;
  RrsetCache probe = make(probe_config);
  probe.insert(name("a.example."), A, 1, 300, {address(1)}, Trust::kAnswer);
  std::size_t one = probe.bytes();  // every test name has the same length
  ASSERT_GT(one, 0u);

  CacheConfig config;
  config.shards = 1;
  config.max_bytes = 3 * one + one / 2;
  RrsetCache cache = make(config);
  cache.insert(name("a.example."), A, 1, 300, {address(1)}, Trust::kAnswer);
  cache.insert(name("b.example."), A, 1, 300, {address(2)}, Trust::kAnswer);
  cache.insert(name("c.example."), A, 1, 300, {address(3)}, Trust::kAnswer);
  EXPECT_EQ(cache.bytes(), 3 * one);
  ASSERT_TRUE(cache.lookup(name("a.example."), A));  // a becomes the most recently used
  cache.insert(name("d.example."), A, 1, 300, {address(4)}, Trust::kAnswer);
  EXPECT_FALSE(cache.lookup(name("b.example."), A)) << "b was the least recently used";
  EXPECT_TRUE(cache.lookup(name("a.example."), A));
  EXPECT_TRUE(cache.lookup(name("c.example."), A));
  EXPECT_TRUE(cache.lookup(name("d.example."), A));
  EXPECT_LE(cache.bytes(), config.max_bytes);
  // An RRset larger than the whole cache is refused rather than emptying it.
  std::vector<Rdata> big(200, Rdata(100, 0));
  EXPECT_FALSE(cache.insert(name("big.example."), zone::rr_type::TXT, 1, 300, big, Trust::kAnswer));
  EXPECT_EQ(cache.size(), 3u);
}

TEST_F(RrsetCacheTest, BytesGrowWithRdata) {
  RrsetCache cache = make();
  cache.insert(name("a.example."), A, 1, 300, {address(1)}, Trust::kAnswer);
  std::size_t small = cache.bytes();
  cache.insert(name("a.example."), A, 1, 300, {address(1), address(2), address(3)}, Trust::kAnswer);
  EXPECT_GT(cache.bytes(), small);
  EXPECT_EQ(cache.size(), 1u);
}

TEST_F(RrsetCacheTest, DumpInPresentationFormat) {
  RrsetCache cache = make();
  cache.insert(name("www.example."), A, 1, 300, {address(1), address(2)}, Trust::kAuthAnswer);
  clock_.advance(seconds(100));
  std::string text;
  cache.dump([&](const CachedRRset& rrset, std::uint32_t ttl, bool stale) {
    EXPECT_FALSE(stale);
    text += rrset_to_text(rrset, ttl);
  });
  EXPECT_EQ(text,
            "www.example.\t200\tIN\tA\t192.0.2.1\n"
            "www.example.\t200\tIN\tA\t192.0.2.2\n");
}

TEST_F(RrsetCacheTest, InsertFromAResponseRRset) {
  RrsetCache cache = make();
  zone::ResponseRRset rrset{name("r.example."), A, 1, 42, {address(9)}};
  EXPECT_TRUE(cache.insert(rrset, trust_for(zone::Section::kAnswer, true)));
  EXPECT_EQ(cache.lookup(name("r.example."), A)->ttl, 42u);
}

// Several threads insert, look up, flush and let time pass on one small cache; run under ASan.
TEST_F(RrsetCacheTest, ConcurrentLookupsAndInserts) {
  CacheConfig config;
  config.max_bytes = 64 * 1024;  // small enough that eviction runs all the time
  RrsetCache cache = make(config);
  std::atomic<int> hits{0};
  auto worker = [&](int id) {
    for (int i = 0; i < 3000; ++i) {
      Name owner = name("n" + std::to_string((i * 7 + id) % 500) + ".example.");
      if (i % 3 == 0) {
        cache.insert(owner, A, 1, 1 + i % 50, {address(static_cast<std::uint8_t>(id))},
                     static_cast<Trust>(i % 5));
      } else if (auto hit = cache.lookup(owner, A)) {
        hits += hit->rrset->rdatas.size() == 1 ? 1 : 0;
      } else {
        cache.lookup_stale(owner, A);
      }
      if (i % 500 == 0) clock_.advance(seconds(1));
      if (id == 0 && i % 1000 == 999) cache.flush(name("n1.example."));
    }
  };
  std::vector<std::thread> threads;
  for (int id = 0; id < 4; ++id)
    threads.emplace_back(worker, id);
  for (auto& t : threads)
    t.join();
  EXPECT_GT(hits.load(), 0);
  EXPECT_LE(cache.bytes(), config.max_bytes);
  std::size_t dumped = 0;
  cache.dump([&](const CachedRRset&, std::uint32_t, bool) { ++dumped; });
  EXPECT_LE(dumped, cache.size());
}

}  // namespace
}  // namespace hayate::server::resolver
