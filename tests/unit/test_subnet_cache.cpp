// The ECS-tailored answer cache (RFC 7871 §7.3): stored per subnet cut to the scope, found by
// longest-prefix match, never given to another subnet, capped per question.
#include "server/resolver/subnet_cache.hpp"

#include <gtest/gtest.h>

#include <string>

#include "iterator_test_util.hpp"
#include "server/resolver/ecs_policy.hpp"

namespace hayate::server::resolver {
namespace {

using namespace testing;  // NOLINT: the record builders
using namespace std::chrono_literals;
using zone::ClientSubnet;

ClientSubnet subnet(const std::string& address, std::uint8_t prefix) {
  return truncate_subnet(subnet_of_address(boost::asio::ip::make_address(address)).value(), prefix);
}

std::vector<zone::ResponseRRset> answer(const std::string& ip, std::uint32_t ttl = 300) {
  Rr rr = a("www.geo.example.", ip, ttl);
  return {zone::ResponseRRset{name(rr.owner), rr.type, 1, rr.ttl, {rr.rdata}}};
}

std::string address_of(const std::optional<TailoredHit>& hit) {
  if (!hit || hit->answer.empty()) return "miss";
  const zone::Rdata& r = hit->answer[0].rdatas[0];
  return std::to_string(r[0]) + "." + std::to_string(r[1]) + "." + std::to_string(r[2]) + "." +
         std::to_string(r[3]);
}

class SubnetCacheTest : public ::testing::Test {
 protected:
  std::optional<TailoredHit> find(const std::string& client, std::uint8_t source = 24,
                                  bool* known = nullptr) {
    return cache.lookup(name("www.geo.example."), rr_type::A, 1, subnet(client, source), known);
  }
  bool store(const std::string& sent, std::uint8_t source, std::uint8_t scope,
             const std::string& ip, std::uint32_t ttl = 300) {
    return cache.insert(name("www.geo.example."), rr_type::A, 1, subnet(sent, source), scope,
                        answer(ip, ttl));
  }

  ManualClock clock;
  CacheConfig config;
  SubnetCache cache{config, 3, clock.function()};
};

TEST_F(SubnetCacheTest, ASlash24AnswerIsNotServedToAnotherSlash24) {
  ASSERT_TRUE(store("198.51.100.0", 24, 24, "192.0.2.1"));
  EXPECT_EQ(address_of(find("198.51.100.0")), "192.0.2.1");
  bool known = false;
  EXPECT_EQ(address_of(find("198.51.101.0", 24, &known)), "miss");
  EXPECT_TRUE(known) << "the name is tailored: a miss, not 'untailored'";
  EXPECT_EQ(address_of(find("198.51.0.0", 16)), "miss") << "a /16 client is not inside a /24";
  EXPECT_EQ(find("198.51.100.0")->scope, 24);
}

TEST_F(SubnetCacheTest, StoredAtMinOfScopeAndSourceAndFoundByLongestPrefix) {
  ASSERT_TRUE(store("198.51.100.0", 24, 16, "192.0.2.16"));  // valid for 198.51.0.0/16
  EXPECT_EQ(address_of(find("198.51.7.0")), "192.0.2.16");
  ASSERT_TRUE(store("198.51.7.0", 24, 24, "192.0.2.24"));
  EXPECT_EQ(address_of(find("198.51.7.0")), "192.0.2.24") << "the /24 is longer than the /16";
  EXPECT_EQ(address_of(find("198.51.8.0")), "192.0.2.16");
  EXPECT_EQ(find("198.51.8.0")->scope, 16);
}

TEST_F(SubnetCacheTest, ScopeZeroIsNotStoredHere) {
  EXPECT_FALSE(store("198.51.100.0", 24, 0, "192.0.2.1"));
  bool known = true;
  EXPECT_EQ(address_of(find("198.51.100.0", 24, &known)), "miss");
  EXPECT_FALSE(known);
}

TEST_F(SubnetCacheTest, CapPerNameEvictsTheOldestSubnet) {
  for (int i = 1; i <= 4; ++i) {
    clock.advance(1s);
    ASSERT_TRUE(
        store("198.51." + std::to_string(i) + ".0", 24, 24, "192.0.2." + std::to_string(i)));
  }
  EXPECT_EQ(address_of(find("198.51.1.0")), "miss") << "the oldest of four, cap 3";
  for (int i = 2; i <= 4; ++i)
    EXPECT_EQ(address_of(find("198.51." + std::to_string(i) + ".0")),
              "192.0.2." + std::to_string(i));
  EXPECT_EQ(cache.size(), 3u);
}

TEST_F(SubnetCacheTest, TtlCountsDownAndEntriesExpire) {
  ASSERT_TRUE(store("198.51.100.0", 24, 24, "192.0.2.1", 60));
  clock.advance(20s);
  EXPECT_EQ(find("198.51.100.0")->answer[0].ttl, 40u);
  clock.advance(41s);
  EXPECT_EQ(address_of(find("198.51.100.0")), "miss");
}

TEST_F(SubnetCacheTest, SameSubnetIsReplacedAndFlushDropsIt) {
  ASSERT_TRUE(store("198.51.100.0", 24, 24, "192.0.2.1"));
  ASSERT_TRUE(store("198.51.100.0", 24, 24, "192.0.2.2"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(address_of(find("198.51.100.0")), "192.0.2.2");
  std::vector<std::string> dumped;
  cache.dump([&](const TailoredSet& set, const TailoredAnswer& e, std::uint32_t) {
    dumped.push_back(set.qname.to_text() + " " + subnet_to_text(e.subnet));
  });
  EXPECT_EQ(dumped, (std::vector<std::string>{"www.geo.example. 198.51.100.0/24"}));
  EXPECT_EQ(cache.flush(name("geo.example.")), 1u);
  EXPECT_EQ(address_of(find("198.51.100.0")), "miss");
}

TEST_F(SubnetCacheTest, Ipv6AndIpv4DoNotMix) {
  ASSERT_TRUE(cache.insert(name("www.geo.example."), rr_type::A, 1, subnet("2001:db8::", 56), 48,
                           answer("192.0.2.6")));
  EXPECT_EQ(address_of(find("198.51.100.0")), "miss");
  auto hit = cache.lookup(name("www.geo.example."), rr_type::A, 1, subnet("2001:db8:0:ff::", 56));
  EXPECT_EQ(address_of(hit), "192.0.2.6");
  EXPECT_EQ(hit->scope, 48);
}

}  // namespace
}  // namespace hayate::server::resolver
