// The XDP program through BPF_PROG_TEST_RUN (no interface attached): input frame → expected
// action and expected output frame, with the checksums verified independently, and the
// correctness rule of DESIGN.md checked against the real pipeline: an XDP answer is byte for
// byte what QueryProcessor sends for the same query.
#include "bpf/xdp_program.hpp"

#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "bpf/answer_encoding.hpp"
#include "server/hot_answer_renderer.hpp"
#include "server/query_processor.hpp"
#include "tests/bpf/xdp_packets.hpp"

namespace hayate::bpf {
namespace {

using namespace hayate::bpf::testing;
using server::AnswerKey;

const std::string kZones = std::string(HAYATE_TEST_ZONES) + "/server/";

std::shared_ptr<const server::ServingState> make_state() {
  std::vector<server::ZoneSource> sources = {
      {*zone::Name::from_text("example.com."), kZones + "example.com.zone", server::Acl()},
      {*zone::Name::from_text("example.net."), kZones + "example.net.zone", server::Acl()},
  };
  return server::build_serving_state(sources, server::AnswerPolicy{}, nullptr);
}

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::uint8_t shape_of(const Query& q) {
  return static_cast<std::uint8_t>((q.edns ? AnswerKey::kEdns : 0) |
                                   (q.edns && q.dnssec_ok ? AnswerKey::kDnssecOk : 0));
}

// Loads the program, or skips (visibly) where BPF is not permitted.
std::unique_ptr<XdpProgram> load_or_skip(const XdpLimits& limits, std::string& skip) {
  auto loaded = XdpProgram::load(limits);
  if (!loaded) {
    if (loaded.error().find("not permitted") != std::string::npos ||
        loaded.error().find("not on a bpffs") != std::string::npos) {
      skip = "BPF is not available here (" + loaded.error() + ")";
      return nullptr;
    }
    ADD_FAILURE() << loaded.error();
    return nullptr;
  }
  return std::move(*loaded);
}

class XdpProgramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip;
    program = load_or_skip(XdpLimits{}, skip);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_TRUE(program);
    ASSERT_EQ(program->configure(runtime), "");
    state = make_state();
    renderer = std::make_unique<server::HotAnswerRenderer>(state);
    processor = std::make_unique<server::QueryProcessor>(state, stats);
  }

  // Publishes the answer for a question as the daemon's publisher would. False: not publishable.
  bool publish(const std::string& qname, std::uint16_t qtype, std::uint8_t shape,
               std::uint64_t expires = 0, std::uint16_t qclass = 1) {
    Bytes name = wire_name(lower(qname));
    AnswerKey key{name, qtype, qclass, shape};
    auto response = renderer->render(server::encode_question(key));
    if (!response) return false;
    auto value =
        encode_answer(*response, name, expires != 0 ? expires : now_ns() + 60'000'000'000ull, 0);
    EXPECT_TRUE(value) << value.error();
    if (!value) return false;
    EXPECT_EQ(program->put_answer(make_key(name, qtype, qclass, shape), *value), "");
    return true;
  }

  bool publish(const Query& q) { return publish(q.qname, q.qtype, shape_of(q), 0, q.qclass); }

  TestRun run(const Bytes& packet) {
    auto r = program->test_run(packet);
    EXPECT_TRUE(r) << r.error();
    return r ? *r : TestRun{};
  }

  // What user space sends for this query (nullopt: nothing).
  std::optional<Bytes> user_space(const Bytes& dns) {
    std::optional<Bytes> out;
    server::ClientInfo client;
    client.transport = server::Transport::kUdp;
    processor->handle(dns, client,
                      [&](std::span<const std::uint8_t> m) { out.emplace(m.begin(), m.end()); });
    return out;
  }

  // Runs the query in `f`: expects XDP_TX and a reply equal to user space's.
  void expect_hit(const Query& q, const Frame& f) {
    Bytes dns = dns_query(q);
    TestRun r = run(frame(f, dns));
    ASSERT_EQ(r.action, XDP_TX);
    Reply reply = parse_reply(r.packet, f);
    ASSERT_EQ(reply.error, "");
    auto expected = user_space(dns);
    ASSERT_TRUE(expected);
    EXPECT_EQ(reply.dns, *expected);
  }

  void expect_pass_unchanged(const Bytes& packet) {
    TestRun r = run(packet);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.packet, packet);
  }

  std::uint64_t counter(unsigned which) { return program->counters()[which]; }

  XdpRuntime runtime;
  std::unique_ptr<XdpProgram> program;
  std::shared_ptr<const server::ServingState> state;
  std::unique_ptr<server::HotAnswerRenderer> renderer;
  server::WorkerStats stats;
  std::unique_ptr<server::QueryProcessor> processor;
};

TEST_F(XdpProgramTest, HitOverIPv4WithoutEdnsKeepsIdRdAndQuestionCase) {
  Query q{.qname = "wWw.ExAmple.COM.", .qtype = 1, .id = 0xbeef, .rd = true};
  ASSERT_TRUE(publish(q));
  expect_hit(q, Frame{});
  TestRun again = run(frame(Frame{}, dns_query(q)));
  Reply reply = parse_reply(again.packet, Frame{});
  ASSERT_EQ(reply.error, "");
  EXPECT_EQ(reply.dns[0], 0xbe);
  EXPECT_EQ(reply.dns[1], 0xef);
  EXPECT_EQ(reply.dns[2] & 0x01, 0x01);  // RD copied
  EXPECT_EQ(std::string(reply.dns.begin() + 13, reply.dns.begin() + 16), "wWw");
  EXPECT_EQ(counter(HAYATE_XDP_HIT), 2u);
}

TEST_F(XdpProgramTest, HitOverIPv6WithEdnsAndDo) {
  Query q{.qname = "MULTI.example.com.", .qtype = 28, .cd = true, .edns = true, .dnssec_ok = true};
  ASSERT_TRUE(publish(q));
  expect_hit(q, Frame{.v6 = true, .src = "2001:db8:1::10", .dst = "2001:db8::1"});
}

TEST_F(XdpProgramTest, HitWithEdnsWithoutDo) {
  Query q{.qname = "example.com.", .qtype = 15, .edns = true, .payload = 4096};
  ASSERT_TRUE(publish(q));
  expect_hit(q, Frame{});
}

TEST_F(XdpProgramTest, HitBehindAVlanTag) {
  Query q{.qname = "Mail.Example.Com.", .qtype = 1};
  ASSERT_TRUE(publish(q));
  expect_hit(q, Frame{.vlan = true});
  expect_hit(q, Frame{.v6 = true, .vlan = true, .src = "2001:db8::10", .dst = "2001:db8::1"});
}

TEST_F(XdpProgramTest, HitWithIpv4OptionsAnswersWithoutThem) {
  Query q{.qname = "web.example.com.", .qtype = 1};
  ASSERT_TRUE(publish(q));
  // Router alert (RFC 2113) and padding: 8 octets of options.
  expect_hit(q, Frame{.ip_options = {0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00}});
}

TEST_F(XdpProgramTest, HitOnNegativeAnswersAndOddQuestionLengths) {
  for (const char* name :
       {"nothing.example.com.", "x.example.com.", "ab.example.com.", "a.b.ent.example.com."}) {
    Query q{.qname = name, .qtype = 16, .edns = true};
    ASSERT_TRUE(publish(q)) << name;
    expect_hit(q, Frame{});
    expect_hit(q, Frame{.v6 = true, .src = "2001:db8::10", .dst = "2001:db8::1"});
  }
}

TEST_F(XdpProgramTest, EthernetPaddingAfterTheQueryIsNotPartOfIt) {
  Query q{.qname = "ns1.example.com.", .qtype = 1};
  ASSERT_TRUE(publish(q));
  expect_hit(q, Frame{.pad_to = 60 + 40});
}

TEST_F(XdpProgramTest, QueryWithoutUdpChecksumOverIPv4IsAnsweredWithOne) {
  Query q{.qname = "ns1.example.com.", .qtype = 28};
  ASSERT_TRUE(publish(q));
  expect_hit(q, Frame{.udp_checksum = false});  // parse_reply checks the reply's checksum
}

TEST_F(XdpProgramTest, IPv6QueryWithoutUdpChecksumIsPassed) {
  Query q{.qname = "ns1.example.com.", .qtype = 28};
  ASSERT_TRUE(publish(q));
  expect_pass_unchanged(
      frame(Frame{.v6 = true, .src = "2001:db8::10", .dst = "2001:db8::1", .udp_checksum = false},
            dns_query(q)));
}

TEST_F(XdpProgramTest, MissIsPassedUnchangedAndCounted) {
  expect_pass_unchanged(frame(Frame{}, dns_query(Query{.qname = "www.example.com."})));
  EXPECT_EQ(counter(HAYATE_XDP_MISS), 1u);
  EXPECT_EQ(counter(HAYATE_XDP_HIT), 0u);
}

TEST_F(XdpProgramTest, OtherEdnsShapeIsAMiss) {
  ASSERT_TRUE(publish(Query{.qname = "www.example.com."}));
  expect_pass_unchanged(frame(Frame{}, dns_query(Query{.edns = true})));
  expect_pass_unchanged(frame(Frame{}, dns_query(Query{.edns = true, .dnssec_ok = true})));
  EXPECT_EQ(counter(HAYATE_XDP_MISS), 2u);
}

TEST_F(XdpProgramTest, ExpiredEntryIsAMiss) {
  // The program reads the coarse clock (up to a tick behind): a second ago is past for it too.
  ASSERT_TRUE(publish("www.example.com.", 1, 0, now_ns() - 1'000'000'000));
  expect_pass_unchanged(frame(Frame{}, dns_query(Query{})));
  EXPECT_EQ(counter(HAYATE_XDP_MISS), 1u);
}

TEST_F(XdpProgramTest, AnEntryForAnotherNameUnderTheSameKeyIsAMiss) {
  // What a hash collision would look like: the key matches, the name kept in the entry does not.
  ASSERT_TRUE(publish(Query{}));
  const Bytes name = wire_name("www.example.com.");
  const hayate_xdp_key key = make_key(name, 1, 1, 0);
  auto value = program->find_answer(key);
  ASSERT_TRUE(value);
  value->qname[3] = 'x';  // "wwx"
  ASSERT_EQ(program->put_answer(key, *value), "");
  expect_pass_unchanged(frame(Frame{}, dns_query(Query{})));
  EXPECT_EQ(counter(HAYATE_XDP_MISS), 1u);
  value->qname[3] = 'w';
  value->qname[20] = 'x';  // past the name, in its last 8-octet word: compared (must be zero)
  ASSERT_EQ(program->put_answer(key, *value), "");
  expect_pass_unchanged(frame(Frame{}, dns_query(Query{})));
  EXPECT_EQ(counter(HAYATE_XDP_MISS), 2u);
  value->qname[20] = 0;
  value->qname[30] = 'x';  // past the name's words: never read
  ASSERT_EQ(program->put_answer(key, *value), "");
  expect_hit(Query{}, Frame{});
}

TEST_F(XdpProgramTest, EcsAndOtherEdnsOptionsGoToUserSpace) {
  ASSERT_TRUE(publish(Query{.edns = true}));
  // ECS (RFC 7871 §6) for 192.0.2.0/24, and a client cookie (RFC 7873 §4).
  const Bytes ecs = {0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2};
  const Bytes cookie = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
  expect_pass_unchanged(frame(Frame{}, dns_query(Query{.edns = true, .options = ecs})));
  expect_pass_unchanged(frame(Frame{}, dns_query(Query{.edns = true, .options = cookie})));
  EXPECT_EQ(counter(HAYATE_XDP_PASS_OTHER), 2u);
}

TEST_F(XdpProgramTest, QueriesToEndpointsWeDoNotListenOnArePassed) {
  ASSERT_TRUE(publish(Query{}));
  runtime.ports = {53, 5300};
  runtime.destinations = {{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}, 53},
                          {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 53},
                          {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0}, 5300}};
  ASSERT_EQ(program->configure(runtime), "");
  expect_hit(Query{}, Frame{});  // to 192.0.2.1:53
  expect_hit(Query{}, Frame{.v6 = true, .src = "2001:db8::10", .dst = "2001:db8::1"});
  expect_hit(Query{}, Frame{.dst = "192.0.2.77", .dport = 5300});  // 0.0.0.0:5300
  expect_pass_unchanged(frame(Frame{.dst = "192.0.2.2"}, dns_query(Query{})));
  expect_pass_unchanged(
      frame(Frame{.v6 = true, .src = "2001:db8::10", .dst = "2001:db8::2"}, dns_query(Query{})));
  // No IPv6 wildcard on 5300, and 192.0.2.1 listens on 53 only (but 0.0.0.0:5300 takes it).
  expect_pass_unchanged(
      frame(Frame{.v6 = true, .src = "2001:db8::10", .dst = "2001:db8::1", .dport = 5300},
            dns_query(Query{})));
  EXPECT_EQ(counter(HAYATE_XDP_PASS_NOT_DNS), 3u);
}

TEST_F(XdpProgramTest, NotDnsIsPassed) {
  Bytes dns = dns_query(Query{});
  ASSERT_TRUE(publish(Query{}));
  expect_pass_unchanged(frame(Frame{.dport = 5353}, dns));
  Bytes arp = frame(Frame{}, dns);
  arp[12] = 0x08;
  arp[13] = 0x06;
  expect_pass_unchanged(arp);
  Bytes tcp = frame(Frame{}, dns);
  tcp[14 + 9] = 6;
  expect_pass_unchanged(tcp);
  Bytes fragment = frame(Frame{}, dns);
  fragment[14 + 6] = 0x20;  // MF
  expect_pass_unchanged(fragment);
  Bytes broadcast = frame(Frame{}, dns);
  std::fill(broadcast.begin(), broadcast.begin() + 6, 0xff);
  expect_pass_unchanged(broadcast);
  EXPECT_EQ(counter(HAYATE_XDP_PASS_NOT_DNS), 5u);
}

TEST_F(XdpProgramTest, QueriesItDoesNotHandleArePassed) {
  ASSERT_TRUE(publish(Query{}));
  auto variant = [](auto change) {
    Bytes dns = dns_query(Query{});
    change(dns);
    return frame(Frame{}, dns);
  };
  expect_pass_unchanged(variant([](Bytes& d) { d[2] |= 0x80; }));    // QR=1: a response
  expect_pass_unchanged(variant([](Bytes& d) { d[2] |= 0x20; }));    // OPCODE NOTIFY
  expect_pass_unchanged(variant([](Bytes& d) { d[5] = 2; }));        // QDCOUNT 2
  expect_pass_unchanged(variant([](Bytes& d) { d[7] = 1; }));        // ANCOUNT 1
  expect_pass_unchanged(variant([](Bytes& d) { d[9] = 1; }));        // NSCOUNT 1
  expect_pass_unchanged(variant([](Bytes& d) { d[11] = 1; }));       // ARCOUNT 1, no record
  expect_pass_unchanged(variant([](Bytes& d) { d.push_back(0); }));  // trailing octet
  expect_pass_unchanged(variant([](Bytes& d) { d[12] = 0xc0; }));    // compression pointer
  expect_pass_unchanged(variant([](Bytes& d) { d[12] = 64; }));      // label longer than 63
  Query v1{.edns = true};
  Bytes dns = dns_query(v1);
  dns[dns.size() - 5] = 1;  // EDNS version 1: BADVERS is user space's
  ASSERT_TRUE(publish(v1));
  expect_pass_unchanged(frame(Frame{}, dns));
  EXPECT_EQ(counter(HAYATE_XDP_HIT), 0u);
}

TEST_F(XdpProgramTest, NamesUpTo255OctetsAndNoLonger) {
  // 4 labels of 63 + the root = 257 octets: too long; 3 of 63 + 1 of 61 + root = 255.
  std::string label63(63, 'a');
  std::string longest = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b') + ".";
  Query q{.qname = longest, .qtype = 1};
  ASSERT_EQ(wire_name(longest).size(), 255u);
  // Not in our zones: REFUSED, not publishable; answers must still be passed, never crash.
  EXPECT_FALSE(publish(q));
  expect_pass_unchanged(frame(Frame{}, dns_query(q)));
  EXPECT_EQ(counter(HAYATE_XDP_MISS), 1u);
  Query too_long{.qname = longest.substr(0, longest.size() - 1) + "b.", .qtype = 1};
  expect_pass_unchanged(frame(Frame{}, dns_query(too_long)));
  EXPECT_EQ(counter(HAYATE_XDP_PASS_OTHER), 1u);
}

TEST_F(XdpProgramTest, AnswerLargerThanTheClientAllowsIsPassed) {
  Query big{.qname = "big.example.com.", .qtype = 16, .edns = true, .payload = 1232};
  EXPECT_FALSE(publish(Query{.qname = "big.example.com.", .qtype = 16}));  // TC=1 without EDNS
  ASSERT_TRUE(publish(big));
  expect_hit(big, Frame{});
  Query small = big;
  small.payload = 512;
  expect_pass_unchanged(frame(Frame{}, dns_query(small)));
  EXPECT_EQ(counter(HAYATE_XDP_PASS_TOO_BIG), 1u);
  // The link's MTU bounds it too.
  XdpRuntime narrow = runtime;
  narrow.mtu = 576;
  ASSERT_EQ(program->configure(narrow), "");
  expect_pass_unchanged(frame(Frame{}, dns_query(big)));
  EXPECT_EQ(counter(HAYATE_XDP_PASS_TOO_BIG), 2u);
}

TEST_F(XdpProgramTest, TruncatedAtEveryOffsetIsNeverAnswered) {
  for (const Frame& f : {Frame{}, Frame{.v6 = true, .src = "2001:db8::10", .dst = "2001:db8::1"},
                         Frame{.vlan = true, .ip_options = {1, 1, 1, 0}}}) {
    Query q{.qname = "www.example.com.", .edns = true};
    ASSERT_TRUE(publish(q));
    Bytes whole = frame(f, dns_query(q));
    for (std::size_t n = 0; n < whole.size(); ++n) {
      Bytes cut(whole.begin(), whole.begin() + static_cast<long>(n));
      auto r = program->test_run(cut);
      if (!r) continue;  // the kernel refuses frames shorter than an Ethernet header
      EXPECT_EQ(r->action, XDP_PASS) << "cut at " << n;
      EXPECT_EQ(r->packet, cut) << "cut at " << n;
    }
    // Lengths that claim more than the frame holds.
    for (std::size_t n = 1; n < 20; ++n) {
      Bytes cut(whole.begin(), whole.end() - static_cast<long>(n));
      expect_pass_unchanged(cut);
    }
  }
  EXPECT_EQ(counter(HAYATE_XDP_HIT), 0u);
}

TEST_F(XdpProgramTest, RandomBytesAfterTheUdpHeaderNeverCrashAndAreNotAnswered) {
  ASSERT_TRUE(publish(Query{}));
  std::mt19937 random(7);
  for (int i = 0; i < 2000; ++i) {
    Bytes dns(random() % 80);
    for (auto& b : dns)
      b = static_cast<std::uint8_t>(random());
    if (dns.size() > 2) dns[2] &= 0x07;  // mostly queries, to get past the header checks
    TestRun r = run(frame(Frame{}, dns));
    EXPECT_NE(r.action, static_cast<std::uint32_t>(XDP_TX));
  }
}

// ---- flood drop -------------------------------------------------------------------------------

class XdpRateTest : public XdpProgramTest {
 protected:
  void SetUp() override {
    // The buckets are per CPU: keep every test run on one.
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    sched_getaffinity(0, sizeof(saved), &saved);
    sched_setaffinity(0, sizeof(one), &one);
    runtime.rate = 1;   // one query a second per /24 ...
    runtime.burst = 3;  // ... after a burst of three: the test runs far faster than that
    runtime.slip = 2;
    XdpProgramTest::SetUp();
  }
  void TearDown() override { sched_setaffinity(0, sizeof(saved), &saved); }

  std::uint32_t action_from(const std::string& src, bool v6 = false) {
    Frame f{.v6 = v6, .src = src, .dst = v6 ? "2001:db8::1" : "192.0.2.1"};
    return run(frame(f, dns_query(Query{.qname = "www.example.com."}))).action;
  }

  cpu_set_t saved;
};

TEST_F(XdpRateTest, OverBudgetIsDroppedWithEveryNthSlippedAsTruncated) {
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(action_from("198.51.100.7"), XDP_PASS) << i;  // misses, within the burst
  EXPECT_EQ(action_from("198.51.100.8"), XDP_DROP);         // same /24, 1st over budget
  Query q{.qname = "WWW.example.com.", .id = 77, .rd = true, .edns = true};
  Frame f{.src = "198.51.100.9"};
  TestRun slip = run(frame(f, dns_query(q)));  // 2nd over budget: slip = 2
  ASSERT_EQ(slip.action, XDP_TX);
  Reply reply = parse_reply(slip.packet, f);
  ASSERT_EQ(reply.error, "");
  Bytes query = dns_query(q);
  ASSERT_EQ(reply.dns.size(), 12 + wire_name(q.qname).size() + 4);  // question only, no OPT
  EXPECT_EQ(reply.dns[0], 0);
  EXPECT_EQ(reply.dns[1], 77);
  EXPECT_EQ(reply.dns[2], 0x80 | 0x02 | 0x01);  // QR, TC, RD copied
  EXPECT_EQ(reply.dns[3], 0);
  EXPECT_TRUE(std::equal(reply.dns.begin() + 12, reply.dns.end(), query.begin() + 12));
  EXPECT_EQ(action_from("198.51.100.1"), XDP_DROP);
  EXPECT_EQ(counter(HAYATE_XDP_DROP_RATE), 2u);
  EXPECT_EQ(counter(HAYATE_XDP_TC_SLIP), 1u);
  // Another /24 has a budget of its own.
  EXPECT_EQ(action_from("198.51.101.7"), XDP_PASS);
}

TEST_F(XdpRateTest, ABudgetHoldsAtLeastOneClockTickOfQueries) {
  // The program reads the coarse clock, which stands still for a tick (1 to 10 ms): with a
  // burst of one, a tolerance under a tick would let one query through per tick instead of
  // 100,000 a second. 50 queries at once are within any tick's worth (100 at HZ=1000).
  runtime.rate = 100000;
  runtime.burst = 1;
  ASSERT_EQ(program->configure(runtime), "");
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(action_from("198.51.100.7"), XDP_PASS) << i;
  EXPECT_EQ(counter(HAYATE_XDP_DROP_RATE), 0u);
}

TEST_F(XdpRateTest, IPv6PrefixesAreLimitedPer56) {
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(action_from("2001:db8:aa:bb01::1", true), XDP_PASS);
  EXPECT_EQ(action_from("2001:db8:aa:bbff::2", true), XDP_DROP);  // same /56
  EXPECT_EQ(action_from("2001:db8:aa:cc00::1", true), XDP_PASS);  // another /56
}

TEST_F(XdpRateTest, AllowListIsNeverLimited) {
  runtime.allow.push_back(
      LpmPrefix{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 0}, 96 + 24});
  ASSERT_EQ(program->configure(runtime), "");
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(action_from("203.0.113.5"), XDP_PASS) << i;
  EXPECT_EQ(counter(HAYATE_XDP_DROP_RATE), 0u);
}

TEST_F(XdpRateTest, BlockListDropsEverything) {
  runtime.rate = 0;
  runtime.block.push_back(LpmPrefix{{0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad}, 48});
  ASSERT_EQ(program->configure(runtime), "");
  EXPECT_EQ(action_from("2001:db8:dead::1", true), XDP_DROP);
  EXPECT_EQ(action_from("2001:db8:beef::1", true), XDP_PASS);
  EXPECT_EQ(counter(HAYATE_XDP_DROP_BLOCK), 1u);
}

// ---- the correctness rule, over many queries ---------------------------------------------------

TEST_F(XdpProgramTest, DifferentialAgainstUserSpaceOverThousandsOfQueries) {
  const std::vector<std::string> names = {"example.com.",          "ns1.example.com.",
                                          "mail.example.com.",     "www.example.com.",
                                          "web.example.com.",      "chain.example.com.",
                                          "external.example.com.", "dangling.example.com.",
                                          "loop1.example.com.",    "x.wild.example.com.",
                                          "a.b.wc.example.com.",   "_sip._udp.example.com.",
                                          "sub.example.com.",      "deep.ns.sub.example.com.",
                                          "a.old.example.com.",    "a.dn.example.com.",
                                          "b.ent.example.com.",    "multi.example.com.",
                                          "big.example.com.",      "nothing.example.com.",
                                          "example.net.",          "www.example.net.",
                                          "elsewhere.org."};
  const std::vector<std::uint16_t> types = {1, 2, 5, 6, 15, 16, 28, 33, 39, 43, 255, 65};
  std::mt19937 random(20241125);
  auto mix_case = [&](std::string s) {
    for (char& c : s)
      if (random() & 1) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  std::size_t hits = 0;
  std::size_t published = 0;
  std::size_t queries = 0;
  for (const auto& name : names) {
    for (std::uint16_t type : types) {
      for (int shape = 0; shape < 3; ++shape) {
        Query base{.qname = name, .qtype = type, .edns = shape > 0, .dnssec_ok = shape == 2};
        const bool is_published = publish(base);
        published += is_published ? 1 : 0;
        for (int i = 0; i < 4; ++i) {
          Query q = base;
          q.qname = mix_case(name);
          q.id = static_cast<std::uint16_t>(random());
          q.rd = random() & 1;
          q.cd = random() & 1;
          q.payload = static_cast<std::uint16_t>(i == 3 ? 512 : 1232 + (random() % 3000));
          const bool v6 = random() & 1;
          Frame f{.v6 = v6,
                  .src = v6 ? "2001:db8::53" : "192.0.2.53",
                  .dst = v6 ? "2001:db8::1" : "192.0.2.1"};
          Bytes dns = dns_query(q);
          TestRun r = run(frame(f, dns));
          ++queries;
          auto expected = user_space(dns);
          if (r.action == XDP_TX) {
            ++hits;
            ASSERT_TRUE(is_published) << q.qname << " " << type;
            Reply reply = parse_reply(r.packet, f);
            ASSERT_EQ(reply.error, "") << q.qname << " " << type;
            ASSERT_TRUE(expected);
            ASSERT_EQ(reply.dns, *expected) << q.qname << " type " << type << " shape " << shape;
          } else {
            ASSERT_EQ(r.action, XDP_PASS);
            // Passed although published: only when the answer is larger than the client takes
            // (user space then sends TC=1 or fewer records).
            if (is_published) {
              Bytes lower_name = wire_name(lower(name));
              auto value = program->find_answer(make_key(lower_name, type, 1, shape_of(q)));
              ASSERT_TRUE(value);
              const std::size_t limit = q.edns ? std::max<std::size_t>(q.payload, 512) : 512;
              EXPECT_GT(12 + lower_name.size() + 4 + value->body_len, limit) << q.qname;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(queries, 3000u);
  EXPECT_GT(published, 300u);
  EXPECT_GT(hits, 1000u);
  EXPECT_EQ(counter(HAYATE_XDP_HIT), hits);
}

// ---- pinning ------------------------------------------------------------------------------------

// A directory on a bpffs for the test's pins: under /sys/fs/bpf where a bpffs is mounted there;
// else (a machine that never mounted one) a bpffs of the test's own, mounted on a fresh
// temporary directory (root only) and taken down at the end, so that pinning is tested for
// real instead of skipped. Empty when neither is possible.
class PinRoot {
 public:
  PinRoot() {
    const std::string pid = std::to_string(::getpid());
    if (on_bpffs("/sys/fs/bpf")) {
      path_ = "/sys/fs/bpf/hayate-test-" + pid;
      return;
    }
    std::error_code ec;
    mount_point_ = std::filesystem::temp_directory_path(ec) / ("hayate-bpffs-" + pid);
    if (ec || !std::filesystem::create_directory(mount_point_, ec) ||
        ::mount("bpf", mount_point_.c_str(), "bpf", 0, nullptr) != 0) {
      std::filesystem::remove(mount_point_, ec);
      mount_point_.clear();
      return;
    }
    path_ = (mount_point_ / "hayate-test").string();
  }
  ~PinRoot() {  // also when an assertion ends the test early
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    if (!mount_point_.empty()) {
      ::umount2(mount_point_.c_str(), MNT_DETACH);
      std::filesystem::remove(mount_point_, ec);
    }
  }
  const std::string& path() const { return path_; }

 private:
  static bool on_bpffs(const char* path) {
    struct statfs fs {};
    return ::statfs(path, &fs) == 0 && fs.f_type == BPF_FS_MAGIC;
  }
  std::string path_;
  std::filesystem::path mount_point_;
};

TEST(XdpPinning, RestartReusesThePinnedHotAnswerMapAndOtherSizesGetTheirOwnDirectory) {
  const PinRoot pins;
  if (pins.path().empty()) GTEST_SKIP() << "no bpffs at /sys/fs/bpf and none can be mounted";
  const std::string& root = pins.path();
  XdpLimits limits;
  limits.hot_answers = 64;
  limits.pin_dir = pin_directory(root, limits);
  EXPECT_EQ(limits.pin_dir, root + "/abi" + std::to_string(HAYATE_XDP_ABI) + "-h64-r65536-l1024");
  std::string skip;
  auto first = load_or_skip(limits, skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_TRUE(first);
  Bytes name = wire_name("www.example.com.");
  hayate_xdp_key key = make_key(name, 1, 1, 0);
  hayate_xdp_answer value{};
  value.body_len = 3;
  value.slot = 9;
  ASSERT_EQ(first->put_answer(key, value), "");
  first.reset();  // the daemon stops: maps stay pinned
  auto second = load_or_skip(limits, skip);
  ASSERT_TRUE(second);
  auto kept = second->find_answer(key);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->slot, 9u);
  XdpLimits bigger = limits;
  bigger.hot_answers = 128;
  bigger.pin_dir = pin_directory(root, bigger);
  auto third = load_or_skip(bigger, skip);  // other sizes: no clash with the pinned maps
  ASSERT_TRUE(third);
  EXPECT_FALSE(third->find_answer(key));
  second.reset();
  third.reset();
}

}  // namespace
}  // namespace hayate::bpf
