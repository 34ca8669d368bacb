// DNS64 / AAAA filter through the whole pipeline (QueryProcessor) without sockets: answers from
// real zones (tests/zones/server/dns64.test.zone and friends) and from a scripted resolver, for
// clients with and without a policy. Wire in, wire out.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/query_processor.hpp"
#include "tests/unit/dns64_test_util.hpp"
#include "zone/edns.hpp"
#include "zone/message_renderer.hpp"
#include "zone/response_view.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server {
namespace {

namespace rr_type = zone::rr_type;
using Bytes = std::vector<std::uint8_t>;

const std::string kZones = std::string(HAYATE_TEST_ZONES) + "/server/";

using test::N;
using test::v4;
using test::v6;

Dns64Policy policy(Dns64Mode mode, const char* clients) {
  Dns64Policy p;
  p.mode = mode;
  p.prefixes = {zone::Nat64Prefix{{0x20, 0x01, 0x0d, 0xb8, 0, 0x64}, 96}};  // 2001:db8:64::/96
  p.clients = Acl({*Prefix::parse(clients)});
  p.exclude = {*Prefix::parse("::ffff:0:0/96")};
  return p;
}

// Clients by address: 10.0.0.0/24 DNS64, 10.0.1.0/24 filter, 10.0.2.0/24 synthesize-always,
// 10.0.3.0/24 DNS64 with break-dnssec, anyone else no policy.
std::shared_ptr<const ServingState> make_state() {
  AnswerPolicy answer;
  Dns64Policy breaking = policy(Dns64Mode::kDns64, "10.0.3.0/24");
  breaking.break_dnssec = true;
  answer.dns64 = Dns64Policies({policy(Dns64Mode::kDns64, "10.0.0.0/24"),
                                policy(Dns64Mode::kFilterAaaa, "10.0.1.0/24"),
                                policy(Dns64Mode::kSynthesizeAlways, "10.0.2.0/24"), breaking});
  std::vector<ZoneSource> sources = {
      {N("dns64.test."), kZones + "dns64.test.zone", Acl()},
      {N("1.in-addr.arpa."), kZones + "1.in-addr.arpa.zone", Acl()},
      {N("signed.test."), kZones + "signed.test.zone", Acl()},
  };
  auto state = build_serving_state(sources, answer, nullptr);
  for (const auto& report : state->zone_reports) {
    EXPECT_TRUE(report.serving) << report.file;
    for (const auto& d : report.diagnostics)
      ADD_FAILURE() << d.to_string();
  }
  return state;
}

ClientInfo client(const char* address) {
  ClientInfo c;
  auto* in = reinterpret_cast<sockaddr_in*>(&c.address);
  in->sin_family = AF_INET;
  inet_pton(AF_INET, address, &in->sin_addr);
  c.address_length = sizeof(sockaddr_in);
  return c;
}

struct Flags {
  bool rd = true;
  bool cd = false;
  bool dnssec_ok = false;
};

Bytes make_query(const std::string& name, std::uint16_t qtype, Flags f = {}) {
  Bytes buffer(512);
  zone::MessageRenderer r(buffer, buffer.size());
  zone::Header header;
  header.id = 0x1234;
  header.set(zone::flag::RD, f.rd);
  header.set(zone::flag::CD, f.cd);
  r.begin(header);
  r.add_question(N(name).wire(), qtype, zone::rr_class::IN);
  zone::OptParams opt;
  opt.dnssec_ok = f.dnssec_ok;
  r.add_opt(opt);
  buffer.resize(r.finish());
  return buffer;
}

zone::ResponseView parse(const Bytes& wire) {
  zone::ResponseView view;
  EXPECT_EQ(zone::parse_response(wire, view), zone::ResponseError::kOk);
  return view;
}

const zone::ResponseRRset* find(const zone::ResponseView& v, const std::string& owner,
                                std::uint16_t type, zone::Section s = zone::Section::kAnswer) {
  return v.find(s, N(owner), type);
}

// A resolver whose answers are scripted; `cached` ones come from from_cache(), the others only
// through resolve(), answered when run_pending() is called (as the real one answers later).
class ScriptedRecursion final : public RecursionStage {
 public:
  void set(const std::string& name, std::uint16_t qtype, RecursiveAnswer answer, bool cached) {
    answers_[{N(name).to_text(), qtype}] = {std::move(answer), cached};
  }
  bool allows(const ClientInfo&) const override { return true; }
  std::optional<RecursiveAnswer> from_cache(const RecursiveQuestion& q) override {
    ++cache_lookups;
    auto it = answers_.find({q.qname.to_text(), q.qtype});
    if (it == answers_.end() || !it->second.second) return std::nullopt;
    return it->second.first;
  }
  void resolve(const RecursiveQuestion& q, Done done) override {
    auto it = answers_.find({q.qname.to_text(), q.qtype});
    RecursiveAnswer a = it != answers_.end() ? it->second.first : RecursiveAnswer{};
    pending.push_back([done, a]() { done(a); });
  }
  void run_pending() {
    while (!pending.empty()) {
      auto next = std::move(pending.front());
      pending.erase(pending.begin());
      next();
    }
  }
  CacheEpoch cache_epoch() const override { return epoch; }
  int cache_lookups = 0;
  std::vector<std::function<void()>> pending;
  CacheEpoch epoch{1000, 0};

 private:
  std::map<std::pair<std::string, std::uint16_t>, std::pair<RecursiveAnswer, bool>> answers_;
};

class CollectingSink final : public ResponseSink {
 public:
  void send(std::span<const std::uint8_t> message) override {
    messages.emplace_back(message.begin(), message.end());
  }
  std::vector<Bytes> messages;
};

class Dns64PipelineTest : public ::testing::Test {
 protected:
  Dns64PipelineTest() : processor(make_state(), stats) {}

  // The answer given at once (none when the processor deferred it).
  std::optional<zone::ResponseView> ask(const char* from, const std::string& name,
                                        std::uint16_t qtype, Flags f = {}) {
    Bytes query = make_query(name, qtype, f);
    std::optional<zone::ResponseView> out;
    processor.handle(
        query, client(from),
        [&](std::span<const std::uint8_t> r) { out = parse(Bytes(r.begin(), r.end())); },
        [this]() -> std::shared_ptr<ResponseSink> { return sink; });
    return out;
  }
  zone::ResponseView answer(const char* from, const std::string& name, std::uint16_t qtype,
                            Flags f = {}) {
    auto out = ask(from, name, qtype, f);
    EXPECT_TRUE(out.has_value()) << name;
    return out.value_or(zone::ResponseView{});
  }

  WorkerStats stats;
  QueryProcessor processor;
  std::shared_ptr<CollectingSink> sink = std::make_shared<CollectingSink>();
};

constexpr const char* kDns64Client = "10.0.0.7";
constexpr const char* kFilterClient = "10.0.1.7";
constexpr const char* kAlwaysClient = "10.0.2.7";
constexpr const char* kBreakingClient = "10.0.3.7";
constexpr const char* kPlainClient = "192.0.2.7";

TEST_F(Dns64PipelineTest, AuthoritativeNodataIsSynthesized) {
  auto r = answer(kDns64Client, "v4only.dns64.test.", rr_type::AAAA);
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR);
  EXPECT_FALSE(r.header.has(zone::flag::AA)) << "synthesized data is not the zone's";
  EXPECT_FALSE(r.header.has(zone::flag::AD));
  const auto* aaaa = find(r, "v4only.dns64.test.", rr_type::AAAA);
  ASSERT_NE(aaaa, nullptr);
  EXPECT_EQ(aaaa->rdatas,
            (std::vector<zone::Rdata>{v6("2001:db8:64::1.2.3.4"), v6("2001:db8:64::5.6.7.8")}));
  EXPECT_EQ(aaaa->ttl, 300u) << "min(A TTL 3000, negative SOA TTL min(3600, 300))";
  EXPECT_TRUE(r.section(zone::Section::kAuthority).empty()) << "the A answer had no authority";

  EXPECT_EQ(find(answer(kDns64Client, "short.dns64.test.", rr_type::AAAA), "short.dns64.test.",
                 rr_type::AAAA)
                ->ttl,
            60u);
}

TEST_F(Dns64PipelineTest, RealAaaaNodataNxdomainAndExcludedAaaa) {
  auto dual = answer(kDns64Client, "dual.dns64.test.", rr_type::AAAA);
  EXPECT_TRUE(dual.header.has(zone::flag::AA));
  EXPECT_EQ(find(dual, "dual.dns64.test.", rr_type::AAAA)->rdatas,
            (std::vector<zone::Rdata>{v6("2001:db8::6")}));

  auto nodata = answer(kDns64Client, "nodata.dns64.test.", rr_type::AAAA);
  EXPECT_EQ(nodata.rcode, zone::rcode::NOERROR);
  EXPECT_TRUE(nodata.section(zone::Section::kAnswer).empty());
  EXPECT_NE(find(nodata, "dns64.test.", rr_type::SOA, zone::Section::kAuthority), nullptr);

  auto missing = answer(kDns64Client, "missing.dns64.test.", rr_type::AAAA);
  EXPECT_EQ(missing.rcode, zone::rcode::NXDOMAIN);
  EXPECT_NE(find(missing, "dns64.test.", rr_type::SOA, zone::Section::kAuthority), nullptr);

  EXPECT_EQ(find(answer(kDns64Client, "mappedonly.dns64.test.", rr_type::AAAA),
                 "mappedonly.dns64.test.", rr_type::AAAA)
                ->rdatas,
            (std::vector<zone::Rdata>{v6("2001:db8:64::1.2.3.7")}));
}

TEST_F(Dns64PipelineTest, CnameAndDnameChainsAreKept) {
  auto chain = answer(kDns64Client, "chain.dns64.test.", rr_type::AAAA);
  ASSERT_EQ(chain.section(zone::Section::kAnswer).size(), 3u);
  EXPECT_NE(find(chain, "chain.dns64.test.", rr_type::CNAME), nullptr);
  EXPECT_NE(find(chain, "alias.dns64.test.", rr_type::CNAME), nullptr);
  EXPECT_NE(find(chain, "v4only.dns64.test.", rr_type::AAAA), nullptr);

  auto dname = answer(kDns64Client, "host.old.dns64.test.", rr_type::AAAA);
  EXPECT_NE(find(dname, "old.dns64.test.", rr_type::DNAME), nullptr);
  EXPECT_NE(find(dname, "host.old.dns64.test.", rr_type::CNAME), nullptr);
  ASSERT_NE(find(dname, "host.new.dns64.test.", rr_type::AAAA), nullptr);
  EXPECT_EQ(find(dname, "host.new.dns64.test.", rr_type::AAAA)->rdatas,
            (std::vector<zone::Rdata>{v6("2001:db8:64::1.2.3.9")}));
}

TEST_F(Dns64PipelineTest, PoliciesNeverShareCachedAnswers) {
  for (int round = 0; round < 2; ++round) {
    EXPECT_NE(find(answer(kDns64Client, "v4only.dns64.test.", rr_type::AAAA), "v4only.dns64.test.",
                   rr_type::AAAA),
              nullptr);
    EXPECT_EQ(find(answer(kPlainClient, "v4only.dns64.test.", rr_type::AAAA), "v4only.dns64.test.",
                   rr_type::AAAA),
              nullptr);
    EXPECT_EQ(find(answer(kFilterClient, "dual.dns64.test.", rr_type::AAAA), "dual.dns64.test.",
                   rr_type::AAAA),
              nullptr);
    EXPECT_NE(find(answer(kPlainClient, "dual.dns64.test.", rr_type::AAAA), "dual.dns64.test.",
                   rr_type::AAAA),
              nullptr);
    auto cd = answer(kDns64Client, "v4only.dns64.test.", rr_type::AAAA, {.cd = true});
    EXPECT_EQ(find(cd, "v4only.dns64.test.", rr_type::AAAA), nullptr) << "CD=1: no synthesis";
    EXPECT_TRUE(cd.header.has(zone::flag::CD));
  }
  EXPECT_EQ(stats.answers_from_cache.load(), 5u) << "the second round came from the cache";
  EXPECT_EQ(stats.dns64_synthesized.load(), 1u) << "counted when made, not on cache hits";
  EXPECT_EQ(stats.aaaa_filtered.load(), 1u);
}

TEST_F(Dns64PipelineTest, SignedZoneAndBreakDnssec) {
  EXPECT_EQ(find(answer(kDns64Client, "host.signed.test.", rr_type::AAAA, {.dnssec_ok = true}),
                 "host.signed.test.", rr_type::AAAA),
            nullptr);
  EXPECT_NE(find(answer(kDns64Client, "host.signed.test.", rr_type::AAAA), "host.signed.test.",
                 rr_type::AAAA),
            nullptr)
      << "DO=0: the client does not validate";
  EXPECT_NE(find(answer(kBreakingClient, "host.signed.test.", rr_type::AAAA, {.dnssec_ok = true}),
                 "host.signed.test.", rr_type::AAAA),
            nullptr);
  // The filter keeps signed AAAA for DO=1 clients too (BIND's break-dnssec).
  EXPECT_NE(find(answer(kFilterClient, "dual.signed.test.", rr_type::AAAA, {.dnssec_ok = true}),
                 "dual.signed.test.", rr_type::AAAA),
            nullptr);
}

TEST_F(Dns64PipelineTest, PtrInThePrefixIsACnameToInAddrArpa) {
  const std::string name =
      "4.0.3.0.2.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.4.6.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
  auto r = answer(kDns64Client, name, rr_type::PTR);
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR);
  const auto* cname = find(r, name, rr_type::CNAME);
  ASSERT_NE(cname, nullptr);
  EXPECT_EQ(zone::Name::from_valid_wire(cname->rdatas[0]), N("4.3.2.1.in-addr.arpa."));
  ASSERT_NE(find(r, "4.3.2.1.in-addr.arpa.", rr_type::PTR), nullptr);

  EXPECT_EQ(answer(kPlainClient, name, rr_type::PTR).rcode, zone::rcode::REFUSED)
      << "no policy: not our zone";
}

TEST_F(Dns64PipelineTest, Ipv4OnlyArpaIsLocal) {
  auto r = answer(kDns64Client, "ipv4only.arpa.", rr_type::AAAA);
  EXPECT_EQ(
      find(r, "ipv4only.arpa.", rr_type::AAAA)->rdatas,
      (std::vector<zone::Rdata>{v6("2001:db8:64::192.0.0.170"), v6("2001:db8:64::192.0.0.171")}));
  EXPECT_EQ(answer(kPlainClient, "ipv4only.arpa.", rr_type::AAAA).rcode, zone::rcode::REFUSED);
}

TEST_F(Dns64PipelineTest, FilterAdditionalAndIpv6Hint) {
  auto mx = answer(kFilterClient, "mx.dns64.test.", rr_type::MX);
  EXPECT_NE(find(mx, "dual.dns64.test.", rr_type::A, zone::Section::kAdditional), nullptr);
  EXPECT_EQ(find(mx, "dual.dns64.test.", rr_type::AAAA, zone::Section::kAdditional), nullptr);
  auto plain = answer(kPlainClient, "mx.dns64.test.", rr_type::MX);
  EXPECT_NE(find(plain, "dual.dns64.test.", rr_type::AAAA, zone::Section::kAdditional), nullptr);

  auto https = answer(kFilterClient, "svc.dns64.test.", rr_type::HTTPS);
  const auto* filtered = find(https, "svc.dns64.test.", rr_type::HTTPS);
  auto plain_https = answer(kPlainClient, "svc.dns64.test.", rr_type::HTTPS);
  const auto* kept = find(plain_https, "svc.dns64.test.", rr_type::HTTPS);
  ASSERT_NE(filtered, nullptr);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(filtered->rdatas[0].size() + 4 + 16, kept->rdatas[0].size()) << "ipv6hint removed";

  EXPECT_NE(find(answer(kFilterClient, "v4only.dns64.test.", rr_type::A), "v4only.dns64.test.",
                 rr_type::A),
            nullptr);
}

TEST_F(Dns64PipelineTest, SynthesizeAlwaysIgnoresRealAaaa) {
  auto r = answer(kAlwaysClient, "dual.dns64.test.", rr_type::AAAA);
  EXPECT_EQ(find(r, "dual.dns64.test.", rr_type::AAAA)->rdatas,
            (std::vector<zone::Rdata>{v6("2001:db8:64::1.2.3.6")}));
  EXPECT_EQ(answer(kAlwaysClient, "nodata.dns64.test.", rr_type::AAAA).rcode, zone::rcode::NOERROR);
  EXPECT_EQ(answer(kAlwaysClient, "missing.dns64.test.", rr_type::AAAA).rcode,
            zone::rcode::NXDOMAIN);
}

TEST(Dns64Listeners, APolicyForOneListenerOnly) {
  AnswerPolicy answer;
  Dns64Policy on_one = policy(Dns64Mode::kDns64, "0.0.0.0/0");
  ListenerAddress listener;
  inet_pton(AF_INET, "127.0.0.1", listener.address.data());
  listener.port = 5353;
  on_one.listeners = {listener};
  answer.dns64 = Dns64Policies({on_one});
  auto state =
      build_serving_state({{N("dns64.test."), kZones + "dns64.test.zone", Acl()}}, answer, nullptr);
  WorkerStats stats;
  QueryProcessor processor(state, stats);
  auto ask_on = [&](const char* local, std::uint16_t port) {
    ClientInfo c = client(kPlainClient);
    auto* in = reinterpret_cast<sockaddr_in*>(&c.listener);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    inet_pton(AF_INET, local, &in->sin_addr);
    c.listener_length = sizeof(sockaddr_in);
    zone::ResponseView out;
    processor.handle(
        make_query("v4only.dns64.test.", rr_type::AAAA), c,
        [&](std::span<const std::uint8_t> r) { out = parse(Bytes(r.begin(), r.end())); });
    return out.section(zone::Section::kAnswer).size();
  };
  EXPECT_EQ(ask_on("127.0.0.1", 5353), 1u);
  EXPECT_EQ(ask_on("127.0.0.1", 53), 0u);
  EXPECT_EQ(ask_on("127.0.0.2", 5353), 0u);
}

// A client of a [[view]] gets its AAAA synthesized from the view's version of the zone; the
// answer cache keeps the views apart as well as the policies.
TEST(Dns64Views, SynthesisFromTheClientsView) {
  AnswerPolicy answer;
  answer.dns64 = Dns64Policies({policy(Dns64Mode::kDns64, "10.0.0.0/8")});
  answer.view_names = {"europe"};
  answer.views = ViewTable({ViewTable::Entry{*Prefix::parse("10.0.0.0/24"), 1}});
  answer.ecs_trusted = Acl({*Prefix::parse("0.0.0.0/0")});
  std::vector<ZoneSource> sources = {
      {N("dns64.test."), kZones + "dns64.test.zone", Acl()},
      {N("dns64.test."), kZones + "views/dns64.test.europe.zone", Acl(), 1},
  };
  auto state = build_serving_state(sources, answer, nullptr);
  WorkerStats stats;
  QueryProcessor processor(state, stats);
  auto ask_from = [&](const char* address) {
    zone::ResponseView out;
    processor.handle(
        make_query("v4only.dns64.test.", rr_type::AAAA), client(address),
        [&](std::span<const std::uint8_t> r) { out = parse(Bytes(r.begin(), r.end())); });
    const auto* aaaa = find(out, "v4only.dns64.test.", rr_type::AAAA);
    return aaaa != nullptr ? aaaa->rdatas : std::vector<zone::Rdata>{};
  };
  // A trusted resolver's ECS option chooses the view: echoed with its SCOPE, never cached.
  zone::ClientSubnet subnet;
  subnet.source_prefix = 24;
  inet_pton(AF_INET, "10.0.0.0", subnet.address.data());
  std::array<std::uint8_t, 8> data{};
  std::size_t data_size = zone::encode_client_subnet(subnet, data);
  std::array<std::uint8_t, 12> option{};
  std::size_t option_size =
      zone::write_option(option, zone::edns_option::CLIENT_SUBNET,
                         std::span<const std::uint8_t>(data.data(), data_size));
  Bytes query(512);
  zone::MessageRenderer r(query, query.size());
  zone::Header header;
  header.set(zone::flag::RD);
  r.begin(header);
  r.add_question(N("v4only.dns64.test.").wire(), rr_type::AAAA, zone::rr_class::IN);
  r.add_opt(zone::OptParams{}, std::span<const std::uint8_t>(option.data(), option_size));
  query.resize(r.finish());
  for (int round = 0; round < 2; ++round) {
    zone::ResponseView out;
    processor.handle(query, client("10.0.1.7"), [&](std::span<const std::uint8_t> m) {
      out = parse(Bytes(m.begin(), m.end()));
    });
    EXPECT_EQ(find(out, "v4only.dns64.test.", rr_type::AAAA)->rdatas,
              (std::vector<zone::Rdata>{v6("2001:db8:64::9.9.9.9")}));
    ASSERT_TRUE(out.edns.client_subnet.has_value());
    EXPECT_EQ(out.edns.client_subnet->scope_prefix, 24);
  }
  EXPECT_EQ(stats.answers_from_cache.load(), 0u) << "ECS answers bypass the answer cache";

  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(ask_from("10.0.0.7"), (std::vector<zone::Rdata>{v6("2001:db8:64::9.9.9.9")}));
    EXPECT_EQ(ask_from("10.0.1.7"),
              (std::vector<zone::Rdata>{v6("2001:db8:64::1.2.3.4"), v6("2001:db8:64::5.6.7.8")}));
  }
}

// --- answers from the resolver -----------------------------------------------------------------

zone::ResponseRRset record(const std::string& owner, std::uint16_t type, std::uint32_t ttl,
                           zone::Rdata rdata) {
  return zone::ResponseRRset{N(owner), type, zone::rr_class::IN, ttl, {std::move(rdata)}};
}

RecursiveAnswer negative(std::uint16_t rcode, std::uint32_t soa_ttl) {
  RecursiveAnswer a;
  a.rcode = rcode;
  zone::Rdata soa{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  a.soa = record("example.", rr_type::SOA, soa_ttl, soa);
  return a;
}

RecursiveAnswer positive(const std::string& owner, std::uint16_t type, std::uint32_t ttl,
                         zone::Rdata rdata) {
  RecursiveAnswer a;
  a.rcode = zone::rcode::NOERROR;
  a.answer.push_back(record(owner, type, ttl, std::move(rdata)));
  return a;
}

TEST_F(Dns64PipelineTest, ResolverAnswersFromCacheAreSynthesizedAtOnce) {
  ScriptedRecursion recursion;
  processor.set_recursion(&recursion);
  recursion.set("www.example.", rr_type::AAAA, negative(zone::rcode::NOERROR, 100), true);
  recursion.set("www.example.", rr_type::A, positive("www.example.", rr_type::A, 50, v4("1.2.3.4")),
                true);
  for (int round = 0; round < 2; ++round) {
    auto r = answer(kDns64Client, "www.example.", rr_type::AAAA);
    EXPECT_TRUE(r.header.has(zone::flag::RA));
    EXPECT_FALSE(r.header.has(zone::flag::AA));
    const auto* aaaa = find(r, "www.example.", rr_type::AAAA);
    ASSERT_NE(aaaa, nullptr);
    EXPECT_EQ(aaaa->ttl, 50u);
  }
  EXPECT_EQ(recursion.cache_lookups, 4) << "resolver answers are not kept rendered: TTLs run";
  EXPECT_EQ(stats.answers_from_cache.load(), 0u);
}

// Answers the resolver allows to be reused (reuse_seconds) are kept rendered: sent again with
// their TTLs run down, until the shorter reuse time of the two sources is over or a flush.
TEST_F(Dns64PipelineTest, ResolverAnswersKeptRenderedRunDownAndExpire) {
  ScriptedRecursion recursion;
  processor.set_recursion(&recursion);
  RecursiveAnswer nodata = negative(zone::rcode::NOERROR, 100);
  nodata.reuse_seconds = 40;
  RecursiveAnswer a = positive("www.example.", rr_type::A, 50, v4("1.2.3.4"));
  a.reuse_seconds = 45;
  recursion.set("www.example.", rr_type::AAAA, nodata, true);
  recursion.set("www.example.", rr_type::A, a, true);
  auto ttl = [&] {
    // The response must outlive the pointer find() returns into it.
    const zone::ResponseView response = answer(kDns64Client, "www.example.", rr_type::AAAA);
    const auto* aaaa = find(response, "www.example.", rr_type::AAAA);
    return aaaa != nullptr ? aaaa->ttl : 0u;
  };
  EXPECT_EQ(ttl(), 50u);
  EXPECT_EQ(recursion.cache_lookups, 2);
  recursion.epoch.seconds += 10;
  EXPECT_EQ(ttl(), 40u) << "kept, 10 s older";
  EXPECT_EQ(recursion.cache_lookups, 2);
  EXPECT_EQ(stats.answers_from_cache.load(), 1u);
  EXPECT_EQ(
      find(answer(kPlainClient, "www.example.", rr_type::AAAA), "www.example.", rr_type::AAAA),
      nullptr)
      << "kept for its policy only";
  recursion.epoch.seconds += 30;  // 40 s: the AAAA source's reuse time is over
  EXPECT_EQ(ttl(), 50u);
  EXPECT_EQ(recursion.cache_lookups, 5) << "the plain client's AAAA, then AAAA and A again";
  recursion.epoch.generation = 1;  // a cache flush
  EXPECT_EQ(ttl(), 50u);
  EXPECT_EQ(recursion.cache_lookups, 7);
  EXPECT_EQ(stats.answers_from_cache.load(), 1u);
}

TEST_F(Dns64PipelineTest, ResolverAnswersComeLaterThroughTheSink) {
  ScriptedRecursion recursion;
  processor.set_recursion(&recursion);
  recursion.set("www.example.", rr_type::AAAA, negative(zone::rcode::NOERROR, 30), false);
  recursion.set("www.example.", rr_type::A, positive("www.example.", rr_type::A, 50, v4("1.2.3.4")),
                false);
  EXPECT_FALSE(ask(kDns64Client, "www.example.", rr_type::AAAA).has_value());
  recursion.run_pending();
  ASSERT_EQ(sink->messages.size(), 1u);
  auto r = parse(sink->messages[0]);
  EXPECT_EQ(r.header.id, 0x1234);
  const auto* aaaa = find(r, "www.example.", rr_type::AAAA);
  ASSERT_NE(aaaa, nullptr);
  EXPECT_EQ(aaaa->ttl, 30u) << "min(A TTL 50, SOA TTL 30)";
}

TEST_F(Dns64PipelineTest, ResolverTimeoutForAaaaStillSynthesizes) {
  ScriptedRecursion recursion;
  processor.set_recursion(&recursion);
  RecursiveAnswer servfail;  // what the resolver gives after a timeout
  recursion.set("slow.example.", rr_type::AAAA, servfail, true);
  recursion.set("slow.example.", rr_type::A,
                positive("slow.example.", rr_type::A, 3000, v4("1.2.3.4")), true);
  auto r = answer(kDns64Client, "slow.example.", rr_type::AAAA);
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR);
  EXPECT_EQ(find(r, "slow.example.", rr_type::AAAA)->ttl, 600u);

  recursion.set("gone.example.", rr_type::AAAA, negative(zone::rcode::NXDOMAIN, 30), true);
  EXPECT_EQ(answer(kDns64Client, "gone.example.", rr_type::AAAA).rcode, zone::rcode::NXDOMAIN);
}

TEST_F(Dns64PipelineTest, TransportThatCannotWaitGetsServfail) {
  ScriptedRecursion recursion;
  processor.set_recursion(&recursion);
  sink = nullptr;
  auto r = ask(kDns64Client, "www.example.", rr_type::AAAA);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rcode, zone::rcode::SERVFAIL);
  recursion.run_pending();  // the late answer goes nowhere
}

}  // namespace
}  // namespace hayate::server
