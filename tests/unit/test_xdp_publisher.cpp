// The hot-answer publisher against a fake map: which questions get in, what their entries hold,
// when they expire, and that a reload or a flush takes them out.
#include "server/xdp_publisher.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "bpf/answer_encoding.hpp"

namespace hayate::server {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::uint64_t kSecond = 1'000'000'000;

class FakeMap final : public HotAnswerMap {
 public:
  explicit FakeMap(std::uint32_t capacity) : capacity_(capacity) {}
  bool put(const hayate_xdp_key& key, const hayate_xdp_answer& value) override {
    stored[question_of(key, value)] = value;
    ++writes;
    return true;
  }
  void erase(const hayate_xdp_key& key) override {
    for (auto it = stored.begin(); it != stored.end(); ++it) {
      if (same(key_of(it->first), key)) {
        stored.erase(it);
        return;
      }
    }
  }
  std::vector<std::pair<hayate_xdp_key, std::string>> entries() const override {
    std::vector<std::pair<hayate_xdp_key, std::string>> out;
    for (const auto& [q, v] : stored)
      out.emplace_back(key_of(q), q);
    return out;
  }
  std::uint64_t hits(std::uint32_t slot) const override {
    auto it = slot_hits.find(slot);
    return it == slot_hits.end() ? 0 : it->second;
  }
  std::uint32_t capacity() const override { return capacity_; }

  static hayate_xdp_key key_of(const std::string& question) {
    AnswerKey k;
    decode_question(question, k);
    return bpf::make_key(k.qname_lower, k.qtype, k.qclass, k.shape);
  }
  static bool same(const hayate_xdp_key& a, const hayate_xdp_key& b) {
    return std::memcmp(&a, &b, sizeof(a)) == 0;
  }

  std::map<std::string, hayate_xdp_answer> stored;
  std::map<std::uint32_t, std::uint64_t> slot_hits;
  std::size_t writes = 0;

 private:
  std::uint32_t capacity_;
};

Bytes wire(const std::string& dotted) {
  auto name = zone::Name::from_text(dotted);
  return Bytes(name->wire().begin(), name->wire().end());
}

std::string question(const std::string& name, std::uint16_t qtype, std::uint8_t shape = 0) {
  Bytes w = wire(name);
  return encode_question(AnswerKey{w, qtype, 1, shape});
}

// A zone directory of its own, so that a test can change a zone and reload it.
class XdpPublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("hayate-publisher-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir);
    write_zone("192.0.2.80");
    state = load();
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  void write_zone(const std::string& www) {
    std::ofstream(dir / "example.test.zone") << "$ORIGIN example.test.\n$TTL 3600\n"
                                             << "@ SOA ns hostmaster 1 7200 900 1209600 300\n"
                                             << "@ NS ns\nns A 192.0.2.1\n"
                                             << "www A " << www << "\n"
                                             << "short 5 A 192.0.2.5\n"
                                             << "zero 0 A 192.0.2.0\n"
                                             << "old DNAME example.org.\n";
  }
  std::shared_ptr<const ServingState> load() {
    std::vector<ZoneSource> sources = {
        {*zone::Name::from_text("example.test."), (dir / "example.test.zone").string(), Acl()}};
    return build_serving_state(sources, AnswerPolicy{}, nullptr);
  }
  HotQuestions::Counts counts(std::initializer_list<std::pair<std::string, std::uint64_t>> list) {
    HotQuestions::Counts c;
    for (const auto& [q, n] : list)
      c.emplace(q, n);
    return c;
  }
  // The answer's A record address (last four octets of the body, without EDNS).
  std::string address_in(const std::string& q) {
    const hayate_xdp_answer& a = map.stored.at(q);
    const std::uint8_t* p = a.body + a.body_len - 4;
    return std::to_string(p[0]) + "." + std::to_string(p[1]) + "." + std::to_string(p[2]) + "." +
           std::to_string(p[3]);
  }

  std::filesystem::path dir;
  std::shared_ptr<const ServingState> state;
  FakeMap map{8};
};

TEST_F(XdpPublisherTest, PublishesTheHottestQuestionsUpToTheLimit) {
  XdpPublisher publisher(map, PublisherSettings{.hot_answers = 2}, state);
  const std::string www = question("www.example.test.", 1);
  const std::string ns = question("ns.example.test.", 1);
  const std::string soa = question("example.test.", 6);
  const std::string cold = question("example.test.", 2);
  auto report = publisher.publish({counts({{www, 50}, {soa, 10}}), counts({{ns, 20}, {cold, 1}})},
                                  100 * kSecond);
  EXPECT_EQ(report.published, 2u);
  EXPECT_EQ(report.written, 2u);
  EXPECT_TRUE(map.stored.contains(www));
  EXPECT_TRUE(map.stored.contains(ns));
  EXPECT_FALSE(map.stored.contains(soa));
  EXPECT_EQ(address_in(www), "192.0.2.80");
  const hayate_xdp_answer& a = map.stored.at(www);
  EXPECT_EQ(a.flags, 0x8400);  // QR AA, NOERROR; RD/CD come from each query
  EXPECT_EQ(a.ancount, 1);
  EXPECT_EQ(a.expires_ns, 100 * kSecond + 30 * kSecond);  // max-age below the TTL of 3600
  EXPECT_NE(map.stored.at(www).slot, map.stored.at(ns).slot);
}

TEST_F(XdpPublisherTest, RarelyAskedQuestionsStayInUserSpace) {
  XdpPublisher publisher(map, PublisherSettings{}, state);
  publisher.publish({counts({{question("www.example.test.", 1), 1}})}, kSecond);
  EXPECT_TRUE(map.stored.empty());
}

TEST_F(XdpPublisherTest, EntriesThatCoolDownAreRemovedAndKernelHitsKeepThemHot) {
  XdpPublisher publisher(map, PublisherSettings{.hot_answers = 4}, state);
  const std::string www = question("www.example.test.", 1);
  const std::string ns = question("ns.example.test.", 1);
  publisher.publish({counts({{www, 100}, {ns, 100}})}, kSecond);
  ASSERT_EQ(map.stored.size(), 2u);
  // The kernel now answers both, user space sees neither; only www keeps being asked.
  std::uint64_t www_hits = 0;
  for (int cycle = 2; cycle < 12; ++cycle) {
    www_hits += 100;
    map.slot_hits[map.stored.at(www).slot] = www_hits;
    publisher.publish({}, static_cast<std::uint64_t>(cycle) * kSecond);
  }
  EXPECT_TRUE(map.stored.contains(www));
  EXPECT_FALSE(map.stored.contains(ns));
  EXPECT_EQ(publisher.published(), 1u);
}

TEST_F(XdpPublisherTest, EntriesExpireBeforeTheirTtlAndAreRefreshedAtHalfLife) {
  XdpPublisher publisher(map, PublisherSettings{}, state);
  const std::string short_ttl = question("short.example.test.", 1);
  const std::string zero_ttl = question("zero.example.test.", 1);
  auto report = publisher.publish({counts({{short_ttl, 10}, {zero_ttl, 10}})}, 10 * kSecond);
  EXPECT_EQ(report.refused, 1u);  // TTL 0: must not be cached at all (RFC 1035 §3.2.1)
  ASSERT_TRUE(map.stored.contains(short_ttl));
  EXPECT_FALSE(map.stored.contains(zero_ttl));
  EXPECT_EQ(map.stored.at(short_ttl).expires_ns, 15 * kSecond);  // its TTL of 5 s
  const std::size_t writes = map.writes;
  publisher.publish({counts({{short_ttl, 10}})}, 12 * kSecond);  // before half-life: kept
  EXPECT_EQ(map.writes, writes);
  publisher.publish({counts({{short_ttl, 10}})}, 13 * kSecond);  // past it: refreshed
  EXPECT_EQ(map.writes, writes + 1);
  EXPECT_EQ(map.stored.at(short_ttl).expires_ns, 18 * kSecond);
}

TEST_F(XdpPublisherTest, OnlyAnswersThatDependOnNothingButTheQuestion) {
  XdpPublisher publisher(map, PublisherSettings{}, state);
  auto report = publisher.publish(
      {counts({{question("a.old.example.test.", 1), 10},  // DNAME: the CNAME copies QNAME case
               {question("www.example.org.", 1), 10},     // not ours: REFUSED
               {question("www.example.test.", 1, AnswerKey::kTcp), 10}})},
      kSecond);
  EXPECT_EQ(report.refused, 3u);
  EXPECT_TRUE(map.stored.empty());
}

// The kernel cannot tell clients apart: a name that a [[view]] answers differently stays in user
// space (whatever view the question was counted in), other zones' names still go to the kernel.
TEST_F(XdpPublisherTest, NamesThatViewsAnswerDifferentlyStayInUserSpace) {
  std::ofstream(dir / "example.test.europe.zone") << "$ORIGIN example.test.\n$TTL 3600\n"
                                                  << "@ SOA ns hostmaster 2 7200 900 1209600 300\n"
                                                  << "@ NS ns\nns A 192.0.2.1\n"
                                                  << "www A 198.51.100.80\n";
  std::ofstream(dir / "plain.test.zone") << "$ORIGIN plain.test.\n$TTL 3600\n"
                                         << "@ SOA ns hostmaster 1 7200 900 1209600 300\n"
                                         << "@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.8\n";
  std::vector<ZoneSource> sources = {
      {*zone::Name::from_text("example.test."), (dir / "example.test.zone").string(), Acl()},
      {*zone::Name::from_text("plain.test."), (dir / "plain.test.zone").string(), Acl()},
      {*zone::Name::from_text("example.test."), (dir / "example.test.europe.zone").string(), Acl(),
       1}};
  AnswerPolicy policy;
  policy.view_names = {"europe"};
  policy.views = ViewTable({{Prefix::parse("192.0.2.0/24").value(), 1}});
  auto with_views = build_serving_state(sources, policy, nullptr);
  ASSERT_EQ(with_views->view_zones.size(), 2u);

  XdpPublisher publisher(map, PublisherSettings{}, with_views);
  auto report = publisher.publish(
      {counts({{question("www.example.test.", 1), 10}, {question("www.plain.test.", 1), 10}})},
      kSecond);
  EXPECT_EQ(report.refused, 1u);
  ASSERT_EQ(map.stored.size(), 1u);
  EXPECT_EQ(address_in(question("www.plain.test.", 1)), "192.0.2.8");
}

// [[dns64]] policies rewrite answers per client (synthesized AAAA, filtered AAAA in additional
// sections): while any exists, nothing is answered in the kernel.
TEST_F(XdpPublisherTest, NothingIsPublishedWhileDns64PoliciesExist) {
  std::vector<ZoneSource> sources = {
      {*zone::Name::from_text("example.test."), (dir / "example.test.zone").string(), Acl()}};
  Dns64Policy dns64;
  dns64.clients = Acl({*Prefix::parse("10.0.0.0/8")});
  AnswerPolicy policy;
  policy.dns64 = Dns64Policies({dns64});
  auto with_dns64 = build_serving_state(sources, policy, nullptr);

  XdpPublisher publisher(map, PublisherSettings{}, with_dns64);
  auto report = publisher.publish(
      {counts({{question("www.example.test.", 1), 10}, {question("www.example.test.", 28), 10}})},
      kSecond);
  EXPECT_EQ(report.refused, 2u);
  EXPECT_TRUE(map.stored.empty());
}

TEST_F(XdpPublisherTest, EdnsShapesAreSeparateEntries) {
  XdpPublisher publisher(map, PublisherSettings{}, state);
  const std::string plain = question("www.example.test.", 1);
  const std::string edns = question("www.example.test.", 1, AnswerKey::kEdns);
  const std::string dnssec_ok =
      question("www.example.test.", 1, AnswerKey::kEdns | AnswerKey::kDnssecOk);
  publisher.publish({counts({{plain, 10}, {edns, 10}, {dnssec_ok, 10}})}, kSecond);
  ASSERT_EQ(map.stored.size(), 3u);
  EXPECT_EQ(map.stored.at(plain).arcount, 0);
  EXPECT_EQ(map.stored.at(edns).arcount, 1);  // the OPT record
  const hayate_xdp_answer& d = map.stored.at(dnssec_ok);
  EXPECT_EQ(d.body[d.body_len - 11 + 7], 0x80);  // DO copied into the OPT TTL (RFC 3225 §3)
}

TEST_F(XdpPublisherTest, ReloadEmptiesTheMapAtOnceAndTheNextCyclePublishesTheNewAnswer) {
  XdpPublisher publisher(map, PublisherSettings{}, state);
  const std::string www = question("www.example.test.", 1);
  publisher.publish({counts({{www, 100}})}, kSecond);
  EXPECT_EQ(address_in(www), "192.0.2.80");
  write_zone("192.0.2.81");
  publisher.set_state(load());
  EXPECT_TRUE(map.stored.empty());
  EXPECT_EQ(publisher.published(), 0u);
  publisher.publish({}, 2 * kSecond);  // still hot from its score
  ASSERT_TRUE(map.stored.contains(www));
  EXPECT_EQ(address_in(www), "192.0.2.81");
}

TEST_F(XdpPublisherTest, PinnedEntriesFromTheLastRunAreRenderedAgain) {
  const std::string www = question("www.example.test.", 1);
  {
    XdpPublisher before(map, PublisherSettings{}, state);
    before.publish({counts({{www, 100}})}, kSecond);
  }
  map.stored.at(www).body[0] ^= 0xff;  // whatever the last run left there is not trusted
  write_zone("192.0.2.99");
  XdpPublisher after(map, PublisherSettings{}, load());
  EXPECT_EQ(after.adopt_map(), 1u);
  EXPECT_TRUE(map.stored.empty());
  after.publish({}, 5 * kSecond);
  ASSERT_TRUE(map.stored.contains(www));
  EXPECT_EQ(address_in(www), "192.0.2.99");
}

TEST_F(XdpPublisherTest, FlushEmptiesTheMapAndForgetsTheScores) {
  XdpPublisher publisher(map, PublisherSettings{}, state);
  publisher.publish({counts({{question("www.example.test.", 1), 100}})}, kSecond);
  ASSERT_EQ(map.stored.size(), 1u);
  EXPECT_EQ(publisher.flush(), 1u);
  EXPECT_TRUE(map.stored.empty());
  publisher.publish({}, 2 * kSecond);
  EXPECT_TRUE(map.stored.empty());
}

TEST(HotQuestions, CountsAndTakesAndBoundsTheNumberOfQuestions) {
  HotQuestions hot(2);
  Bytes a = wire("a.test.");
  Bytes b = wire("b.test.");
  Bytes c = wire("c.test.");
  hot.count(AnswerKey{a, 1, 1, 0});
  hot.count(AnswerKey{a, 1, 1, 0});
  hot.count(AnswerKey{b, 28, 1, AnswerKey::kEdns});
  hot.count(AnswerKey{c, 1, 1, 0});  // over the bound: not counted
  auto taken = hot.take();
  EXPECT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken.at(encode_question(AnswerKey{a, 1, 1, 0})), 2u);
  EXPECT_TRUE(hot.take().empty());
  AnswerKey decoded;
  const std::string encoded = encode_question(AnswerKey{b, 28, 1, AnswerKey::kEdns});
  ASSERT_TRUE(decode_question(encoded, decoded));
  EXPECT_EQ(Bytes(decoded.qname_lower.begin(), decoded.qname_lower.end()), b);
  EXPECT_EQ(decoded.qtype, 28);
  EXPECT_EQ(decoded.shape, AnswerKey::kEdns);
  EXPECT_FALSE(decode_question("abc", decoded));
}

}  // namespace
}  // namespace hayate::server
