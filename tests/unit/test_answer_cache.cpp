// The per-worker cache of rendered answers (server/answer_cache): hits only for the same key in
// every field, CLOCK eviction at capacity, replacement in place, clear and capacity changes, and
// a model check against a plain map under a long random workload (index deletion is the subtle
// part of open addressing).
#include "server/answer_cache.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace hayate::server {
namespace {

// A lowercased wire name "nameN.test." kept alive by the caller.
std::vector<std::uint8_t> wire(int n) {
  const std::string label = "name" + std::to_string(n);
  const std::string text = static_cast<char>(label.size()) + label + "\x04test";
  std::vector<std::uint8_t> out(text.begin(), text.end());
  out.push_back(0);
  return out;
}

AnswerKey key_for(const std::vector<std::uint8_t>& name, std::uint16_t qtype = 1) {
  return AnswerKey{name, qtype, 1, 0, 0};
}

std::vector<std::uint8_t> response(int n, std::size_t size = 40) {
  std::vector<std::uint8_t> out(size);
  for (std::size_t i = 0; i < size; ++i)
    out[i] = static_cast<std::uint8_t>(n + i);
  return out;
}

std::vector<std::uint8_t> bytes(std::span<const std::uint8_t> s) {
  return {s.begin(), s.end()};
}

TEST(AnswerCache, MissThenHitWithTheStoredBytes) {
  AnswerCache cache(8);
  auto name = wire(1);
  EXPECT_TRUE(cache.find(key_for(name)).empty());
  cache.insert(key_for(name), response(1));
  EXPECT_EQ(bytes(cache.find(key_for(name))), response(1));
  EXPECT_EQ(cache.size(), 1u);
}

// Resolver answers carry their aging and TTL offsets; replacing one with a zone answer drops them.
TEST(AnswerCache, AgedAnswersKeepTheirAgingAndTtlOffsets) {
  AnswerCache cache(8);
  auto name = wire(1);
  const AnswerAging aging{100, 160, 3, 0};
  const std::vector<std::uint16_t> offsets = {20, 36};
  cache.insert(key_for(name), response(1), &aging, offsets);
  CachedAnswer hit = cache.lookup(key_for(name));
  EXPECT_EQ(bytes(hit.response), response(1));
  ASSERT_NE(hit.aging, nullptr);
  EXPECT_EQ(hit.aging->stored_at, 100u);
  EXPECT_EQ(hit.aging->expires_at, 160u);
  EXPECT_EQ(hit.aging->generation, 3u);
  EXPECT_EQ(std::vector<std::uint16_t>(hit.ttl_offsets.begin(), hit.ttl_offsets.end()), offsets);
  hit.aging->uses = 5;
  EXPECT_EQ(cache.lookup(key_for(name)).aging->uses, 5u) << "the count is the entry's own";

  cache.insert(key_for(name), response(2));
  hit = cache.lookup(key_for(name));
  EXPECT_EQ(bytes(hit.response), response(2));
  EXPECT_EQ(hit.aging, nullptr);
  EXPECT_TRUE(hit.ttl_offsets.empty());
}

TEST(AnswerCache, EveryKeyFieldSeparatesAnswers) {
  AnswerCache cache(64);
  auto name = wire(1);
  const AnswerKey base{name, 1, 1, 0, 0, 0};
  std::vector<AnswerKey> variants(6, base);
  variants[1].qtype = 28;
  variants[2].qclass = 3;
  variants[3].shape = AnswerKey::kEdns;
  variants[4].policy = 1;
  variants[5].view = 2;
  for (std::size_t i = 0; i < variants.size(); ++i)
    cache.insert(variants[i], response(static_cast<int>(i)));
  for (std::size_t i = 0; i < variants.size(); ++i)
    EXPECT_EQ(bytes(cache.find(variants[i])), response(static_cast<int>(i))) << i;
  auto other = wire(2);
  EXPECT_TRUE(cache.find(key_for(other)).empty());
}

TEST(AnswerCache, InsertingAgainReplacesTheAnswer) {
  AnswerCache cache(4);
  auto name = wire(1);
  cache.insert(key_for(name), response(1, 30));
  cache.insert(key_for(name), response(2, 300));  // larger: a new allocation
  EXPECT_EQ(bytes(cache.find(key_for(name))), response(2, 300));
  cache.insert(key_for(name), response(3, 20));  // smaller: in place
  EXPECT_EQ(bytes(cache.find(key_for(name))), response(3, 20));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(AnswerCache, AtCapacityAnAnswerNotUsedSinceGoesFirst) {
  AnswerCache cache(2);
  auto a = wire(1), b = wire(2), c = wire(3);
  cache.insert(key_for(a), response(1));
  cache.insert(key_for(b), response(2));
  EXPECT_FALSE(cache.find(key_for(a)).empty());  // a used again: b is the one to go
  cache.insert(key_for(c), response(3));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.find(key_for(a)).empty());
  EXPECT_TRUE(cache.find(key_for(b)).empty());
  EXPECT_EQ(bytes(cache.find(key_for(c))), response(3));
}

TEST(AnswerCache, WithoutUseTheOldestGoesFirst) {
  AnswerCache cache(2);
  auto a = wire(1), b = wire(2), c = wire(3);
  cache.insert(key_for(a), response(1));
  cache.insert(key_for(b), response(2));
  cache.insert(key_for(c), response(3));
  EXPECT_TRUE(cache.find(key_for(a)).empty());
  EXPECT_FALSE(cache.find(key_for(b)).empty());
  EXPECT_FALSE(cache.find(key_for(c)).empty());
}

TEST(AnswerCache, ZeroCapacityStoresNothing) {
  AnswerCache cache(0);
  auto name = wire(1);
  cache.insert(key_for(name), response(1));
  EXPECT_TRUE(cache.find(key_for(name)).empty());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(AnswerCache, ClearAndShrinkingDropAnswers) {
  AnswerCache cache(16);
  std::vector<std::vector<std::uint8_t>> names;
  for (int i = 0; i < 10; ++i)
    names.push_back(wire(i));
  for (int i = 0; i < 10; ++i)
    cache.insert(key_for(names[i]), response(i));
  cache.set_capacity(32);  // growing keeps them
  EXPECT_EQ(cache.size(), 10u);
  EXPECT_FALSE(cache.find(key_for(names[3])).empty());
  cache.set_capacity(4);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(cache.find(key_for(names[3])).empty());
  for (int i = 0; i < 10; ++i)
    cache.insert(key_for(names[i]), response(i));
  EXPECT_EQ(cache.size(), 4u);  // the new capacity holds
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  for (int i = 0; i < 10; ++i)
    EXPECT_TRUE(cache.find(key_for(names[i])).empty());
}

// Whatever the cache holds must be exactly what was last inserted for that key, it never holds
// more than its capacity, and it keeps everything while below capacity.
// A prefetch is only a memory hint: found and missing answers stay as they were.
TEST(AnswerCache, PrefetchChangesNothing) {
  AnswerCache cache(8);
  auto name = wire(1);
  auto absent = wire(2);
  cache.insert(key_for(name), response(1));
  cache.prefetch(name, 1);
  cache.prefetch(absent, 28);
  cache.prefetch({}, 0);
  EXPECT_EQ(bytes(cache.find(key_for(name))), response(1));
  EXPECT_TRUE(cache.find(key_for(absent)).empty());
  EXPECT_EQ(cache.size(), 1u);
}

// Four keys per name (the EDNS shapes) share a home slot, since the index is placed by the
// question alone (for prefetch): clusters that deletion must shift correctly.
TEST(AnswerCache, AgreesWithAMapUnderRandomUse) {
  constexpr std::size_t kCapacity = 300;
  AnswerCache cache(kCapacity);
  std::map<int, int> last;  // key number → response number last inserted
  std::vector<std::vector<std::uint8_t>> names;
  for (int i = 0; i < 250; ++i)
    names.push_back(wire(i));
  const auto key_for = [&](int k) {
    return AnswerKey{names[static_cast<std::size_t>(k / 4)], 1, 1, static_cast<std::uint8_t>(k % 4),
                     0};
  };
  std::mt19937 rng(8);
  for (int step = 0; step < 50000; ++step) {
    const int k = static_cast<int>(rng() % (step < 5000 ? 250 : 1000));
    if (rng() % 3 == 0) {
      cache.insert(key_for(k), response(step, 12 + step % 200));
      last[k] = step;
    } else {
      auto found = cache.find(key_for(k));
      if (!found.empty()) {
        ASSERT_TRUE(last.count(k)) << k;
        ASSERT_EQ(bytes(found), response(last[k], 12 + last[k] % 200)) << k;
      } else if (step < 5000) {
        ASSERT_FALSE(last.count(k)) << "lost below capacity: " << k;
      }
    }
    ASSERT_LE(cache.size(), kCapacity);
  }
  EXPECT_EQ(cache.size(), kCapacity);
}

}  // namespace
}  // namespace hayate::server
